"""The one door every surface asks through: the current engine, swappable without a restart."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from bot.config import Settings
from bot.engine import Engine
from bot.knowledge import default_knowledge_dir, load_fact_base
from bot.models import Answer

QuestionHook = Callable[[str, Answer, str, "str | None"], None]
"""Called after every answered question with (question, answer, platform, user id)."""


def knowledge_dir(settings: Settings) -> Path:
    return settings.bot_knowledge_dir or default_knowledge_dir()


def load_engine(settings: Settings) -> Engine:
    """Load and validate the fact base the settings point at, and index it."""
    return Engine(load_fact_base(knowledge_dir(settings)), thresholds=settings.thresholds())


class AskService:
    """Holds the live engine; a reload swaps it in one assignment, so no question sees half a base."""

    def __init__(self, engine: Engine, *, hooks: list[QuestionHook] | None = None) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self.hooks: list[QuestionHook] = list(hooks or [])

    @property
    def engine(self) -> Engine:
        return self._engine

    def swap(self, engine: Engine) -> None:
        with self._lock:
            self._engine = engine

    def ask(self, question: str, *, platform: str = "cli", user_id: str | None = None) -> Answer:
        answer = self._engine.answer(question)
        for hook in self.hooks:
            hook(question, answer, platform, user_id)
        return answer
