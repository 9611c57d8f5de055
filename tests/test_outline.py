"""The sources' outlines (sections, paragraphs, bullets, where each fact quotes them) and
questions about a part of a text answered with the fact quoting that part."""

import pytest

from bot.engine import Engine
from bot.models import FactBase
from bot.outline import Outlines, outline
from bot.place_reading import place_words
from bot.text import words

BODY = """Opening paragraph of the text. It says two things.
## Why It Matters
First paragraph under the heading.
Second paragraph under the heading. It has a second sentence.
A Heading Without Marks
The lead-in to a list:
- One: the first bullet.
- Two: the second bullet.
> [!info] Key Point
>
> A call-out line.
How Would It Work?
The last paragraph."""


def test_outline_tells_headings_paragraphs_bullets_and_callouts() -> None:
    sections = outline(BODY)
    assert [s.title for s in sections] == ["", "Why It Matters", "A Heading Without Marks", "Key Point", "How Would It Work?"]
    assert [len(s.paragraphs) for s in sections] == [1, 2, 3, 1, 1]
    assert [p.bullet for p in sections[2].paragraphs] == [False, True, True]
    assert sections[2].paragraphs[1].text == "One: the first bullet."
    assert sections[3].callout and sections[3].paragraphs[0].text == "A call-out line."
    assert [p.number for s in sections for p in s.paragraphs] == list(range(8))
    assert len(sections[1].paragraphs[1].sentences) == 2


def test_a_text_opening_with_its_title_names_its_first_part_by_it() -> None:
    sections = outline("The Title Of It\n\nBody sentence one.\n\nNext Part\n\nBody sentence two.")
    assert [s.title for s in sections] == ["The Title Of It", "Next Part"]


def test_every_quote_of_the_real_base_is_placed(fact_base: FactBase) -> None:
    outlines = Outlines(fact_base)
    placed = sum(len(spots) for spots in outlines.placed.values())
    assert placed == sum(len(fact.quotes) for fact in fact_base.facts.values())


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("how does the public reactions section end", ("gizmodo-risky-move", "Public Reactions")),
        ("llama's reign opener", ("meta-investment-blog", "Llama")),
        ("the benefits and risks section", ("gizmodo-risky-move", "Understanding")),
        ("the rationale section", ("dwarkesh-podcast", "The Rationale")),
    ],
)
def test_a_heading_is_named_by_its_words(fact_base: FactBase, question: str, section: tuple[str, str]) -> None:
    outlines = Outlines(fact_base)
    (source, number, _), *_ = outlines.sections_named(words(question))
    assert source == section[0] and outlines.sections[source][number].title.startswith(section[1])


def test_words_two_texts_headings_share_name_neither(fact_base: FactBase) -> None:
    outlines = Outlines(fact_base)
    assert outlines.sections_named(words("the implications section")) == []  # Gizmodo's or the notes'?
    assert outlines.sections_named(words("the conclusion")) == []  # the blog's or Gizmodo's?
    named = outlines.sections_named(words("the conclusion"), frozenset({"meta-investment-blog"}))
    assert [(s, n) for s, n, _ in named] == [("meta-investment-blog", 4)]


def test_a_text_title_names_no_part_of_it(fact_base: FactBase) -> None:
    assert Outlines(fact_base).sections_named(words("the double-edged sword line")) == []


@pytest.mark.parametrize(
    ("question", "ordinal", "unit"),
    [
        ("the second paragraph", 2, "paragraph"),
        ("second to last para", -2, "paragraph"),
        ("third-to-last paragraph", -3, "paragraph"),
        ("the penultimate bullet", -2, "bullet"),
        ("the last sentence", -1, "sentence"),
        ("the first pargraph", 1, "paragraph"),
        ("the first point in the list", 1, "bullet"),
    ],
)
def test_a_part_counted(question: str, ordinal: int, unit: str) -> None:
    found = place_words(words(question))
    assert found is not None and (found.ordinal, found.unit) == (ordinal, unit)


@pytest.mark.parametrize(
    "question",
    [
        "what's the bottom line of the notes?",  # an idiom, no line counted
        "what's the section after the list called?",  # a heading's name, which no fact gives
        "how many bullets does the blog have?",
        "what date does the last updated line show?",
    ],
)
def test_words_that_count_no_part(question: str) -> None:
    found = place_words(words(question))
    assert found is None or (found.ordinal is None and found.edge is None)


def test_common_words_step_and_end_nothing() -> None:
    assert place_words(words("what did the notes say next to the cons?")) is None  # "next to"
    assert place_words(words("fancy a pint after work?")) is None
    assert place_words(words("Meta's models might not be really open and procurement asks")) is None
    listed = place_words(words("list the benefits the blog gives"))
    assert listed is None or not listed.listed  # "list" the verb
    assert place_words(words("what comes after the list?")).step == 1
    assert place_words(words("how does the section end, and what does it say?")).edge == "end"
    assert place_words(words("how does the section wrap up")).edge == "end"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("how does the public reactions section end?", "underperformance-doubts"),
        ("what comes after Llama's reign in the blog?", "hybrid-approach"),
        ("the second bullet of the blog's list", "democratize-access"),
        ("what does the last bullet of the advantages list in the lecun piece say", "innovation-acceleration"),
        ("how does the third para of benefits and risks end", "weigh-open-innovation-risks"),
        ("podcast challenges section", "open-model-misuse-concerns"),
        ("which tools does the historical section of the podcast writeup name", "pytorch-open-compute"),
        ("how does the gizmodo introduction close", "crucial-juncture"),
        ("second to last paragraph of the essay piece, could it sway other companies?", "influence-on-other-companies"),
        ("how does the first regulation paragraph in the lecun article finish", "strict-rules-stifle-innovation"),
        ("after the hold-back contingency, what's the next paragraph of the podcast notes about", "reconsider-open-source-stance"),
        ("what comes straight after the ios/android comparison in the essay piece", "closed-models-openai-google"),
        ("advantages of the shared global model? (the bulleted ones)", "global-model-advantages"),
        ("last sentence before the blog's conclusion heading", "ai-leadership-pursuit"),
    ],
)
def test_a_part_of_a_text_is_answered_with_the_fact_quoting_it(engine: Engine, question: str, fact_id: str) -> None:
    answer = engine.answer(question)
    assert answer.answered and answer.fact_id == fact_id


@pytest.mark.parametrize(
    "question",
    [
        "what's the fourth bullet of the lecun list?",  # it has three
        "what does the public reactions section say about China?",
        "what's the section after the public reactions section called?",
    ],
)
def test_a_part_no_fact_quotes_is_not_made_up(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered, answer.fact_id


def test_places_are_read_only_where_a_part_is_named(engine: Engine) -> None:
    # Common words a place is asked with leave other questions as they were.
    assert engine.answer("How much of Scale AI does Meta own?").fact_id == "scale-ai-stake"
    assert not engine.answer("fancy a pint after work, lads?").answered
    assert not engine.answer("did Meta's stock go up after the essay came out?").answered


def test_a_part_asked_is_named_by_explain(engine: Engine) -> None:
    told = engine.part_asked("how does the public reactions section end?")
    assert told == (
        "how the section \"Public Reactions to Meta's Open-Source Initiative\" of"
        " \"Meta's risky move to open-source its AI models\" ends"
    )
    assert engine.part_asked("the second bullet of the blog's list").startswith("the second bullet of ")
    assert engine.part_asked("How much of Scale AI does Meta own?") is None


def test_a_heading_asked_for_is_not_given(engine: Engine) -> None:
    answer = engine.answer("what are the headings of the essay article?")
    assert not answer.answered and answer.reason == "not_given:heading"
    # a person's title is no heading
    assert engine.answer("What's LeCun's title at Meta?").fact_id == "who-is-yann-lecun"
