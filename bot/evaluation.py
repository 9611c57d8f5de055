"""Labelled evaluation questions and how well the engine does on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.errors import UsageError
from bot.models import Answer

Category = Literal["paraphrase", "typo", "short", "out_of_scope", "near_miss", "help"]


class EvalCase(BaseModel):
    """One labelled question: the fact it should get, or null when the engine should abstain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str
    expect: str | None
    kind: Category


def load_cases(path: Path) -> list[EvalCase]:
    """Read an evaluation file: a YAML list of {q, expect, kind}."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{path} is not valid YAML{where}") from None
    if not isinstance(data, list):
        raise UsageError(f"{path} must be a YAML list of {{q, expect, kind}} items")
    cases = []
    for index, item in enumerate(data, start=1):
        try:
            cases.append(EvalCase.model_validate(item))
        except ValidationError as error:
            first = error.errors()[0]
            field_name = ".".join(str(p) for p in first["loc"]) or "item"
            raise UsageError(f"{path}: item {index}: `{field_name}` {first['msg']}") from None
    return cases


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


def evaluate(cases: list[EvalCase], ask: Callable[[str], Answer], *, known_ids: set[str]) -> EvalReport:
    """Run every case; an answerable case counts only when the expected fact is the answer."""
    unknown = sorted({c.expect for c in cases if c.expect and c.expect not in known_ids})
    if unknown:
        raise UsageError(f"the evaluation expects facts that do not exist: {', '.join(unknown)}")
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
