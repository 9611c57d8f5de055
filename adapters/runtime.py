"""`python -m bot serve` with platforms configured: every configured platform in one process.

Starts, in order: logging, the fact base, the database, the ops HTTP server on PORT
(/healthz, /readyz, /metrics, and /slack/events in Slack HTTP mode), Slack, Discord, the
daily digest scheduler and the fact-base watcher. SIGHUP reloads the fact base; SIGINT and
SIGTERM stop everything in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiohttp import web

from adapters.metrics import BotMetrics
from adapters.ops_http import build_ops_app, start_ops_server
from bot.config import Settings
from bot.db import Database
from bot.logging_setup import configure_logging
from bot.question_log import QuestionLog
from bot.rate_limit import RateLimiter
from bot.reload import KnowledgeReloader
from bot.service import AskService, knowledge_dir, load_engine

log = logging.getLogger(__name__)

RELOAD_POLL_SECONDS = 2.0


def serve(settings: Settings) -> int:
    """Run until interrupted; configuration problems raise ConfigError before anything connects."""
    configure_logging(settings)
    try:
        asyncio.run(Runtime(settings).run())
    except KeyboardInterrupt:
        pass
    return 0


class Runtime:
    """The running bot: owns every long-lived piece and stops them in reverse order."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stopping = asyncio.Event()
        self.slack: Any = None
        self.discord: Any = None

    def ready(self) -> dict[str, bool]:
        checks = {"fact_base": bool(self.service.engine.base.facts)}
        if self.slack is not None:
            checks["slack"] = self.slack.connected
        if self.discord is not None:
            checks["discord"] = self.discord.connected
        return checks

    async def run(self) -> None:
        settings = self.settings
        engine = load_engine(settings)
        db = Database.in_data_dir(settings.bot_data_dir)
        metrics = BotMetrics()
        metrics.facts.set(len(engine.base.facts))
        question_log = QuestionLog.from_settings(settings, db)
        question_log.prune()
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
            self.service, knowledge_dir=knowledge_dir(settings), on_reload=metrics.record_reload
        )
        routes: list[web.RouteDef] = []
        if self.slack is not None and settings.slack_mode == "http":
            routes = self.slack.http_routes()
        app = build_ops_app(registry=metrics.registry, is_ready=self.ready, extra_routes=routes)

        async with contextlib.AsyncExitStack() as stack:
            runner = await start_ops_server(app, port=settings.port)
            stack.push_async_callback(runner.cleanup)
            log.info("serving /healthz, /readyz and /metrics on port %s", settings.port)
            if self.slack is not None:
                stack.push_async_callback(self.slack.close)
                await self.slack.start()
                log.info("Slack started in %s mode", settings.slack_mode)
            if self.discord is not None:
                stack.push_async_callback(self.discord.close)
                await self.discord.start()
                log.info("Discord started")
            scheduler.start()
            stack.push_async_callback(scheduler.close)
            watcher = reloader.start(interval=RELOAD_POLL_SECONDS)
            stack.push_async_callback(_cancel, watcher)
            self._install_signals(reloader)
            await self.stopping.wait()
            log.info("stopping")
        db.close()

    def _install_signals(self, reloader: KnowledgeReloader) -> None:
        loop = asyncio.get_running_loop()
        for name in ("SIGINT", "SIGTERM"):
            with contextlib.suppress(NotImplementedError, AttributeError):
                loop.add_signal_handler(getattr(signal, name), self.stopping.set)
        with contextlib.suppress(NotImplementedError, AttributeError):
            loop.add_signal_handler(signal.SIGHUP, reloader.schedule_reload)


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
