"""Work in flight at a stop: given a grace to finish, then cut."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from typing import Any

log = logging.getLogger(__name__)

CANCEL_WAIT_SECONDS = 1.0
"""How long cut tasks get to unwind after their cancellation."""


async def finish_or_cut(tasks: Collection[asyncio.Task[Any]], *, grace: float, what: str) -> set[asyncio.Task[Any]]:
    """Wait up to `grace` seconds for `tasks`, then cancel those still running; return those.

    `what` names the tasks in the two log lines ("task(s)", "Discord reply(ies)").
    """
    running = {task for task in tasks if not task.done()}
    if not running:
        return set()
    log.info("waiting up to %.0f s for %d %s in flight", grace, len(running), what)
    _, late = await asyncio.wait(running, timeout=grace)
    if late:
        log.warning("cutting %d %s still running after %.0f s", len(late), what, grace)
        for task in late:
            task.cancel()
        await asyncio.wait(late, timeout=CANCEL_WAIT_SECONDS)
    return late
