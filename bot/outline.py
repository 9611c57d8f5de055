"""The outline of each source: its sections, their paragraphs and bullets, and which fact
quotes which of them, so that a question about a place in a text ("how does the public
reactions section end?", "the second bullet of the blog's list", "what comes after Llama's
reign?") can be answered with the fact quoting that place.

A source body keeps its article's lines as they were given: a line of its own that does not
end like a sentence is a heading ("Llama's Reign: Powering the AI Ecosystem", "## Moving
Forward", "How Would a Global Open-Source AI Work?"), a line opening with "- " is a bullet,
lines opening with ">" are a call-out box whose first line ("> [!info] Key Advantage") names
it, and every other line is a paragraph.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz

from bot.models import FactBase
from bot.place_reading import PLACE_WORDS, PlaceWords
from bot.text import FUNCTION_WORDS, normalize_typography, strip_markup, words

# A heading is a short line: longer ones not ending like a sentence are cut-off prose.
_HEADING_MAX_WORDS = 14
_SENTENCE_ENDS = (".", ":", ";", ",", "!", '"', "'", ")")
_CALLOUT_TITLE = re.compile(r"^\[![\w-]+\]\s*")
# Where a sentence ends inside a paragraph: its mark, a closing quote, then white space.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"')]?\s+(?=[\"(A-Z0-9])")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph, bullet or call-out line of a section, numbered from 0 in its whole
    source; `sentences` are where each of its sentences starts."""

    text: str
    number: int
    bullet: bool
    sentences: tuple[int, ...]


@dataclass(frozen=True)
class Section:
    """A heading and what follows it up to the next; the part before a text's first heading
    is section 0 with no title (or the title line of the text, when it opens with one)."""

    title: str
    number: int
    paragraphs: tuple[Paragraph, ...]
    callout: bool = False


@dataclass(frozen=True)
class Placed:
    """Where a fact quotes a source: the paragraph and the sentence in it the quote starts in."""

    fact_id: str
    paragraph: int  # number in the whole source
    sentence: int  # number in the paragraph
    offset: int  # character offset in the paragraph
    quotes: int  # how many quotes the fact has: of two facts at one place, the one with fewer
    shorter: int  # minus the quote's length: then the one quoting more ("Meta CEO Mark Zuckerberg" is less)


def _is_heading(line: str) -> bool:
    if line.startswith("#"):
        return True
    if line.startswith(("- ", "* ", ">")):
        return False
    return len(line.split()) <= _HEADING_MAX_WORDS and not line.endswith(_SENTENCE_ENDS)


def _sentence_starts(text: str) -> tuple[int, ...]:
    return (0, *(m.end() for m in _SENTENCE_BREAK.finditer(text)))


def outline(body: str) -> list[Section]:
    """The sections of a source body, in order (see the module's note for what each line is)."""
    sections: list[tuple[str, bool, list[tuple[str, bool]]]] = [("", False, [])]
    in_callout = False
    for raw_line in body.split("\n"):
        line = normalize_typography(strip_markup(raw_line))
        if not line:
            continue
        if line.startswith(">"):
            text = line.lstrip("> ").strip()
            if not in_callout:
                in_callout = True
                sections.append((_CALLOUT_TITLE.sub("", text), True, []))
            elif text:
                sections[-1][2].append((text, False))
            continue
        in_callout = False
        if _is_heading(line):
            title = line.lstrip("# ").strip()
            if len(sections) == 1 and not sections[0][0] and not sections[0][2]:
                sections[0] = (title, False, [])  # the text's own title names its opening part
            else:
                sections.append((title, False, []))
        elif line.startswith(("- ", "* ")):
            sections[-1][2].append((line[2:].strip(), True))
        else:
            sections[-1][2].append((line, False))
    built: list[Section] = []
    number = 0
    for s, (title, callout, lines) in enumerate(sections):
        paragraphs = []
        for text, bullet in lines:
            paragraphs.append(Paragraph(text, number, bullet, _sentence_starts(text)))
            number += 1
        built.append(Section(title, s, tuple(paragraphs), callout))
    return built


class Outlines:
    """The outline of every source of a fact base and where each fact quotes it."""

    def __init__(self, base: FactBase) -> None:
        self.sections: dict[str, list[Section]] = {
            source.id: outline(source.body) for source in base.sources.values()
        }
        # Each heading's words, then those of each part of it around a colon.
        self._heading_words = {
            (source, section.number): (
                _heading_words(section.title),
                *(_heading_words(part) for part in section.title.split(":") if ":" in section.title),
            )
            for source, sections in self.sections.items()
            for section in sections
        }
        placed: dict[str, list[Placed]] = defaultdict(list)
        for fact in base.facts.values():
            for quote in fact.quotes:
                spot = self._find(quote.source, normalize_typography(strip_markup(quote.text)))
                if spot is not None:
                    paragraph, offset = spot
                    sentence = sum(1 for start in paragraph.sentences if start <= offset) - 1
                    placed[quote.source].append(
                        Placed(fact.id, paragraph.number, sentence, offset, len(fact.quotes), -len(quote.text))
                    )
        self.placed: dict[str, list[Placed]] = {
            source: sorted(spots, key=lambda p: (p.paragraph, p.offset, p.quotes, p.shorter, p.fact_id))
            for source, spots in placed.items()
        }

    def _find(self, source: str, text: str) -> tuple[Paragraph, int] | None:
        for section in self.sections.get(source, ()):
            for paragraph in section.paragraphs:
                if (at := paragraph.text.find(text)) >= 0:
                    return paragraph, at
        return None

    def sections_named(
        self, raw: list[str], sources: frozenset[str] | None = None, near: Iterable[int] = ()
    ) -> list[tuple[str, int, frozenset[int]]]:
        """The section whose heading the question's words (`raw`, folded; "" for a word to pass
        over) name, with the indexes of the words naming it, or nothing. A heading is named by
        two of its words ("public reactions", "llama's reign"), by all the words of a part of
        it before or after a colon ("the conclusion" of "Conclusion: Meta's Place in the AI
        Landscape"), or by one when it has no more than two ("the challenges section" of
        "Challenges and Considerations"). Of the texts in `sources` only, when given. When
        another text's heading has as many of the words, none: "the implications section"
        may be either text's. A heading named next to a word at `near` (the words for a part)
        comes first: "the second para of the conclusion - the double-edged sword"."""
        asked = [(i, _stem(w)) for i, w in enumerate(raw) if w and w not in FUNCTION_WORDS and w not in PLACE_WORDS]
        if not asked:
            return []
        near = list(near)
        candidates: list[tuple[int, float, bool, str, int, frozenset[int], bool]] = []
        for source, sections in self.sections.items():
            if sources and source not in sources:
                continue
            for section in sections:
                if section.number == 0:
                    continue  # the text's own title names the text, not a part of it
                whole, *parts = self._heading_words.get((source, section.number), (frozenset(),))
                used = _closest_run(sorted(i for i, w in asked if any(_same_word(w, h) for h in whole)))
                matched = {h for h in whole for i, w in asked if i in used and _same_word(w, h)}
                if not matched:
                    continue
                beside = any(abs(i - j) <= 4 for i in used for j in near)
                named = (
                    len(matched) >= 2
                    or len(whole) <= 2
                    or any(part and part <= matched for part in parts)
                    # of one text, one word by the word for a part: "the historical section"
                    or (bool(sources) and len(sources) == 1 and any(abs(i - j) == 1 for i in used for j in near))
                )
                candidates.append((len(matched), len(matched) / len(whole), named, source, section.number, used, beside))
        candidates.sort(key=lambda c: (-c[2], -c[6], -c[0], -c[1]))
        if not candidates or not candidates[0][2]:
            return []
        best = candidates[0]
        if any(c[3] != best[3] and c[0] >= best[0] and c[6] >= best[6] for c in candidates[1:]):
            return []
        return [(best[3], best[4], best[5])]

    def intro_of(self, source: str) -> int:
        """The section a text's intro is: the one headed as an introduction, or else its opening."""
        for section in self.sections.get(source, ()):
            if "introduction" in self._heading_words.get((source, section.number), (frozenset(),))[0]:
                return section.number
        return 0

    def callout_of(self, source: str) -> int | None:
        """A text's first call-out box, if it has one."""
        return next((s.number for s in self.sections.get(source, ()) if s.callout), None)

    def paragraphs(self, source: str, section: int | None = None) -> list[Paragraph]:
        """The paragraphs of a source, or of one of its sections, in order."""
        return [
            paragraph
            for found in self.sections.get(source, ())
            if section is None or found.number == section
            for paragraph in found.paragraphs
        ]

    def facts_at(self, source: str, paragraphs: list[Paragraph]) -> list[Placed]:
        """The places facts quote in `paragraphs`, in the order of the text; a fact once, at
        its first place there."""
        numbers = {p.number for p in paragraphs}
        seen: set[str] = set()
        found = []
        for spot in self.placed.get(source, ()):
            if spot.paragraph in numbers and spot.fact_id not in seen:
                seen.add(spot.fact_id)
                found.append(spot)
        return found


# Words of headings that name no part: the subject every text shares, and function words.
_GENERIC_HEADING_WORDS = frozenset("meta metas ai open source opensource models model new".split())
_WORD_ALIASES = {"intro": "introduction", "implication": "implications", "reaction": "reactions"}


def _heading_words(title: str) -> frozenset[str]:
    return frozenset(
        _stem(w) for w in words(title) if w not in FUNCTION_WORDS and w not in _GENERIC_HEADING_WORDS and len(w) > 1
    )


def _stem(word: str) -> str:
    word = _WORD_ALIASES.get(word, word)
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def _closest_run(indexes: list[int], gap: int = 2) -> frozenset[int]:
    """The longest run of `indexes` (sorted) with at most `gap` words between neighbours: a
    heading is named by words standing together, not by two met far apart in a message."""
    runs: list[list[int]] = []
    for i in indexes:
        if runs and i - runs[-1][-1] <= gap + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return frozenset(max(runs, key=len)) if runs else frozenset()


def _same_word(asked: str, heading: str) -> bool:
    if asked == heading:
        return True
    return len(heading) >= 5 and len(asked) >= 4 and fuzz.ratio(asked, heading) >= 80


def fact_at(outlines: Outlines, source: str, section: int | None, place: PlaceWords, anchor: str | None = None) -> str | None:
    """The fact quoting the place asked: in `source`, in its section `section` (None: the
    whole text), the part `place` counts, its end or the part a step away; or, when the rest
    of the question names a fact there (`anchor`), that fact, the paragraph it stands in
    ("how does the Altman paragraph end?") or the fact next to it ("what comes after the
    Android comparison?"). None when the text has no such part or no fact quotes it."""
    if anchor is not None:
        return _near_anchor(outlines, source, place, anchor)
    paragraphs = outlines.paragraphs(source, section)
    if place.step:
        return None if section is None else _section_a_step_away(outlines, source, section, place)
    if place.ordinal is not None and place.unit == "sentence":
        spots = outlines.facts_at(source, paragraphs)
        starts = [(p.number, s) for p in paragraphs for s in range(len(p.sentences))]
        wanted = _counted(starts, place.ordinal)
        if wanted is None:
            return None
        # The fact quoting from that sentence on, or else the one quoting it from before.
        at = [s for s in spots if (s.paragraph, s.sentence) == wanted]
        before = [s for s in outlines.placed.get(source, ()) if s.paragraph == wanted[0] and s.sentence < wanted[1]]
        return at[0].fact_id if at else (before[-1].fact_id if before else None)
    if place.ordinal is not None and (place.unit in ("paragraph", "bullet") or place.listed):
        parts = [p for p in paragraphs if p.bullet] if place.unit == "bullet" or place.listed else paragraphs
        if place.unit == "paragraph":
            parts = [p for p in parts if not p.bullet] or parts
        part = _counted(parts, place.ordinal)
        return None if part is None else _end_of(outlines.facts_at(source, [part]), place.edge, None)
    if place.ordinal is not None and place.unit in (None, "section"):
        if place.unit == "section" and section is None:
            return None
        spots = outlines.facts_at(source, paragraphs)
        if abs(place.ordinal) == 1:
            return _end_of(spots, "end" if place.ordinal < 0 else "start", None)
        counted = _counted(spots, place.ordinal)  # "the third point": the third fact there
        return counted.fact_id if counted else None
    if place.listed or place.every:
        bullets = [p for p in paragraphs if p.bullet]
        if not place.edge and (whole := _quoting_most(outlines.placed.get(source, ()), bullets)):
            return whole  # "the bulleted ones", "the advantages list": the fact giving them all
        if section is None:
            paragraphs = bullets
    return _end_of(outlines.facts_at(source, paragraphs), place.edge, None)


def _near_anchor(outlines: Outlines, source: str, place: PlaceWords, anchor: str) -> str | None:
    """The fact a question asks of when the rest of it names `anchor`: the anchor itself, the
    end of its paragraph or the paragraph a step away, or the fact a step away."""
    spot = next((p for p in outlines.placed.get(source, ()) if p.fact_id == anchor), None)
    if spot is None:
        return None
    if place.unit == "paragraph" and (place.edge or place.step):
        paragraphs = outlines.paragraphs(source)
        at = [p.number for p in paragraphs].index(spot.paragraph) + (place.step or 0)
        if not 0 <= at < len(paragraphs):
            return None
        return _end_of(outlines.facts_at(source, paragraphs[at : at + 1]), place.edge, place.step)
    if place.step:
        return _next_fact(outlines.placed.get(source, ()), anchor, place.step)
    return anchor


def _section_a_step_away(outlines: Outlines, source: str, section: int, place: PlaceWords) -> str | None:
    """The fact opening the next section (or closing the one before) that a fact quotes."""
    sections = outlines.sections.get(source, [])
    at = section + (place.step or 0)
    while 0 <= at < len(sections) and not outlines.facts_at(source, list(sections[at].paragraphs)):
        at += place.step or 0  # a call-out no fact quotes is passed over
    if not 0 <= at < len(sections):
        return None
    return _end_of(outlines.facts_at(source, list(sections[at].paragraphs)), place.edge, place.step)


def _quoting_most(spots: Iterable[Placed], paragraphs: list[Paragraph]) -> str | None:
    """The fact quoting more of `paragraphs` than any other, if one quotes two or more."""
    numbers = {p.number for p in paragraphs}
    counts: dict[str, set[int]] = defaultdict(set)
    for spot in spots:
        if spot.paragraph in numbers:
            counts[spot.fact_id].add(spot.paragraph)
    best = max(counts.items(), key=lambda item: len(item[1]), default=None)
    return best[0] if best and len(best[1]) >= 2 else None


_T = TypeVar("_T")


def _counted(items: list[_T], ordinal: int) -> _T | None:
    """The `ordinal`th of `items` (1 the first, -1 the last), or None when there are not so many."""
    at = ordinal - 1 if ordinal > 0 else len(items) + ordinal
    return items[at] if 0 <= at < len(items) else None


def _end_of(spots: list[Placed], edge: str | None, step: int | None) -> str | None:
    """Of facts in the order of the text, the one at the end asked; a step back with no end
    asked is the part's last (what comes just before), anything else its first."""
    if not spots:
        return None
    if not (edge == "end" or (edge is None and step == -1)):
        return spots[0].fact_id
    # Of facts quoting the last sentence, the one quoting it from its start ("billions in GPUs
    # and the Scale AI stake underscore ..." over "a 49% stake in Scale AI" within it).
    last = (spots[-1].paragraph, spots[-1].sentence)
    return next(s.fact_id for s in spots if (s.paragraph, s.sentence) == last)


def _next_fact(spots: Iterable[Placed], fact_id: str, step: int) -> str | None:
    """The fact quoted next after (or last before) where `fact_id` is quoted, itself apart."""
    ordered = list(spots)
    at = next(i for i, s in enumerate(ordered) if s.fact_id == fact_id)
    if step > 0:
        here = ordered[at]
        # past every place of the fact in the same sentence
        return next((s.fact_id for s in ordered[at + 1 :] if s.fact_id != fact_id and (s.paragraph, s.sentence) != (here.paragraph, here.sentence)), None)
    return next((s.fact_id for s in reversed(ordered[:at]) if s.fact_id != fact_id), None)
