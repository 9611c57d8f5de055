"""Digest runs in SQLite: one claim per channel and day, leases, takeovers after a crash, rounds."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.db import Database
from bot.digest import build_digest, rotation_order
from bot.digest_store import DigestStore
from bot.models import FactBase

DAY = date(2025, 3, 31)
CHANNEL = "slack:C0123ABC"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 3, 31, 7, 0, tzinfo=timezone.utc))


def _store(path: Path, clock: Clock, owner: str) -> DigestStore:
    """A store on its own connection, as a second bot process would have."""
    return DigestStore(Database(path / "bot.sqlite3"), owner=owner, clock=clock)


def _digest(base: FactBase, store: DigestStore, *, day: date = DAY, channel: str = CHANNEL):
    return build_digest(base, channel=channel, day=day, size=3, posted=store.posted(channel))


def test_one_claim_per_channel_and_day(tmp_path: Path, clock: Clock, fact_base: FactBase) -> None:
    first, second = _store(tmp_path, clock, "a"), _store(tmp_path, clock, "b")
    claim = first.claim(_digest(fact_base, first))
    assert claim is not None and claim.owner == "a"
    assert second.claim(_digest(fact_base, second)) is None
    assert second.claim(_digest(fact_base, second, channel="discord:123456789012345678")) is not None
    assert second.claim(_digest(fact_base, second, day=DAY + timedelta(days=1))) is not None
    run = second.run(CHANNEL, DAY)
    assert run is not None and (run.status, run.owner, run.message_id) == ("claimed", "a", None)


def test_completing_records_the_message_and_the_posted_facts(tmp_path: Path, clock: Clock, fact_base: FactBase) -> None:
    store = _store(tmp_path, clock, "a")
    digest = _digest(fact_base, store)
    claim = store.claim(digest)
    assert store.posted(CHANNEL) == set()
    assert store.complete(claim, "1700000000.000100")
    run = store.run(CHANNEL, DAY)
    assert (run.status, run.message_id) == ("sent", "1700000000.000100")
    assert store.posted(CHANNEL) == set(digest.fact_ids)
    rows = store.db.query("SELECT channel, fact_id, round FROM digest_posted ORDER BY fact_id")
    assert [tuple(r) for r in rows] == sorted((CHANNEL, fid, 1) for fid in digest.fact_ids)
    assert store.claim(_digest(fact_base, store)) is None, "a sent day is never claimed again"


def test_a_live_claim_is_left_alone_and_an_expired_one_taken_over_with_its_facts(
    tmp_path: Path, clock: Clock, fact_base: FactBase
) -> None:
    crashed, restarted = _store(tmp_path, clock, "crashed"), _store(tmp_path, clock, "restarted")
    planned = crashed.claim(_digest(fact_base, crashed))
    clock.now += crashed.lease - timedelta(seconds=1)
    assert restarted.claim(_digest(fact_base, restarted)) is None
    clock.now += timedelta(seconds=2)
    taken = restarted.claim(_digest(fact_base, restarted))
    assert taken is not None and taken.owner == "restarted"
    assert taken.fact_ids == planned.fact_ids
    assert not crashed.renew(planned), "the old owner must notice it lost the claim"
    assert restarted.renew(taken)
    assert restarted.complete(taken, "m1")
    assert restarted.run(CHANNEL, DAY).attempts == 1


def test_two_processes_racing_for_the_same_days_never_both_win_one(tmp_path: Path, fact_base: FactBase) -> None:
    clock = Clock(datetime(2025, 3, 31, 7, 0, tzinfo=timezone.utc))
    stores = [_store(tmp_path, clock, f"p{i}") for i in range(2)]
    days = [DAY + timedelta(days=i) for i in range(40)]
    won: dict[str, list[date]] = {"p0": [], "p1": []}
    barrier = threading.Barrier(2)

    def race(store: DigestStore) -> None:
        barrier.wait()
        for day in days:
            digest = build_digest(fact_base, channel=CHANNEL, day=day, size=3, posted=())
            if store.claim(digest) is not None:
                won[store.owner].append(day)

    threads = [threading.Thread(target=race, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(won["p0"] + won["p1"]) == days
    assert not set(won["p0"]) & set(won["p1"])


def test_a_failed_day_stays_failed_unless_forced(tmp_path: Path, clock: Clock, fact_base: FactBase) -> None:
    store = _store(tmp_path, clock, "a")
    claim = store.claim(_digest(fact_base, store))
    store.fail(claim, "channel_not_found")
    run = store.run(CHANNEL, DAY)
    assert (run.status, run.error) == ("failed", "channel_not_found")
    assert store.posted(CHANNEL) == set()
    assert store.claim(_digest(fact_base, store)) is None
    forced = store.claim(_digest(fact_base, store), force=True)
    assert forced is not None and not forced.repeat
    assert store.complete(forced, "m2")
    assert store.run(CHANNEL, DAY).status == "sent"


def test_forcing_a_sent_day_reposts_the_same_facts_and_keeps_the_record(
    tmp_path: Path, clock: Clock, fact_base: FactBase
) -> None:
    store = _store(tmp_path, clock, "a")
    first = store.claim(_digest(fact_base, store))
    store.complete(first, "m1")
    again = store.claim(_digest(fact_base, store), force=True)
    assert again is not None and again.repeat
    assert again.fact_ids == first.fact_ids
    store.complete(again, "m2")
    assert store.run(CHANNEL, DAY).message_id == "m1"
    assert store.posted(CHANNEL) == set(first.fact_ids)


def test_claims_left_from_earlier_days_are_marked_missed(tmp_path: Path, clock: Clock, fact_base: FactBase) -> None:
    store = _store(tmp_path, clock, "a")
    store.claim(_digest(fact_base, store, day=DAY - timedelta(days=1)))
    store.claim(_digest(fact_base, store))
    assert store.miss_before(DAY) == 0, "a claim whose lease runs may be sending right now"
    clock.now += store.lease
    assert store.miss_before(DAY) == 1
    assert store.run(CHANNEL, DAY - timedelta(days=1)).status == "missed"
    assert store.run(CHANNEL, DAY).status == "claimed"


def test_rounds_restart_once_every_fact_was_posted(tmp_path: Path, clock: Clock, fact_base: FactBase) -> None:
    store = _store(tmp_path, clock, "a")
    order = [f.id for f in rotation_order(fact_base)]
    day = DAY
    posts: list[str] = []
    while len(posts) < len(order) + 6:
        claim = store.claim(build_digest(fact_base, channel=CHANNEL, day=day, size=3, posted=store.posted(CHANNEL)))
        store.complete(claim, f"m{day}")
        posts += claim.fact_ids
        day += timedelta(days=1)
    assert sorted(posts[: len(order)]) == sorted(order)
    current, posted = store.current_round(CHANNEL)
    assert current == 2
    assert posted == set(posts[len(order) :])


def test_digest_for_shows_the_claimed_facts_of_a_day(tmp_path: Path, clock: Clock, fact_base: FactBase) -> None:
    store = _store(tmp_path, clock, "a")
    claim = store.claim(_digest(fact_base, store))
    store.complete(claim, "m1")
    today = store.digest_for(fact_base, channel=CHANNEL, day=DAY, size=3)
    tomorrow = store.digest_for(fact_base, channel=CHANNEL, day=DAY + timedelta(days=1), size=3)
    assert today.fact_ids == claim.fact_ids
    assert not set(tomorrow.fact_ids) & set(claim.fact_ids)


def test_a_claim_given_back_after_failures_waits_its_time_unless_forced(
    tmp_path: Path, clock: Clock, fact_base: FactBase
) -> None:
    first, second = _store(tmp_path, clock, "a"), _store(tmp_path, clock, "b")
    claim = first.claim(_digest(fact_base, first))
    assert first.release(claim, "Slack: HTTP 503", until=clock.now + timedelta(minutes=5))
    run = first.run(CHANNEL, DAY)
    assert (run.status, run.error, run.lease_until) == ("claimed", "Slack: HTTP 503", clock.now + timedelta(minutes=5))
    assert second.claim(_digest(fact_base, second)) is None, "nobody takes it before its time"
    assert first.miss_before(DAY + timedelta(days=1)) == 0

    forced = second.claim(_digest(fact_base, second), force=True)
    assert forced is not None and not forced.repeat and forced.fact_ids == claim.fact_ids
    assert not first.renew(claim), "the first owner lost it"
    run = second.run(CHANNEL, DAY)
    assert (run.owner, run.error) == ("b", None)
    assert second.complete(forced, "m1")


def test_a_given_back_claim_is_taken_over_with_its_facts_once_its_time_came(
    tmp_path: Path, clock: Clock, fact_base: FactBase
) -> None:
    first, second = _store(tmp_path, clock, "a"), _store(tmp_path, clock, "b")
    claim = first.claim(_digest(fact_base, first))
    first.release(claim, "Discord: 429", until=clock.now + timedelta(minutes=5))
    clock.now += timedelta(minutes=5)
    taken = second.claim(_digest(fact_base, second))
    assert taken is not None and taken.fact_ids == claim.fact_ids


def test_a_lease_held_while_sending_is_extended_without_counting_an_attempt(
    tmp_path: Path, clock: Clock, fact_base: FactBase
) -> None:
    store = _store(tmp_path, clock, "a")
    claim = store.claim(_digest(fact_base, store))
    assert store.renew(claim)
    clock.now += timedelta(minutes=1)
    assert store.renew(claim, count=False)
    run = store.run(CHANNEL, DAY)
    assert (run.attempts, run.lease_until) == (1, clock.now + store.lease)
