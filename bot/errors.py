"""Errors the core raises; only the CLI picks exit codes and only adapters pick user words.

    BotError
    ├── ConfigError       a setting is missing, half-given or malformed
    ├── UsageError        a command was called the wrong way
    ├── KnowledgeError    the fact base has one or more problems (each a KnowledgeProblem)
    └── EvalError         evaluation files have one or more problems (each a line naming file and line)
        └── EvalUsageError    ... and a path given is no file to read: also a UsageError
"""

from __future__ import annotations

from dataclasses import dataclass


class BotError(Exception):
    """Root of every error the bot raises on purpose."""


class ConfigError(BotError):
    """A setting is missing, half-given or malformed; the message names it and the fix."""


class UsageError(BotError):
    """A command-line call is malformed; the message says how to call it."""


@dataclass(frozen=True)
class KnowledgeProblem:
    """One problem in the fact base: where it is and what is wrong."""

    file: str
    problem: str
    fact_id: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.fact_id:
            where += f": fact {self.fact_id}"
        return _one_line(f"{where}: {self.problem}")


def _one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped: a problem is one line of a log."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class KnowledgeError(BotError):
    """The fact base cannot be loaded; `problems` lists every problem found, one per line."""

    def __init__(self, problems: list[KnowledgeProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"the fact base has {count} problem{'s' if count != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))


class EvalError(BotError):
    """Evaluation files cannot be scored; `problems` lists every problem found, each as
    `file:line: what is wrong and how to fix it`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = [_one_line(p) for p in problems]
        count = len(self.problems)
        if count == 1:
            super().__init__(self.problems[0])
            return
        head = f"the evaluation files have {count} problems"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))


class EvalUsageError(EvalError, UsageError):
    """Evaluation files with problems, one path among them no file to read (missing, a
    directory, a named pipe): the command was called the wrong way, so it is a UsageError too."""
