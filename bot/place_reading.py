"""Reading the words of a question that point at a place in a text: a part of it ("the
benefits and risks *section*", "the blog's bullet *list*", "the *intro*"), which one ("the
*second* paragraph", "the *last* bullet", "the *second to last* para"), an end of it ("how
does it *end*", "what does it *open* with") and a step from it ("what comes *after* ...",
"the paragraph *before* ...").

Pure word reading: which text and which section are meant is the outline's to say
(`bot.outline`); what is asked besides the place is the engine's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.question_reading import CLOSING_VERBS, OPENING_VERBS

# The parts of a text a question may count or point at, by the kind of part.
_UNITS = {
    **dict.fromkeys("para paras paragraph paragraphs graf grafs".split(), "paragraph"),
    **dict.fromkeys("bullet bullets bulleted item items entry entries".split(), "bullet"),
    **dict.fromkeys("sentence sentences line lines".split(), "sentence"),
    **dict.fromkeys("section sections heading headings header headers subheading subheadings subsection".split(), "section"),
}
# Words naming a part only with an ordinal before them: "the first point", not "what's the point".
_COUNTED_ONLY = {**dict.fromkeys("point points".split(), "bullet"), **dict.fromkeys("part parts bit".split(), "section")}
# Parts that are a section of their own, or the part of a text before its first heading.
INTRO_WORDS = frozenset("intro introduction opener lede".split())
LIST_WORDS = frozenset("list lists".split())
CALLOUT_WORDS = frozenset("callout call-out box sidebar".split())
_ORDINALS = {
    "first": 1, "1st": 1, "opening": 1,
    "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
    "sixth": 6, "6th": 6, "seventh": 7, "7th": 7,
    "last": -1, "final": -1, "closing": -1, "concluding": -1, "penultimate": -2,
}  # fmt: skip
_EVERY_BULLET = frozenset("bullets bulleted items entries points".split())
_SECOND_TO_LAST = ({"second", "next"}, {"to"}, {"last", "final"})
_STEPS = {
    **dict.fromkeys("after next following follows followed".split(), 1),
    **dict.fromkeys("before preceding precedes previous prior".split(), -1),
}
# (A part "wraps up" where it ends; a whole text's wrapping up is what it concludes.)
_CLOSING_VERBS = CLOSING_VERBS | {"wrap", "wraps"}
# What may follow such a verb when it asks how a part opens or ends: nothing, a preposition
# ("open with", "kick off", "wrap up") or the next question ("end, what does ..."); not
# "open up its models", "the end result".
_AFTER_EDGE_VERBS = frozenset("with on by what who how and so then".split())
_ASKING_VERBS = frozenset("do does did will would can could".split())
_PARTICLES = {"kick": "off", "kicks": "off", "wrap": "up", "wraps": "up"}
# Adjectives saying an end of what they qualify: "Zuckerberg's closing quote", "the opening line".
_EDGE_ADJECTIVES = {"opening": "start", "closing": "end", "ending": "end", "concluding": "end"}
_EDGE_NOUNS = frozenset("quote quotes words remark remarks thought thoughts note".split())
# Words saying a step is one in the text: "what *comes* after", "the paragraph *right* before".
_STEPPING = frozenset("come comes came".split())
# Words that ask for the name of a part or for how many there are: no fact says those.
_TITLE_WORDS = frozenset(
    "called titled title titles named headline headlines headings subheadings headers date dated updated published"
    " author byline banner image photo picture wordcount".split()
)
# Words naming a part of a text, which a name before points at that text by: "the Gizmodo intro".
PART_NOUNS = frozenset([*_UNITS, *INTRO_WORDS, *LIST_WORDS, *CALLOUT_WORDS, "conclusion"])
# Words a question about a place uses to ask, which say nothing of what is there.
PLACE_WORDS = frozenset(
    [*_UNITS, *_COUNTED_ONLY, *INTRO_WORDS, *LIST_WORDS, *CALLOUT_WORDS, *_ORDINALS, *_STEPS, *OPENING_VERBS,
     *_CLOSING_VERBS, "come", "comes", "came", "right", "straight", "just", "immediately", "directly", "under",
     "headed", "up", "off", "with", "say", "says", "said", "about", "mention", "mentions",
     "talk", "talks", "cover", "covers", "named", "name", "names", "cited", "give", "gives", "listed"]
)  # fmt: skip


@dataclass
class PlaceWords:
    """What the words of a question say of a place: a part counted (`ordinal`, 1 the first,
    -1 the last) of a kind (`unit`: paragraph, bullet, sentence or section), an end asked
    (`edge`: start or end), a step from the place (`step`: 1 after, -1 before), the intro or a
    list or a call-out pointed at, and the indexes of the words saying so."""

    ordinal: int | None = None
    unit: str | None = None
    edge: str | None = None
    step: int | None = None
    intro: bool = False
    listed: bool = False
    callout: bool = False
    every: bool = False  # every bullet of a list: "the bulleted ones", "the bullets"
    qualified: bool = False  # the part counted is one of those on something: "the first llama paragraph"
    used: set[int] = field(default_factory=set)

    @property
    def points(self) -> bool:
        """Whether the words point at a part of a text at all."""
        return bool(self.unit or self.intro or self.listed or self.callout)


def place_words(raw: list[str]) -> PlaceWords | None:
    """The place `raw` (a question's folded words) points at, or None when it points at none
    or asks a part's title or how many parts there are ("what's the section after X
    called?", "how many bullets ...")."""
    if not _TITLE_WORDS.isdisjoint(raw) or any(w == "how" and n == "many" for w, n in zip(raw, raw[1:])):
        return None
    found = PlaceWords()
    for i, w in enumerate(raw):
        if (unit := _unit_of(w)) and found.unit is None:
            found.unit = unit
            found.every = w in _EVERY_BULLET
            found.used.add(i)
        elif w in INTRO_WORDS:
            found.intro = True
            found.used.add(i)
        elif w in LIST_WORDS and _a_list_of_the_text(raw, i):
            found.listed = True
            found.used.add(i)
        elif w in CALLOUT_WORDS:
            found.callout = True
            found.used.add(i)
        elif w in _STEPS and found.step is None and _steps_in_the_text(raw, i):
            found.step = _STEPS[w]
            found.used.add(i)
        elif w == "conclusion" and i > 0 and _unit_of(raw[i - 1]) and found.edge is None:
            found.edge = "end"  # "how does the section wrap up", its phrase read as "conclusion"
            found.used.add(i)
        elif found.edge is None and (edge := _edge_at(raw, i)):
            found.edge = edge
            found.used.add(i)
    for i, w in enumerate(raw):
        n = _ordinal_at(raw, i)
        if n is None:
            continue
        ordinal, width = n
        # The part counted, a word or two on: "the second para", "the first intro paragraph".
        for j in range(i + width, min(len(raw), i + width + 2)):
            unit = _unit_of(raw[j]) or _COUNTED_ONLY.get(raw[j])
            if unit:
                found.ordinal, found.unit = ordinal, unit
                found.used.update(range(i, i + width), {j})
                # "the first *regulation* paragraph": the first of those on it
                found.qualified = j > i + width and raw[i + width] not in INTRO_WORDS | LIST_WORDS
                break
            if raw[j] in INTRO_WORDS or raw[j] in LIST_WORDS:
                continue
        else:
            # (With a part named elsewhere, the ordinal is another's: "the first ... that line".)
            if (
                found.ordinal is None
                and (found.unit in (None, "section", "bullet") or found.listed)
                and raw[i] not in ("opening", "closing")
            ):
                # "the first aim in the list", "the last risk named": a part counted, of no kind said.
                found.ordinal = ordinal
                found.used.update(range(i, i + width))
        if found.ordinal is not None:
            break
    return found if (found.points or found.step or found.edge or found.ordinal) else None


_NAMING_VERBS = frozenset("called titled named".split())
# ("title" and "headline" are a person's post and a claim's gist as often: "Zuckerberg's title")
_PART_NAMES = frozenset("heading headings header headers subheading subheadings".split())
_NAMED_PARTS = frozenset("section sections part parts chapter chapters subsection subsections".split()) | _PART_NAMES


def asks_part_name(raw: list[str]) -> bool:
    """Whether the words ask what a part of a text is called, which no fact says: "what's the
    section after the list called?", "what are the essay's headings?", "what's the heading
    of the second section?"."""
    if not _NAMING_VERBS.isdisjoint(raw) and not _NAMED_PARTS.isdisjoint(raw):
        return True
    return any(
        w in ("what", "which", "whats") and any(n in _PART_NAMES for n in raw[i + 1 : i + 5])
        for i, w in enumerate(raw)
    )


def _a_list_of_the_text(raw: list[str], i: int) -> bool:
    """Whether "list" at `i` is a list in a text ("the advantages list", "its bullet list"),
    not the verb ("list the benefits") or a list asked for ("a list of the topics")."""
    return i > 0 and raw[i + 1 : i + 2] != ["of"] and any(w in _LIST_OWNERS for w in raw[max(0, i - 3) : i])


_LIST_OWNERS = frozenset("the its their that this bullet bulleted".split())


def _unit_of(word: str) -> str | None:
    """The kind of part a word names, its slips too ("paragrpah", "setcion")."""
    if word in _UNITS:
        return _UNITS[word]
    if len(word) >= 7:
        return next((unit for name, unit in _SPELT_UNITS.items() if fuzz.ratio(word, name) >= 85), None)
    return None


_SPELT_UNITS = {"paragraph": "paragraph", "section": "section", "sentence": "sentence", "bullets": "bullet"}


def _ordinal_at(raw: list[str], i: int) -> tuple[int, int] | None:
    """The ordinal starting at `i` and how many words it takes: "second to last" is -2."""
    w = raw[i]
    if w in _SECOND_TO_LAST[0] and raw[i + 1 : i + 2] and raw[i + 1] in _SECOND_TO_LAST[1] and raw[i + 2 : i + 3] and raw[i + 2] in _SECOND_TO_LAST[2]:
        return -2, 3
    if w == "second" and raw[i + 1 : i + 2] in (["last"], ["final"]):
        return -2, 2
    if _ORDINALS.get(w, 0) > 1 and raw[i + 1 : i + 3] in (["to", "last"], ["from", "last"], ["to", "final"]):
        return -_ORDINALS[w], 3  # "third to last"
    if w in _ORDINALS:
        return _ORDINALS[w], 1
    return None


def _steps_in_the_text(raw: list[str], i: int) -> bool:
    """Whether the step word at `i` steps from one part of a text to the next: a verb of
    following ("what *follows* the list"), a part named beside it ("the *next paragraph*",
    "the bullet *after*"), or a verb of coming before it ("what *comes* (right) after"); not
    "next to", "after work", "right before I put them on a slide"."""
    w = raw[i]
    if w == "next" and raw[i + 1 : i + 2] == ["to"]:
        return False
    if w in ("follows", "followed", "following", "precedes", "preceding"):
        return raw[i + 1 : i + 2] != ["up"]  # "following up on the thread" steps nowhere
    near = raw[max(0, i - 2) : i] + raw[i + 1 : i + 3]
    return any(_unit_of(n) or n in _COUNTED_ONLY for n in near) or not _STEPPING.isdisjoint(raw[max(0, i - 3) : i])


def _edge_at(raw: list[str], i: int) -> str | None:
    """"start" or "end" when the word at `i` asks how a part opens or ends: a verb with
    nothing after it but a preposition or the next question ("how does the section *end*",
    "what does it *open with*", "how does it *wrap up*"), or an adjective for an end of
    words ("his *closing* quote")."""
    w, following = raw[i], raw[i + 1 : i + 2]
    if w in _EDGE_ADJECTIVES:
        return _EDGE_ADJECTIVES[w] if following and following[0] in _EDGE_NOUNS else None
    if w not in OPENING_VERBS and w not in _CLOSING_VERBS:
        return None
    if w in _PARTICLES:
        # ("a wrap-up line" sums a text up: only a part named just before wraps up)
        if following != [_PARTICLES[w]] or (w.startswith("wrap") and not (i > 0 and _unit_of(raw[i - 1]))):
            return None
    elif following and following[0] not in _AFTER_EDGE_VERBS:
        return None
    if w not in _PARTICLES and _ASKING_VERBS.isdisjoint(raw[:i]):
        return None  # "might not be really open and ...": no question of how it opens
    return "start" if w in OPENING_VERBS else "end"
