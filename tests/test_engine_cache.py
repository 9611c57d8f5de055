"""The engine cache: a new process reads an engine built from the very same files, or builds one."""

from __future__ import annotations

import logging
import os
import pickle
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bot.service
from bot.config import Settings, Thresholds
from bot.engine import Engine
from bot.engine_cache import KEPT_ENGINES, EngineCache, default_cache_dir, load_or_build
from bot.service import load_engine

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "How much of Scale AI does Meta own?"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The fact bases read and indexed (not taken from the cache), in order."""
    seen: list[Path] = []
    read = bot.service.read_fact_base

    def reading(root: Path):  # type: ignore[no-untyped-def]
        seen.append(root)
        return read(root)

    monkeypatch.setattr(bot.service, "read_fact_base", reading)
    return seen


def _settings(knowledge: Path, cache: Path, **more: object) -> Settings:
    return Settings(bot_knowledge_dir=knowledge, bot_cache_dir=cache, bot_engine_cache=True, **more)


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("engine-*.pickle"))


def test_a_second_load_of_the_same_files_reads_the_built_engine(knowledge: Path, tmp_path: Path, builds: list[Path]) -> None:
    cache = tmp_path / "cache"
    first = load_engine(_settings(knowledge, cache))
    second = load_engine(_settings(knowledge, cache))
    assert builds == [knowledge]  # built once, then read
    assert len(_entries(cache)) == 1
    assert second is not first
    for question in (QUESTION, "what did lecun say about regulaton?", "What is Apple's AI strategy?", "hi"):
        assert second.answer(question) == first.answer(question)
    # The folder and its files are the user's own.
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(_entries(cache)[0].stat().st_mode) & 0o077 == 0


def test_an_edited_fact_base_is_indexed_again_and_answers_with_the_edit(
    knowledge: Path, tmp_path: Path, builds: list[Path]
) -> None:
    cache = tmp_path / "cache"
    before = load_engine(_settings(knowledge, cache)).answer(QUESTION)
    facts = knowledge / "facts" / "investments.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("a strategic acquisition the blog", "a deal the blog"), encoding="utf-8")
    after = load_engine(_settings(knowledge, cache)).answer(QUESTION)
    assert len(builds) == 2
    assert "a strategic acquisition the blog" in (before.text or "")
    assert "a deal the blog" in (after.text or "")
    # A new file in the base (even one the loader refuses) counts as an edit too.
    (knowledge / "synonym.yaml").write_text("{}\n", encoding="utf-8")
    with pytest.raises(Exception, match="synonym"):
        load_engine(_settings(knowledge, cache))
    assert len(builds) == 3


def test_the_name_is_made_of_what_loading_reads_only(knowledge: Path, tmp_path: Path) -> None:
    cache = EngineCache(tmp_path / "cache")
    first = cache.key(knowledge, Thresholds())
    drafts = knowledge / "facts" / "drafts"
    drafts.mkdir()
    with_drafts = cache.key(knowledge, Thresholds())
    assert with_drafts != first  # a new folder's name is looked at ("knowledge check" names it)
    (drafts / "idea.yaml").write_text("facts: []\n", encoding="utf-8")
    (knowledge / "facts" / ".investments.yaml.swp").write_bytes(b"editor lock")
    assert cache.key(knowledge, Thresholds()) == with_drafts  # never read: a draft, an editor's file
    facts = knowledge / "facts" / "investments.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache.key(knowledge, Thresholds()) != with_drafts


def test_other_thresholds_are_another_engine(knowledge: Path, tmp_path: Path, builds: list[Path]) -> None:
    cache = tmp_path / "cache"
    plain = load_engine(_settings(knowledge, cache))
    strict = load_engine(_settings(knowledge, cache, bot_min_score=0.99))
    assert len(builds) == 2 and len(_entries(cache)) == 2
    assert (plain.thresholds.min_score, strict.thresholds.min_score) == (0.52, 0.99)
    question = "is meta worried about bad actors"  # scores 0.78
    assert plain.answer(question).answered and not strict.answer(question).answered
    again = load_engine(_settings(knowledge, cache, bot_min_score=0.99))
    assert len(builds) == 2 and again.thresholds.min_score == 0.99


def test_a_fact_base_that_does_not_load_is_reported_and_never_cached(knowledge: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    facts = knowledge / "facts" / "investments.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("like a 49% stake in Scale AI", "like a 51% stake in Scale AI"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(Exception, match="not verbatim"):
            load_engine(_settings(knowledge, cache))
    assert _entries(cache) == []


def test_a_damaged_entry_is_dropped_and_rebuilt(knowledge: Path, tmp_path: Path, builds: list[Path], caplog: pytest.LogCaptureFixture) -> None:
    cache = tmp_path / "cache"
    load_engine(_settings(knowledge, cache))
    entry = _entries(cache)[0]
    entry.write_bytes(entry.read_bytes()[:1000])  # cut short, as by a full disk
    with caplog.at_level(logging.WARNING, logger="bot.engine_cache"):
        engine = load_engine(_settings(knowledge, cache))
    assert engine.answer(QUESTION).fact_id == "scale-ai-stake"
    assert len(builds) == 2
    assert "could not be read" in caplog.text and "building the index instead" in caplog.text
    assert _entries(cache) == [entry] and len(entry.read_bytes()) > 1000  # written whole again


def test_an_entry_that_holds_no_engine_is_not_used(knowledge: Path, tmp_path: Path, builds: list[Path]) -> None:
    cache = tmp_path / "cache"
    load_engine(_settings(knowledge, cache))
    entry = _entries(cache)[0]
    entry.write_bytes(pickle.dumps({"not": "an engine"}))
    assert load_engine(_settings(knowledge, cache)).answer(QUESTION).fact_id == "scale-ai-stake"
    assert len(builds) == 2


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="a system with file owners")
def test_a_folder_others_can_write_to_is_not_read(knowledge: Path, tmp_path: Path, builds: list[Path]) -> None:
    cache = tmp_path / "cache"
    load_engine(_settings(knowledge, cache))
    cache.chmod(0o777)
    load_engine(_settings(knowledge, cache))
    assert len(builds) == 2  # what anybody could have put there is never unpickled
    cache.chmod(0o700)
    _entries(cache)[0].chmod(0o666)
    load_engine(_settings(knowledge, cache))
    assert len(builds) == 3


def test_an_unusable_cache_folder_means_building_as_before(knowledge: Path, tmp_path: Path, builds: list[Path]) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder\n", encoding="utf-8")
    for cache in (in_the_way, in_the_way / "below"):
        assert load_engine(_settings(knowledge, cache)).answer(QUESTION).fact_id == "scale-ai-stake"
    assert len(builds) == 2


def test_turned_off_it_neither_reads_nor_writes(knowledge: Path, tmp_path: Path, builds: list[Path]) -> None:
    cache = tmp_path / "cache"
    settings = Settings(bot_knowledge_dir=knowledge, bot_cache_dir=cache, bot_engine_cache=False)
    load_engine(settings)
    load_engine(settings)
    assert len(builds) == 2 and not cache.exists()


def test_files_edited_while_the_index_is_built_are_not_cached_under_the_old_name(knowledge: Path, tmp_path: Path) -> None:
    cache = EngineCache(tmp_path / "cache")
    facts = knowledge / "facts" / "investments.yaml"

    def build_then_edit() -> Engine:
        engine = bot.service.load_engine(Settings(bot_knowledge_dir=knowledge, bot_engine_cache=False))
        facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        return engine

    load_or_build(knowledge, Thresholds(), cache=cache, build=build_then_edit)
    assert _entries(cache.folder) == []


def test_only_the_newest_engines_are_kept(knowledge: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for score in (0.50, 0.51, 0.52, 0.53, 0.54, 0.55):
        load_engine(_settings(knowledge, cache, bot_min_score=score))
    assert len(_entries(cache)) == KEPT_ENGINES


def test_what_a_stopped_process_left_half_written_is_cleared_in_time(knowledge: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    abandoned, fresh = cache / ".building-old.pickle", cache / ".building-new.pickle"
    for path in (abandoned, fresh):
        path.write_bytes(b"half an engine")
    an_hour_ago = time.time() - 3600
    os.utime(abandoned, (an_hour_ago, an_hour_ago))
    load_engine(_settings(knowledge, cache))
    assert not abandoned.exists() and fresh.exists()  # another process may be writing that one now
    assert len(_entries(cache)) == 1


def test_the_default_folder_is_the_users_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "meta-ai-factbot"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "meta-ai-factbot"


def test_a_bad_setting_is_one_clear_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", QUESTION],
        cwd=ROOT,
        env={**os.environ, "BOT_ENGINE_CACHE": "sometimes"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "BOT_ENGINE_CACHE" in result.stderr and "true or false" in result.stderr
    assert "Traceback" not in result.stderr


def test_ask_answers_the_same_from_a_cold_and_a_warm_cache(tmp_path: Path) -> None:
    env = {**os.environ, "BOT_ENGINE_CACHE": "true", "BOT_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--json", QUESTION], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout == runs[1].stdout and '"fact_id": "scale-ai-stake"' in runs[0].stdout
    assert len(_entries(tmp_path / "cache")) == 1
