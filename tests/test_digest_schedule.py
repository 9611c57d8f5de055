"""When digests go out and what the scheduler does, on an injected clock: no test sleeps for real,
but those that hold the database locked from another connection."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from time import monotonic as time_monotonic
from typing import Awaitable, Callable, TypeVar
from zoneinfo import ZoneInfo

import pytest

from bot.config import load_settings
from bot.db import Database
from bot.digest import Digest, build_digest
from bot.digest_schedule import (
    DigestChannel,
    DigestSchedule,
    DigestScheduler,
    SendFailure,
    local_due,
    parse_channels,
    time_zone,
)
from bot.digest_store import DigestStore
from bot.errors import ConfigError
from bot.models import FactBase

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
T = TypeVar("T")
SLACK = "slack:C0123ABC"
DISCORD = "discord:123456789012345678"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class FakeTime:
    """A clock and a sleep that moves it: the scheduler's naps take no wall time."""

    def __init__(self, now: datetime, *, until: datetime | None = None) -> None:
        self.now = now
        self.until = until
        self.naps: list[float] = []
        self.scheduler: DigestScheduler | None = None

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += timedelta(seconds=seconds)
        if self.until is not None and self.now >= self.until and self.scheduler is not None:
            self.scheduler.stop()
        await asyncio.sleep(0)


class Recorder:
    """Stands in for a platform: records what it was asked to post, and when; fails as told."""

    def __init__(self, clock: FakeTime, *, failures: dict[str, list[BaseException | None]] | None = None) -> None:
        self.clock = clock
        self.posts: list[tuple[str, datetime, Digest]] = []
        self.attempts: list[str] = []
        self.failures = failures or {}

    async def __call__(self, channel: str, digest: Digest) -> str | None:
        self.attempts.append(channel)
        await asyncio.sleep(0)  # let concurrent senders interleave, as network calls would
        planned = self.failures.get(channel)
        if planned:
            outcome = planned.pop(0)
            if outcome is None:
                return None
            raise outcome
        self.posts.append((channel, self.clock.now, digest))
        return f"m{len(self.posts)}"


async def until(condition: Callable[[], bool], *, timeout: float = 5.0) -> None:
    """Wait until `condition()` holds: the scheduler's store calls take a worker thread's turn."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "waited in vain"
        await asyncio.sleep(0.001)


def make_scheduler(
    tmp_path: Path,
    fact_base: FactBase,
    clock: FakeTime,
    send: Recorder,
    *,
    at: time = time(9, 0),
    zone: ZoneInfo = BERLIN,
    grace: timedelta = timedelta(hours=6),
    channels: tuple[str, ...] = (SLACK,),
    owner: str = "one",
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> DigestScheduler:
    store = DigestStore(Database(tmp_path / "bot.sqlite3"), owner=owner, clock=clock)
    scheduler = DigestScheduler(
        channels=channels,
        schedule=DigestSchedule(at=at, zone=zone, grace=grace),
        store=store,
        base=lambda: fact_base,
        size=3,
        send=send,
        clock=clock,
        sleep=sleep or clock.sleep,
    )
    clock.scheduler = scheduler
    return scheduler


# -- settings ------------------------------------------------------------------------------


def test_channels_parse_and_a_bad_entry_is_named() -> None:
    assert parse_channels(f" {SLACK}, {DISCORD},,{SLACK} ") == [
        DigestChannel("slack", "C0123ABC"),
        DigestChannel("discord", "123456789012345678"),
    ]
    assert parse_channels(None) == []
    for bad in ("teams:C01", "slack:#general", "discord:general", "C0123ABC"):
        with pytest.raises(ConfigError) as error:
            parse_channels(f"{SLACK},{bad}")
        assert repr(bad) in str(error.value) and "DIGEST_CHANNELS" in str(error.value)
        assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("discord:123", "'discord:123' has an id of 3 digits: Discord channel ids are snowflakes of 17 to 20 digits"),
        ("discord:1234567890123456", "has an id of 16 digits"),
        ("discord:123456789012345678901", "has an id of 21 digits"),
        ("discord:general", "'discord:general' has no Discord channel id: Discord channel ids are snowflakes"),
        ("slack:#general", "'slack:#general' has no Slack channel id: Slack channel ids are capital letters and digits, like slack:C0123ABC"),
        ("teams:C01", "'teams:C01' does not start with slack: or discord:"),
        # A Discord channel's id under the slack: prefix would only fail when the digest is due.
        (
            "slack:123456789012345678",
            "'slack:123456789012345678' has an id of digits only, as Discord's are: Slack channel ids are capital "
            "letters and digits, like slack:C0123ABC",
        ),
        ("slack:1C0123ABC", "'slack:1C0123ABC' has no Slack channel id"),
    ],
)
def test_a_bad_channel_says_what_a_channel_id_looks_like(entry: str, says: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_channels(entry)
    assert str(error.value).startswith(f"DIGEST_CHANNELS entry {entry!r}")
    assert says in str(error.value)
    assert "numeric id" not in str(error.value)  # 123 is numeric: that was never the problem


def test_discord_snowflakes_of_17_to_20_digits_are_channels() -> None:
    for digits in (17, 19, 20):
        snowflake = "1" * digits
        assert parse_channels(f"discord:{snowflake}") == [DigestChannel("discord", snowflake)]


def test_an_unknown_time_zone_is_one_clear_line() -> None:
    with pytest.raises(ConfigError) as error:
        time_zone("Mars/Olympus")
    assert str(error.value) == "DIGEST_TIMEZONE 'Mars/Olympus' is not an IANA time zone name such as Europe/Berlin"
    assert time_zone("Europe/Berlin") == BERLIN


def test_the_schedule_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_TIME", "07:45")
    monkeypatch.setenv("DIGEST_TIMEZONE", "America/New_York")
    monkeypatch.setenv("DIGEST_GRACE", "90m")
    schedule = DigestSchedule.from_settings(load_settings())
    assert (schedule.at, schedule.zone, schedule.grace) == (time(7, 45), NEW_YORK, timedelta(minutes=90))


# -- time ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        # Europe/Berlin springs forward on 30 March 2025 at 02:00 -> 03:00.
        (BERLIN, date(2025, 3, 29), time(9, 0), utc(2025, 3, 29, 8, 0)),
        (BERLIN, date(2025, 3, 30), time(9, 0), utc(2025, 3, 30, 7, 0)),
        (BERLIN, date(2025, 3, 30), time(2, 30), utc(2025, 3, 30, 1, 0)),  # no 02:30: 03:00 CEST
        (BERLIN, date(2025, 3, 30), time(2, 0), utc(2025, 3, 30, 1, 0)),
        (BERLIN, date(2025, 3, 30), time(3, 0), utc(2025, 3, 30, 1, 0)),
        # ... and falls back on 26 October 2025 at 03:00 -> 02:00: 02:30 happens twice.
        (BERLIN, date(2025, 10, 26), time(2, 30), utc(2025, 10, 26, 0, 30)),  # the first, CEST
        (BERLIN, date(2025, 10, 26), time(9, 0), utc(2025, 10, 26, 8, 0)),
        (BERLIN, date(2025, 10, 25), time(9, 0), utc(2025, 10, 25, 7, 0)),
        # America/New_York: 9 March 2025 02:00 -> 03:00, 2 November 2025 02:00 -> 01:00.
        (NEW_YORK, date(2025, 3, 9), time(2, 30), utc(2025, 3, 9, 7, 0)),  # no 02:30: 03:00 EDT
        (NEW_YORK, date(2025, 3, 9), time(9, 0), utc(2025, 3, 9, 13, 0)),
        (NEW_YORK, date(2025, 3, 8), time(9, 0), utc(2025, 3, 8, 14, 0)),
        (NEW_YORK, date(2025, 11, 2), time(1, 30), utc(2025, 11, 2, 5, 30)),  # the first, EDT
        (NEW_YORK, date(2025, 11, 2), time(9, 0), utc(2025, 11, 2, 14, 0)),
        (NEW_YORK, date(2025, 11, 1), time(9, 0), utc(2025, 11, 1, 13, 0)),
    ],
)
def test_the_due_moment_on_and_around_clock_changes(zone: ZoneInfo, day: date, at: time, expected: datetime) -> None:
    assert local_due(day, at, zone) == expected


def test_the_open_day_and_the_next_due_moment() -> None:
    schedule = DigestSchedule(at=time(9, 0), zone=BERLIN, grace=timedelta(hours=6))
    due = utc(2025, 6, 2, 7, 0)
    assert schedule.open_day(due - timedelta(seconds=1)) is None
    assert schedule.open_day(due) == date(2025, 6, 2)
    assert schedule.open_day(due + timedelta(hours=6)) == date(2025, 6, 2)
    assert schedule.open_day(due + timedelta(hours=6, seconds=1)) is None
    assert schedule.next_due(due - timedelta(hours=1)) == due
    assert schedule.next_due(due) == utc(2025, 6, 3, 7, 0)
    late = DigestSchedule(at=time(23, 0), zone=BERLIN, grace=timedelta(hours=6))
    # 01:00 Berlin on 3 June is within the grace of 2 June's 23:00: that day, not an earlier one.
    assert late.open_day(utc(2025, 6, 2, 23, 0)) == date(2025, 6, 2)


# -- the loop ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "at", "start", "expected"),
    [
        (
            BERLIN,
            time(2, 30),
            utc(2025, 3, 28, 12, 0),
            [utc(2025, 3, 29, 1, 30), utc(2025, 3, 30, 1, 0), utc(2025, 3, 31, 0, 30)],
        ),
        (
            BERLIN,
            time(2, 30),
            utc(2025, 10, 24, 12, 0),
            [utc(2025, 10, 25, 0, 30), utc(2025, 10, 26, 0, 30), utc(2025, 10, 27, 1, 30)],
        ),
        (
            NEW_YORK,
            time(2, 30),
            utc(2025, 3, 7, 18, 0),
            [utc(2025, 3, 8, 7, 30), utc(2025, 3, 9, 7, 0), utc(2025, 3, 10, 6, 30)],
        ),
        (
            NEW_YORK,
            time(1, 30),
            utc(2025, 10, 31, 18, 0),
            [utc(2025, 11, 1, 5, 30), utc(2025, 11, 2, 5, 30), utc(2025, 11, 3, 6, 30)],
        ),
        (
            BERLIN,
            time(9, 0),
            utc(2025, 3, 28, 20, 0),
            [utc(2025, 3, 29, 8, 0), utc(2025, 3, 30, 7, 0), utc(2025, 3, 31, 7, 0)],
        ),
    ],
)
async def test_the_loop_posts_once_a_day_across_clock_changes(
    tmp_path: Path, fact_base: FactBase, zone: ZoneInfo, at: time, start: datetime, expected: list[datetime]
) -> None:
    clock = FakeTime(start, until=start + timedelta(days=3, hours=6))
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send, at=at, zone=zone)
    await asyncio.wait_for(scheduler.run(), timeout=20)
    assert [when for _, when, _ in send.posts] == expected
    days = [digest.day for _, _, digest in send.posts]
    assert days == [when.astimezone(zone).date() for when in expected]
    assert max(clock.naps) <= scheduler.max_nap


async def test_a_restart_within_the_grace_catches_up_once(tmp_path: Path, fact_base: FactBase) -> None:
    start = utc(2025, 6, 2, 7, 0) + timedelta(hours=5, minutes=59)  # due 09:00 Berlin, grace 6 h
    clock = FakeTime(start, until=start + timedelta(hours=12))
    send = Recorder(clock)
    await make_scheduler(tmp_path, fact_base, clock, send).run()
    assert [(c, when, d.day) for c, when, d in send.posts] == [(SLACK, start, date(2025, 6, 2))]

    # A second start the same day posts nothing more.
    clock.now, clock.until = start + timedelta(hours=1), start + timedelta(hours=2)
    again = Recorder(clock)
    await make_scheduler(tmp_path, fact_base, clock, again, owner="two").run()
    assert again.attempts == []


async def test_a_restart_beyond_the_grace_waits_for_tomorrow_and_never_back_posts(
    tmp_path: Path, fact_base: FactBase
) -> None:
    start = utc(2025, 6, 2, 7, 0) + timedelta(hours=6, minutes=1)
    clock = FakeTime(start, until=utc(2025, 6, 3, 12, 0))
    send = Recorder(clock)
    await make_scheduler(tmp_path, fact_base, clock, send).run()
    assert [(when, d.day) for _, when, d in send.posts] == [(utc(2025, 6, 3, 7, 0), date(2025, 6, 3))]


async def test_after_days_of_downtime_only_today_goes_out(tmp_path: Path, fact_base: FactBase) -> None:
    clock = FakeTime(utc(2025, 6, 1, 7, 0))
    first = Recorder(clock)
    await make_scheduler(tmp_path, fact_base, clock, first).run_due()
    clock.now = utc(2025, 6, 5, 8, 0)  # down from 1 June until an hour after 5 June's time
    clock.until = utc(2025, 6, 5, 20, 0)
    send = Recorder(clock)
    await make_scheduler(tmp_path, fact_base, clock, send).run()
    assert [d.day for _, _, d in send.posts] == [date(2025, 6, 5)]


async def test_two_schedulers_on_one_database_post_once(tmp_path: Path, fact_base: FactBase) -> None:
    start = utc(2025, 6, 2, 6, 0)
    clock_a = FakeTime(start, until=start + timedelta(days=2))
    clock_b = FakeTime(start, until=start + timedelta(days=2))
    sent_a, sent_b = Recorder(clock_a), Recorder(clock_b)
    a = make_scheduler(tmp_path, fact_base, clock_a, sent_a, channels=(SLACK, DISCORD), owner="a")
    b = make_scheduler(tmp_path, fact_base, clock_b, sent_b, channels=(SLACK, DISCORD), owner="b")
    await asyncio.wait_for(asyncio.gather(a.run(), b.run()), timeout=20)
    posts = sorted((c, d.day) for c, _, d in sent_a.posts + sent_b.posts)
    assert posts == sorted((c, day) for c in (SLACK, DISCORD) for day in (date(2025, 6, 2), date(2025, 6, 3)))


async def test_a_crash_between_claim_and_send_is_retried_on_the_next_start(tmp_path: Path, fact_base: FactBase) -> None:
    due = utc(2025, 6, 2, 7, 0)
    crashed_clock = FakeTime(due)
    crashed = DigestStore(Database(tmp_path / "bot.sqlite3"), owner="crashed", clock=crashed_clock)
    claim = crashed.claim(build_digest(fact_base, channel=SLACK, day=date(2025, 6, 2), size=3, posted=()))
    assert claim is not None  # ... and the process died before sending

    restart = due + timedelta(seconds=30)  # back before the dead claim's lease ran out
    clock = FakeTime(restart, until=restart + timedelta(hours=1))
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send, owner="restarted")
    await scheduler.run()
    [(channel, when, digest)] = send.posts
    assert channel == SLACK and digest.day == date(2025, 6, 2)
    assert digest.fact_ids == claim.fact_ids, "the retry posts the facts the claim planned"
    assert due + crashed.lease <= when < due + crashed.lease + timedelta(seconds=5)
    run = scheduler.store.run(SLACK, date(2025, 6, 2))
    assert (run.status, run.owner, run.message_id) == ("sent", "restarted", "m1")


async def test_one_failing_channel_does_not_stop_the_others(
    tmp_path: Path, fact_base: FactBase, caplog: pytest.LogCaptureFixture
) -> None:
    other = "slack:C0OTHER"
    clock = FakeTime(utc(2025, 6, 2, 7, 0))
    send = Recorder(
        clock,
        failures={
            SLACK: [SendFailure("Slack: channel_not_found", transient=False)],
            DISCORD: [None],
            "slack:C0BUGGY": [RuntimeError("boom")],
        },
    )
    scheduler = make_scheduler(tmp_path, fact_base, clock, send, channels=(SLACK, DISCORD, "slack:C0BUGGY", other))
    with caplog.at_level(logging.ERROR, logger="bot.digest"):
        outcomes = await scheduler.run_due()
    assert {o.channel: o.status for o in outcomes} == {SLACK: "failed", DISCORD: "failed", "slack:C0BUGGY": "failed", other: "sent"}
    assert [c for c, _, _ in send.posts] == [other]
    assert send.attempts.count(SLACK) == 1, "a permanent failure is not retried"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(SLACK in m and "channel_not_found" in m for m in errors)
    assert any(DISCORD in m and "did not confirm" in m for m in errors)
    assert any("slack:C0BUGGY" in m and "boom" in m for m in errors)
    assert scheduler.store.run(SLACK, date(2025, 6, 2)).error == "Slack: channel_not_found"
    assert await scheduler.run_due() and send.attempts.count(SLACK) == 1, "a failed day is not retried in a loop"


async def test_transient_failures_are_retried_with_backoff(tmp_path: Path, fact_base: FactBase) -> None:
    clock = FakeTime(utc(2025, 6, 2, 7, 0))
    send = Recorder(
        clock,
        failures={
            SLACK: [SendFailure("Slack: HTTP 503", transient=True), SendFailure("Slack: ratelimited", transient=True, retry_after=45)],
            DISCORD: [SendFailure("Discord: 502", transient=True, maybe_posted=True)] * 4,
        },
    )
    scheduler = make_scheduler(tmp_path, fact_base, clock, send, channels=(SLACK, DISCORD))
    outcomes = {o.channel: o for o in await scheduler.run_due()}
    assert outcomes[SLACK].status == "sent"
    assert send.attempts.count(SLACK) == 3
    assert outcomes[DISCORD].status == "failed" and "gave up after 4 attempts" in outcomes[DISCORD].reason
    assert "may have been posted" in outcomes[DISCORD].reason
    assert sorted(clock.naps) == sorted([2.0, 45.0, 2.0, 10.0, 30.0]), "backoff, and Retry-After when longer"
    assert [c for c, _, _ in send.posts] == [SLACK]


async def test_digest_for_today_is_what_went_out(tmp_path: Path, fact_base: FactBase) -> None:
    clock = FakeTime(utc(2025, 6, 2, 7, 0))
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send)
    before = scheduler.digest_for(SLACK)
    await scheduler.run_due()
    [(_, _, posted)] = send.posts
    assert scheduler.digest_for(SLACK) == posted == before
    clock.now += timedelta(days=1)
    assert not set(scheduler.digest_for(SLACK).fact_ids) & set(posted.fact_ids)


async def test_start_runs_one_loop_and_close_ends_it(tmp_path: Path, fact_base: FactBase) -> None:
    clock = FakeTime(utc(2025, 6, 2, 6, 0))
    naps: list[float] = []

    async def sleep_until_cancelled(seconds: float) -> None:
        naps.append(seconds)
        await asyncio.Event().wait()

    scheduler = make_scheduler(tmp_path, fact_base, clock, Recorder(clock), sleep=sleep_until_cancelled)
    task = scheduler.start()
    assert scheduler.start() is task
    await until(lambda: bool(naps))  # its round's store calls run in a worker thread
    assert naps == [900.0], "an hour before 09:00 Berlin it naps the capped 15 minutes"
    await scheduler.close()
    assert task.done()


async def test_stopping_during_a_send_lets_it_finish_and_a_restart_posts_nothing_more(
    tmp_path: Path, fact_base: FactBase
) -> None:
    # A send cut by the stop could still reach the platform unrecorded; the next start would
    # then take the claim over and post the day's digest a second time.
    clock = FakeTime(utc(2025, 6, 2, 7, 0))
    started, release = asyncio.Event(), asyncio.Event()
    posted: list[str] = []

    async def slow_send(channel: str, digest: Digest) -> str:
        started.set()
        await release.wait()
        posted.append(channel)
        return f"m{len(posted)}"

    async def sleep_until_cancelled(seconds: float) -> None:
        await asyncio.Event().wait()

    scheduler = make_scheduler(tmp_path, fact_base, clock, Recorder(clock), sleep=sleep_until_cancelled)
    scheduler._send = slow_send
    scheduler.start()
    await started.wait()
    closing = asyncio.ensure_future(scheduler.close())
    await asyncio.sleep(0.05)
    assert not closing.done(), "stopping waits for the send under way"
    release.set()
    await closing
    run = scheduler.store.run(SLACK, date(2025, 6, 2))
    assert (run.status, run.message_id) == ("sent", "m1")

    again = Recorder(clock)
    restarted = make_scheduler(tmp_path, fact_base, clock, again, owner="two")
    await restarted.run_due()
    assert again.posts == [] and posted == [SLACK]


async def test_stopping_starts_no_new_send_and_frees_its_claim_for_the_next_start(
    tmp_path: Path, fact_base: FactBase
) -> None:
    clock = FakeTime(utc(2025, 6, 2, 7, 0))
    scheduler = make_scheduler(tmp_path, fact_base, clock, Recorder(clock))
    scheduler._task = asyncio.get_running_loop().create_future()  # as if its loop were running
    scheduler.stop()
    [outcome] = await scheduler.run_due()
    assert outcome.status == "deferred"
    scheduler._task.cancel()
    later = Recorder(clock)
    [posted] = await make_scheduler(tmp_path, fact_base, clock, later, owner="two").run_due()
    assert posted.status == "sent" and [channel for channel, _, _ in later.posts] == [SLACK]


# -- grace, retries and failures ----------------------------------------------------------------


def _without(base: FactBase, fact_ids: set[str]) -> FactBase:
    """The base after a reload that removed `fact_ids`."""
    topics = {
        tid: topic.model_copy(update={"fact_ids": [f for f in topic.fact_ids if f not in fact_ids]})
        for tid, topic in base.topics.items()
    }
    facts = {fid: fact for fid, fact in base.facts.items() if fid not in fact_ids}
    return base.model_copy(update={"topics": {t: v for t, v in topics.items() if v.fact_ids}, "facts": facts})


def test_a_grace_under_a_minute_still_leaves_the_first_minute() -> None:
    schedule = DigestSchedule(at=time(9, 0), zone=BERLIN, grace=timedelta(0))
    due = utc(2025, 6, 2, 7, 0)
    assert schedule.open_day(due - timedelta(seconds=1)) is None
    assert schedule.open_day(due + timedelta(seconds=1)) == date(2025, 6, 2)
    assert schedule.open_day(due + timedelta(seconds=60)) == date(2025, 6, 2)
    assert schedule.open_day(due + timedelta(seconds=61)) is None


async def test_a_grace_of_zero_posts_although_the_loop_wakes_a_little_late(tmp_path: Path, fact_base: FactBase) -> None:
    start = utc(2025, 6, 2, 6, 0)
    clock = FakeTime(start, until=start + timedelta(days=2))

    async def late(seconds: float) -> None:
        # A real event loop wakes a few milliseconds after the moment asked for.
        await clock.sleep(seconds + 0.005)

    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send, grace=timedelta(0), sleep=late)
    await asyncio.wait_for(scheduler.run(), timeout=20)
    assert [d.day for _, _, d in send.posts] == [date(2025, 6, 2), date(2025, 6, 3)]


class DownUntil:
    """A platform that answers 503 until `until`, then posts."""

    def __init__(self, clock: FakeTime, until: datetime) -> None:
        self.clock = clock
        self.until = until
        self.attempts: list[datetime] = []
        self.posts: list[tuple[datetime, Digest]] = []

    async def __call__(self, channel: str, digest: Digest) -> str | None:
        self.attempts.append(self.clock.now)
        await asyncio.sleep(0)
        if self.clock.now < self.until:
            raise SendFailure("Slack: HTTP 503", transient=True)
        self.posts.append((self.clock.now, digest))
        return f"m{len(self.posts)}"


async def test_a_platform_down_longer_than_the_backoff_is_tried_again_within_the_grace(
    tmp_path: Path, fact_base: FactBase
) -> None:
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due, until=due + timedelta(hours=3))
    send = DownUntil(clock, due + timedelta(minutes=20))
    scheduler = make_scheduler(tmp_path, fact_base, clock, send)
    first = build_digest(fact_base, channel=SLACK, day=date(2025, 6, 2), size=3, posted=())
    await asyncio.wait_for(scheduler.run(), timeout=20)
    [(when, digest)] = send.posts
    assert due + timedelta(minutes=20) <= when <= due + timedelta(minutes=30)
    assert digest.fact_ids == first.fact_ids, "the retry posts the facts the claim planned"
    run = scheduler.store.run(SLACK, date(2025, 6, 2))
    assert (run.status, run.message_id, run.error) == ("sent", "m1", None)
    assert all(a <= when for a in send.attempts), "nothing is tried once the digest is out"
    assert max(clock.naps) <= scheduler.max_nap


async def test_a_platform_down_for_the_whole_grace_gives_that_day_up_and_posts_the_next(
    tmp_path: Path, fact_base: FactBase
) -> None:
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due, until=due + timedelta(days=1, hours=1))
    send = DownUntil(clock, due + timedelta(hours=12))
    scheduler = make_scheduler(tmp_path, fact_base, clock, send, grace=timedelta(hours=1))
    await asyncio.wait_for(scheduler.run(), timeout=20)
    assert len(send.attempts) > 4, "tried again after the first round of backoff"
    assert all(due <= a <= due + timedelta(hours=1) for a in send.attempts[:-1])
    assert [(when, d.day) for when, d in send.posts] == [(due + timedelta(days=1), date(2025, 6, 3))]
    given_up = scheduler.store.run(SLACK, date(2025, 6, 2))
    assert (given_up.status, given_up.error) == ("failed", "gave up after 4 attempts: Slack: HTTP 503")
    assert scheduler.store.run(SLACK, date(2025, 6, 3)).status == "sent"


async def test_a_failure_that_may_have_posted_is_not_tried_again_later(tmp_path: Path, fact_base: FactBase) -> None:
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due, until=due + timedelta(hours=6))
    send = Recorder(clock, failures={DISCORD: [SendFailure("Discord: 503", transient=True, maybe_posted=True)] * 4})
    scheduler = make_scheduler(tmp_path, fact_base, clock, send, channels=(DISCORD,))
    await asyncio.wait_for(scheduler.run(), timeout=20)
    assert send.attempts == [DISCORD] * 4 and send.posts == []
    run = scheduler.store.run(DISCORD, date(2025, 6, 2))
    assert run.status == "failed" and "may have been posted" in run.error


class Looker:
    """Stands in for looking in a channel: records each look, answers as told (an id, None, or
    an exception to raise), then None."""

    def __init__(self, answers: list[str | BaseException | None] | None = None) -> None:
        self.answers = list(answers or [])
        self.looks: list[tuple[str, datetime]] = []

    async def __call__(self, channel: str, digest: Digest, since: datetime) -> str | None:
        self.looks.append((channel, since))
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, BaseException):
            raise answer
        return answer


@pytest.mark.parametrize("found", [True, False], ids=["there", "not-there"])
async def test_a_failure_that_may_have_posted_is_looked_for_later_when_the_channel_can_be_looked_in(
    tmp_path: Path, fact_base: FactBase, found: bool
) -> None:
    # A round of 503s that may each have posted (Discord) gave the day up for good. With a way to
    # look in the channel, it is looked at once the claim is free, and posted only if not there.
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due)
    send = Recorder(clock, failures={DISCORD: [SendFailure("Discord: 503", transient=True, maybe_posted=True)] * 4})
    scheduler = make_scheduler(tmp_path, fact_base, clock, send, channels=(DISCORD,))
    look = scheduler._find = Looker(["m0" if found else None])
    [waiting] = await scheduler.run_due()
    assert waiting.status == "deferred" and "looked for again" in waiting.reason
    assert look.looks == [] and send.posts == []
    run = scheduler.store.run(DISCORD, date(2025, 6, 2))
    assert (run.status, run.error) == ("claimed", None), "no error: whoever takes it on looks first"
    clock.now += timedelta(seconds=scheduler.seconds_to_wait())
    [outcome] = await scheduler.run_due()
    assert [channel for channel, _ in look.looks] == [DISCORD]
    assert look.looks[0][1] <= due + timedelta(seconds=1), "looked for since the first attempt"
    if found:
        assert (outcome.status, outcome.message_id, send.posts) == ("sent", "m0", [])
    else:
        assert outcome.status == "sent" and [c for c, _, _ in send.posts] == [DISCORD]
    assert scheduler.store.run(DISCORD, date(2025, 6, 2)).status == "sent"


async def test_a_look_that_keeps_failing_for_a_moment_ends_with_the_days_window_unposted(
    tmp_path: Path, fact_base: FactBase
) -> None:
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due, until=due + timedelta(hours=2))
    send = Recorder(clock, failures={DISCORD: [SendFailure("Discord: 503", transient=True, maybe_posted=True)] * 4})
    scheduler = make_scheduler(tmp_path, fact_base, clock, send, channels=(DISCORD,), grace=timedelta(minutes=30))
    passing = [SendFailure("Discord: 502 Bad Gateway", transient=True, maybe_posted=True) for _ in range(20)]
    look = scheduler._find = Looker(passing)
    await asyncio.wait_for(scheduler.run(), timeout=20)
    assert send.posts == [], "never posted without a look that answered"
    assert 3 <= len(look.looks) <= 7, "looked again every few minutes while the window was open"
    assert all(since == look.looks[0][1] for _, since in look.looks)
    run = scheduler.store.run(DISCORD, date(2025, 6, 2))
    assert run.status == "failed" and "could not be checked" in run.error


async def test_a_stop_after_an_attempt_that_may_have_posted_leaves_the_next_start_to_look_first(
    tmp_path: Path, fact_base: FactBase
) -> None:
    clock = FakeTime(utc(2025, 6, 2, 7, 0))
    send = Recorder(clock, failures={DISCORD: [SendFailure("Discord: 503", transient=True, maybe_posted=True)]})

    async def stopped_while_waiting(seconds: float) -> None:
        scheduler.stop()

    scheduler = make_scheduler(tmp_path, fact_base, clock, send, channels=(DISCORD,), sleep=stopped_while_waiting)
    scheduler._task = asyncio.get_running_loop().create_future()  # as if its loop were running
    [outcome] = await scheduler.run_due()
    scheduler._task.cancel()
    assert outcome.status == "deferred" and send.attempts == [DISCORD]
    clock.now += timedelta(minutes=3)  # past the claim's lease
    later = Recorder(clock)
    next_start = make_scheduler(tmp_path, fact_base, clock, later, channels=(DISCORD,), owner="two")
    look = next_start._find = Looker(["m1"])
    [found] = await next_start.run_due()
    assert [channel for channel, _ in look.looks] == [DISCORD], "a released claim would have been posted unlooked"
    assert (found.status, found.message_id, later.posts) == ("sent", "m1", [])


async def test_a_long_retry_after_gives_the_claim_back_instead_of_holding_it(tmp_path: Path, fact_base: FactBase) -> None:
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due)
    send = Recorder(clock, failures={SLACK: [SendFailure("Slack: ratelimited", transient=True, retry_after=3600)]})
    scheduler = make_scheduler(tmp_path, fact_base, clock, send)
    [outcome] = await scheduler.run_due()
    assert outcome.status == "deferred" and "ratelimited" in outcome.reason
    assert clock.naps == [], "no hour-long nap while holding the claim"
    assert scheduler.seconds_to_wait() == scheduler.max_nap

    other = DigestStore(Database(tmp_path / "bot.sqlite3"), owner="other", clock=clock)
    clock.now = due + timedelta(minutes=30)
    assert other.claim(build_digest(fact_base, channel=SLACK, day=date(2025, 6, 2), size=3, posted=())) is None
    assert scheduler.store.run(SLACK, date(2025, 6, 2)).error == "Slack: ratelimited"

    clock.now = due + timedelta(seconds=3600)
    [outcome] = await scheduler.run_due()
    assert outcome.status == "sent" and [c for c, _, _ in send.posts] == [SLACK]


async def test_a_token_the_platform_refuses_gives_the_day_back_at_once_instead_of_failing_it(
    tmp_path: Path, fact_base: FactBase, caplog: pytest.LogCaptureFixture
) -> None:
    # A refused token is a setting to fix, not that day's digest failing: marked failed, the day was
    # skipped as handled by every process sharing the database unless forced.
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due)
    refused = SendFailure("Slack: token_revoked; SLACK_BOT_TOKEN is not a working bot token", transient=False,
                          misconfigured=True)  # fmt: skip
    send = Recorder(clock, failures={SLACK: [refused]})
    scheduler = make_scheduler(tmp_path, fact_base, clock, send, channels=(SLACK, DISCORD))
    with caplog.at_level(logging.ERROR, logger="bot.digest"):
        outcomes = {o.channel: o for o in await scheduler.run_due()}
    assert outcomes[SLACK].status == "deferred" and outcomes[SLACK].reason == refused.reason
    assert outcomes[DISCORD].status == "sent", "the other channels go out as ever"
    assert send.attempts.count(SLACK) == 1, "a refused token is not retried with backoff"
    run = scheduler.store.run(SLACK, date(2025, 6, 2))
    assert (run.status, run.error, run.lease_until) == ("claimed", refused.reason, due)
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert line == (
        f"digest for {SLACK} on 2025-06-02 not posted: {refused.reason}; the day's digest goes out once that is fixed"
    )

    # Another process (`digest send` with the token fixed) takes the day at once, without --force,
    # and posts the facts the claim planned.
    other = make_scheduler(tmp_path, fact_base, clock, send, channels=(SLACK,), owner="other")
    clock.now = due + timedelta(minutes=1)
    outcome = await other.post(SLACK, day=date(2025, 6, 2))
    assert outcome.status == "sent"
    assert [c for c, _, _ in send.posts] == [DISCORD, SLACK]
    assert send.posts[1][2].fact_ids == run.fact_ids
    assert scheduler.store.run(SLACK, date(2025, 6, 2)).status == "sent"
    await scheduler.run_due()
    assert len(send.posts) == 2, "nothing is posted twice"


async def test_a_deferred_digest_logs_when_it_is_tried_again_as_a_time_of_day(
    tmp_path: Path, fact_base: FactBase, caplog: pytest.LogCaptureFixture
) -> None:
    due = utc(2025, 6, 2, 7, 0, 0)
    clock = FakeTime(due + timedelta(microseconds=697353))
    send = Recorder(clock, failures={SLACK: [SendFailure("Slack: ratelimited", transient=True, retry_after=3600)]})
    scheduler = make_scheduler(tmp_path, fact_base, clock, send)
    with caplog.at_level(logging.ERROR, logger="bot.digest"):
        [outcome] = await scheduler.run_due()
    assert outcome.status == "deferred" and outcome.reason.endswith("tried again from 08:00 UTC")
    [line] = [r.getMessage() for r in caplog.records if "not posted yet" in r.getMessage()]
    assert line.endswith("trying again at 08:00:00 UTC"), line


async def test_a_database_error_in_a_round_is_tried_again_soon_not_tomorrow(
    tmp_path: Path, fact_base: FactBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due, until=due + timedelta(hours=2))
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send)
    claim, failed = scheduler.store.claim, []

    def locked_once(digest: Digest, **options: object):  # noqa: ANN202
        if not failed:
            failed.append(clock.now)
            raise sqlite3.OperationalError("database is locked")
        return claim(digest, **options)

    monkeypatch.setattr(scheduler.store, "claim", locked_once)
    await asyncio.wait_for(scheduler.run(), timeout=20)
    [(_, when, digest)] = send.posts
    assert digest.day == date(2025, 6, 2) and due < when <= due + timedelta(minutes=2)


async def test_a_database_error_at_start_does_not_end_the_loop(
    tmp_path: Path, fact_base: FactBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due, until=due + timedelta(hours=2))
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send)
    miss_before, failed = scheduler.store.miss_before, []

    def locked_once(day: date) -> int:
        if not failed:
            failed.append(day)
            raise sqlite3.OperationalError("database is locked")
        return miss_before(day)

    monkeypatch.setattr(scheduler.store, "miss_before", locked_once)
    await asyncio.wait_for(scheduler.run(), timeout=20)
    assert [d.day for _, _, d in send.posts] == [date(2025, 6, 2)]


async def test_a_post_that_could_not_be_recorded_is_recorded_later_and_not_posted_again(
    tmp_path: Path, fact_base: FactBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due, until=due + timedelta(hours=2))
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send)
    complete, failed = scheduler.store.complete, []

    def locked_once(claim: object, message_id: str) -> bool:
        if not failed:
            failed.append(message_id)
            raise sqlite3.OperationalError("database is locked")
        return complete(claim, message_id)

    monkeypatch.setattr(scheduler.store, "complete", locked_once)
    await asyncio.wait_for(scheduler.run(), timeout=20)
    assert len(send.posts) == 1
    run = scheduler.store.run(SLACK, date(2025, 6, 2))
    assert (run.status, run.message_id) == ("sent", "m1")


async def test_a_slow_send_keeps_its_claim_so_a_second_process_does_not_post(tmp_path: Path, fact_base: FactBase) -> None:
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due)
    beats: asyncio.Queue[None] = asyncio.Queue()
    naps = [0]

    async def lease_sleep(seconds: float) -> None:
        naps[0] += 1
        await beats.get()

    other = DigestStore(Database(tmp_path / "bot.sqlite3"), owner="other", clock=clock)
    competing: list[object] = []

    async def slow_send(channel: str, digest: Digest) -> str:
        for beat in range(8):  # four minutes: twice the lease
            clock.now += timedelta(seconds=30)
            beats.put_nowait(None)
            await until(lambda: naps[0] >= beat + 2)  # the lease extended, the next beat awaited
            competing.append(other.claim(build_digest(fact_base, channel=channel, day=digest.day, size=3, posted=())))
        return "m1"

    store = DigestStore(Database(tmp_path / "bot.sqlite3"), owner="one", clock=clock)
    scheduler = DigestScheduler(
        channels=[SLACK],
        schedule=DigestSchedule(at=time(9, 0), zone=BERLIN, grace=timedelta(hours=6)),
        store=store,
        base=lambda: fact_base,
        size=3,
        send=slow_send,
        clock=clock,
        sleep=clock.sleep,
        lease_sleep=lease_sleep,
    )
    [outcome] = await scheduler.run_due()
    assert outcome.status == "sent"
    assert competing == [None] * 8, "the other process never got the claim"
    run = store.run(SLACK, date(2025, 6, 2))
    assert (run.status, run.owner, run.message_id, run.attempts) == ("sent", "one", "m1", 1)


async def test_a_claim_whose_facts_left_the_base_posts_facts_still_there(tmp_path: Path, fact_base: FactBase) -> None:
    due = utc(2025, 6, 2, 7, 0)
    day = date(2025, 6, 2)
    crashed = DigestStore(Database(tmp_path / "bot.sqlite3"), owner="crashed", clock=FakeTime(due))
    claim = crashed.claim(build_digest(fact_base, channel=SLACK, day=day, size=3, posted=()))
    assert claim is not None  # ... the process died, and the facts it planned were removed meanwhile
    shrunk = _without(fact_base, set(claim.fact_ids))

    clock = FakeTime(due + crashed.lease)
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, shrunk, clock, send, owner="restarted")
    [outcome] = await scheduler.run_due()
    assert outcome.status == "sent"
    [(_, _, digest)] = send.posts
    assert len(digest.items) == 3 and not set(digest.fact_ids) & set(claim.fact_ids)
    assert scheduler.store.run(SLACK, day).fact_ids == digest.fact_ids
    assert scheduler.store.posted(SLACK) == set(digest.fact_ids)


async def test_a_base_that_shrank_keeps_the_rotation_going(tmp_path: Path, fact_base: FactBase) -> None:
    clock = FakeTime(utc(2025, 6, 2, 7, 0))
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send)
    for _ in range(3):
        await scheduler.run_due()
        clock.now += timedelta(days=1)
    posted = [fid for _, _, d in send.posts for fid in d.fact_ids]
    unposted = sorted(f for f in fact_base.facts if f not in posted)
    removed = set(posted[:4]) | set(unposted[:4])
    shrunk = _without(fact_base, removed)
    scheduler._base = lambda: shrunk
    left = set(shrunk.facts) - set(posted)
    before = len(send.posts)
    for _ in range((len(left) + len(shrunk.facts)) // 3 + 1):
        [outcome] = await scheduler.run_due()
        assert outcome.status == "sent"
        clock.now += timedelta(days=1)
    later = [fid for _, _, d in send.posts[before:] for fid in d.fact_ids]
    assert all(len(d.items) == 3 for _, _, d in send.posts)
    assert not set(later) & removed
    assert set(later[: len(left)]) == left, "the round goes on with what it had not posted"
    assert set(later) == set(shrunk.facts)


async def test_forcing_a_repost_when_that_days_facts_are_gone_posts_nothing(tmp_path: Path, fact_base: FactBase) -> None:
    clock = FakeTime(utc(2025, 6, 2, 7, 0))
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send)
    [sent] = await scheduler.run_due()
    [(_, _, digest)] = send.posts
    scheduler._base = lambda: _without(fact_base, set(digest.fact_ids))
    outcome = await scheduler.post(SLACK, force=True)
    assert outcome.status == "failed" and "no longer in the fact base" in outcome.reason
    assert len(send.posts) == 1
    assert scheduler.store.run(SLACK, date(2025, 6, 2)).message_id == sent.message_id


@pytest.mark.parametrize(
    ("zone", "at", "expected"),
    [
        # UTC+14: 09:00 local is 19:00 UTC the day before.
        ("Pacific/Kiritimati", time(9, 0), [utc(2025, 6, 1, 19, 0), utc(2025, 6, 2, 19, 0), utc(2025, 6, 3, 19, 0)]),
        # UTC-11: 23:30 local is 10:30 UTC the day after.
        ("Pacific/Pago_Pago", time(23, 30), [utc(2025, 6, 2, 10, 30), utc(2025, 6, 3, 10, 30), utc(2025, 6, 4, 10, 30)]),
        # UTC+5:45, no DST.
        ("Asia/Kathmandu", time(0, 15), [utc(2025, 6, 1, 18, 30), utc(2025, 6, 2, 18, 30), utc(2025, 6, 3, 18, 30)]),
    ],
)
async def test_zones_far_from_utc_post_once_per_local_day(
    tmp_path: Path, fact_base: FactBase, zone: str, at: time, expected: list[datetime]
) -> None:
    start = utc(2025, 6, 1, 18, 0)
    clock = FakeTime(start, until=expected[-1] + timedelta(hours=12))
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send, at=at, zone=ZoneInfo(zone))
    await asyncio.wait_for(scheduler.run(), timeout=20)
    assert [when for _, when, _ in send.posts] == expected
    assert [d.day for _, _, d in send.posts] == [when.astimezone(ZoneInfo(zone)).date() for when in expected]
    assert len({d.day for _, _, d in send.posts}) == 3


async def test_clock_jumps_neither_repeat_a_day_nor_back_post_one(tmp_path: Path, fact_base: FactBase) -> None:
    due = utc(2025, 6, 2, 7, 0)
    clock = FakeTime(due)
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send)
    await scheduler.run_due()
    clock.now = due - timedelta(hours=3)  # the clock is set back across the digest's time
    assert await scheduler.run_due() == []
    clock.now = due + timedelta(minutes=5)
    assert [o.status for o in await scheduler.run_due()] == ["done"]
    clock.now = due + timedelta(days=3, hours=7)  # and forward, past the next days' windows
    assert await scheduler.run_due() == []
    clock.now = due + timedelta(days=4, minutes=1)
    assert [o.status for o in await scheduler.run_due()] == ["sent"]
    assert [d.day for _, _, d in send.posts] == [date(2025, 6, 2), date(2025, 6, 6)]


# -- a database another process holds ------------------------------------------------------

LOCK_HELD = 2.0
"""Seconds another connection holds the database's write lock: the one set of tests here that waits for real."""


def hold_write_lock(path: Path, *, seconds: float) -> threading.Timer:
    """Take the database's write lock on a connection of its own, as another bot process
    writing does, and let it go after `seconds` from another thread."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    def let_go() -> None:
        holder.execute("ROLLBACK")
        holder.close()

    timer = threading.Timer(seconds, let_go)
    timer.start()
    return timer


async def longest_stall(work: Awaitable[T]) -> tuple[T, float]:
    """`work`'s result, and the longest the event loop went without running a 10 ms ticker meanwhile."""
    loop = asyncio.get_running_loop()
    ticks = [loop.time()]

    async def tick() -> None:
        while True:
            await asyncio.sleep(0.01)
            ticks.append(loop.time())

    ticker = asyncio.ensure_future(tick())
    try:
        result = await work
    finally:
        ticker.cancel()
        await asyncio.gather(ticker, return_exceptions=True)
    ticks.append(loop.time())
    return result, max(later - earlier for earlier, later in zip(ticks, ticks[1:]))


async def test_a_database_another_process_holds_is_waited_for_without_stalling_the_event_loop(
    tmp_path: Path, fact_base: FactBase
) -> None:
    clock = FakeTime(utc(2025, 6, 2, 7, 0))
    send = Recorder(clock)
    scheduler = make_scheduler(tmp_path, fact_base, clock, send)
    started = time_monotonic()
    holder = hold_write_lock(tmp_path / "bot.sqlite3", seconds=LOCK_HELD)
    try:
        [outcome], stall = await longest_stall(scheduler.run_due())
    finally:
        holder.join()
    assert outcome.status == "sent" and len(send.posts) == 1
    assert time_monotonic() - started >= LOCK_HELD * 0.9, "the claim waited for the other process's write"
    assert stall < 0.5, f"the event loop stood still for {stall:.1f} s while the claim waited"
    run = scheduler.store.run(SLACK, date(2025, 6, 2))
    assert (run.status, run.message_id) == ("sent", "m1")


async def test_a_stop_right_after_a_post_waits_for_its_record_while_another_process_holds_the_database(
    tmp_path: Path, fact_base: FactBase
) -> None:
    clock = FakeTime(utc(2025, 6, 2, 7, 0))
    posted = asyncio.Event()
    holders: list[threading.Timer] = []

    async def send(channel: str, digest: Digest) -> str:
        holders.append(hold_write_lock(tmp_path / "bot.sqlite3", seconds=1.0))  # taken as the post goes out
        posted.set()
        return "m1"

    async def sleep_until_cancelled(seconds: float) -> None:
        await asyncio.Event().wait()

    scheduler = make_scheduler(tmp_path, fact_base, clock, Recorder(clock), sleep=sleep_until_cancelled)
    next_start = DigestStore(Database(tmp_path / "bot.sqlite3"), owner="two", clock=clock)
    scheduler._send = send
    scheduler.start()
    await posted.wait()
    try:
        await scheduler.close()
        run = next_start.run(SLACK, date(2025, 6, 2))  # what a process started now would find
    finally:
        for holder in holders:
            holder.join()
    assert (run.status, run.message_id) == ("sent", "m1"), "the post was recorded before the stop ended"
