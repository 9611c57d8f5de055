"""The data contract between modules: sources, facts, the fact base, and answers."""

from __future__ import annotations

import datetime
import re
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SourceKind = Literal["news article", "blog post", "podcast notes"]
EntityKind = Literal["person", "company", "institution", "product", "place"]
ENTITY_KINDS: tuple[str, ...] = get_args(EntityKind)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_TIMESTAMP = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{2})$")
# Validator messages follow the field's name in a problem line: "`date` '2025-02-30' is not ...".


def _non_empty(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("is empty; fill it in")
    return value


# An answer replies to every way its fact is asked, the other way round too ("Would Meta hold
# back an unsafe model?", "Would Meta release a model even if it were unsafe?"): an opening
# "Yes" or "No" says the opposite of the quote to half of them.
_YES_NO_OPENING = re.compile(
    r"^(?:(?:reportedly|probably|apparently|mostly|largely)[\s,]+)?(?:yes|yeah|yep|no|nope)(?=\s*(?:[,;:.!\u2013\u2014-]|$))"
    r"|^not\s+(?:necessarily|really|quite|exactly|at all)(?=\s*(?:[,;:.!\u2013\u2014-]|$))|^not according to\b",
    re.IGNORECASE,
)
"""An opening "Yes"/"No" as a reply ("Yes;", "No:", "Not necessarily,"), not "No other company"."""


def _no_yes_or_no(value: str) -> str:
    opening = _YES_NO_OPENING.match(value)
    if opening:
        raise ValueError(
            f"opens with {opening.group(0)!r}, which says the opposite to a question asked the other way"
            " round; state the fact instead"
        )
    return value


def check_id(value: str) -> str:
    """`value` when it is a slug (lowercase letters, digits, single dashes); ValueError otherwise."""
    if not _ID.match(value):
        raise ValueError(f"{value!r} must be lowercase letters, digits and single dashes, like scale-ai-stake")
    return value


def _check_date(value: object) -> str | None:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` naming a day that exists; a bare year may be a YAML number."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{value!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD in quotes, like \"2025-06\"")
    text = str(value).strip()
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"{text!r} must be YYYY, YYYY-MM or YYYY-MM-DD, like \"2025-06\"")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date; check the month and the day") from None
    return text


def _check_timestamp(value: object) -> str | None:
    """`HH:MM:SS` or `MM:SS` with minutes and seconds under 60."""
    if value is None:
        return None
    fix = "write HH:MM:SS or MM:SS in quotes, like \"01:06:08\""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a time; {fix}")
    match = _TIMESTAMP.match(value.strip())
    if not match or any(part is not None and int(part) >= 60 for part in match.groups()[1:]):
        raise ValueError(f"{value!r} is not a time with minutes and seconds under 60; {fix}")
    return value.strip()


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceInfo(Frozen):
    """What an answer says about where its quote comes from."""

    id: str
    title: str
    kind: SourceKind
    outlet: str | None = None
    based_on: str | None = None
    video_id: str | None = None
    title_given: bool = True
    article: str | None = None

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        return check_id(value)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _non_empty(value)


class Source(SourceInfo):
    """A source article: its metadata and body, the only text quotes may come from."""

    body: str

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        return _non_empty(value)

    @property
    def info(self) -> SourceInfo:
        return SourceInfo(**self.model_dump(exclude={"body"}))


class Quote(Frozen):
    """A verbatim excerpt of a source."""

    text: str
    source: str
    timestamp: str | None = None

    @field_validator("text", "source")
    @classmethod
    def _filled(cls, value: str) -> str:
        return _non_empty(value)

    @field_validator("timestamp", mode="before")
    @classmethod
    def _timestamp(cls, value: object) -> str | None:
        return _check_timestamp(value)


class Fact(Frozen):
    """One answerable question with its answer and one or more verbatim quotes."""

    id: str
    topic: str
    question: str
    alternates: list[str] = Field(min_length=1)
    answer: str
    quotes: list[Quote] = Field(min_length=1)
    date: str | None = None
    entities: list[str] = []
    related: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _single_quote_shorthand(cls, data: object) -> object:
        """Accept `quote`/`source`/`timestamp` as the shorthand for a one-quote `quotes` list."""
        if not isinstance(data, dict):
            return data
        shorthand = {k: data[k] for k in ("quote", "source", "timestamp") if k in data}
        if not shorthand:
            return data
        if "quotes" in data:
            raise ValueError(
                "has both `quote` and `quotes`; keep `quote` and `source` for one quote, or `quotes` alone"
            )
        if "quote" not in shorthand or "source" not in shorthand:
            given, missing = ("quote", "source") if "quote" in shorthand else ("source", "quote")
            raise ValueError(f"has `{given}` but no `{missing}`; add `{missing}`")
        rest = {k: v for k, v in data.items() if k not in shorthand}
        quote = {"text": shorthand["quote"], "source": shorthand["source"]}
        if shorthand.get("timestamp") is not None:
            quote["timestamp"] = shorthand["timestamp"]
        return {**rest, "quotes": [quote]}

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        return check_id(value)

    @field_validator("topic", "question", "answer")
    @classmethod
    def _filled(cls, value: str) -> str:
        return _non_empty(value)

    @field_validator("answer")
    @classmethod
    def _a_statement(cls, value: str) -> str:
        return _no_yes_or_no(value)

    @field_validator("alternates", "entities", "related")
    @classmethod
    def _filled_items(cls, values: list[str]) -> list[str]:
        empty = [str(number) for number, value in enumerate(values, 1) if not value.strip()]
        if empty:
            raise ValueError(f"item {', '.join(empty)} is empty; fill it in or remove it")
        return [value.strip() for value in values]

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> str | None:
        return _check_date(value)

    @property
    def phrasings(self) -> list[str]:
        """The canonical question first, then the alternates."""
        return [self.question, *self.alternates]


class Topic(Frozen):
    """A group of facts, as one file of `knowledge/facts/` holds them."""

    id: str
    title: str
    fact_ids: list[str]


class FactBase(Frozen):
    """The whole validated knowledge: sources, topics, facts, and matching aids."""

    sources: dict[str, Source]
    topics: dict[str, Topic]
    facts: dict[str, Fact]
    synonyms: dict[str, str] = {}
    outside_entities: list[str] = []
    entity_kinds: dict[str, EntityKind] = {}
    """Entity name -> what kind of thing it is, for "which companies ..." questions."""
    former_names: dict[str, str] = {}
    """A name people still use -> the current name of the same thing ("Facebook" -> "Meta")."""

    def source_info(self, source_id: str) -> SourceInfo:
        return self.sources[source_id].info


class ResolvedQuote(Frozen):
    """A quote with the metadata of its source, ready to show."""

    text: str
    source: SourceInfo
    timestamp: str | None = None


class FactRef(Frozen):
    """A fact named by id and canonical question (for buttons, suggestions, related)."""

    fact_id: str
    question: str
    score: float | None = None


class TopicSummary(Frozen):
    """A topic with an example question, for help texts and listings."""

    id: str
    title: str
    example: str
    fact_count: int


AnswerStatus = Literal["answered", "abstained", "help", "limited"]
"""`limited`: the asker is over the per-user rate limit; `reason` says when to try again."""


class Answer(Frozen):
    """The engine's reply to one question. "No good match" is a normal answer, not an error."""

    question: str
    status: AnswerStatus
    fact_id: str | None = None
    topic: str | None = None
    canonical_question: str | None = None
    text: str | None = None
    quotes: list[ResolvedQuote] = []
    score: float = 0.0
    margin: float = 0.0
    confidence: float | None = None
    """The answer gate's confidence that the best fact is the answer, when the gate decided."""
    reason: str | None = None
    matched_part: str | None = None
    """How the message was read when, as written, it was not clear: a part of a longer message
    ("Sorry to bother you, but *how much of Scale AI does Meta own?*"), or the message with a
    former name replaced ("did Meta open source Llama?" for "did Facebook open source Llama?")."""
    suggestions: list[FactRef] = []
    related: list[FactRef] = []
    topics: list[TopicSummary] = []
    sources: list[SourceInfo] = []
    """For a help reply to a question about where the answers come from: every source."""

    @property
    def answered(self) -> bool:
        return self.status == "answered"
