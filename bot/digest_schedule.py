"""When digests go out, and the loop that sends them: local time via zoneinfo, an injected clock.

Each day's digest is due at DIGEST_TIME on that day in DIGEST_TIMEZONE. On the day the
clocks go forward a time that does not exist goes out at the first minute that does; on
the day they go back an ambiguous time goes out at its first occurrence, and only once
because the store admits one run per channel and day. A bot that was down at the time
catches up when it starts within DIGEST_GRACE after it; earlier days are never back-posted.
A channel whose platform is down is tried again while that window lasts. A failed attempt
that may have posted the message after all is sent again only once the channel has been looked
at (with a finder) and the message is not there; a look that meets a passing failure is made
again later in the window, and nothing is posted until one has answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Awaitable, Callable, Literal, Sequence, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import Settings
from bot.digest import Digest, build_digest, digest_of
from bot.digest_store import Claim, DigestStore, utc_now
from bot.errors import BotError, ConfigError
from bot.models import FactBase

log = logging.getLogger("bot.digest")
VERDICT_FOR = "digest_verdict_for"
"""The attribute of a log record that says how a channel's digest went (posted not, or not yet):
`digest send`, which says so itself in its `error:` line, leaves those records out."""


def _verdict(channel: str) -> dict[str, str]:
    """The `extra` of a log record giving the verdict on `channel`'s digest."""
    return {VERDICT_FOR: channel}
T = TypeVar("T")

Platform = Literal["slack", "discord"]
_CHANNEL_IDS = {
    # C…, G… or D…: a letter first. Digits only are a Discord channel's id given the wrong prefix.
    "slack": re.compile(r"[A-Z][A-Z0-9]+"),
    # A snowflake: 17 digits for the oldest ids, 18 or 19 today, 20 at most for a 64-bit number.
    "discord": re.compile(r"[0-9]{17,20}"),
}
_PLATFORM_TOKENS = {"slack": "SLACK_BOT_TOKEN", "discord": "DISCORD_TOKEN"}
"""The setting that turns a platform on."""
_CHANNEL_SHAPES = {
    "slack": "Slack channel ids are capital letters and digits, like slack:C0123ABC (not the #name)",
    "discord": "Discord channel ids are snowflakes of 17 to 20 digits, like discord:123456789012345678",
}
MAX_NAP = 900.0
"""Sleep at most this long at once: the clock is read again after every nap (suspend, clock changes)."""
MIN_WINDOW = timedelta(minutes=1)
"""A day's digest may go out at least this long after its time, whatever DIGEST_GRACE says: no
process wakes at the exact instant, so a grace of 0 would otherwise never post."""
RETRY_LATER = 300.0
"""After a round of transient failures, the channel is tried again this many seconds later."""
ERROR_RETRY = 60.0
"""After an unexpected error (say the database was locked), the round runs again this many seconds later."""
MAX_INLINE_WAIT = 60.0
"""A Retry-After longer than this gives the claim back and comes again then, instead of holding it."""
CLOSE_GRACE = 8.0
"""How long stopping waits for a digest send under way to finish and be recorded."""
NO_CHANNELS = "no digest channels (DIGEST_CHANNELS): the daily digest is off"


# -- settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestChannel:
    """A channel that gets the daily digest, as `slack:C0123ABC` or `discord:1234...` names it."""

    platform: Platform
    id: str

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.id}"

    def __str__(self) -> str:
        return self.key


def parse_channel(entry: str) -> DigestChannel:
    """One `platform:id` entry; ValueError says what is wrong with it and what is expected."""
    shown = repr(entry.strip())
    platform, _, channel_id = entry.strip().partition(":")
    platform, channel_id = platform.strip().lower(), channel_id.strip()
    if platform not in _CHANNEL_IDS:
        raise ValueError(
            f"{shown} does not start with slack: or discord: (like slack:C0123ABC or discord:123456789012345678)"
        )
    if not _CHANNEL_IDS[platform].fullmatch(channel_id):
        if platform == "discord" and channel_id.isascii() and channel_id.isdigit():
            problem = f"has an id of {len(channel_id)} digits"
        elif platform == "slack" and channel_id.isascii() and channel_id.isdigit():
            problem = "has an id of digits only, as Discord's are"
        else:
            problem = f"has no {platform.title()} channel id"
        raise ValueError(f"{shown} {problem}: {_CHANNEL_SHAPES[platform]}")
    return DigestChannel(platform, channel_id)  # type: ignore[arg-type]


def parse_channels(text: str | None) -> list[DigestChannel]:
    """DIGEST_CHANNELS, comma separated, duplicates dropped; ConfigError names the bad entry."""
    channels: list[DigestChannel] = []
    for entry in (text or "").split(","):
        if not entry.strip():
            continue
        try:
            channel = parse_channel(entry)
        except ValueError as error:
            raise ConfigError(f"DIGEST_CHANNELS entry {error}; fix it in the environment or .env") from None
        if channel not in channels:
            channels.append(channel)
    return channels


def channels_left_out(left_out: dict[str, list[str]], *, digest_off: bool) -> list[str]:
    """One line per platform (`left_out`: platform -> its DIGEST_CHANNELS entries) that is not
    configured, so its channels get no digest; the last line says so when no channel is left."""
    lines = []
    for platform, keys in left_out.items():
        which = "that channel gets" if len(keys) == 1 else "those channels get"
        lines.append(
            f"DIGEST_CHANNELS names {', '.join(keys)} but {platform.title()} is not configured "
            f"({_PLATFORM_TOKENS[platform]}); {which} no digest"
        )
    if lines and digest_off:
        lines[-1] += ", so the daily digest is off"
    return lines


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone DIGEST_TIMEZONE names, or ConfigError."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(f"DIGEST_TIMEZONE {name!r} is not an IANA time zone name such as Europe/Berlin") from None


# -- time ----------------------------------------------------------------------------------


def _exists(moment: datetime) -> bool:
    """Whether a local wall time happens at all (it doesn't inside a spring-forward gap)."""
    round_trip = moment.astimezone(timezone.utc).astimezone(moment.tzinfo)
    return round_trip.replace(tzinfo=None, fold=0) == moment.replace(tzinfo=None, fold=0)


def local_due(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC moment `at` happens on `day` in `zone`.

    A wall time in a gap is moved to the first whole minute after it that exists; an
    ambiguous one (the hour that repeats) is its first occurrence.
    """
    wall = datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)
    if not _exists(wall):
        start = wall.replace(second=0, microsecond=0)
        # Gaps last at most a few hours; a day of minutes is a generous bound.
        for minutes in range(1, 24 * 60 + 1):
            wall = start + timedelta(minutes=minutes)  # wall-clock arithmetic: tzinfo is kept
            if _exists(wall):
                break
    return wall.replace(fold=0).astimezone(timezone.utc)


@dataclass(frozen=True)
class DigestSchedule:
    """DIGEST_TIME in DIGEST_TIMEZONE, with the catch-up window DIGEST_GRACE."""

    at: time
    zone: ZoneInfo
    grace: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> "DigestSchedule":
        return cls(
            at=settings.digest_time,
            zone=time_zone(settings.digest_timezone),
            grace=timedelta(hours=settings.digest_grace_hours),
        )

    def local_day(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def due_at(self, day: date) -> datetime:
        """When `day`'s digest is due, in UTC."""
        return local_due(day, self.at, self.zone)

    @property
    def window(self) -> timedelta:
        """How long after its time a day's digest may still go out: the grace, at least MIN_WINDOW."""
        return max(self.grace, MIN_WINDOW)

    def closes_at(self, day: date) -> datetime:
        """The last moment `day`'s digest may go out, in UTC."""
        return self.due_at(day) + self.window

    def open_day(self, now: datetime) -> date | None:
        """The day whose digest may go out at `now` (its time has come, its grace not passed), if any."""
        today = self.local_day(now)
        for day in (today, today - timedelta(days=1)):
            if self.due_at(day) <= now <= self.closes_at(day):
                return day
        return None

    def next_due(self, now: datetime) -> datetime:
        """The first due moment strictly after `now`."""
        today = self.local_day(now)
        for offset in range(0, 3):
            due = self.due_at(today + timedelta(days=offset))
            if due > now:
                return due
        raise AssertionError("a due moment within two days always exists")  # pragma: no cover


# -- sending -------------------------------------------------------------------------------


class SendFailure(BotError):
    """A platform did not take a digest; `transient` ones (429, 5xx, network) are worth retrying.

    `maybe_posted` marks a failure after which the message may exist all the same (a timeout
    or a dropped connection once the request was sent, a 5xx): a sender marks such a failure
    transient only when sending again right away cannot post a second copy (Discord's nonce),
    and the scheduler sends nothing more for it before the channel has been looked at.
    `look_again` marks one whose message may exist and whose channel could not be looked at
    just now (a 429, a 5xx, a timeout, the network): it is looked for again later, not given up.
    `misconfigured` marks a refusal of the bot's own credentials (a token revoked or wrong): a
    setting to fix, not the day's digest failing. The day is given back at once, to go out once the
    setting works, rather than given up; when its message may be out all the same (the refusal
    came while looking for it), whoever takes the day on looks in the channel before sending.
    """

    def __init__(
        self,
        reason: str,
        *,
        transient: bool,
        retry_after: float | None = None,
        maybe_posted: bool = False,
        look_again: bool = False,
        misconfigured: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after
        self.maybe_posted = maybe_posted or look_again
        self.look_again = look_again
        self.misconfigured = misconfigured


Sender = Callable[[str, Digest], Awaitable["str | None"]]
"""Posts a digest to a channel key (`slack:C…`) and returns the platform's message id, or None."""

Finder = Callable[[str, Digest, datetime], Awaitable["str | None"]]
"""Looks for a digest posted to a channel key since a moment: its message id, None when it is not
there (or the platform needs no looking), an exception when the channel can't be checked."""

OutcomeStatus = Literal["sent", "done", "busy", "failed", "deferred", "empty"]


@dataclass(frozen=True)
class Outcome:
    """What happened to one channel's digest: sent now, done already, busy elsewhere, failed, deferred
    (transient failures, or a setting to fix: tried again later while the day's window lasts), or
    nothing to post."""

    channel: str
    day: date
    status: OutcomeStatus
    message_id: str | None = None
    reason: str | None = None


class DigestScheduler:
    """Posts each channel's digest once a day; time, sleep, sending and backoff are all injected.

    `run()` loops until `stop()`; `run_due()` and `post()` are the steps it takes, callable
    on their own (the CLI's `digest send` uses `post`). While a send is under way the claim's
    lease is extended every quarter lease (`lease_sleep` waits in between), so a slow platform
    never lets a second process take the claim over and post too. With no channels, `run()`
    logs `off_message` (None when the caller has said why already) and returns.

    Every store call runs in a worker thread (`asyncio.to_thread`), one at a time, in the order
    asked: SQLite waits up to its busy timeout while another process (a second `serve`, a
    `digest send` run by hand) holds the database, and on the event loop that wait would stall
    everything else the process serves. `digest_for` is the one store call made directly: the
    adapters call it from a worker thread themselves.

    `paused(channel)` says why digests to a channel are held back until the bot restarts (its
    platform refuses the bot's credentials) and what to fix, or None: such a channel is neither
    claimed nor sent to, which leaves its day unposted for the next start, and one line says so,
    once.
    """

    def __init__(
        self,
        *,
        channels: Sequence[str],
        schedule: DigestSchedule,
        store: DigestStore,
        base: Callable[[], FactBase],
        size: int,
        send: Sender,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        backoff: Sequence[float] = (2.0, 10.0, 30.0),
        max_nap: float = MAX_NAP,
        retry_later: float = RETRY_LATER,
        error_retry: float = ERROR_RETRY,
        max_inline_wait: float = MAX_INLINE_WAIT,
        lease_sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        off_message: str | None = NO_CHANNELS,
        close_grace: float = CLOSE_GRACE,
        find: Finder | None = None,
        paused: Callable[[str], "str | None"] | None = None,
    ) -> None:
        self.channels = list(channels)
        self._find = find
        self._paused = paused
        self._said_paused: set[str] = set()
        self.off_message = off_message
        self.schedule = schedule
        self.store = store
        self._base = base
        self.size = size
        self._send = send
        self._clock = clock
        self._sleep = sleep
        self._lease_sleep = lease_sleep
        self.backoff = tuple(backoff)
        self.max_nap = max_nap
        self.retry_later = retry_later
        self.error_retry = error_retry
        self.max_inline_wait = max_inline_wait
        self._stopped = False
        self._retry_at: datetime | None = None
        self._unrecorded: dict[tuple[str, date], tuple[Claim, str]] = {}
        self._task: asyncio.Task[None] | None = None
        self.close_grace = close_grace
        self._sends = 0
        self._no_sends = asyncio.Event()
        self._no_sends.set()
        self._store_turn: asyncio.Lock | None = None
        self._store_loop: asyncio.AbstractEventLoop | None = None

    async def _stored(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """`call(*args, **kwargs)` (a store method) in a worker thread, after the store calls asked before it.

        One at a time: a claim and its post's record keep their order, and a database held by
        another process ties up one worker thread, not one per channel.
        """
        loop = asyncio.get_running_loop()
        if self._store_turn is None or self._store_loop is not loop:
            self._store_turn, self._store_loop = asyncio.Lock(), loop
        async with self._store_turn:
            return await asyncio.to_thread(call, *args, **kwargs)

    def stop(self) -> None:
        self._stopped = True

    def start(self) -> "asyncio.Task[None]":
        """Run the loop as a task; calling it again while it runs returns the same task."""
        if self._task is None or self._task.done():
            self._stopped = False
            self._task = asyncio.get_running_loop().create_task(self.run(), name="digest-scheduler")
        return self._task

    async def close(self) -> None:
        """Stop the loop and wait for it; an unfinished claim is retried by the next start.

        A send under way is let finish and be recorded first (up to `close_grace`): cut, it may
        still reach the platform unrecorded, and the next start would post the day's digest
        again. No new send starts once stopping.
        """
        self.stop()
        if self._task is None or self._task.done():
            return
        if self._sends:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._no_sends.wait(), timeout=self.close_grace)
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    def today(self) -> date:
        return self.schedule.local_day(self._clock())

    def digest_for(self, channel: str, *, day: date | None = None) -> Digest:
        """The channel's digest of `day` (default today): what it got, or what it would get."""
        return self.store.digest_for(self._base(), channel=channel, day=day or self.today(), size=self.size)

    async def run(self) -> None:
        """Post every due digest, then sleep until the next one; forever, until `stop()`."""
        if not self.channels:
            if self.off_message:
                log.info("%s", self.off_message)
            return
        while not self._stopped:
            try:
                await self.run_due()
            except Exception:  # noqa: BLE001 - a bad round (say the database is locked) must not end the loop
                log.exception("digest round failed; trying again in %.0f s", self.error_retry)
                self._retry_from_now(self.error_retry)
            if self._stopped:
                break
            await self._sleep(self.seconds_to_wait())

    def _retry(self, at: datetime) -> None:
        self._retry_at = at if self._retry_at is None else min(self._retry_at, at)

    def _retry_from_now(self, seconds: float) -> None:
        self._retry(self._clock() + timedelta(seconds=seconds))

    def seconds_to_wait(self) -> float:
        """Until the next due moment, or until a channel of the open day is worth another try; capped."""
        now = self._clock()
        wake = self.schedule.next_due(now)
        if self._retry_at is not None:
            day = self.schedule.open_day(now)
            if day is not None and self._retry_at <= self.schedule.closes_at(day):
                wake = min(wake, self._retry_at)
        return max(1.0, min((wake - now).total_seconds(), self.max_nap))

    async def run_due(self) -> list[Outcome]:
        """Post the open day's digest to every channel that has not had it; one failing stops none."""
        self._retry_at = None
        if not self.channels:
            return []
        now = self._clock()
        day = self.schedule.open_day(now)
        # Claims of earlier days nobody holds any more are settled: earlier days are never back-posted.
        await self._stored(self.store.miss_before, day or self.schedule.local_day(now))
        if day is None:
            return []
        results = await asyncio.gather(*(self.post(channel, day=day) for channel in self.channels), return_exceptions=True)
        outcomes: list[Outcome] = []
        for channel, result in zip(self.channels, results):
            if isinstance(result, BaseException):
                if isinstance(result, asyncio.CancelledError):
                    raise result
                log.error(
                    "digest for %s on %s failed unexpectedly; trying again in %.0f s",
                    channel, day, self.error_retry, exc_info=result,
                )
                self._retry_from_now(self.error_retry)
                result = Outcome(channel, day, "failed", reason=repr(result))
            outcomes.append(result)
        self._say_paused()
        return outcomes

    def _pause_reason(self, channel: str) -> str | None:
        return self._paused(channel) if self._paused is not None else None

    def _say_paused(self) -> None:
        """Log the channels whose digests are paused, and why, once for each reason: the scheduler
        wakes every few minutes, and each wake would say it again."""
        by_reason: dict[str, list[str]] = {}
        for channel in self.channels:
            reason = self._pause_reason(channel)
            if reason is not None and reason not in self._said_paused:
                by_reason.setdefault(reason, []).append(channel)
        for reason, channels in by_reason.items():
            self._said_paused.add(reason)
            log.error(
                "daily digest paused for %s until the bot restarts: %s, and restart the bot; a day's digest "
                "not posted yet goes out once after the restart, if that comes within DIGEST_GRACE of its time",
                ", ".join(channels), reason,
            )  # fmt: skip

    async def post(self, channel: str, *, day: date | None = None, force: bool = False) -> Outcome:
        """Claim, send (retrying transient failures with backoff) and complete one channel's digest."""
        day = day or self.today()
        pending = self._unrecorded.get((channel, day))
        if pending is not None:
            claim, message_id = pending
            await self._stored(self.store.complete, claim, message_id)
            del self._unrecorded[(channel, day)]
            log.info("digest for %s on %s recorded as posted: %s", channel, day, message_id)
            return Outcome(channel, day, "sent", message_id=message_id)
        paused = self._pause_reason(channel)
        if paused is not None:
            # Nothing is claimed: the day stays free for the next start (or `digest send`).
            return Outcome(channel, day, "deferred", reason=f"paused until the bot restarts: {paused}")
        base = self._base()
        posted = await self._stored(self.store.posted, channel)
        planned = build_digest(base, channel=channel, day=day, size=self.size, posted=posted)
        if not planned.items:
            log.warning(
                "digest for %s on %s not posted: the fact base has no facts", channel, day, extra=_verdict(channel)
            )
            return Outcome(channel, day, "empty", reason="the fact base has no facts")
        claim = await self._stored(self.store.claim, planned, force=force)
        if claim is None:
            return await self._not_claimed(channel, day)
        digest = digest_of(base, channel=channel, day=day, fact_ids=claim.fact_ids, new_round=claim.new_round)
        if len(digest.items) < len(claim.plan):
            # A reload removed facts this day's digest had planned.
            if claim.repeat:
                if not digest.items:
                    return Outcome(
                        channel, day, "failed", reason="the facts that day's digest posted are no longer in the fact base"
                    )
            else:
                claim = await self._stored(self.store.replan, claim, planned)
                if claim is None:
                    return await self._not_claimed(channel, day)
                digest = digest_of(base, channel=channel, day=day, fact_ids=claim.fact_ids, new_round=claim.new_round)
        if claim.repeat:
            digest = digest.model_copy(update={"posted_again_at": self._clock().timestamp()})
        return await self._deliver(claim, digest)

    async def _not_claimed(self, channel: str, day: date) -> Outcome:
        run = await self._stored(self.store.run, channel, day)
        if run is not None and run.status == "claimed":
            self._retry(run.lease_until)
            if run.error:
                reason = f"the last attempt failed ({run.error}); tried again from {run.lease_until:%H:%M} UTC"
            else:
                reason = "another run holds the claim"
            return Outcome(channel, day, "busy", reason=reason)
        status = run.status if run is not None else "unknown"
        error = run.error if run is not None and run.status == "failed" else None
        return Outcome(channel, day, "done", message_id=run.message_id if run else None, reason=error or status)

    async def _deliver(self, claim: Claim, digest: Digest) -> Outcome:
        """Send with backoff; a round of transient failures that cannot have posted is tried again later."""
        channel, day = claim.channel, claim.day
        attempts = 1 + len(self.backoff)
        reason = "not sent"
        wait = 0.0
        last: SendFailure | None = None
        maybe_posted = False
        if claim.resumed_from is not None and self._find is not None:
            # The run this claim was taken from stopped mid-send: its post may be in the channel.
            try:
                found = await self._holding(claim, self._find(channel, digest, claim.resumed_from))
            except Exception as error:  # noqa: BLE001 - can't tell: never post twice
                reason = f"an earlier run may have posted it, and the channel could not be checked ({error})"
                if isinstance(error, SendFailure):
                    if error.misconfigured:
                        given_back = await self._give_back(claim, reason, maybe_posted=True)
                        if given_back is not None:
                            return given_back
                    elif error.transient or error.look_again:
                        later = await self._look_again_later(claim, reason, retry_after=error.retry_after)
                        if later is not None:
                            return later
                else:
                    log.error("digest for %s on %s: looking for it in the channel raised", channel, day, exc_info=error)
                await self._stored(self.store.fail, claim, reason)
                log.error("digest for %s on %s not posted: %s", channel, day, reason, extra=_verdict(channel))
                return Outcome(channel, day, "failed", reason=reason)
            if found:
                log.warning("digest for %s on %s was posted by an earlier run: %s", channel, day, found)
                return await self._record(claim, found)
        for attempt in range(attempts):
            if wait:
                await self._sleep(wait)
            if not await self._stored(self.store.renew, claim):
                return Outcome(channel, day, "busy", reason="another run took the claim over")
            if self._stopped and self._task is not None:
                # Stopping: send nothing more; the claim is free for the next start at once. After
                # an attempt that may have posted, it is left to run out unreleased instead: a
                # released claim's next taker sends without looking in the channel first.
                if not maybe_posted:
                    await self._stored(self.store.release, claim, "stopped before sending", until=self._clock())
                return Outcome(channel, day, "deferred", reason="stopped before sending")
            paused = self._pause_reason(channel)
            if paused is not None:
                # Locked out meanwhile (another channel's post was refused): send nothing more.
                reason = f"paused until the bot restarts: {paused}"
                given_back = await self._give_back(claim, reason, maybe_posted=maybe_posted)
                return given_back or Outcome(channel, day, "deferred", reason=reason)
            try:
                outcome = await self._sending(claim, digest)
            except SendFailure as failure:
                last, reason = failure, failure.reason
                maybe_posted = maybe_posted or failure.maybe_posted
                if not failure.transient or failure.look_again:
                    break
                if attempt + 1 == attempts:
                    reason = f"gave up after {attempts} attempts: {reason}"
                    break
                wait = max(self.backoff[attempt], failure.retry_after or 0.0)
                if wait > self.max_inline_wait:
                    break
                log.warning("digest for %s on %s: %s; retrying in %.0f s", channel, day, reason, wait)
                continue
            except Exception as error:  # noqa: BLE001 - one channel's bug must not stop the others
                log.exception("digest for %s on %s: sending raised", channel, day)
                last, reason = None, f"{type(error).__name__}: {error}"
                break
            if outcome is None:
                last, reason = None, "the platform did not confirm the message"
                break
            return outcome
        if last is not None and last.misconfigured:
            given_back = await self._give_back(claim, reason, maybe_posted=maybe_posted)
            if given_back is not None:
                return given_back
        if last is not None and last.transient and not maybe_posted and not claim.repeat:
            retry_at = self._clock() + timedelta(seconds=max(self.retry_later, last.retry_after or 0.0))
            if retry_at <= self.schedule.closes_at(day) and await self._stored(
                self.store.release, claim, reason, until=retry_at
            ):
                self._retry(retry_at)
                log.error(
                    "digest for %s on %s not posted yet: %s; trying again at %s UTC",
                    channel,
                    day,
                    reason,
                    f"{retry_at:%H:%M:%S}",
                    extra=_verdict(channel),
                )
                return Outcome(channel, day, "deferred", reason=f"{reason}; tried again from {retry_at:%H:%M} UTC")
        if maybe_posted and last is not None and (last.transient or last.look_again) and not claim.repeat:
            if self._find is not None:
                later = await self._look_again_later(claim, reason, retry_after=last.retry_after)
                if later is not None:
                    return later
        if maybe_posted and last is not None and last.transient:
            reason += " (not sent again: it may have been posted)"
        if not claim.repeat:
            await self._stored(self.store.fail, claim, reason)
        log.error("digest for %s on %s not posted: %s", channel, day, reason, extra=_verdict(channel))
        return Outcome(channel, day, "failed", reason=reason)

    async def _give_back(self, claim: Claim, reason: str, *, maybe_posted: bool) -> Outcome | None:
        """Give the day back, free to take at once, after the platform refused the bot's own
        credentials: nothing made with them works on any day, so the day stays open for `digest
        send` or a restart once the setting is fixed. None for a forced re-post (nothing to give
        back) or a claim no longer ours.

        When its message may be out (`maybe_posted`), no error is recorded, so whoever takes the day
        on looks in the channel before sending: never twice.
        """
        channel, day = claim.channel, claim.day
        if claim.repeat:
            return None
        if maybe_posted:
            given_back = await self._stored(self.store.release_unsettled, claim, until=self._clock())
            then = "once that is fixed, the channel is looked at before the digest is sent again"
        else:
            given_back = await self._stored(self.store.release, claim, reason, until=self._clock())
            then = "the day's digest goes out once that is fixed"
        if not given_back:
            return None
        log.error("digest for %s on %s not posted: %s; %s", channel, day, reason, then, extra=_verdict(channel))
        return Outcome(channel, day, "deferred", reason=reason)

    async def _look_again_later(self, claim: Claim, reason: str, *, retry_after: float | None) -> Outcome | None:
        """Leave a claim whose message may be out, and whose channel could not be looked at just
        now, to be looked for again (after `retry_later`, or the platform's Retry-After) before
        anything is sent; None when the day's window closes first or the claim is no longer ours.

        The claim stays open with no error recorded: `release` would record one, and the next
        taker would then post without looking. Whoever takes it over once its lease has run out,
        this process included, looks in the channel first.
        """
        channel, day = claim.channel, claim.day
        run = await self._stored(self.store.run, channel, day)
        if run is None or run.status != "claimed" or run.owner != claim.owner:
            return None
        wait = max(self.retry_later, retry_after or 0.0)
        retry_at = max(run.lease_until, self._clock() + timedelta(seconds=wait))
        if retry_at > self.schedule.closes_at(day):
            return None
        self._retry(retry_at)
        log.warning(
            "digest for %s on %s not posted yet: %s; looked for in the channel again at %s UTC",
            channel, day, reason, f"{retry_at:%H:%M:%S}", extra=_verdict(channel),
        )  # fmt: skip
        return Outcome(channel, day, "deferred", reason=f"{reason}; looked for again from {retry_at:%H:%M} UTC")

    async def _record(self, claim: Claim, message_id: str) -> Outcome:
        channel, day = claim.channel, claim.day
        try:
            recorded = await self._stored(self.store.complete, claim, message_id)
        except Exception:  # noqa: BLE001 - the message is out: record it later rather than post it again
            log.exception(
                "digest for %s on %s posted as %s, but recording it failed; recording it again in %.0f s",
                channel, day, message_id, self.error_retry,
            )
            self._unrecorded[(channel, day)] = (claim, message_id)
            self._retry_from_now(self.error_retry)
            return Outcome(channel, day, "sent", message_id=message_id)
        if not recorded:
            log.warning("digest for %s on %s posted as %s after another run took over", channel, day, message_id)
        log.info("digest for %s on %s posted: %s", channel, day, message_id)
        return Outcome(channel, day, "sent", message_id=message_id)

    async def _sending(self, claim: Claim, digest: Digest) -> Outcome | None:
        """`_send_holding`, then the record of the message posted (None when the platform did not
        confirm one): counted as a send under way for `close` to wait for, so that a stop never
        comes between a post and its record, which is written in a worker thread."""
        self._sends += 1
        self._no_sends.clear()
        try:
            message_id = await self._send_holding(claim, digest)
            if not message_id:
                return None
            return await self._record(claim, message_id)
        finally:
            self._sends -= 1
            if not self._sends:
                self._no_sends.set()

    async def _send_holding(self, claim: Claim, digest: Digest) -> "str | None":
        """Send, extending the claim's lease for as long as the platform takes."""
        return await self._holding(claim, self._send(claim.channel, digest))

    async def _holding(self, claim: Claim, work: Awaitable[T]) -> T:
        """Await `work` (a send, or a look in the channel), extending the claim's lease for as
        long as the platform takes: a second process must not take the claim over meanwhile."""
        if claim.repeat:
            return await work
        keeper = asyncio.ensure_future(self._hold(claim))
        try:
            return await work
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)

    async def _hold(self, claim: Claim) -> None:
        interval = max(self.store.lease.total_seconds() / 4, 1.0)
        while True:
            await self._lease_sleep(interval)
            try:
                if not await self._stored(self.store.renew, claim, count=False):
                    return
            except Exception:  # noqa: BLE001 - the next beat tries again; the send goes on
                log.warning("digest for %s on %s: could not extend the claim", claim.channel, claim.day, exc_info=True)
