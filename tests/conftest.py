"""Shared fixtures: a clean environment for every test, and the real fact base loaded once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.config import Thresholds
from bot.engine import Engine
from bot.knowledge import default_knowledge_dir, load_fact_base
from bot.models import FactBase

_PREFIXES = ("SLACK_", "DISCORD_", "BOT_", "DIGEST_", "LOG_", "PORT")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No stray platform tokens or bot settings leak into a test; `.env` files are not read."""
    for name in list(os.environ):
        if name.startswith(_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    # Built engines are not kept between tests, and never in the user's cache folder; the
    # cache's own tests turn it on.
    monkeypatch.setenv("BOT_ENGINE_CACHE", "false")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A copy of the real fact base, free to edit."""
    root = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), root)
    return root


@pytest.fixture(scope="session")
def fact_base() -> FactBase:
    return load_fact_base(default_knowledge_dir())


@pytest.fixture(scope="session")
def engine(fact_base: FactBase) -> Engine:
    return Engine(fact_base)


@pytest.fixture(scope="session")
def plain_engine(fact_base: FactBase) -> Engine:
    """The engine deciding by its thresholds alone, for tests of how a question is read and
    ranked. The answer gate then refuses some borderline answers such tests pin down ("Did
    Sam Lobby for regulation?"): a trade measured over the evaluation files, not a reading,
    and the refused fact stays the first suggestion (tests/test_answer_gate.py)."""
    return Engine(fact_base, thresholds=Thresholds(learned_gate=False))
