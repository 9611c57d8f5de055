"""The per-user limit: a sliding minute per user, a friendly `limited` answer, 0 turns it off."""

from __future__ import annotations

import re

import pytest

from bot.config import Settings
from bot.engine import Engine
from bot.models import Answer
from bot.rate_limit import OncePerWindow, RateLimiter, limited_reason
from bot.service import AskService

QUESTION = "How much of Scale AI does Meta own?"


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_allows_the_limit_then_refuses_with_the_time_until_the_oldest_leaves_the_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock)
    for _ in range(3):
        assert limiter.check("slack:U1") is None
        clock.advance(10)
    # Questions at 0, 10 and 20 s; it is now 30 s: the first frees up at 60 s.
    assert limiter.check("slack:U1") == pytest.approx(30.0)
    clock.advance(29.5)
    assert limiter.check("slack:U1") == pytest.approx(0.5)
    clock.advance(0.5)
    assert limiter.check("slack:U1") is None
    # The window slides: the question at 10 s still counts until 70 s.
    assert limiter.check("slack:U1") == pytest.approx(10.0)


def test_a_refused_question_does_not_count_against_the_asker() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, clock=clock)
    assert limiter.check("u") is None
    for _ in range(5):
        clock.advance(10)
        assert limiter.check("u") is not None
    clock.advance(10)  # 60 s after the only counted question
    assert limiter.check("u") is None


def test_users_are_limited_separately() -> None:
    limiter = RateLimiter(1, clock=FakeClock())
    assert limiter.check("slack:U1") is None
    assert limiter.check("slack:U1") is not None
    assert limiter.check("slack:U2") is None
    assert limiter.check("discord:U1") is None


def test_zero_turns_the_limit_off() -> None:
    limiter = RateLimiter(0, clock=FakeClock())
    assert all(limiter.check("u") is None for _ in range(1000))
    assert RateLimiter.from_settings(Settings(bot_rate_limit=0)) is None
    from_settings = RateLimiter.from_settings(Settings())
    assert from_settings is not None and from_settings.limit == 10


def test_idle_users_are_forgotten() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5, clock=clock)
    for user in range(100):
        limiter.check(f"u{user}")
    assert limiter.tracked_keys() == 100
    clock.advance(61)
    limiter.check("someone")
    assert limiter.tracked_keys() == 1


def test_memory_stays_bounded_when_a_crowd_asks_within_one_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2, clock=clock, max_keys=1000)
    for user in range(10_000):
        assert limiter.check(f"discord:{user}") is None
        clock.advance(0.001)
    assert limiter.tracked_keys() == 1000
    # The askers still tracked are the latest, and they are still limited.
    assert limiter.check("discord:9999") is None
    assert limiter.check("discord:9999") is not None


def test_a_steady_stream_of_new_askers_keeps_only_the_last_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5, clock=clock)
    for user in range(5000):
        limiter.check(f"slack:U{user}")
        clock.advance(1)
        assert limiter.tracked_keys() <= 60


def test_the_boundary_of_the_window_is_exact_with_an_injected_clock() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(1, clock=clock, window=60)
    assert limiter.check("slack:U1") is None
    clock.advance(59.75)
    assert limiter.check("slack:U1") == 0.25
    clock.advance(0.25)  # exactly one window later
    assert limiter.check("slack:U1") is None


@pytest.mark.parametrize("options", [{"window": 0}, {"window": -1}, {"max_keys": 0}])
def test_nonsense_options_are_refused(options: dict) -> None:
    with pytest.raises(ValueError):
        RateLimiter(1, clock=FakeClock(), **options)


def test_the_reason_says_when_to_try_again() -> None:
    assert limited_reason(10, 12.2).endswith("Please try again in 13 seconds.")
    assert "in a second" in limited_reason(10, 0.2)
    assert "10 questions" in limited_reason(10, 5)
    assert limited_reason(1, 5).startswith("You've asked 1 question in the last minute, which")


def test_the_service_answers_limited_over_the_limit_and_never_limits_the_cli(engine: Engine) -> None:
    clock = FakeClock()
    seen: list[Answer] = []
    service = AskService(
        engine, rate_limiter=RateLimiter(2, clock=clock), hooks=[lambda q, a, p, u: seen.append(a)]
    )
    first = service.ask(QUESTION, platform="slack", user_id="U1")
    second = service.ask(QUESTION, platform="slack", user_id="U1")
    clock.advance(15)
    third = service.ask(QUESTION, platform="slack", user_id="U1")
    assert first.status == second.status == "answered"
    assert third.status == "limited"
    assert third.question == QUESTION
    assert third.fact_id is None and third.text is None
    assert re.search(r"try again in 45 seconds", third.reason or "")
    # The hooks see the limited question too (the log and the metrics count it).
    assert [a.status for a in seen] == ["answered", "answered", "limited"]
    # Someone else, and anyone without a user id (the CLI), still gets answers.
    assert service.ask(QUESTION, platform="slack", user_id="U2").status == "answered"
    assert all(service.ask(QUESTION, platform="cli").status == "answered" for _ in range(5))
    clock.advance(45)
    assert service.ask(QUESTION, platform="slack", user_id="U1").status == "answered"


def test_admit_charges_the_limit_once_so_an_admitted_ask_is_not_counted_twice(engine: Engine) -> None:
    seen: list[Answer] = []
    service = AskService(engine, rate_limiter=RateLimiter(2, clock=FakeClock()), hooks=[lambda q, a, p, u: seen.append(a)])
    for _ in range(2):
        assert service.admit(QUESTION, platform="discord", user_id="U1") is None
        assert service.ask(QUESTION, platform="discord", user_id="U1", admitted=True).status == "answered"
    refused = service.admit(QUESTION, platform="discord", user_id="U1")
    assert refused is not None and refused.status == "limited"
    # Every question reaches the hooks exactly once, the refused one included.
    assert [a.status for a in seen] == ["answered", "answered", "limited"]


def test_a_note_is_told_once_per_window_per_key_and_the_keys_kept_are_bounded() -> None:
    clock = FakeClock()
    notes = OncePerWindow(window=60, clock=clock, max_keys=2)
    assert notes.first("U1") and not notes.first("U1")
    clock.advance(59)
    assert not notes.first("U1")
    clock.advance(1)
    assert notes.first("U1")
    assert notes.first("U2") and notes.first("U3")  # U1 was the oldest of three: forgotten
    assert notes.first("U1") and not notes.first("U3")
