"""Labelled evaluation questions and how well the engine does on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Literal, get_args

from pydantic import BaseModel, ConfigDict

from bot.errors import EvalError, EvalUsageError
from bot.knowledge import MAX_FILE_BYTES
from bot.models import Answer
from bot.strict_yaml import Doc, node_at, parse_strict_yaml, what_yaml_read
from bot.text_files import NotAFile, TextProblem, read_text_file

Category = Literal["paraphrase", "typo", "short", "out_of_scope", "near_miss", "help"]
KINDS = get_args(Category)
ANSWERABLE = ("paraphrase", "typo", "short")
"""Kinds whose question a fact answers: `expect` names it. The others expect null."""
FIELDS = ("q", "expect", "kind")
_ITEM = "- {q: ..., expect: ..., kind: ...}"


class EvalCase(BaseModel):
    """One labelled question: the fact it should get, or null when the engine should abstain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str
    expect: str | None
    kind: Category


@dataclass
class CaseFile:
    """An evaluation file read and checked: its cases with their lines, or its problems."""

    path: Path
    cases: list[EvalCase] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    """The line of each case, for problems found later (an expected fact the base lacks)."""
    problems: list[str] = field(default_factory=list)
    """Each as `file:line: what is wrong and how to fix it`, in the order found."""
    problem_lines: list[int] = field(default_factory=list)
    """The line of each problem (0 for the file as a whole), to list them in the file's order."""
    unread: bool = False
    """The path is no file to read (missing, a directory, a named pipe, a device): the command
    was given the wrong path, rather than a file with problems."""

    def problem(self, text: str, line: int | None = None) -> None:
        self.problems.append(f"{self.path}{'' if line is None else f':{line}'}: {text}")
        self.problem_lines.append(line or 0)

    def problems_in_order(self) -> list[str]:
        """The problems by line, as an editor goes through the file (a fact id the base lacks is
        checked last, but is said where its line is)."""
        return [problem for _, problem in sorted(zip(self.problem_lines, self.problems), key=lambda pair: pair[0])]

    def check_expected(self, known_ids: set[str]) -> None:
        """Note each case that expects a fact the base does not have."""
        for case, line in zip(self.cases, self.lines):
            if case.expect is not None and case.expect not in known_ids:
                self.problem(
                    f"`expect` is {case.expect!r}, which is no fact in the fact base; "
                    "use an id that 'python -m bot topics --all' lists",
                    line,
                )


def read_case_files(paths: Iterable[Path | str], *, known_ids: set[str]) -> list[CaseFile]:
    """Read and check evaluation files, their expected facts against `known_ids`.

    Every problem of every file is raised at once: an EvalUsageError when a path is no file to
    read (the command was called the wrong way), else an EvalError.
    """
    files = [read_case_file(Path(path)) for path in paths]
    for found in files:
        found.check_expected(known_ids)
    if problems := [problem for found in files for problem in found.problems_in_order()]:
        raise (EvalUsageError if any(found.unread for found in files) else EvalError)(problems)
    return files


def load_cases(path: Path | str, *, known_ids: set[str]) -> list[EvalCase]:
    """The cases of one evaluation file (see `read_case_files`)."""
    [found] = read_case_files([path], known_ids=known_ids)
    return found.cases


def read_case_file(path: Path) -> CaseFile:
    """Read and check an evaluation file as strictly as the fact files (see `strict_yaml`).

    Every problem is noted on the CaseFile, with its line; a path that is no file to read
    (missing, a directory, a named pipe, a device) marks it `unread`. A file over
    MAX_FILE_BYTES is refused before it is read; of a pipe given as `<(command)`, at most that
    much is read.
    """
    found = CaseFile(Path(path))
    text = _read_text(found)
    if text is None:
        return found
    doc, problems = parse_strict_yaml(text)
    for problem, line in problems:
        found.problem(problem, line)
    if doc is None:
        return found
    if doc.data is None or doc.data == []:
        found.problem(f"holds no questions; list them, one per line, as {_ITEM}", doc.line(doc.node))
        return found
    if not isinstance(doc.data, list):
        found.problem(
            f"is {what_yaml_read(doc.node)}, not a list of questions; list them, one per line, as {_ITEM}",
            doc.line(doc.node),
        )
        return found
    for index, item in enumerate(doc.data):
        _check_case(found, doc, index, item)
    return found


def _read_text(found: CaseFile) -> str | None:
    """The file as text (UTF-8, line ends as \\n), or None after noting why not."""
    path = found.path
    try:
        text = read_text_file(path, limit=MAX_FILE_BYTES, holder="an evaluation file", given_pipes=True)
    except (OSError, NotAFile) as error:
        found.unread = True
        if isinstance(error, IsADirectoryError):
            found.problem(f"is a directory; give the files in it, e.g. {path}/*.yaml")
        elif isinstance(error, NotAFile):
            # Opening a named pipe waits for a writer; a device (/dev/zero) may never end.
            also = ", or a command's output as <(command)" if error.kind == "a pipe" else ""
            found.problem(f"is {error.kind}, not a file; give a file of questions{also}")
        elif isinstance(error, FileNotFoundError):
            found.problem("no such file; check the path")
        else:
            found.problem(f"cannot read: {error.strerror or error}; make it a readable file")
        return None
    if isinstance(text, TextProblem):
        found.problem(text.problem, text.line)
        return None
    return text


def _check_case(found: CaseFile, doc: Doc, index: int, item: object) -> None:
    """Note what is wrong with one item; add it as a case when nothing is."""
    line = doc.line_at(index)
    if not isinstance(item, dict):
        found.problem(f"this item is {_what(doc, (index,), item)}; write it as {_ITEM}", line)
        return
    before = len(found.problems)
    for key in item:
        if key not in FIELDS:
            found.problem(f"`{key}` is not a field of a question; give only q, expect and kind", doc.line_at(index, key))
    for name in FIELDS:
        if name not in item:
            found.problem(f"this item has no `{name}`; write it as {_ITEM}", line)
    q, kind, expect = item.get("q"), item.get("kind"), item.get("expect")
    if "q" in item and not _is_text(q):
        found.problem(f"`q` is {_what(doc, (index, 'q'), q)}; write the question as text", doc.line_at(index, "q"))
    if "kind" in item and kind not in KINDS:
        found.problem(
            f"`kind` is {_what(doc, (index, 'kind'), kind)}; use one of {', '.join(KINDS)}", doc.line_at(index, "kind")
        )
    elif "kind" not in item or "expect" not in item:
        pass  # noted above
    elif kind in ANSWERABLE and not _is_text(expect):
        found.problem(
            f"`expect` is {_what(doc, (index, 'expect'), expect)}, but a question of kind {kind} has a fact that "
            "answers it; give that fact's id, or make the kind out_of_scope or near_miss",
            doc.line_at(index, "expect"),
        )
    elif kind not in ANSWERABLE and expect is not None:
        found.problem(
            f"`expect` is {_what(doc, (index, 'expect'), expect)}, but a question of kind {kind} has no fact "
            "to get; write expect: null, or make the kind paraphrase, typo or short",
            doc.line_at(index, "expect"),
        )
    if len(found.problems) == before:
        found.cases.append(EvalCase(q=q, expect=expect, kind=kind))
        found.lines.append(line)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _what(doc: Doc, path: tuple[str | int, ...], value: object) -> str:
    """How a problem names a value: "null", "empty text", "the number 3", "a list"..."""
    if value is None:
        return "null"
    if isinstance(value, str) and not value.strip():
        return "empty text"
    node, exact = node_at(doc.node, path)
    return what_yaml_read(node if exact else None, value)


@dataclass(frozen=True)
class Miss:
    case: EvalCase
    got: str | None
    score: float
    reason: str | None


@dataclass
class EvalReport:
    answerable: int = 0
    answered_right: int = 0
    answered_wrong: int = 0
    """Answerable questions answered with another fact."""
    suggested_right: int = 0
    """Answerable questions abstained on with the expected fact among the suggestions."""
    unanswerable: int = 0
    abstained_right: int = 0
    misses: list[Miss] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    """kind -> [right, total], in the order the kinds first appear."""

    @property
    def accuracy(self) -> float:
        return self.answered_right / self.answerable if self.answerable else 1.0

    @property
    def answerable_abstained(self) -> int:
        """Answerable questions not answered: "I don't know", or help or a rate limit instead."""
        return self.answerable - self.answered_right - self.answered_wrong

    @property
    def abstention(self) -> float:
        return self.abstained_right / self.unanswerable if self.unanswerable else 1.0


def evaluate(cases: list[EvalCase], ask: Callable[[str], Answer]) -> EvalReport:
    """Run every case; an answerable case counts only when the expected fact is the answer.
    The cases' expected facts are the base's (`read_case_files` checks them)."""
    report = EvalReport()
    for case in cases:
        answer = ask(case.q)
        got = answer.fact_id if answer.answered else None
        if case.kind == "help":
            right = answer.status == "help"
        elif case.expect is None:
            right = not answer.answered
        else:
            right = got == case.expect
        if case.kind == "help" or case.expect is None:
            report.unanswerable += 1
            report.abstained_right += right
        else:
            report.answerable += 1
            report.answered_right += right
            if not right and got:
                report.answered_wrong += 1
            elif not right and any(s.fact_id == case.expect for s in answer.suggestions):
                report.suggested_right += 1
        tally = report.by_kind.setdefault(case.kind, [0, 0])
        tally[0] += right
        tally[1] += 1
        if not right:
            report.misses.append(Miss(case=case, got=got or answer.status, score=answer.score, reason=answer.reason))
    return report
