"""The one door every surface asks through: the current engine, swappable without a restart."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable

from bot.config import Settings
from bot.engine import Engine
from bot.engine_cache import EngineCache, default_cache_dir, load_or_build
from bot.errors import ConfigError, KnowledgeError, KnowledgeProblem
from bot.knowledge import default_knowledge_dir, load_fact_base
from bot.models import Answer, FactBase
from bot.rate_limit import RateLimiter, limited_reason
from bot.text import clean_text

QuestionHook = Callable[[str, Answer, str, "str | None"], None]
"""Called after every answered question with (question, answer, platform, user id)."""

TimingHook = Callable[[Answer, str, float], None]
"""Called after every question with (answer, platform, seconds it took to answer)."""

log = logging.getLogger(__name__)


def knowledge_dir(settings: Settings) -> Path:
    return settings.bot_knowledge_dir or default_knowledge_dir()


def load_engine(settings: Settings) -> Engine:
    """Load and validate the fact base the settings point at, and index it; or, when the
    engine cache holds an engine built from these very files, that engine."""
    root = _checked_knowledge_dir(settings)
    thresholds = settings.thresholds()
    return load_or_build(
        root,
        thresholds,
        cache=engine_cache(settings),
        build=lambda: Engine(read_fact_base(root), thresholds=thresholds),
    )


def engine_cache(settings: Settings) -> EngineCache | None:
    """The engine cache the settings ask for: BOT_CACHE_DIR, else the user's cache folder; None when BOT_ENGINE_CACHE is off."""
    if not settings.bot_engine_cache:
        return None
    return EngineCache(settings.bot_cache_dir or default_cache_dir())


def load_base(settings: Settings) -> FactBase:
    """The fact base the settings point at; a BOT_KNOWLEDGE_DIR that cannot be one is a ConfigError."""
    return read_fact_base(_checked_knowledge_dir(settings))


def _checked_knowledge_dir(settings: Settings) -> Path:
    """The fact base's folder, a BOT_KNOWLEDGE_DIR checked that it can be one."""
    root = knowledge_dir(settings)
    if settings.bot_knowledge_dir is not None:
        check_knowledge_dir(root)
    return root


def check_knowledge_dir(root: Path) -> None:
    """Refuse a BOT_KNOWLEDGE_DIR that is missing, not a directory, unreadable or holds no fact base."""
    fix = "set BOT_KNOWLEDGE_DIR to the folder that holds sources/ and facts/, or unset it for the built-in one"
    try:
        root.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise ConfigError(f"BOT_KNOWLEDGE_DIR is {root}: no such directory; {fix}") from None
    except OSError as error:  # a name too long, a link that loops
        raise ConfigError(f"BOT_KNOWLEDGE_DIR is {root}: {error.strerror or error}; {fix}") from None
    if not root.is_dir():
        raise ConfigError(f"BOT_KNOWLEDGE_DIR is {root}: not a directory; {fix}")
    if not os.access(root, os.R_OK | os.X_OK):
        raise ConfigError(f"BOT_KNOWLEDGE_DIR is {root}: permission denied; make it readable or {fix}")
    if not (root / "sources").is_dir() and not (root / "facts").is_dir():
        raise ConfigError(f"BOT_KNOWLEDGE_DIR is {root}: it has no sources/ or facts/ folder; {fix}")


def read_fact_base(root: Path) -> FactBase:
    """`load_fact_base`, with a folder it cannot read reported as a problem of that folder
    (files it cannot read or decode the loader reports itself)."""
    try:
        return load_fact_base(root)
    except OSError as error:
        where = _shown(Path(error.filename), root) if error.filename else str(root)
        raise KnowledgeError([KnowledgeProblem(where, f"cannot read: {error.strerror or error}")]) from None


def _shown(path: Path, root: Path) -> str:
    """A path as the fact base's own problems show it: relative to the folder above the base."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


class AskService:
    """Holds the live engine; a reload swaps it in one assignment, so no question sees half a base."""

    def __init__(
        self,
        engine: Engine,
        *,
        hooks: list[QuestionHook] | None = None,
        timing_hooks: list[TimingHook] | None = None,
        rate_limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        """`rate_limiter` limits askers with a user id; a question without one (the CLI) is never limited."""
        self._engine = engine
        self._lock = threading.Lock()
        self.hooks: list[QuestionHook] = list(hooks or [])
        self.timing_hooks: list[TimingHook] = list(timing_hooks or [])
        self.rate_limiter = rate_limiter
        self._clock = clock

    @property
    def engine(self) -> Engine:
        return self._engine

    def swap(self, engine: Engine) -> None:
        with self._lock:
            self._engine = engine

    def ask(
        self, question: str, *, platform: str = "cli", user_id: str | None = None, admitted: bool = False
    ) -> Answer:
        """Answer through the current engine, unless the asker is over the limit; then run the hooks.

        `admitted` says `admit` already charged this question to the asker's limit. A failing
        hook is logged and skipped: bookkeeping never costs the asker their answer.
        """
        started = self._clock()
        # Chat payloads can carry what no text encodes (a lone surrogate from "\ud800" in JSON):
        # the log, the database and the reply all need it made text first.
        question = clean_text(question)
        answer = None if admitted else self._limited(question, platform=platform, user_id=user_id)
        if answer is None:
            # One read of the engine: a swap during this question doesn't mix two bases.
            answer = self._engine.answer(question)
        self._after(question, answer, platform, user_id, self._clock() - started)
        return answer

    def admit(self, question: str, *, platform: str, user_id: str | None) -> Answer | None:
        """Charge one question to the asker's limit before the slow part: None when they may ask
        (then `ask(..., admitted=True)`), else the "limited" answer, with the hooks already run.
        A surface that must decide early who sees the reply (Discord's deferral) asks this way."""
        started = self._clock()
        question = clean_text(question)
        answer = self._limited(question, platform=platform, user_id=user_id)
        if answer is not None:
            self._after(question, answer, platform, user_id, self._clock() - started)
        return answer

    def _after(self, question: str, answer: Answer, platform: str, user_id: str | None, elapsed: float) -> None:
        for hook in self.hooks:
            try:
                hook(question, answer, platform, user_id)
            except Exception:
                log.exception("question hook %s failed; the answer is still given", _name(hook))
        for timing_hook in self.timing_hooks:
            try:
                timing_hook(answer, platform, elapsed)
            except Exception:
                log.exception("timing hook %s failed; the answer is still given", _name(timing_hook))

    def _limited(self, question: str, *, platform: str, user_id: str | None) -> Answer | None:
        if self.rate_limiter is None or not user_id:
            return None
        retry_after = self.rate_limiter.check(f"{platform}:{user_id}")
        if retry_after is None:
            return None
        return Answer(
            question=question.strip(), status="limited", reason=limited_reason(self.rate_limiter.limit, retry_after)
        )


def _name(hook: Callable[..., object]) -> str:
    return getattr(hook, "__qualname__", None) or repr(hook)
