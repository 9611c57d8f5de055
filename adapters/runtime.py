"""`python -m bot serve` with platforms configured: every configured platform in one process.

Starts, in order: logging, the fact base, the database, the ops HTTP server on PORT
(/healthz, /readyz, /metrics, and /slack/events in Slack HTTP mode), Slack, Discord, the
daily digest scheduler, the fact-base watcher and the hourly pruning of the question log.
SIGHUP reloads the fact base; SIGINT and SIGTERM stop everything in reverse order, at any
point of the start too, and exit 0. A stop waits up to STOP_GRACE_SECONDS for answers (their
replies included) and a reload in flight, then cuts them; a second SIGINT or SIGTERM exits at
once with 128 + the signal's number (130, 143). A background task that dies of an unexpected
error, or a platform connection closed for good (Discord refusing the token, say), is logged
in one line and stops the process with exit code 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, Callable

from aiohttp import web

from adapters.in_flight import finish_or_cut
from adapters.metrics import BotMetrics
from adapters.ops_http import NotReady, build_ops_app, start_ops_server
from bot.config import Settings, unknown_setting_names
from bot.db import Database
from bot.errors import BotError
from bot.feedback import FeedbackStore
from bot.logging_setup import configure_logging
from bot.question_log import QuestionLog
from bot.rate_limit import RateLimiter
from bot.reload import KnowledgeReloader, snapshot
from bot.service import AskService, engine_cache, knowledge_dir, load_engine

log = logging.getLogger(__name__)

RELOAD_POLL_SECONDS = 2.0
PRUNE_EVERY_SECONDS = 3600.0
"""How often the question log drops what is past its retention, whether or not questions come."""
STOP_GRACE_SECONDS = 8.0
"""How long a stop waits for work in flight: under the 10 s a container runtime (docker stop)
leaves between SIGTERM and SIGKILL."""
EXIT_FAILED = 1


def serve(settings: Settings) -> int:
    """Run until stopped and return the exit code; configuration problems raise ConfigError
    before anything is left running."""
    configure_logging(settings)
    for problem in unknown_setting_names():
        log.warning("%s", problem)
    try:
        return asyncio.run(Runtime(settings).run())
    except KeyboardInterrupt:  # Ctrl-C before the stop handlers were in place
        return 128 + signal.SIGINT


class _Workers(ThreadPoolExecutor):
    """The loop's default executor (asyncio.to_thread), counting the calls under way so a stop
    can wait for them, and leave without them when they outlast the grace."""

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="serve-worker")
        self._count_lock = threading.Lock()
        self.busy = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._count_lock:
            self.busy += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: Future[Any] | None) -> None:
        with self._count_lock:
            self.busy -= 1


class Runtime:
    """The running bot: owns every long-lived piece and stops them in reverse order."""

    def __init__(
        self,
        settings: Settings,
        *,
        stop_grace: float = STOP_GRACE_SECONDS,
        prune_every: float = PRUNE_EVERY_SECONDS,
    ) -> None:
        self.settings = settings
        self.stop_grace = stop_grace
        self.prune_every = prune_every
        self.stopping = asyncio.Event()
        self.exit_code = 0
        self.port: int | None = None
        """The port the ops server listens on, once it does (PORT=0 picks one)."""
        self.db: Database | None = None
        self.slack: Any = None
        self.discord: Any = None
        self._starting: asyncio.Task[None] | None = None
        self._reloader: KnowledgeReloader | None = None
        self._reload_asked = False
        self._stop_signals = 0
        self._workers: _Workers | None = None
        self._left_behind = False
        self._others: set[asyncio.Task[Any]] = set()
        self._question_log: QuestionLog | None = None
        self._feedback: FeedbackStore | None = None

    def ready(self) -> dict[str, bool | NotReady]:
        checks: dict[str, bool | NotReady] = {"fact_base": bool(self.service.engine.base.facts)}
        if self.slack is not None:
            # Uninstalled, or its token revoked, the app stays connected but can post nothing.
            locked_out = self.slack.locked_out
            checks["slack"] = NotReady(locked_out) if locked_out else self.slack.connected
        if self.discord is not None:
            checks["discord"] = self.discord.connected
        return checks

    def prune_stored(self) -> None:
        """Delete what is kept only for a while: questions and votes older than the retention,
        Slack event claims older than a day. `serve` does this at start and hourly."""
        if self._question_log is None or self._feedback is None:
            return
        now = datetime.now(timezone.utc)
        self._question_log.prune(now=now)
        self._feedback.prune(before=now - self._question_log.retention)
        if self.slack is not None:
            self.slack.events.prune()

    def stop(self, *, exit_code: int = 0) -> None:
        """Ask the runtime to stop (a start under way is cut short); the first exit code asked for wins."""
        if self.stopping.is_set():
            return
        self.exit_code = exit_code
        self.stopping.set()
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()

    async def run(self) -> int:
        """Start everything, serve until stopped, stop everything; the exit code."""
        loop = asyncio.get_running_loop()
        # First of all, so that a signal during a slow start (a platform that does not answer)
        # stops the start cleanly instead of killing the process halfway.
        self._install_signals(loop)
        # Tasks already running belong to whoever runs this, not to the bot: a stop leaves them be.
        self._others = asyncio.all_tasks()
        self._workers = _Workers()
        loop.set_default_executor(self._workers)
        async with contextlib.AsyncExitStack() as stack:
            if not self.stopping.is_set():
                self._starting = asyncio.create_task(self._start(stack), name="serve-start")
                try:
                    await self._starting
                except asyncio.CancelledError:
                    current = asyncio.current_task()
                    if not self.stopping.is_set() or (current is not None and current.cancelling()):
                        raise
            await self.stopping.wait()
        log.info("stopped")
        if self._left_behind:
            # A worker thread (a reload stuck on its files, say) would keep the interpreter from
            # exiting: everything else is closed, so leave without it.
            _exit_now(self.exit_code)
        return self.exit_code

    async def _start(self, stack: contextlib.AsyncExitStack) -> None:
        settings = self.settings
        # Before the load: an edit saved while it reads the files, or before the watcher
        # starts, is then a change the watcher reloads, not one it takes as loaded.
        loaded_from = snapshot(knowledge_dir(settings))
        engine = load_engine(settings)
        db = Database.in_data_dir(settings.bot_data_dir)
        self.db = db
        stack.callback(self._close_db, db)
        # Unwound after the drain: discord.py's HTTP session closes with the client, and the
        # replies in flight still need it.
        stack.push_async_callback(self._close_discord)
        # Likewise Slack's keep-alive connections and claim threads, which the replies in flight use.
        stack.push_async_callback(self._close_slack_connections)
        # Unwound after every platform and server stopped taking new work.
        stack.push_async_callback(self._drain)
        metrics = BotMetrics()
        metrics.facts.set(len(engine.base.facts))
        question_log = QuestionLog.from_settings(settings, db)
        self._question_log = question_log
        self._feedback = FeedbackStore(db)
        self.service = AskService(
            engine,
            hooks=[question_log.hook],
            timing_hooks=[metrics.observe_answer],
            rate_limiter=RateLimiter.from_settings(settings),
        )
        if settings.slack_configured:
            from adapters.slack_adapter import SlackBot

            self.slack = SlackBot(settings, self.service, db=db)
        if settings.discord_configured:
            from adapters.discord_adapter import DiscordBot

            self.discord = DiscordBot(settings, self.service, db=db)
        await asyncio.to_thread(self.prune_stored)  # a backlog must not hold up a stop asked meanwhile
        from adapters.digest_runner import build_digest_scheduler

        scheduler = build_digest_scheduler(
            settings,
            self.service,
            db,
            slack=self.slack,
            discord=self.discord,
            on_attempt=lambda platform, ok: metrics.record_digest(platform, ok=ok),
        )
        reloader = KnowledgeReloader(
            self.service,
            knowledge_dir=knowledge_dir(settings),
            on_reload=metrics.record_reload,
            loaded_from=loaded_from,
            cache=engine_cache(settings),
        )
        routes: list[web.RouteDef] = []
        if self.slack is not None and settings.slack_mode == "http":
            routes = self.slack.http_routes()
        app = build_ops_app(registry=metrics.registry, is_ready=self.ready, extra_routes=routes)

        runner = await start_ops_server(app, port=settings.port, host=settings.bot_host)
        stack.push_async_callback(runner.cleanup)
        self.port = runner.addresses[0][1] if runner.addresses else settings.port
        listening = runner.addresses[0][0] if runner.addresses else settings.bot_host
        log.info("serving /healthz, /readyz and /metrics on %s port %s", listening, self.port)
        if self.slack is not None:
            stack.push_async_callback(self.slack.close, connections=False)
            await self.slack.start()
            log.info("Slack started in %s mode", settings.slack_mode)
        if self.discord is not None:
            stack.push_async_callback(self.discord.leave_gateway)
            self._supervise(await self.discord.start(), "the Discord gateway connection")
            log.info("Discord started")
        stack.push_async_callback(scheduler.close)
        self._supervise(scheduler.start(), "the daily digest scheduler")
        watcher = reloader.start(interval=RELOAD_POLL_SECONDS)
        stack.push_async_callback(_cancel, watcher)
        self._supervise(watcher, "the knowledge watcher")
        pruner = asyncio.create_task(_prune_periodically(self.prune_stored, every=self.prune_every), name="prune")
        stack.push_async_callback(_cancel, pruner)
        self._reloader = reloader
        if self._reload_asked:
            reloader.schedule_reload()

    def _supervise(self, task: asyncio.Task[Any], what: str) -> None:
        """A task that should run until the stop: if it dies of an error, log it once and stop,
        rather than serve on without it."""

        def finished(done: asyncio.Task[Any]) -> None:
            if done.cancelled():
                return
            error = done.exception()  # retrieved here, so asyncio does not report it again
            if error is None or self.stopping.is_set():
                return
            if isinstance(error, BotError):
                # One the bot raises on purpose: its message names the cause and the fix.
                log.error("%s; stopping the bot", error)
                self.stop(exit_code=EXIT_FAILED)
                return
            log.error(
                "%s stopped on an unexpected error (%s: %s); stopping the bot",
                what, type(error).__name__, error, exc_info=error,
            )  # fmt: skip
            self.stop(exit_code=EXIT_FAILED)

        task.add_done_callback(finished)

    async def _drain(self) -> None:
        """Give the answers (and a reload) still in flight until the grace ends, then cut them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.stop_grace
        me = asyncio.current_task()
        tasks = {task for task in asyncio.all_tasks() - self._others if task is not me}
        await finish_or_cut(tasks, grace=self.stop_grace, what="task(s)")
        workers = self._workers
        while workers is not None and workers.busy and loop.time() < deadline:
            await asyncio.sleep(0.05)
        if workers is not None and workers.busy:
            log.warning(
                "%d worker thread(s) (an answer or a knowledge reload) still busy after %.0f s; "
                "exiting without them", workers.busy, self.stop_grace,
            )  # fmt: skip
            self._left_behind = True

    def _close_db(self, db: Database) -> None:
        # A worker thread left behind may be in a statement for up to the database's busy
        # timeout (another process holding it): the exit that follows must not wait for it.
        if not db.close(wait=0.0 if self._left_behind else None):
            log.warning("the database is still in use by a worker thread left behind; exiting without closing it")

    async def _close_discord(self) -> None:
        if self.discord is not None:
            await self.discord.close()

    async def _close_slack_connections(self) -> None:
        if self.slack is not None:
            await self.slack.close_connections()

    def _install_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        for name in ("SIGINT", "SIGTERM"):
            signum = getattr(signal, name, None)
            if signum is not None:
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(signum, self._on_stop_signal, signum)
        hangup = getattr(signal, "SIGHUP", None)
        if hangup is not None:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(hangup, self._on_hangup)

    def _on_stop_signal(self, signum: int) -> None:
        name = signal.Signals(signum).name
        self._stop_signals += 1
        if self._stop_signals > 1:
            log.warning("%s again: exiting now, without finishing the stop", name)
            _exit_now(128 + signum)
        log.info("%s received: stopping (send it again to exit at once)", name)
        self.stop()

    def _on_hangup(self) -> None:
        if self._reloader is not None:
            self._reloader.schedule_reload()
        elif not self._reload_asked:
            self._reload_asked = True
            log.info("SIGHUP while starting: the fact base is reloaded once the start is done")


def _exit_now(code: int) -> None:
    """Leave at once (no interpreter shutdown, which waits for every thread), logs flushed."""
    for handler in logging.getLogger().handlers:
        with contextlib.suppress(Exception):
            handler.flush()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    os._exit(code)


async def _prune_periodically(prune: Callable[[], None], *, every: float) -> None:
    """Prune what is kept only for a while every `every` seconds, in a worker thread, until
    cancelled: never on the event loop, which answers. A failed prune is logged and tried again
    at the next one: the bot serves on.
    """
    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(prune)
        except Exception as error:  # noqa: BLE001 - the next prune catches up
            log.error(
                "pruning old questions, votes and Slack event claims failed (%s: %s); trying again in %.0f s",
                type(error).__name__, error, every, exc_info=error,
            )  # fmt: skip


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
