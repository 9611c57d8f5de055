"""Reloading knowledge/ live: a valid edit swaps in, a broken one keeps the old base answering."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import threading
from pathlib import Path

import pytest
import yaml

from bot.config import Settings, Thresholds
from bot.engine import Engine
from bot.errors import KnowledgeError, KnowledgeProblem
from bot.knowledge import default_knowledge_dir, load_fact_base
from bot.models import FactBase
from bot.reload import KnowledgeReloader, ReloadResult, snapshot
from bot.service import AskService, engine_cache, load_engine

NEW_ANSWER = "This answer comes from the edited fact base."


class Edit:
    """The first fact of the first fact file in a private copy of knowledge/, and ways to break it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = sorted((root / "facts").glob("*.yaml"))[0]
        data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        fact = data["facts"][0]
        self.fact_id: str = fact["id"]
        self.question: str = fact["question"]
        self.old_answer: str = fact["answer"]
        self.original = self.path.read_text(encoding="utf-8")

    def _rewrite(self, change) -> None:  # noqa: ANN001
        data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        change(data["facts"][0])
        self.path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        _touch(self.path)

    def set_answer(self, text: str) -> None:
        self._rewrite(lambda fact: fact.__setitem__("answer", text))

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")
        _touch(self.path)

    def break_quote(self) -> None:
        def change(fact: dict) -> None:
            if "quotes" in fact:
                fact["quotes"][0]["text"] = "A sentence that no source ever said."
            else:
                fact["quote"] = "A sentence that no source ever said."

        self._rewrite(change)

    def break_syntax(self) -> None:
        self.path.write_text(self.path.read_text(encoding="utf-8") + "\n  - : [unclosed\n", encoding="utf-8")
        _touch(self.path)


def _touch(path: Path) -> None:
    # A distinct mtime even on file systems with coarse timestamps.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def service(knowledge: Path) -> AskService:
    return AskService(Engine(load_fact_base(knowledge)))


def test_a_valid_edit_is_swapped_in(knowledge: Path, service: AskService) -> None:
    edit = Edit(knowledge)
    assert service.ask(edit.question).text == edit.old_answer
    results: list[ReloadResult] = []
    reloader = KnowledgeReloader(service, knowledge_dir=knowledge, on_reload=results.append)
    old_engine = service.engine

    edit.set_answer(NEW_ANSWER)
    result = reloader.reload_now()

    assert result.ok and result.problems == []
    assert result.facts == len(old_engine.base.facts)
    assert service.engine is not old_engine
    assert service.ask(edit.question).text == NEW_ANSWER
    assert results == [result]


def test_a_reload_is_kept_in_the_engine_cache_for_the_next_start(knowledge: Path, tmp_path: Path) -> None:
    settings = Settings(bot_knowledge_dir=knowledge, bot_cache_dir=tmp_path / "cache", bot_engine_cache=True)
    service = AskService(load_engine(settings))
    edit = Edit(knowledge)
    edit.set_answer(NEW_ANSWER)
    assert KnowledgeReloader(service, knowledge_dir=knowledge, cache=engine_cache(settings)).reload_now().ok
    assert len(list((tmp_path / "cache").glob("engine-*.pickle"))) == 2  # the start's and the reload's

    def no_build(root: Path) -> FactBase:
        raise AssertionError(f"{root} was read and indexed again")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("bot.service.read_fact_base", no_build)
        restarted = load_engine(settings)
    assert restarted.answer(edit.question).text == NEW_ANSWER


def test_the_new_engine_keeps_the_thresholds(knowledge: Path) -> None:
    custom = Thresholds(min_score=0.6, min_margin=0.1)
    service = AskService(Engine(load_fact_base(knowledge), thresholds=custom))
    assert KnowledgeReloader(service, knowledge_dir=knowledge).reload_now().ok
    assert service.engine.thresholds == custom


@pytest.mark.parametrize("breakage", ["break_quote", "break_syntax"])
def test_an_invalid_edit_keeps_the_old_base_and_logs_one_line_per_problem(
    knowledge: Path, service: AskService, caplog: pytest.LogCaptureFixture, breakage: str
) -> None:
    edit = Edit(knowledge)
    reloader = KnowledgeReloader(service, knowledge_dir=knowledge)
    old_engine = service.engine
    getattr(edit, breakage)()

    with caplog.at_level(logging.INFO, logger="bot.reload"):
        result = reloader.reload_now()

    assert not result.ok
    assert service.engine is old_engine
    assert service.ask(edit.question).text == edit.old_answer  # the old base keeps answering
    assert result.problems
    expected = "quote is not verbatim" if breakage == "break_quote" else "malformed YAML"
    assert any(expected in p and edit.path.name in p for p in result.problems)
    messages = [r.getMessage() for r in caplog.records]
    for problem in result.problems:
        assert f"knowledge reload: {problem}" in messages
    assert all("\n" not in m for m in messages)  # one line per problem
    assert any("still serving the previous fact base" in m for m in messages)


def test_a_file_that_is_not_utf8_is_refused_naming_the_file(
    knowledge: Path, service: AskService, caplog: pytest.LogCaptureFixture
) -> None:
    edit = Edit(knowledge)
    lines = edit.original.count("\n")
    edit.path.write_bytes(edit.original.encode("utf-8") + b"# caf\xe9\n")
    old_engine = service.engine

    with caplog.at_level(logging.INFO, logger="bot.reload"):
        result = KnowledgeReloader(service, knowledge_dir=knowledge).reload_now()

    assert not result.ok and service.engine is old_engine
    assert result.problems == [f"knowledge/facts/{edit.path.name}:{lines + 1}: is not UTF-8 text; save it as UTF-8"]
    assert not [r for r in caplog.records if r.exc_info]  # a problem of the file, not a crash


def test_an_unexpected_failure_keeps_the_old_base(knowledge: Path, service: AskService) -> None:
    def exploding(root: Path) -> FactBase:
        raise RuntimeError("disk on fire")

    old_engine = service.engine
    result = KnowledgeReloader(service, knowledge_dir=knowledge, load=exploding).reload_now()
    assert not result.ok and "disk on fire" in result.problems[0]
    assert service.engine is old_engine


async def test_questions_during_a_reload_are_answered_by_the_old_or_the_new_base(
    knowledge: Path, service: AskService
) -> None:
    edit = Edit(knowledge)
    loading, release = threading.Event(), threading.Event()

    def slow_load(root: Path) -> FactBase:
        base = load_fact_base(root)
        loading.set()
        assert release.wait(10), "the test never released the load"
        return base

    reloader = KnowledgeReloader(service, knowledge_dir=knowledge, load=slow_load)
    edit.set_answer(NEW_ANSWER)
    answers: list[str | None] = []
    stop = threading.Event()

    def asker() -> None:
        while not stop.is_set():
            answers.append(service.ask(edit.question, platform="slack", user_id="U1").text)

    thread = threading.Thread(target=asker)
    thread.start()
    try:
        task = asyncio.create_task(reloader.reload())
        assert await asyncio.to_thread(loading.wait, 10)
        # The new base is loaded but not swapped: the loop stays free and the old base answers.
        during = [service.ask(edit.question).text for _ in range(20)]
        assert during == [edit.old_answer] * 20
        release.set()
        result = await asyncio.wait_for(task, 10)
        assert result.ok
        assert service.ask(edit.question).text == NEW_ANSWER
        seen_before = len(answers)
        await asyncio.to_thread(_wait_for, lambda: len(answers) > seen_before + 5)
    finally:
        release.set()
        stop.set()
        thread.join(10)
    # Every question got a whole answer from one base or the other, old ones first.
    assert set(answers) <= {edit.old_answer, NEW_ANSWER}
    assert answers[-1] == NEW_ANSWER
    switch = answers.index(NEW_ANSWER)
    assert all(a == NEW_ANSWER for a in answers[switch:])


def _wait_for(condition, timeout: float = 10.0) -> None:  # noqa: ANN001
    done = threading.Event()
    while not condition():
        if done.wait(0.01) or timeout <= 0:
            break
        timeout -= 0.01
    assert condition()


class StepSleep:
    """An injected `sleep` for the watcher: each `step()` lets one poll run to completion."""

    def __init__(self) -> None:
        self.intervals: list[float] = []
        self._parked = asyncio.Queue()
        self._go = asyncio.Queue()
        self._waiting = False

    async def __call__(self, seconds: float) -> None:
        self.intervals.append(seconds)
        await self._parked.put(None)
        await self._go.get()

    async def step(self) -> None:
        if not self._waiting:
            await asyncio.wait_for(self._parked.get(), 10)
        self._go.put_nowait(None)
        # The watcher is asleep again: the poll (and any reload) is done.
        await asyncio.wait_for(self._parked.get(), 10)
        self._waiting = True


async def test_the_watcher_reloads_a_settled_change_and_reports_a_broken_one_once(
    knowledge: Path, service: AskService, caplog: pytest.LogCaptureFixture
) -> None:
    edit = Edit(knowledge)
    results: list[ReloadResult] = []
    reloader = KnowledgeReloader(service, knowledge_dir=knowledge, on_reload=results.append)
    sleep = StepSleep()
    task = reloader.start(interval=0.5, sleep=sleep)
    try:
        await sleep.step()
        assert results == []  # nothing changed, nothing reloaded

        edit.set_answer(NEW_ANSWER)
        await sleep.step()
        assert results == [] and service.ask(edit.question).text == edit.old_answer  # not settled yet
        await sleep.step()
        assert [r.ok for r in results] == [True]
        assert service.ask(edit.question).text == NEW_ANSWER

        with caplog.at_level(logging.ERROR, logger="bot.reload"):
            edit.break_quote()
            for _ in range(4):
                await sleep.step()
        assert [r.ok for r in results] == [True, False]  # tried once, not on every poll
        assert service.ask(edit.question).text == NEW_ANSWER
        assert sum("still serving the previous fact base" in r.getMessage() for r in caplog.records) == 1

        edit.restore()
        await sleep.step()
        await sleep.step()
        assert [r.ok for r in results] == [True, False, True]
        assert service.ask(edit.question).text == edit.old_answer
        assert set(sleep.intervals) == {0.5}
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_sighup_reloads(knowledge: Path, service: AskService) -> None:
    edit = Edit(knowledge)
    reloader = KnowledgeReloader(service, knowledge_dir=knowledge)
    edit.set_answer(NEW_ANSWER)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, reloader.schedule_reload)
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(500):
            if service.ask(edit.question).text == NEW_ANSWER:
                break
            await asyncio.sleep(0.01)
    finally:
        loop.remove_signal_handler(signal.SIGHUP)
    assert service.ask(edit.question).text == NEW_ANSWER


def test_a_symlinked_facts_folder_is_watched(tmp_path: Path) -> None:
    release = tmp_path / "release"
    shutil.copytree(default_knowledge_dir(), release)
    root = tmp_path / "knowledge"
    root.mkdir()
    for entry in release.iterdir():
        (root / entry.name).symlink_to(entry)
    service = AskService(Engine(load_fact_base(root)))
    reloader = KnowledgeReloader(service, knowledge_dir=root)
    edit = Edit(release)

    edit.set_answer(NEW_ANSWER)

    assert reloader.changed()
    assert reloader.reload_now().ok
    assert service.ask(edit.question).text == NEW_ANSWER
    assert not reloader.changed()


def test_editor_temporary_files_do_not_count_as_a_change(knowledge: Path, service: AskService) -> None:
    reloader = KnowledgeReloader(service, knowledge_dir=knowledge)
    facts = knowledge / "facts"
    first = sorted(facts.glob("*.yaml"))[0].name
    temporary = ("4913", f"#{first}#", f"{first}~", f".{first}.swp", f"{first}___jb_tmp___", "sedX1a2b3", f"{first}.orig")
    for name in temporary:
        (facts / name).write_text("topic: [half written", encoding="utf-8")
    (knowledge / "sources" / ".~lock.notes.md#").write_text("x", encoding="utf-8")
    (facts / f".#{first}").symlink_to("someone@host.1234:1700000000")  # an editor's lock: a dangling link
    (facts / "drafts").mkdir()
    (facts / "drafts" / "idea.yaml").write_text("not loaded from here", encoding="utf-8")

    assert not reloader.changed()


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("facts/extra.yml", "rename it to extra.yaml"),
        ("facts/extra.YAML", "rename it to extra.yaml"),
        ("sources/extra.markdown", "rename it to extra.md"),
        ("synonyms.yml", "synonyms.yaml"),
        ("facts/extra.yaml/", "Is a directory"),
        ("source/", "move what it holds into sources/"),
    ],
)
async def test_a_name_the_loader_refuses_is_reported_once_as_soon_as_it_appears(
    knowledge: Path, service: AskService, caplog: pytest.LogCaptureFixture, name: str, refused: str
) -> None:
    # The running bot said nothing about them, and the next start refused the fact base.
    results: list[ReloadResult] = []
    reloader = KnowledgeReloader(service, knowledge_dir=knowledge, on_reload=results.append)
    old_engine = service.engine
    sleep = StepSleep()
    task = reloader.start(interval=0.5, sleep=sleep)
    try:
        await sleep.step()
        if name.endswith("/"):
            (knowledge / name).mkdir()
        else:
            (knowledge / name).write_text("id: extra\n", encoding="utf-8")
        with caplog.at_level(logging.ERROR, logger="bot.reload"):
            for _ in range(4):
                await sleep.step()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [r.ok for r in results] == [False]
    assert any(refused in problem for problem in results[0].problems), results[0].problems
    assert service.engine is old_engine
    assert sum("still serving the previous fact base" in r.getMessage() for r in caplog.records) == 1


def test_a_file_replaced_by_another_of_the_same_size_and_time_is_a_change(
    knowledge: Path, service: AskService
) -> None:
    edit = Edit(knowledge)
    reloader = KnowledgeReloader(service, knowledge_dir=knowledge)
    original = edit.path.stat()
    replacement = edit.path.with_name("replacement.tmp")
    replacement.write_text(edit.original.replace(edit.old_answer, edit.old_answer[::-1]), encoding="utf-8")
    os.utime(replacement, ns=(original.st_atime_ns, original.st_mtime_ns))
    os.replace(replacement, edit.path)  # how a release switch or a save-by-rename lands
    assert edit.path.stat().st_size == original.st_size and edit.path.stat().st_mtime_ns == original.st_mtime_ns

    assert reloader.changed()


def test_files_the_loader_never_reads_are_not_looked_at_on_every_poll(
    knowledge: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Thousands of other files beside the base (exports, images, notes) cost a stat each on
    # every poll, on the event loop, though no change to them is ever reloaded.
    for i in range(300):
        (knowledge / f"note{i}.txt").write_text("x", encoding="utf-8")
        (knowledge / "facts" / f"figure{i}.png").write_bytes(b"x")
    looked_at: list[str] = []
    real_stat = Path.stat

    def counting_stat(self: Path, *args: object, **kwargs: object) -> os.stat_result:
        looked_at.append(self.name)
        return real_stat(self, *args, **kwargs)

    before = snapshot(knowledge)
    monkeypatch.setattr(Path, "stat", counting_stat)
    assert snapshot(knowledge) == before
    assert not [name for name in looked_at if name.endswith((".txt", ".png"))]
    assert not [entry for entry in before if entry[0].endswith((".txt", ".png"))]


def test_a_file_made_readable_again_is_reloaded_without_another_edit(knowledge: Path, service: AskService) -> None:
    edit = Edit(knowledge)
    shown = f"knowledge/facts/{edit.path.name}"

    def as_the_bot_user(root: Path) -> FactBase:
        # serve runs as a user of its own (the image's `bot`), which a file without read
        # permission refuses, whoever runs this test.
        if not edit.path.stat().st_mode & 0o444:
            raise KnowledgeError([KnowledgeProblem(shown, "cannot read: Permission denied; make it a readable file")])
        return load_fact_base(root)

    reloader = KnowledgeReloader(service, knowledge_dir=knowledge, load=as_the_bot_user)
    mode = edit.path.stat().st_mode
    edit.set_answer(NEW_ANSWER)
    edit.path.chmod(0)  # saved by a curator whose copy kept a private mode
    result = reloader.reload_now()
    assert not result.ok and "Permission denied" in result.problems[0]
    assert not reloader.changed()  # refused once, not on every poll

    edit.path.chmod(mode)  # what the refusal says to do
    assert reloader.changed()
    assert reloader.reload_now().ok
    assert service.ask(edit.question).text == NEW_ANSWER


def test_deleting_every_fact_file_keeps_the_old_base_then_restoring_them_reloads(
    knowledge: Path, service: AskService
) -> None:
    edit = Edit(knowledge)
    saved = {path.name: path.read_bytes() for path in (knowledge / "facts").glob("*.yaml")}
    reloader = KnowledgeReloader(service, knowledge_dir=knowledge)
    old_engine = service.engine
    for name in saved:
        (knowledge / "facts" / name).unlink()

    result = reloader.reload_now()
    assert not result.ok and any("no fact files" in p for p in result.problems)
    assert service.engine is old_engine and service.ask(edit.question).text == edit.old_answer

    for name, data in saved.items():
        (knowledge / "facts" / name).write_bytes(data)
    edit.set_answer(NEW_ANSWER)
    assert reloader.changed() and reloader.reload_now().ok
    assert service.ask(edit.question).text == NEW_ANSWER


async def test_an_edit_made_during_a_reload_is_loaded_by_the_next_one(knowledge: Path, service: AskService) -> None:
    edit = Edit(knowledge)
    loading, release = threading.Event(), threading.Event()

    def slow_load(root: Path) -> FactBase:
        base = load_fact_base(root)
        loading.set()
        assert release.wait(10), "the test never released the load"
        return base

    reloader = KnowledgeReloader(service, knowledge_dir=knowledge, load=slow_load)
    edit.set_answer("The first edit.")
    task = asyncio.create_task(reloader.reload())
    try:
        assert await asyncio.to_thread(loading.wait, 10)
        edit.set_answer(NEW_ANSWER)  # saved again while the first edit is being loaded
    finally:
        release.set()
    assert (await asyncio.wait_for(task, 10)).ok
    assert service.ask(edit.question).text == "The first edit."
    assert reloader.changed()  # the watcher will load the second edit too
    assert (await reloader.reload()).ok
    assert service.ask(edit.question).text == NEW_ANSWER


async def test_a_burst_of_sighups_costs_one_more_load_not_one_each(knowledge: Path, service: AskService) -> None:
    edit = Edit(knowledge)
    first_load, release = threading.Event(), threading.Event()
    loads: list[int] = []

    def slow_load(root: Path) -> FactBase:
        loads.append(len(loads))
        first_load.set()
        assert release.wait(10), "the test never released the load"
        return load_fact_base(root)

    reloader = KnowledgeReloader(service, knowledge_dir=knowledge, load=slow_load)
    try:
        reloader.schedule_reload()
        assert await asyncio.to_thread(first_load.wait, 10)
        edit.set_answer(NEW_ANSWER)  # saved after the running load read the files
        for _ in range(20):
            reloader.schedule_reload()
    finally:
        release.set()
    await asyncio.wait_for(reloader._signalled, 10)  # type: ignore[arg-type]

    assert len(loads) == 2
    assert service.ask(edit.question).text == NEW_ANSWER  # the last request saw the last edit


async def test_the_watcher_outlives_a_failing_poll(
    knowledge: Path, service: AskService, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import bot.reload

    edit = Edit(knowledge)
    reloader = KnowledgeReloader(service, knowledge_dir=knowledge)
    real_snapshot = bot.reload.snapshot
    failures = [RuntimeError("the file system went away for a moment")]

    def flaky(root: Path):  # noqa: ANN202
        if failures:
            raise failures.pop()
        return real_snapshot(root)

    sleep = StepSleep()
    task = reloader.start(interval=0.5, sleep=sleep)
    try:
        await sleep.step()  # the first poll starts from a good snapshot
        monkeypatch.setattr(bot.reload, "snapshot", flaky)
        with caplog.at_level(logging.ERROR, logger="bot.reload"):
            await sleep.step()  # this poll fails
        assert "went away for a moment" in caplog.text
        edit.set_answer(NEW_ANSWER)
        for _ in range(3):
            await sleep.step()
        assert service.ask(edit.question).text == NEW_ANSWER
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
