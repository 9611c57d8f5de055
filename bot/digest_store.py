"""What each channel's digest did, in the bot's SQLite database: one row per channel and day.

A row is claimed (inserted; UNIQUE (channel, day) lets exactly one process win) before
anything is sent, and completed with the platform's message id after. The claim carries the
facts it will post, so a retry posts the same ones, and a lease: a claim whose owner died
before completing it is taken over once the lease has run out (the next start retries it),
while a live owner's claim is left alone (its owner extends the lease for as long as a send
takes), so two processes never both post. A claim given back after transient failures
keeps its facts and carries the error until it is taken over again.

The one gap no database can close: a crash after the platform accepted the message and
before `complete` ran makes the retry post a second copy.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Literal

from bot.db import Database
from bot.digest import Digest, build_digest, digest_of
from bot.models import FactBase

RunStatus = Literal["claimed", "sent", "failed", "missed"]
DEFAULT_LEASE = timedelta(minutes=2)

SCHEMA = """
CREATE TABLE IF NOT EXISTS digest_runs (
    channel     TEXT NOT NULL,
    day         TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'missed')),
    plan        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    lease_until REAL NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    message_id  TEXT,
    error       TEXT,
    claimed_at  TEXT NOT NULL,
    finished_at TEXT,
    UNIQUE (channel, day)
);
CREATE VIEW IF NOT EXISTS digest_posted AS
    SELECT r.channel AS channel, r.day AS day,
           json_extract(j.value, '$.fact') AS fact_id, json_extract(j.value, '$.round') AS round,
           r.message_id AS message_id
    FROM digest_runs AS r, json_each(r.plan) AS j
    WHERE r.status = 'sent';
"""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class PlannedFact:
    """A fact a run posts, and the round of the channel's rotation it counts for."""

    fact_id: str
    round: int


@dataclass(frozen=True)
class DigestRun:
    """One row of `digest_runs`."""

    channel: str
    day: date
    status: RunStatus
    plan: tuple[PlannedFact, ...]
    owner: str
    lease_until: datetime
    attempts: int
    message_id: str | None
    error: str | None

    @property
    def fact_ids(self) -> list[str]:
        return [p.fact_id for p in self.plan]


@dataclass(frozen=True)
class Claim:
    """The right to post one channel's digest of one day; `repeat` is a forced re-post of a sent one."""

    channel: str
    day: date
    plan: tuple[PlannedFact, ...]
    owner: str
    repeat: bool = False
    resumed_from: datetime | None = None
    """When the claim was first made, if it was taken over from a run that had started sending
    and neither finished nor gave it back (a stop or a crash mid-send): its post may be out."""

    @property
    def fact_ids(self) -> list[str]:
        return [p.fact_id for p in self.plan]

    @property
    def new_round(self) -> set[str]:
        first = min((p.round for p in self.plan), default=0)
        return {p.fact_id for p in self.plan if p.round > first}


def _plan_json(plan: tuple[PlannedFact, ...]) -> str:
    return json.dumps([{"fact": p.fact_id, "round": p.round} for p in plan])


def _plan(text: str) -> tuple[PlannedFact, ...]:
    return tuple(PlannedFact(str(p["fact"]), int(p["round"])) for p in json.loads(text))


class DigestStore:
    """Claims, completes and remembers digest runs; the clock is injected so tests control leases."""

    def __init__(
        self,
        db: Database,
        *,
        owner: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.db = db
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.lease = lease
        self._clock = clock
        db.ensure(SCHEMA)

    # -- reading ---------------------------------------------------------------------------

    def run(self, channel: str, day: date) -> DigestRun | None:
        rows = self.db.query("SELECT * FROM digest_runs WHERE channel = ? AND day = ?", (channel, day.isoformat()))
        return _run(rows[0]) if rows else None

    def runs(self, channel: str) -> list[DigestRun]:
        rows = self.db.query("SELECT * FROM digest_runs WHERE channel = ? ORDER BY day", (channel,))
        return [_run(row) for row in rows]

    def current_round(self, channel: str) -> tuple[int, set[str]]:
        """The channel's rotation round (1 before anything was sent) and the facts sent in it."""
        rows = self.db.query(
            "SELECT fact_id, round FROM digest_posted WHERE channel = ?", (channel,)
        )
        if not rows:
            return 1, set()
        current = max(int(row["round"]) for row in rows)
        return current, {row["fact_id"] for row in rows if int(row["round"]) == current}

    def posted(self, channel: str) -> set[str]:
        """The facts the channel had in its current round."""
        return self.current_round(channel)[1]

    def digest_for(self, base: FactBase, *, channel: str, day: date, size: int) -> Digest:
        """What the channel gets on `day`: the facts of its run when one was claimed, else the next in turn."""
        run = self.run(channel, day)
        if run is not None and run.status in ("claimed", "sent"):
            first = min((p.round for p in run.plan), default=0)
            fresh = [p.fact_id for p in run.plan if p.round > first]
            return digest_of(base, channel=channel, day=day, fact_ids=run.fact_ids, new_round=fresh)
        return build_digest(base, channel=channel, day=day, size=size, posted=self.posted(channel))

    # -- claiming --------------------------------------------------------------------------

    def claim(self, digest: Digest, *, force: bool = False) -> Claim | None:
        """Claim the digest's channel and day, or None when another run has it or it is done.

        An incomplete claim whose lease ran out is taken over with the facts it planned.
        With `force` a claim given back after failed attempts is taken over at once, a failed
        or missed day is claimed again, and a sent one is re-posted as a `repeat` claim that
        leaves the row as it is.
        """
        now = self._clock()
        plan = self._plan_of(digest)
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO digest_runs (channel, day, status, plan, owner, lease_until, claimed_at) "
            "VALUES (?, ?, 'claimed', ?, ?, ?, ?)",
            (
                digest.channel,
                digest.day.isoformat(),
                _plan_json(plan),
                self.owner,
                (now + self.lease).timestamp(),
                now.isoformat(timespec="seconds"),
            ),
        )
        if cursor.rowcount == 1:
            return Claim(digest.channel, digest.day, plan, self.owner)
        key = (digest.channel, digest.day.isoformat())
        lease_until = (now + self.lease).timestamp()
        before = self.db.query("SELECT attempts, error, claimed_at FROM digest_runs WHERE channel = ? AND day = ?", key)
        taken = self.db.execute(
            "UPDATE digest_runs SET owner = ?, lease_until = ?, error = NULL "
            "WHERE channel = ? AND day = ? AND status = 'claimed' AND lease_until <= ?",
            (self.owner, lease_until, *key, now.timestamp()),
        ).rowcount == 1
        resumed_from = None
        if taken and before and before[0]["attempts"] > 0 and before[0]["error"] is None:
            resumed_from = datetime.fromisoformat(before[0]["claimed_at"])
        if not taken and force:
            # Given back after transient failures (an error is recorded, nobody is sending): take it now.
            taken = self.db.execute(
                "UPDATE digest_runs SET owner = ?, lease_until = ?, error = NULL "
                "WHERE channel = ? AND day = ? AND status = 'claimed' AND error IS NOT NULL",
                (self.owner, lease_until, *key),
            ).rowcount == 1
        if not taken and force:
            taken = self.db.execute(
                "UPDATE digest_runs SET status = 'claimed', owner = ?, lease_until = ?, plan = ?, error = NULL "
                "WHERE channel = ? AND day = ? AND status IN ('failed', 'missed')",
                (self.owner, lease_until, _plan_json(plan), *key),
            ).rowcount == 1
        run = self.run(digest.channel, digest.day)
        if run is None:
            return None
        if taken:
            return Claim(run.channel, run.day, run.plan, self.owner, resumed_from=resumed_from)
        if force and run.status == "sent":
            return Claim(run.channel, run.day, run.plan, self.owner, repeat=True)
        return None

    def _plan_of(self, digest: Digest) -> tuple[PlannedFact, ...]:
        current, _ = self.current_round(digest.channel)
        return tuple(PlannedFact(item.fact_id, current + 1 if item.new_round else current) for item in digest.items)

    def replan(self, claim: Claim, digest: Digest) -> Claim | None:
        """Put the facts of `digest` in place of an open claim's plan (facts it planned left the base)."""
        if claim.repeat:
            return None
        plan = self._plan_of(digest)
        cursor = self.db.execute(
            "UPDATE digest_runs SET plan = ? WHERE channel = ? AND day = ? AND owner = ? AND status = 'claimed'",
            (_plan_json(plan), claim.channel, claim.day.isoformat(), claim.owner),
        )
        if cursor.rowcount != 1:
            return None
        return Claim(claim.channel, claim.day, plan, claim.owner, resumed_from=claim.resumed_from)

    def renew(self, claim: Claim, *, count: bool = True) -> bool:
        """Extend the lease (before an attempt, which `count` counts, or while one runs);
        False when another run took the claim over."""
        if claim.repeat:
            return True
        now = self._clock()
        cursor = self.db.execute(
            "UPDATE digest_runs SET lease_until = ?, attempts = attempts + ? "
            "WHERE channel = ? AND day = ? AND owner = ? AND status = 'claimed'",
            ((now + self.lease).timestamp(), 1 if count else 0, claim.channel, claim.day.isoformat(), claim.owner),
        )
        return cursor.rowcount == 1

    def release(self, claim: Claim, reason: str, *, until: datetime) -> bool:
        """Give an open claim back after transient failures: nobody takes it over before `until`,
        anybody may after (this process, another one, `digest send`), with the same facts."""
        if claim.repeat:
            return False
        cursor = self.db.execute(
            "UPDATE digest_runs SET lease_until = ?, error = ? "
            "WHERE channel = ? AND day = ? AND owner = ? AND status = 'claimed'",
            (until.timestamp(), reason[:500], claim.channel, claim.day.isoformat(), claim.owner),
        )
        return cursor.rowcount == 1

    def release_unsettled(self, claim: Claim, *, until: datetime) -> bool:
        """Give back an open claim whose message may be out though its channel could not be looked
        at: nobody takes it over before `until`, and whoever does looks in the channel before
        sending (`Claim.resumed_from`), which `release` would not have it do, as the error it
        records marks a claim whose attempts posted nothing."""
        if claim.repeat:
            return False
        cursor = self.db.execute(
            "UPDATE digest_runs SET lease_until = ?, error = NULL "
            "WHERE channel = ? AND day = ? AND owner = ? AND status = 'claimed'",
            (until.timestamp(), claim.channel, claim.day.isoformat(), claim.owner),
        )
        return cursor.rowcount == 1

    def complete(self, claim: Claim, message_id: str) -> bool:
        """Record the posted message; False when the row was no longer an open claim."""
        if claim.repeat:
            return True
        cursor = self.db.execute(
            "UPDATE digest_runs SET status = 'sent', message_id = ?, error = NULL, finished_at = ? "
            "WHERE channel = ? AND day = ? AND status = 'claimed'",
            (message_id, self._clock().isoformat(timespec="seconds"), claim.channel, claim.day.isoformat()),
        )
        return cursor.rowcount == 1

    def fail(self, claim: Claim, reason: str) -> None:
        """Give the day up for this channel: a failed run is not retried unless forced."""
        if claim.repeat:
            return
        self.db.execute(
            "UPDATE digest_runs SET status = 'failed', error = ?, finished_at = ? "
            "WHERE channel = ? AND day = ? AND owner = ? AND status = 'claimed'",
            (reason[:500], self._clock().isoformat(timespec="seconds"), claim.channel, claim.day.isoformat(), claim.owner),
        )

    def miss_before(self, day: date) -> int:
        """Mark incomplete claims of days before `day` as missed: earlier days are never back-posted.

        A claim whose lease still runs is left to its owner, which may be sending right now.
        """
        now = self._clock()
        cursor = self.db.execute(
            "UPDATE digest_runs SET status = 'missed', finished_at = ? "
            "WHERE status = 'claimed' AND day < ? AND lease_until <= ?",
            (now.isoformat(timespec="seconds"), day.isoformat(), now.timestamp()),
        )
        return cursor.rowcount


def _run(row) -> DigestRun:  # noqa: ANN001 - sqlite3.Row
    return DigestRun(
        channel=row["channel"],
        day=date.fromisoformat(row["day"]),
        status=row["status"],
        plan=_plan(row["plan"]),
        owner=row["owner"],
        lease_until=datetime.fromtimestamp(row["lease_until"], timezone.utc),
        attempts=row["attempts"],
        message_id=row["message_id"],
        error=row["error"],
    )
