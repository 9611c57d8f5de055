"""The per-user question limit: a sliding window of the last minute's questions per user."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable

from bot.config import Settings

WINDOW_SECONDS = 60.0


class RateLimiter:
    """Allows each key at most `limit` events in any `window` seconds; `limit` 0 allows everything.

    A sliding log rather than a fixed per-minute bucket, so nobody gets twice the limit by
    asking across the turn of a minute. Thread-safe: adapters may ask from worker threads.
    """

    def __init__(
        self, limit: int, *, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 0:
            raise ValueError(f"limit must be 0 (off) or more, not {limit}")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = clock()

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> "RateLimiter | None":
        """The limiter BOT_RATE_LIMIT asks for, or None when it is 0 (off)."""
        if settings.bot_rate_limit == 0:
            return None
        return cls(settings.bot_rate_limit, clock=clock)

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def check(self, key: str) -> float | None:
        """Count one event for `key`; None if allowed, else the seconds until it would be.

        A refused event is not counted, so someone who keeps asking while limited is let in
        again as soon as their oldest counted question leaves the window.
        """
        if not self.enabled:
            return None
        now = self._clock()
        with self._lock:
            self._sweep(now)
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(0.0, events[0] + self.window - now)
            events.append(now)
            return None

    def _sweep(self, now: float) -> None:
        """Forget users idle for a whole window, so the map doesn't grow with every asker ever seen."""
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        for key in [k for k, events in self._events.items() if not events or events[-1] <= now - self.window]:
            del self._events[key]

    def tracked_keys(self) -> int:
        with self._lock:
            return len(self._events)


def limited_reason(limit: int, retry_after: float) -> str:
    """The friendly sentence a limited asker sees, with when to try again."""
    seconds = max(1, math.ceil(retry_after))
    when = "in a second" if seconds == 1 else f"in {seconds} seconds"
    return (
        f"You've asked {limit} questions in the last minute, which is as many as I take from one person. "
        f"Please try again {when}."
    )
