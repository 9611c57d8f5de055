"""Reload `knowledge/` without a restart: validate the new base beside the old, then swap at once."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable

from bot.config import Thresholds
from bot.engine import Engine
from bot.engine_cache import EngineCache, load_or_build
from bot.errors import KnowledgeError
from bot.models import FactBase
from bot.service import AskService, read_fact_base

log = logging.getLogger(__name__)

Snapshot = tuple[tuple[str, int, int, int, int], ...]
"""Every file the fact base is read from as (path relative to the base, mtime in ns, size, inode,
ctime in ns)."""

# What the loader reads (bot/knowledge.py): the folder's own YAML files, sources/*.md and
# facts/*.yaml; and what it refuses on sight, so that a restart would not start: a file named
# as if meant for it (`x.yml`, `x.MD`, a misspelt `synonym.yml`), a folder where a file belongs,
# a misspelt folder beside `facts/`. Watching exactly these, through symlinked folders too,
# means an editor's temporary files beside them (`4913`, `#x.yaml#`, `x.yaml~`,
# `x.yaml___jb_tmp___`) never trigger a reload, while a name the loader refuses is reported as
# soon as it appears.
WATCHED = (("", (".yaml", ".yml")), ("sources", (".md", ".markdown")), ("facts", (".yaml", ".yml")))


@dataclass(frozen=True)
class ReloadResult:
    """What one reload attempt did; `problems` holds one line per problem when it was refused."""

    ok: bool
    facts: int
    seconds: float
    problems: list[str] = field(default_factory=list)


def snapshot(root: Path) -> Snapshot:
    """The state of the files a reload reads; hidden files (editor locks and swaps) don't count.

    The inode is part of it, so a file replaced by another with the same size and time (a
    symlink switched to a new release, an editor's save by rename) still counts as a change;
    and so is the inode's change time, so a file made readable again (`chmod`, `chown`: what a
    refused reload says to do) is loaded without waiting for another edit.
    """
    entries = []
    for folder, suffixes in WATCHED:
        try:
            # The listing tells files from folders without a stat of each: only what is
            # watched is looked at closely, however many other files share the folder.
            with os.scandir(root / folder) as listing:
                names = [(entry.name, entry.is_file()) for entry in listing]
        except OSError:
            continue
        for name, is_file in names:
            if name.startswith("."):  # what the loader skips too
                continue
            watched = os.path.splitext(name)[1].lower() in suffixes
            if not watched and (folder or is_file):
                continue
            path = root / folder / name
            try:
                info = path.stat()
            except OSError:  # deleted between listing and stat, or a dangling link
                continue
            regular = stat.S_ISREG(info.st_mode)
            if not watched and (folder or regular):
                continue
            # Anything but a file (a folder named x.yaml, a folder in the base's own folder)
            # counts by its name and inode alone: its time changes with whatever is saved in it.
            mtime, size, ctime = (info.st_mtime_ns, info.st_size, info.st_ctime_ns) if regular else (0, -1, 0)
            entries.append((str(path.relative_to(root)), mtime, size, info.st_ino, ctime))
    return tuple(sorted(entries))


class KnowledgeReloader:
    """Loads and fully validates the fact base, then swaps it into an AskService in one step.

    On any problem the service keeps its current engine and each problem is logged as one
    line. Reloads are serialised; the swap is a single assignment in AskService, so a question
    in flight finishes on the engine it started with and the next one gets the new engine.
    """

    def __init__(
        self,
        service: AskService,
        *,
        knowledge_dir: Path,
        thresholds: Thresholds | None = None,
        load: Callable[[Path], FactBase] = read_fact_base,
        on_reload: Callable[[ReloadResult], None] | None = None,
        clock: Callable[[], float] = time.perf_counter,
        loaded_from: Snapshot | None = None,
        cache: EngineCache | None = None,
    ) -> None:
        """`thresholds` default to the current engine's; `on_reload` sees every attempt (metrics).
        `cache`: the engine cache the bot started from, which a reload reads from and writes
        to as a start does (the next start after an edit finds it indexed).

        `loaded_from` is `snapshot(knowledge_dir)` taken before the live base was loaded, so an
        edit saved during that load (or before the reloader exists) is reloaded; by default the
        files are taken to be as they are now.
        """
        self.service = service
        self.knowledge_dir = Path(knowledge_dir)
        self.thresholds = thresholds
        self._load = load
        self._cache = cache
        self._on_reload = on_reload
        self._clock = clock
        self._lock = threading.Lock()
        # What the live base was loaded from, and the last state we tried (so a broken edit
        # is reported once, not on every poll).
        self._loaded = snapshot(self.knowledge_dir) if loaded_from is None else loaded_from
        self._attempted = self._loaded
        # SIGHUP reloads: at most one running and one asked for behind it, however many come.
        self._signalled: asyncio.Task[None] | None = None
        self._again = False

    def reload_now(self) -> ReloadResult:
        """Reload synchronously (blocks for the load); returns what happened, never raises."""
        with self._lock:
            before = snapshot(self.knowledge_dir)
            result = self._reload()
            self._attempted = before
            if result.ok:
                self._loaded = before
        if self._on_reload is not None:
            try:
                self._on_reload(result)
            except Exception:
                outcome = "succeeded" if result.ok else "failed"
                log.exception("the reload callback failed; the reload itself %s", outcome)
        return result

    def _reload(self) -> ReloadResult:
        started = self._clock()
        old = self.service.engine
        thresholds = self.thresholds or old.thresholds
        try:
            engine = load_or_build(
                self.knowledge_dir,
                thresholds,
                cache=self._cache,
                build=lambda: Engine(self._load(self.knowledge_dir), thresholds=thresholds),
            )
            base = engine.base
        except KnowledgeError as error:
            problems = [str(problem) for problem in error.problems]
        except OSError as error:
            problems = [f"{self.knowledge_dir}: cannot read the fact base: {error}"]
        except Exception as error:  # noqa: BLE001 - any failure must leave the old base serving
            log.exception("knowledge reload crashed; keeping the previous fact base")
            problems = [f"{self.knowledge_dir}: unexpected {type(error).__name__}: {error}"]
        else:
            self.service.swap(engine)
            seconds = self._clock() - started
            log.info(
                "knowledge reloaded from %s: %d facts, %d sources in %.0f ms",
                self.knowledge_dir,
                len(base.facts),
                len(base.sources),
                seconds * 1000,
            )
            return ReloadResult(ok=True, facts=len(base.facts), seconds=seconds)
        for problem in problems:
            log.error("knowledge reload: %s", problem)
        count = len(problems)
        log.error(
            "knowledge reload refused (%d problem%s); still serving the previous fact base of %d facts",
            count,
            "" if count == 1 else "s",
            len(old.base.facts),
        )
        return ReloadResult(ok=False, facts=len(old.base.facts), seconds=self._clock() - started, problems=problems)

    async def reload(self) -> ReloadResult:
        """Reload in a worker thread, so the event loop keeps answering during the load."""
        return await asyncio.to_thread(self.reload_now)

    def schedule_reload(self) -> None:
        """Start a reload on the running loop; for `loop.add_signal_handler(signal.SIGHUP, ...)`.

        Requests that arrive while one runs are folded into one more reload after it, which
        reads the files as they are by then: a burst of signals costs two loads, not one
        worker thread each (the threads that answer questions come from the same pool).
        """
        if self._signalled is not None and not self._signalled.done():
            self._again = True
            return
        # Kept in an attribute until done: the loop holds tasks only weakly.
        self._signalled = asyncio.get_running_loop().create_task(self._reload_while_asked())

    async def _reload_while_asked(self) -> None:
        self._again = True
        while self._again:
            self._again = False
            try:
                await self.reload()
            except Exception:  # e.g. the worker threads are gone while the process stops
                log.exception("a reload asked for by signal could not run")
                return

    def changed(self) -> bool:
        """Whether the files differ from the last state loaded or tried."""
        return snapshot(self.knowledge_dir) != self._attempted

    async def watch(
        self, *, interval: float = 2.0, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    ) -> None:
        """Poll the files' mtimes every `interval` seconds and reload once a change has settled.

        A change is reloaded when two polls in a row see the same new state, so an editor
        still writing a file (or a `git checkout` halfway through) is not loaded half done.
        Runs until cancelled.
        """
        seen = snapshot(self.knowledge_dir)
        while True:
            await sleep(interval)
            try:
                current = snapshot(self.knowledge_dir)
                if current != self._attempted and current == seen:
                    await self.reload()
                seen = current
            except Exception:
                # One bad poll must not end the watching for the life of the process.
                log.exception("watching %s failed; trying again in %s s", self.knowledge_dir, interval)

    def start(
        self, *, interval: float = 2.0, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    ) -> asyncio.Task[None]:
        """Run `watch` as a task on the running loop; cancel the task to stop watching."""
        watching = self.watch(interval=interval, sleep=sleep)
        return asyncio.get_running_loop().create_task(watching, name="knowledge-watch")
