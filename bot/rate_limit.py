"""The per-user question limit: a sliding window of the last minute's questions per user."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from typing import Callable

from bot.config import Settings

WINDOW_SECONDS = 60.0
# Askers tracked at once, whatever the traffic: about 1 KB each. Beyond it the asker idle the
# longest is forgotten first, so memory stays bounded even if a crowd arrives in one minute.
MAX_TRACKED = 50_000


class RateLimiter:
    """Allows each key at most `limit` events in any `window` seconds; `limit` 0 allows everything.

    A sliding log rather than a fixed per-minute bucket, so nobody gets twice the limit by
    asking across the turn of a minute. Thread-safe: adapters may ask from worker threads.
    Memory is bounded: askers idle for a whole window are forgotten, and at most `max_keys`
    are tracked at once.
    """

    def __init__(
        self,
        limit: int,
        *,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_TRACKED,
    ) -> None:
        if limit < 0:
            raise ValueError(f"limit must be 0 (off) or more, not {limit}")
        if not window > 0:
            raise ValueError(f"window must be positive, not {window}")
        if max_keys < 1:
            raise ValueError(f"max_keys must be at least 1, not {max_keys}")
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        # Ordered by each asker's latest counted question, oldest first: the idle are at the front.
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

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
        with self._lock:
            # Read under the lock, so the times in each log are in the order they were counted.
            now = self._clock()
            self._forget_idle(now)
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= self.max_keys:
                    self._events.popitem(last=False)
                events = self._events[key] = deque()
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(0.0, events[0] + self.window - now)
            events.append(now)
            self._events.move_to_end(key)
            return None

    def _forget_idle(self, now: float) -> None:
        """Forget askers idle for a whole window, so the map doesn't grow with every asker ever seen."""
        while self._events:
            events = next(iter(self._events.values()))
            if events and events[-1] > now - self.window:
                break
            self._events.popitem(last=False)

    def tracked_keys(self) -> int:
        with self._lock:
            return len(self._events)


class OncePerWindow:
    """Whether to tell a key something now: yes the first time, then not again for `window` seconds.

    For a note everyone in a channel sees (a Discord mention over the limit has no private
    reply): someone who keeps asking gets the note once, not once per message. Thread-safe,
    and bounded like RateLimiter: at most `max_keys` keys, the oldest forgotten first.
    """

    def __init__(
        self, *, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_TRACKED
    ) -> None:
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._told: OrderedDict[str, float] = OrderedDict()  # key -> when told, oldest first
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        with self._lock:
            now = self._clock()
            while self._told and next(iter(self._told.values())) <= now - self.window:
                self._told.popitem(last=False)
            if key in self._told:
                return False
            if len(self._told) >= self.max_keys:
                self._told.popitem(last=False)
            self._told[key] = now
            return True


def limited_reason(limit: int, retry_after: float) -> str:
    """The friendly sentence a limited asker sees, with when to try again."""
    seconds = max(1, math.ceil(retry_after))
    when = "in a second" if seconds == 1 else f"in {seconds} seconds"
    return (
        f"You've asked {limit} question{'' if limit == 1 else 's'} in the last minute, "
        "which is as many as I take from one person. "
        f"Please try again {when}."
    )
