"""The answer engine: match a question in the asker's own words against the fact base.

Each fact is indexed once, at construction, by the words of its phrasings (question and
alternates), answer, quotes and entities. A word's weight is its inverse document frequency
over the facts, so rare words ("Scale", "Gemma", "49") decide more than "Meta" or "AI". A
question is folded, stemmed, mapped through the synonym groups and corrected for typos
against the base's own vocabulary; facts are then scored on three parts:

- coverage: the share of the question's word weight that the fact knows at all;
- phrasing: the best weighted overlap (F1) between the question and one phrasing;
- fuzzy: rapidfuzz's token-sort similarity to the closest phrasing.

A score is cut when the question names somebody the fact is not about, asks for what the
fact cannot give (a time, a count, an amount, a price, instructions), points at a source
the fact does not quote ("according to the Gizmodo piece", "in his essay"), or is one word
that is not in the fact's own text. The engine abstains when the best score is low, when two
unrelated facts are too close to call, or when the question names somebody the base knows
nothing about; the answer gate (bot/answer_gate.py), fitted on labelled questions, weighs
the match's features together beside those thresholds and may overrule them when sure.
"""

from __future__ import annotations

import itertools
import math
import re
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.answer_gate import AnswerGate, load_gate
from bot.common_words import common_four_letter_words, common_words, differs_only_in_ending
from bot.config import Thresholds
from bot.models import Answer, Fact, FactBase, FactRef, ResolvedQuote, TopicSummary
from bot.question_reading import (
    DOING,
    FOREIGN_FUNCTION_WORDS,
    AGE,
    REACTING_WORDS,
    MAY_ASK_A_TASK,
    ATTRIBUTING,
    TEXT_NOUNS,
    EARLIER,
    FUTURE,
    AUXILIARIES,
    CARDINAL,
    CURRENCY_AMOUNT,
    DOCUMENT_NOUNS,
    MONEY,
    MULTIPLE,
    PERCENTAGE,
    PLACE,
    POSSESSIVE,
    QUANTITY,
    REACTION,
    REFERENCE_NOUNS,
    SAYING,
    SOURCE_KIND_NOUNS,
    after_owner,
    asks_advice,
    asks_arithmetic,
    asks_if_it_happened,
    asked_of_the_text,
    POSITION_WORDS,
    asks_position,
    asks_what_followed,
    asks_who_does,
    asks_what_it_shows,
    asks_why,
    capitalised,
    counted,
    counted_in,
    greeting_length,
    instances_asked,
    kind_named_by,
    name_asked_for,
    nouns_named,
    owned,
    plural_looking,
    pointed_back,
    question_types,
    references,
    set_apart,
    wants_kind,
    written_as_name,
    task_asked,
    without_likeness,
)
from bot.outline import Outlines, fact_at
from bot.place_reading import INTRO_WORDS, PART_NOUNS, PLACE_WORDS, PlaceWords, asks_part_name, place_words
from bot.posts import PostReader, posts_in
from bot.text import (
    APOSTROPHES,
    FUNCTION_WORDS,
    NEGATED_AUXILIARIES,
    STOPWORDS,
    american,
    family_name,
    has_link,
    halves_as_shares,
    fold,
    normalize_typography,
    pieces,
    question_parts,
    replace_runs,
    stands_alone,
    stem,
    without_asker,
    without_askers_setting,
    without_filler,
    without_format,
    without_idioms,
    without_links,
    without_purpose,
    without_told_simply,
    without_verb_take,
    words,
)

# How much a word counts for a fact, by where the fact has it.
FIELD_WEIGHTS = {"phrasing": 1.0, "entity": 1.0, "answer": 0.75, "quote": 0.55}
SCORE_WEIGHTS = {"coverage": 0.3, "phrasing": 0.2, "fuzzy": 0.5}
# A fact that lacks a specific entity the question names is mostly not about it.
ENTITY_PENALTY = 0.55
# Entities on more than this share of facts (the base's own subject) are not specific.
UBIQUITOUS_SHARE = 0.25
# Words on more than this share of facts name the base's whole subject ("Meta", "open source",
# "AI"): a question made only of them, put to the bot ("what do you know about Meta's open
# source AI?"), is answered with the help and its topics.
SUBJECT_SHARE = 0.5
# A word the base has never seen weighs this share of the rarest known word: enough that an
# unexplained subject ("revenue", "parameters") sinks a match, not so much that chat filler
# ("actually", "pls") does.
UNKNOWN_WEIGHT = 0.5
# How far after a company's name a thing of theirs may stand: "Apple's *proprietary iOS*".
_OWNED_REACH = 2
# A word with its possessive, if any: "Apple's", "iOS".
_POSSESSIVE_TOKEN = re.compile(r"[\w-]+(?:'s)?")
# Words for a company's goods, which a company named before them owns: "Apple *devices*".
OWNED_GOODS = frozenset("device devices product products phone phones smartphone smartphones handset handsets hardware".split())
# The fewest letters of a word cut off at the end of a message read as the word they begin:
# shorter ones are as often whole words ("late", "man") as the start of longer ones.
MIN_CUT_OFF = 5
# An unknown word capitalised mid-sentence is most likely a name: somebody the base doesn't know.
UNKNOWN_NAME_FACTOR = 2.0
# The fewest letters of a noun for a text a slip of which is read as it ("artcile"), and those nouns.
MIN_TEXT_NOUN_SLIPPED = 5
_LONG_TEXT_NOUNS = sorted(w for w in TEXT_NOUNS if len(w) >= MIN_TEXT_NOUN_SLIPPED)
# Words of no English beside a single function word of another language that make a message
# of that language ("Jak porównanie Androida ...", not "que pasa, who is LeCun?").
MIN_FOREIGN_WORDS = 2
# The fewest letters of a synonym a misspelt word is read as (see `_build`).
MIN_SYNONYM_CORRECTED = 8
# A question asking for a time, a count, an amount, a price or instructions fits only a fact
# that gives one (a `date`, a number in its answer) or is itself phrased as such a question.
QUESTION_TYPE_PENALTY = 0.45
# A "why" question is a little less likely answered by a fact no phrasing of which asks why
# ("Why does Meta open-source its models?" is not "Are Meta's models really open source?").
WHY_PENALTY = 0.85
# So is a question asking what something shows or says about something else by a fact no
# phrasing of which asks so ("what do the GPU buys tell us about Meta's aims?" is not "How much
# is Meta spending on GPUs?").
SHOWS_PENALTY = 0.75
# A fact that never speaks of the event a "why did ..." question says happened ("why did Meta
# *sell* its stake?") cannot tell why: as far off as one lacking the detail asked for.
EVENT_PENALTY = QUESTION_TYPE_PENALTY
# Whom a person may be asked to speak of; a sentence or clause ends at these marks.
_SPOKEN_OF_KINDS = frozenset({"person", "company"})
_CLAUSE_END = re.compile(r"[.;!?]\s")
_QUESTION_WORDS = frozenset("who what which where when how why".split())
# A one-word question is a topic lookup: the word must be in the fact's own text, not only
# in how someone might phrase a question about it.
LONE_WORD_PENALTY = 0.6
# A question naming an entity asks something about it ("Apple's AI strategy"): a fact that
# shares the name but covers less than this share of the rest is about something else.
MIN_ASKED_ABOUT_SHARE = 0.4
# How much of what a yes-or-no question says somebody said a fact where another says it must
# hold for that fact to answer it (see `_pinned_on_another`).
PINNED_ON_ANOTHER_SHARE = 0.8
PINNED_PENALTY = 0.85
# How much more of a question (weighted coverage) a related fact scoring within `min_margin`
# of the best must hold to be the answer instead (see `_fuller_related_first`).
RELATED_COVERAGE_LEAD = 0.25
# How far under an overview naming several people the related fact of the one person a
# question names may score and still be the answer instead (see `_one_person_of_overview`).
ONE_PERSON_REACH = 0.15
# The same for the one product a question names of an overview of several (see
# `_one_release_of_overview`).
ONE_RELEASE_REACH = 0.25
ASKED_ABOUT_PENALTY = 0.6
ASKED_UNKNOWN_SHARE = 0.5
# How many facts of a source a question pointing at it brings in, whatever words they share
# with it: past this, only those sharing some (a question is answered in milliseconds however
# many facts one source gives).
CITED_SOURCE_REACH = 2_000
# A fact from none of the sources a question points at ("according to the Gizmodo piece").
SOURCE_PENALTY = 0.8
# A question that names nothing the base is about (no person, company, product or source,
# none of the words most facts use: Meta, AI, open source, model) and has words the base has
# never seen is most likely about something else ("expense report deadline?", "docker build
# failing on M1, fix?"): what it shares with a fact is an everyday word or two.
OFF_DOMAIN_PENALTY = 0.9
# A figure the question states ("$14 billion", "350k", "51%") that a fact nowhere gives: the
# fact cannot confirm it, though it may still answer a wrong figure with its own ("owns 51%?").
UNGIVEN_FIGURE_PENALTY = 0.8
# Words that frame what is asked about somebody without naming a subject ("Wang's role",
# "Zuckerberg's view on developers", "LeCun's main pitch", "where does India come in",
# "sum up the essay", "did Zuckerberg write anything about Llama 3.1", "was OpenUK
# mentioned", "did LeCun talk about India"): the "asked about" check looks past them.
FRAME_WORDS = frozenset(
    "role roles view views opinion opinions take stance position thoughts story idea ideas point perspective "
    "involvement part reason reasons pitch plan plans quote quotes remark remarks comment comments line lines "
    "main key big major central come comes coming latest "
    "list work working status progress update updates news detail details info information overview summary "
    "summarise summarize recap sum gist write writes wrote written mention mentions mentioned "
    "talk talks talked talking discuss discusses discussed discussing".split()
) | REFERENCE_NOUNS  # what colleagues call the text an answer comes from: "the LeCun piece"
# Words that say a question asks a difference, whatever between ("what's the difference between
# a latte and a cappuccino?"): they weigh as the commonest words do, not as the rarest.
FORM_WORDS = frozenset("difference differences differ differs quote quotes quoted".split())
FORM_WEIGHT = 1.0
# Verbs that carry little of what is asked ("why does the article *bring up* India", "how
# does India *fit* in"): not counted as asked about a name.
LIGHT_WORDS = frozenset(
    "bring brings brought bringing fit fits fitting get gets got getting go goes went turn turns turned put puts".split()
)
# The last word of an organisation's name that says what kind it is: "Linux Foundation
# *Research*" is also called the Linux Foundation.
_ORGANISATION_WORDS = frozenset(
    "research labs lab inc group project institute initiative corp corporation ltd llc".split()
)
_ORGANISATIONS = ("company", "institution")
# A post and the organisation it is held at: "the chief executive of Google" asks of Google,
# as "Google's chief executive" does.
ROLE_HELD_AT = re.compile(
    r"\b(?:ceo|cto|cfo|coo|boss|head|founder|co-?founder|leader|president|chair|chairman|chairwoman"
    r"|director|executive|scientist|officer|owner)s?\s+(?:of|at)\s+(?:the\s+)?([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)"
)
# A typo-corrected word is trusted a little less than one typed right.
CORRECTED_WEIGHT = 0.85
# An unknown word one edit from a small word ("waht", "abot") is most likely that word.
SLIP_FACTOR = 0.5
# A word of at least this length one letter from a long function word, with the same first
# letter ("anythign"), is taken for that word mistyped: it asks about nothing.
MIN_SLIP_ASKING_NOTHING = 6
# How far a misspelt first name may be from the one before a known family name.
FIRST_NAME_EDITS = 2
CANDIDATES = 10
# How many words of an unknown subject an abstention names ("nothing about quantization").
SUBJECT_WORDS_SHOWN = 3
MIN_CANDIDATES = 5
# The engine reads this much of a question at most, whoever asks: the surfaces refuse longer
# ones (500 characters) before asking, and this keeps a caller that does not from taking seconds.
MAX_READ_CHARS = 2_000
# An unclear message is read part by part for its first few questions only: a message that
# says more than its question has a part or two around it, and each part read is ranked in full.
MAX_PARTS = 5
# Words folded for the index are kept; the words of questions only up to this many more.
CANON_CACHE_LIMIT = 20_000
# Up to this many facts, autocomplete also compares what was typed with every canonical
# question, for what the index misses; beyond it, only the facts the index finds (a pass over
# every question takes a quarter of a second at 100,000 facts).
COMPLETE_FUZZY_ALL_MAX = 20_000
# Autocomplete weighs this many of the base's words that a half-typed word may become.
COMPLETE_EXPANSIONS = 8
# How many typo corrections are remembered before they are forgotten all at once.
CORRECTIONS_KEPT = 4_096
# A question sharing one word with the base among words it does not know ("gym discount
# *code*", "what is the dress *code* on friday") must hold at least this share of its weight in
# that word to be about a fact: the rest asks about something else.
LONE_TERM_MIN_COVERAGE = 0.45
# Answered facts whose quotes and related facts are kept ready to show.
SHOWN_FACTS_KEPT = 4_096
# Order-insensitive similarity of the question's known words to a phrasing's: rapidfuzz's
# token-sort ratio, with the words sorted once (phrasings at index time) instead of per pair.
FUZZY_SCORER = fuzz.ratio
# Words of a greeting, a plea for help or thanks: a piece of a message made of them and
# function words asks nothing of the facts.
PLEA_WORDS = frozenset(
    "help hi hello hey hiya heya yo greetings morning afternoon evening thanks thank thx ty tysm please pls plz "
    "cheers".split()
)
_PLEA = re.compile(r"\b(?:" + "|".join(sorted(PLEA_WORDS)) + r")\b", re.IGNORECASE)
# What asks what the bot covers, among other words ("What kinds of questions can you answer,
# and is it only about Meta?", "a list of the topics you cover, things like Llama", "what does
# it cover?"): a message no fact answers is then asking for the help.
# A figure asked for exactly ("the exact dollar figure", "how much, exactly?"),
# which only a fact stating one gives; "billions" is an order of size.
_EXACT = re.compile(
    r"\b(?:exact|exactly|precise|precisely|specific|to\s+the\s+(?:dollar|cent)|dollar\s+(?:figure|amount))\b",
    re.IGNORECASE,
)
_FIGURES_ASKED = frozenset({"currency", "money", "number", "count", "percent"})
_MONEY_FIGURE = re.compile(r"[$€£]\s?\d|\d[\d,.]*\s*(?:billion|million|trillion|bn|dollars|euros)\b", re.IGNORECASE)
_PERCENT_FIGURE = re.compile(
    r"\d[\d.]*\s*(?:%|percent\b|per cent\b)|\b(?:half|one-third|two-thirds|a third|a quarter)\b", re.IGNORECASE
)
_NUMBER_FIGURE = re.compile(r"\d|\b\w+fold\b|\btwice\b|\bdoubled\b", re.IGNORECASE)


def _figures_given(answer: str) -> frozenset[str]:
    """The kinds of figure an answer states (see `_IndexedFact.figures_given`)."""
    found = {"money"} if _MONEY_FIGURE.search(answer) else set()
    if _PERCENT_FIGURE.search(answer):
        found.add("percent")
    if _NUMBER_FIGURE.search(_PERCENT_FIGURE.sub(" ", _MONEY_FIGURE.sub(" ", answer))):
        found.add("number")
    return frozenset(found)
# "Who" opening the last sentence of a message, after another: "... about Meta? who is he again?"
# A name asked about with "who is", then a comma and what says which one is meant: "who's
# Altman, *the guy quoted on oversight*?" (`apposed`, see `_asks_who_is`).
_WHO_APPOSED = re.compile(
    r"\bwho(?:['\u2019]s|s|\s+is|\s+was)\s+(?:exactly\s+|really\s+)?[\w.'\u2019-]+(?:\s+[\w.'\u2019-]+)?\s*(?:exactly\s*)?,\s*(?:the|that|this)\b",
    re.IGNORECASE,
)
_POINTING_AT_ONE = frozenset({"the", "that", "this"})
_WHO_APART = re.compile(r"(?:[?.!]|\s[\u2014\u2013-])\s+who(?:['\u2019]s|s)?\b[^?.!]*[?.!]*\s*$", re.IGNORECASE)
# A time in a recording, as the podcast notes write them: "[01:12:09]", "1:13:22", "06:08".
_TIMESTAMP_IN_TEXT = re.compile(r"\[?(?<![\d:])(?:\d{1,2}:)?\d{1,2}:\d{2}(?![\d:])\]?")


def _stamp_term(stamp: str) -> str:
    """One word for a time in a recording, however written: "[1:12:09]" and "01:12:09" are
    "t011209"; "06:08" (minutes and seconds) is "t000608"."""
    parts = [int(part) for part in stamp.strip("[] ").split(":")]
    hours, minutes, seconds = ([0] * (3 - len(parts)) + parts)[-3:]
    return f"t{hours:02d}{minutes:02d}{seconds:02d}"


# A request to name somebody, opening a message: "Name Meta's chief AI scientist".
_NAMING = re.compile(r"\s*(?:please\s+|can\s+you\s+|could\s+you\s+)?name\s+", re.IGNORECASE)
# A label before a colon, opening a message: "finance:", "board liaison:".
_LABEL = re.compile(r"\s*([A-Za-z][\w&/' ]{0,30}?)\s*:\s+(?=\S)")
_ASKS_WHAT_IS_COVERED = re.compile(
    r"\b(?:what|which)\s+(?:kinds?|sorts?|types?)\s+of\s+(?:questions|things|topics|stuff)\s+"
    r"(?:can|could|should|do|may)\s+(?:i|we|you)\b"
    r"|\btopics\s+(?:do\s+)?you\s+(?:cover|know|handle)\b"
    r"|\bwhat\s+(?:does|do)\s+(?:it|you|this\s+bot|the\s+bot)\s+cover\b",
    re.IGNORECASE,
)
# What asks of the bot itself, whatever else the message says: whether its answers hold
# ("can I even trust your answers?", not the fact on trust in open models; "do you just make
# stuff up?"), what it is for, what it holds ("what's in your knowledge base?", not the
# "reservoir of human knowledge") or whether it takes questions on something ("are you able to
# answer stuff about Meta's AI plans?").
_ASKS_OF_THE_BOT = re.compile(
    r"\b(?:trust|rely\s+on|believe)\s+(?:you|your\s+(?:answers?|replies|reply|info|information|facts|quotes))\b"
    r"|\byou\s+(?:just\s+|really\s+|actually\s+|ever\s+)?(?:make\s+(?:stuff|things|facts|it|that)\s+up|hallucinate)"
    r"|\bwhat\s+are\s+you\s+(?:even\s+|actually\s+|really\s+|good\s+)?for\b"
    r"|\b(?:in|of)\s+your\s+(?:knowledge(?:\s+base)?|database|data\s*base|fact\s*base)\b"
    r"|\bwhat(?:['’]s|\s+is)\s+your\s+(?:knowledge(?:\s+base)?|database|data\s*base|fact\s*base)\b"
    r"|\b(?:can|could|do|will)\s+you\s+(?:even\s+|actually\s+)?(?:answer|handle|field|take)\s+(?:any\s+|some\s+)?"
    r"(?:questions|stuff|things|queries)\b"
    r"|\b(?:are|r)\s+(?:you|u)\s+able\s+to\s+answer\b"
    r"|\bwhat\s+(?:are\s+you\s+able\s+to|can\s+you|could\s+you|do\s+you)\s+help\s+(?:me|us|with)\b"
    r"|\bwhat\s+(?:(?:sorts?|kinds?|types?)\s+of\s+)?(?:topics\s+|subjects\s+|areas\s+|things\s+|stuff\s+)?(?:do|can)\s+you\s+"
    r"(?:even\s+|actually\s+|really\s+)?cover\b"
    r"|\bwhat\s+topics\s+(?:do\s+)?you\s+(?:got|have|know)\b"
    r"|\bwhat\s+(?:(?:sorts?|kinds?|types?)\s+of\s+)?(?:questions|stuff|things)\s+can\s+(?:i|we)\s+(?:ask|chuck|throw|put|send)\b"
    r"|\bwhat\s+can\s+you\s+(?:even\s+|actually\s+|really\s+)?do\s*(?:[,?.!]|$)"
    r"|\bwhat\s+(?:do|can)\s+you\s+(?:even\s+|actually\s+|really\s+)?know\s+about\s*[?.!]*\s*$"
    r"|\bwhat\s+(?:else\s+)?(?:can|do|could)\s+you\s+(?:even\s+|actually\s+|really\s+)?answer\b|\byour\s+scope\b"
    r"|\bwhat\s+else\s+(?:can|do|could)\s+you\s+(?:do|cover|know)\b|\bwhat\s+(?:else\s+)?can\s+(?:i|we)\s+ask\s+(?:you|u)\b"
    r"|\bcan\s+you\s+(?:help|answer)\s+(?:with\s+)?(?:anything|stuff|questions)\s+(?:beyond|besides|other\s+than|outside)\b"
    r"|\bcan\s+you\s+answer\s+anything\b|\btell\s+(?:me|us)\s+a\s+joke\b|\bwhat\s+are\s+you\s+able\s+to\s+do\b"
    # How to use it with quotes and sources: "if I paste a quote, can you ...", "do you give links?"
    r"|\bif\s+i\s+paste\b|\bhow\s+does\s+(?:this|the\s+bot|it)\s+work\b"
    r"|\bdo\s+you\s+(?:give|show|include|add)\s+(?:links|sources|the\s+sources|citations|quotes)\b"
    r"|\bcan\s+you\s+check\s+(?:whether|if)\s+(?:a|this|the|my)\s+(?:line|quote|sentence)\b"
    r"|\bwhat\s+can\s+(?:this|the)\s+(?:bot|tool|assistant)\s+(?:help\s+with|do|answer|cover)\b"
    r"|\bdo\s+you\s+know\s+(?:about\s+)?anything\s+(?:other\s+than|besides|else|outside)\b"
    # Venting at the bot asks nothing of the base ("this bot sucks", not Gizmodo's "if it sucks").
    r"|\b(?:this|the|dumb|stupid|useless)\s+(?:bot|tool|assistant)\s+(?:really\s+|totally\s+|just\s+)?"
    r"(?:sucks|is\s+(?:useless|broken|garbage|trash|terrible|dumb|stupid))\b"
    r"|\byou\s+(?:really\s+|totally\s+|just\s+)?(?:suck|are\s+useless)\b"
    # Whether it gives opinions or does a kind of thing at all.
    r"|\bdo\s+you\s+(?:give|have|offer|share)\s+(?:any\s+|your\s+own\s+)?opinions\b"
    r"|\b(?:allowed|able|permitted)\s+to\s+(?:tell|give|share)\s+(?:me\s+|us\s+)?(?:what\s+you\s+(?:personally\s+)?think"
    r"|(?:your\s+)?(?:own\s+)?opinions?)\b"
    r"|\b(?:outside|beyond)\s+what\s+you\s+(?:do|cover|know)\b"
    # How to use it, and how far its answers go: "how do I use this bot?", "can I ask you about
    # people?", "how reliable are your citations?", "do you know stuff after these articles?"
    r"|\bhow\s+(?:do|can|should)\s+(?:i|we)\s+(?:use|talk\s+to|ask)\s+(?:this|the|you|u)\b"
    r"|\bhow\s+(?:do|can)\s+(?:i|we)\s+(?:get|make)\s+(?:you|u|the\s+bot|this\s+bot)\s+(?:to\s+)?(?:show|give|quote|cite|list|answer|include|add|put)\b"
    # In what form or language it answers: "can you answer in French?", "... in tables?"
    # Asked without inverting, as many write it: "you answer also in spanish?"
    r"|\b(?:(?:can|could|do|will)\s+)?(?:you|u)\s+(?:also\s+)?(?:answer|reply|respond|write|talk|speak)\s+(?:also\s+|only\s+)?"
    r"(?:in\s+)?(?:\w+\s+){0,2}?"
    r"(?:english|french|spanish|german|italian|portuguese|dutch|polish|hindi|chinese|japanese|korean|arabic|other\s+languages?|"
    r"another\s+language|tables?|bullets?|bullet\s+points|lists?|plain\s+text|markdown|emoji)\b"
    # Whether it keeps a conversation: "can I follow up on your last answer?"
    r"|\bcan\s+(?:i|we)\s+follow[- ]?up\s+on\s+(?:your|the|an?)\s+(?:last\s+|previous\s+|earlier\s+)?(?:answer|reply)\b"
    # What it is: "are you the Meta open-source FAQ bot?"
    r"|\bare\s+(?:you|u)\s+(?:the|a)\s+(?:[\w'-]+\s+){0,4}?(?:bot|assistant|faq)\b"
    r"|\bcan\s+(?:i|we)\s+(?:also\s+|only\s+)?ask\s+(?:you|u)\s+(?:about|questions\s+about)\s+(?:people|companies|anything|other)\b"
    r"|\bhow\s+(?:reliable|accurate|trustworthy|correct)\s+are\s+(?:you|your\s+(?:answers?|citations|quotes|sources|facts|replies))\b"
    r"|\bdo\s+you\s+(?:know|cover)\s+(?:about\s+)?(?:stuff|things|anything|events|news)\s+(?:that\s+)?(?:happened\s+|from\s+)?"
    r"(?:after|since|later\s+than)\s+(?:these|the|your|those)\s+(?:articles|sources)\b"
    r"|\bcan\s+you\s+(?:explain|answer|put)\s+(?:stuff|things|it|answers)\s+(?:more\s+)?(?:simply|simple|plainly|in\s+plain)\b"
    r"|\bhow\s+do\s+you\s+(?:decide|choose|pick|find|know)\s+(?:which|what)\s+(?:answer|fact|quote|source|reply)\b"
    r"|\bwhy\s+do\s+you\s+only\s+(?:know|cover|answer|talk)\b"
    r"|\bdo\s+you\s+(?:just|only)\s+answer\b|\bhow\s+(?:should|do|can)\s+(?:i|we)\s+(?:phrase|word)\b"
    r"|\bis\s+there\s+a\s+way\s+to\s+ask\s+(?:you|u)\b|\bwhat\s+sources\s+(?:are|do)\s+you\b"
    # What it can take or do: "can you handle what-if questions?", "can you do tldrs of a link?",
    # "can I ask you follow-ups?", "can I upload a pdf for you to read?", "do you remember what I
    # asked yesterday?", "can you link me to where an answer came from?"
    r"|\b(?:can|could|do|will)\s+you\s+(?:even\s+|actually\s+|also\s+)?(?:handle|field|take|do)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:questions|queries|tldrs|summaries|follow[- ]?ups)\b"
    r"|\bcan\s+(?:i|we)\s+(?:also\s+)?ask\s+(?:you|u)\s+(?:follow[- ]?ups?|more\s+than\s+one|several|in\s+a\s+thread)\b"
    r"|\bfor\s+(?:you|u)\s+to\s+(?:read|look\s+at|summari[sz]e|check|go\s+through)\b"
    r"|\b(?:do|can)\s+(?:you|u)\s+remember\b"
    r"|\bcan\s+you\s+(?:link|point)\s+(?:me|us)\s+to\s+where\s+(?:an?\s+|the\s+|your\s+)?answers?\b"
    r"|\b(?:which|what)\s+(?:article|source|text|piece|page)\s+(?:your|an?|the|each)\s+(?:answers?|reply|replies)\s+"
    r"(?:came|comes|come|is|are)\s+from\b"
    # How to reach it in a channel: "do I need to tag you or can I just type?"
    r"|\bdo\s+(?:i|we)\s+(?:need|have)\s+to\s+(?:tag|mention|ping|@)\s+(?:you|u|the\s+bot|this\s+bot)\b"
    # The same asked formally: "the correct procedure for submitting a query to this bot", "the
    # scope of matters on which this service may be consulted", "is this the appropriate channel
    # for queries", "the sources underlying your responses", "the source quote when you answer".
    r"|\b(?:submit|submitting|send|sending|pose|posing|raise|raising|direct|directing)\s+(?:a\s+|my\s+|our\s+)?"
    r"(?:query|queries|question|questions)\s+to\s+(?:this|the|you)\b"
    r"|\b(?:this|the)\s+(?:service|bot|tool|assistant)\s+(?:may|can|could|should|might)\s+be\s+(?:consulted|used|asked)\b"
    r"|\bscope\s+of\s+(?:matters|questions|topics|queries|subjects)\b"
    r"|\b(?:appropriate|right|correct|proper)\s+(?:channel|place|forum|bot|tool|service)\s+for\s+(?:queries|questions)\b"
    r"|\b(?:sources?|quotes?|citations?|references?)\s+(?:underlying|behind|supporting)\s+your\s+(?:responses|answers|replies)\b"
    r"|\bwhen\s+you\s+(?:answer|reply|respond)\s+(?:something|anything|questions|a\s+question)\b"
    # What one may ask and what else it does: "what kinds of questions am I allowed to ask?",
    # "can you rank things for me or do you only look facts up?"
    r"|\b(?:am\s+i|are\s+we)\s+(?:allowed|permitted|supposed)\s+to\s+ask\b"
    r"|\bcan\s+you\s+(?:rank|compare|summari[sz]e|translate|write|draft|calculate)\s+(?:things|stuff|anything)\b"
    r"|\bdo\s+you\s+(?:only|just)\s+(?:look|find)\s+(?:facts|things|stuff|answers)\s+up\b"
    # Checking claims and links: "what kinds of claims can you check?", "can you verify a claim
    # for me?", "can I paste a link for you to verify?"
    r"|\b(?:claims?|statements?|rumou?rs?|things|stuff)\s+(?:can|could|do|will)\s+(?:you|u)\s+(?:check|verify|fact[- ]?check)\b"
    r"|\b(?:can|could|do|will)\s+(?:you|u)\s+(?:check|verify|fact[- ]?check)\s+(?:a|my|our|some|any)\s+"
    r"(?:claims?|statements?|rumou?rs?|things|stuff|links?|articles?)\b"
    r"|\b(?:can|could|may)\s+(?:i|we)\s+(?:paste|send|share|drop|give)\s+(?:you\s+)?(?:a|an|the|my)\s+(?:link|url|article|pdf|file)\b",
    re.IGNORECASE,
)
# A message that only closes a conversation ("thanks, that's all I needed", "that's everything
# for now") or tests the bot ("testing testing one two three"). Apart from `_ASKS_OF_THE_BOT`:
# an alternative anchored at the start there would cost every question a slower search.
_CLOSING_OR_TESTING = re.compile(
    r"\W*(?:(?:ok(?:ay)?|great|perfect|cool|thanks|thank\s+you|thx|ty|cheers)\W+)*that(?:['\u2019]?s|\s+is)\s+"
    r"(?:all|everything|it)\s+(?:(?:i|we)\s+(?:needed|need|wanted|was\s+after|were\s+after)|for\s+(?:now|today))\b"
    r"|\W*(?:ok(?:ay)?\W+)?(?:testing|test)(?:\W+(?:testing|test))*(?:\W+(?:one\W+two(?:\W+three)?|1\W*2(?:\W*3)?|123))?\W*$",
    re.IGNORECASE,
)


def _asks_of_the_bot(text: str) -> bool:
    """Whether the message asks of the bot itself (see `_ASKS_OF_THE_BOT`), closes the
    conversation or tests the bot."""
    return bool(_ASKS_OF_THE_BOT.search(text) or _CLOSING_OR_TESTING.match(text))


# Words asking where the answers come from ("what are your sources?", "which articles do you
# use?"): the help reply then lists the sources.
SOURCE_WORDS = frozenset(
    "source sources article articles reference references citation citations cite info information informations".split()
)
HELP_WORDS = frozenset(
    """help hi hello hey yo hiya heya greetings morning afternoon evening good day thanks thank
    you start started topics topic commands command usage menu what can do how use i ask bot
    there list options anything about know me please who are your yourself work works question
    questions kind kinds type types example examples sort answer answers
    joke jokes funny bye goodbye cheers cool nice great awesome human robot
    thx ty tysm ta super useful helpful perfect appreciated appreciate brilliant amazing wonderful
    excellent lovely fantastic sweet neat best welcome come comes cover covers subject subjects
    made built created creator helped helps helping hallo hola ok okay alright phrase phrasing word
    wording new here get draw drawn rely based base real person give show suggest sample samples asking
    asked asks purpose tool tools assistant dear way ways handle handles happen happens tip tips hints
    testing assistance service today working take taking""".split()
) | SOURCE_WORDS


@dataclass(frozen=True)
class ScoreParts:
    """Why a fact scored what it scored (for `explain` and calibration)."""

    fact_id: str
    score: float
    coverage: float
    phrasing: float
    fuzzy: float
    penalty: float
    matched_phrasing: str
    penalties: tuple[str, ...] = ()
    """Why the score was cut: `entity` (names somebody the fact isn't about, or asks about
    somebody's thing the fact does not give them), `question_type`
    (asks when/how many/how-to and the fact can't say), `lone_word` (one word not in its text),
    `asked_about` (names somebody, or points at a source, but asks what the fact does not cover),
    `why` (asks why and no phrasing of the fact does), `source` (points at a source the fact
    does not quote: "according to the Gizmodo piece")."""


@dataclass(frozen=True)
class _Place:
    """A part of one text a question asks about: a section of it (None: the whole text),
    what the words say of the place, and the rest of the question when it asks more than
    the place ("which apps are named in the Llama's reign section": "which apps are named")."""

    source: str  # "" when only the rest says which text: "how does the Altman paragraph end?"
    section: int | None
    words: PlaceWords
    rest: str


@dataclass
class _Query:
    terms: dict[str, float]
    unknown: list[str]
    entities: set[str]
    outside: list[str]
    content: str
    total_weight: float
    help_only: bool
    asks: frozenset[str] = field(default_factory=frozenset)
    asks_share: bool = False
    exact: bool = False  # asks a figure exactly: "the exact dollar figure", "how much, exactly?"
    """Whether it asks for a share of a whole ("what percentage")."""
    asks_future: bool = False
    """Whether it asks what will happen ("will Meta close Llama?")."""
    groups_offered: frozenset[str] = frozenset()
    """The index terms of the groups a question asking who gains or loses offers ("who else
    profits, *competitors*?", "who gets the benefits, just a few big *firms*?")."""
    asks_happened: bool = False
    """Whether it asks if something has actually come about ("has Meta ever held back a model?")."""
    pins_period: bool = False
    """Whether it asks of a period no source speaks to ("this year", "in 2031")."""
    asks_whether: bool = False
    """Whether it asks whether something is so ("is Llama 4 a flop?"), not whether there is
    something ("are there rumours about Llama 4?")."""
    entity_terms: frozenset[str] = frozenset()
    counted: frozenset[str] = frozenset()
    owners: frozenset[str] = frozenset()
    named: frozenset[str] = frozenset()
    wants_kind: str | None = None
    name_of: str | None = None
    """The index term of the thing whose name is asked for, when of no known kind ("license")."""
    instances_of: str | None = None
    """The index term of what it asks the instances of, when of no known kind: "which *crops*",
    "name the *critics*", "who was the *critic* ..."."""
    instances_of_person: bool = False
    """Whether it asks them as "who" ("who was the critic ...")."""
    people_of: frozenset[str] = frozenset()
    """The people a question asks somebody of ("who is *Wang's* boss?"): the fact must name them."""
    unknown_reactor: tuple[str, ...] = ()
    """What a question asks the reaction of, when the base does not know it ("how did Meta's
    *stock* react?"): the reactions the sources report are people's."""
    task: str | None = None
    advice: bool = False  # asks the bot's own advice or opinion: "should our team build on Llama?"
    of_the_text: str | None = None  # asks who wrote a source or when ("author of the LeCun piece?")
    foreign: bool = False  # written in another language: "¿Qué porcentaje de Scale AI tiene Meta?"
    followed: bool = False  # asks what happened after the sources' events: "did the stock go up after the essay?"
    pointing_back: str | None = None  # a word pointing at what the message does not name: "and what did *he* say?"
    """The work a message asks the bot to do instead of a question ("*translate* this quote",
    "*draft* an email about Llama"): no fact answers it, whatever words they share."""
    role_terms: frozenset[str] = frozenset()
    """The index terms of every common word of what it asks the instances of ("chief",
    "officer" of "who was the *Chief AI Officer* ...")."""
    light: frozenset[str] = frozenset()
    """Terms the question writes only as light verbs ("bring up", "fit in"; not "deliver")."""
    speakers: frozenset[str] = frozenset()
    attributes: bool = False  # a verb tells whose words ("did LeCun *warn* ..."), not a view ("does he *think*")
    spoken_of: frozenset[str] = frozenset()
    """Whom or which company its speakers are asked about ("what did Zuckerberg say about
    *Altman*", "what does Altman think of *Meta*"): a fact must tell them speaking of it."""
    why: bool = False
    shows: bool = False  # asks what something shows: "what does the spending tell us about Meta?"
    speaker_roles: frozenset[str] = frozenset()
    """The posts or bodies a question asks the words of when it names nobody the base knows
    ("what did *the podcast host* think", "what did *the Instagram boss* say"), as index
    terms: a fact whose own text never speaks of one cannot tell what it said."""
    figures: frozenset[str] = frozenset()
    """The figures the question states, as digits ("$14 billion" is "14", "350k" is "350")."""
    denied_said: bool = False
    """Whether a "why" question says somebody said something is not so ("why did Altman say AI
    *doesn't* need oversight?"): a fact that never says anything is not cannot tell why."""
    event: str | None = None
    """The index term of what a "why did ..." question says happened ("why did Meta *sell* its
    stake"): a fact that does not speak of it cannot tell why."""
    who_first: bool = False
    """Whether "who" is its first question word ("who makes Llama", "do you know who came up
    with ..."): a phrasing asking why does not ask it."""
    what_said: bool = False
    """Whether it asks what somebody said ("what did LeCun propose"): a phrasing asking who
    they are does not ask it."""
    defines: bool = False
    """Whether it asks what a thing is and nothing more ("what is AGI?", "what are open weights")."""
    defining: frozenset[str] = frozenset()
    """The index terms of the words asking what a thing is ("*define* open washing"), which
    no phrasing asking it need have."""
    who_does: bool = False
    """Whether it asks who does or did something ("who leads Meta's AI lab", "who would fund it")."""
    done: str = ""
    """The verb of what it asks who does or did, as written where it can be nothing but a verb
    ("who could *misuse* it", "who *kept* it secret"; not "who *leads*", which may be a noun)."""
    sets_apart: bool = False
    """Whether it sets somebody apart from whom it asks for ("who *else*", "the *other* 51%")."""
    who_is: bool = False
    business_of: str | None = None
    """The company or product whose business or use a question asks, nothing more: "what does
    Scale AI actually do?" (the entity key)."""
    """Whether it asks who a person is ("who's Sam Altman again", "remind me who Altman is")."""
    cited: frozenset[str] = frozenset()
    asks_mention: bool = False
    """Whether it asks if a text mentions something: "does the blog *mention* open washing?"."""
    """The sources the question points at ("according to the Gizmodo piece"), if any."""
    cited_keys: frozenset[str] = frozenset()
    """The entities it names only to point at a source ("Gizmodo", "LeCun" in "the LeCun piece")."""
    cited_terms: frozenset[str] = frozenset()
    """The index terms of those references."""
    guessed: frozenset[str] = frozenset()
    """The index terms only reached by correcting a word the base does not spell ("leaving" read as "lead")."""
    other_way: frozenset[str] = frozenset()
    """The terms of the second of two ways it offers ("is Llama central *or more of a side
    project*?"): a fact holding the first answers it, as one holding the second would."""
    other_way_unknown: float = 0.0
    """The asking weight of the unknown words of that second way."""
    position: tuple[str, str] | None = None
    place: _Place | None = None  # a part of a text asked about: a section, a paragraph, a bullet
    """The text it points at and "start" or "end", when it asks only how that text opens or
    closes ("how does the Gizmodo piece end?"): the fact quoting it first or last answers."""
    offered: frozenset[str] = frozenset()
    """Entities it offers as a choice ("did LeCun *or* Zuckerberg bring up India?"), when it
    offers one the base knows: a fact naming one of them answers it, naming the right one."""
    framing_whom: frozenset[str] = frozenset()
    """Framing verbs it uses to ask something ("who did Altman talk to?", "gave a talk")."""
    asked: tuple[tuple[str, float], ...] = ()
    """The weighted terms it asks about its entities: neither names nor framing words ("Apple's AI *strategy*")."""
    asked_total: float = 0.0
    """Their weight, with a share of its unknown words' weight: what the "asked about" check divides by."""
    asked_of_cited: tuple[tuple[str, float], ...] = ()
    """The same for a fact from a source it points at, whose pointing words ask nothing
    ("Dwarkesh's podcast" of the podcast's facts); of any other fact they are asked about."""
    asked_of_cited_total: float = 0.0


_Shareable = TypeVar("_Shareable", bound=Hashable)


@dataclass(frozen=True, slots=True)
class _ShownFact:
    """What an answer shows of a fact besides its text: the quotes with their sources, the related facts."""

    quotes: tuple[ResolvedQuote, ...]
    related: tuple[FactRef, ...]


@dataclass(slots=True)
class _IndexedFact:
    """What scoring needs to know of one fact; sets and tuples equal across facts are one object."""

    fact: Fact
    order: int
    phrasing_texts: tuple[str, ...]
    """Per phrasing, its index terms sorted and joined: what the fuzzy score compares."""
    entity_keys: frozenset[str]
    listed_keys: tuple[str, ...]
    """The index keys of the entities the fact lists, in order."""
    phrasings_with: dict[str, tuple[int, ...]]
    """Per index term of its phrasings, which phrasings (by index) have it."""
    answers: frozenset[str]
    counts: frozenset[str]
    subjects: frozenset[str]
    speakers: frozenset[str]
    kinds_vouched: frozenset[str]
    people_asked_of: frozenset[str]
    """Whom a phrasing asks somebody of ("Who is *Wang's* boss?"): nothing else tells who that is."""
    tells_why: bool
    """Whether a phrasing of the fact asks why (or for the reason)."""
    tells_what_it_shows: bool = False
    """Whether a phrasing of the fact asks what something shows ("What do Meta's bets signal?")."""
    owners_only: dict[str, frozenset[str]] = field(default_factory=dict)
    """Companies the fact names only as whose something is ("Apple's proprietary iOS", "Apple
    devices"), each with the terms of what is theirs: a question about such a company that
    asks of none of them ("Apple's stance on open source AI") is not about this fact."""
    source_keys: frozenset[str] = frozenset()
    """The entity keys naming the fact's sources by their outlets ("Gizmodo")."""
    named_nouns: dict[str, frozenset[str]] = field(default_factory=dict)
    """The index terms of what the fact gives instances of, each with the names that do (an
    empty set: a marker or one of its phrasings does, "sectors such as ...", "Which sectors
    could ...?"); a question that names the thing itself learns nothing from it."""
    tells_who: bool = False
    """Whether a phrasing of the fact asks who somebody is."""
    figures: frozenset[str] = frozenset()
    """The figures its answer, quotes and phrasings give, as digits ("49% stake" gives "49")."""
    figures_given: frozenset[str] = frozenset()
    """The kinds of figure its answer states ("money" for "$14 billion", "percent" for "49%"
    or "two-thirds", "number" for "tenfold" or "350,000"): what a question asking a figure
    exactly needs; "billions in GPUs" is an order of size, no figure."""
    denies: bool = False
    """Whether its answer, a quote or a phrasing says something is not so ("closed-source
    models are not immune either", "Why do critics say Meta's models aren't really open?"):
    only such a fact may tell why somebody said something is not."""
    tells_who_does: bool = False
    """Whether a phrasing of the fact asks who does something: "Who uses Llama outside Meta?"."""
    what_phrasings: frozenset[int] = frozenset()
    """The phrasings (by index) that ask only what a thing is ("What is open washing?")."""
    who_phrasings: frozenset[int] = frozenset()
    """The phrasings (by index) that ask who: "Who's leading Meta's new model release?"."""
    who_is_phrasings: frozenset[int] = frozenset()
    """The phrasings (by index) that ask who somebody is: "Who is Meta's chief AI scientist?"."""
    why_phrasings: frozenset[int] = frozenset()
    """The phrasings (by index) that ask why: "Why share Llama?"."""
    named_together: tuple[frozenset[str], ...] = ()
    """The people and companies named in each sentence or clause of its answer and quotes that
    names a person and somebody else: "what did Zuckerberg say about Altman" needs one naming both."""
    sources: frozenset[str] = frozenset()
    """The ids of the sources its quotes come from."""
    speakers_by_source: dict[str, frozenset[str]] | None = None
    """Of a fact quoting several sources, the people each source's quotes name: "what did
    Altman say on the podcast" needs Altman in a quote from the podcast. None: one source."""
    said_by: dict[str, frozenset[str]] | None = None
    """Of a fact whose text names several people, per person the index terms of its clauses
    and quotes naming them: "what did Altman say about open source" needs open source there,
    not in LeCun's clause. None: the fact names one person or none."""
    related: frozenset[str] = frozenset()
    phrasing_weights: array[float] = field(default_factory=lambda: array("d"))
    """Per phrasing, the summed weight of its terms."""


@dataclass(slots=True)
class _Postings:
    """The facts that know a term, by index order (ascending), with how much it counts for
    each and whether it is in the fact's own text (answer, entities, quotes).

    Flat arrays rather than a tuple per fact: a large base has millions of postings.
    """

    orders: array[int]
    weights: array[float]
    own: array[int]

    @classmethod
    def from_flat(cls, flat: list[int | float | bool]) -> _Postings:
        """From (order, weight, own) triples laid end to end, as the index is built."""
        return cls(array("i", flat[0::3]), array("d", flat[1::3]), array("b", flat[2::3]))  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self.orders)

    def find(self, order: int) -> int | None:
        """Where the fact at `order` is in these postings, if it knows the term."""
        at = bisect_left(self.orders, order)
        return at if at < len(self.orders) and self.orders[at] == order else None


# An owner compared with, not asked about: "worse than *OpenAI's*", "than OpenAI's and *Google's*",
# "compared to *Google's*", and "then" typed for "than" after a comparative ("worse then *OpenAI's*").
_COMPARED_BEFORE = re.compile(r"\b(?:than|(?:(?<=er )|(?<=worse )|(?<=more )|(?<=less ))then|vs\.?|versus|compared (?:to|with))\s+(?:the\s+)?(?:[\w.-]+'s\s+(?:and|or)\s+)*$")

# An owner whose thing goes unsaid, as it was just named ("is Meta's AI behind *OpenAI's*?"),
# is compared with, not asked about.
_ELLIPTIC_END = re.compile(r"\s*(?:[^\w\s'-]|$)")
# What somebody said, written as theirs: "in *Zuckerberg's own words*", "Zuckerberg's *quote*
# about ...": they are who speaks, not whose thing the question asks about ("Google's *stance*"
# and "Gizmodo's *take*" stay theirs: a company's or an outlet's).
_THEIR_WORDS = re.compile(r"\s+(?:own\s+)?(?:words|quotes?)\b")


def _other_way(raw: list[str]) -> list[str]:
    """The words after the last "or" of a question offering two ways ("is Llama central *or
    more of a side project*"), when there are words before it; [] otherwise."""
    at = max((i for i, w in enumerate(raw) if w == "or"), default=-1)
    if at < 2 or at == len(raw) - 1:
        return []
    return [w for w in raw[at + 1 :] if w not in STOPWORDS]


def _choice_words(raw: list[str]) -> set[str]:
    """The words either side of "or" (the nearest that is no small word), where a question
    offers a choice of whose or which: "did *LeCun or Zuckerberg* bring up India", "was it *OpenUK or the OSI*". Not
    where it compares ("is Anthropic or OpenAI more closed?", "Mistral vs Llama"): that
    takes what the sources say of both."""
    if not _COMPARING.isdisjoint(raw):
        return set()
    found: set[str] = set()
    for i, w in enumerate(raw):
        if w == "or" and 0 < i < len(raw) - 1:
            # The nearest word on each side that is no small word: "OpenUK or *the* OSI".
            before = next((x for x in reversed(raw[max(0, i - 3) : i]) if x not in STOPWORDS), None)
            after = next((x for x in raw[i + 1 : i + 5] if x not in STOPWORDS), None)
            found.update(x for x in (before, after) if x is not None)
            if raw[:2] in (["was", "it"], ["is", "it"], ["wasnt", "it"], ["isnt", "it"]):
                # "was it *OpenUK* that flagged open washing, or the OSI?": what the question
                # opens on is the first choice.
                found.update(x for x in raw[2:3] if x not in STOPWORDS)
    return found


_COMPARING = frozenset(
    "more less most least better best worse worst than bigger smaller larger faster slower safer riskier cheaper "
    "stronger weaker closer further newer older higher lower greater".split()
)


def _compared(text: str, at: int) -> bool:
    """Whether the owner starting at `at` in `text` follows "than", "vs" or "compared to": a thing
    of theirs compared with, whose fact need not be theirs ("are Meta's models worse than
    OpenAI's?")."""
    return bool(_COMPARED_BEFORE.search(text, 0, at))


# Words saying something is not so, in a fact's own text ("are *not* immune", "*can't*") and
# in a question (as `words` gives them: "doesn't" is "doesnt").
_DENYING = re.compile(r"\b(?:not|no|never|nothing|nobody|none|cannot|unnecessary|needless)\b|n['’]t\b", re.IGNORECASE)
_DENYING_WORDS = NEGATED_AUXILIARIES | frozenset("not no never nothing nobody none cannot unnecessary needless".split())


# A number as written: "49", "3.1", "$14", "350,000".
_NUMBER = re.compile(r"(?<![\w.])\$?\d[\d,]*(?:\.\d+)?")
# A figure as a question states one: a number with a unit ("$14 billion", "51%", "350k", "100x")
# or of two digits or more; not a year ("since 2023") nor a release ("Llama 3.1").
_FIGURE = re.compile(
    r"(?<![\w.])(?:\$\s?\d[\d,]*(?:\.\d+)?"
    r"|\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent\b|k\b|m\b|bn\b|billion\b|million\b|x\b))"
    r"|\d{2,}(?:[\d,]*\d)?(?!\.\d))",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:19|20)\d\d")


def _digits(match: re.Match[str]) -> str:
    """A number's digits, without a currency sign or thousands separators: "$14" is "14"."""
    return re.sub(r"[^\d.]", "", match.group(0)).rstrip(".")


def figures_stated(question: str) -> frozenset[str]:
    """The figures `question` states, as digits: "Meta paid $14 billion" -> {"14"}; none for
    "Llama 3.1" or "since 2023"."""
    if not any(c.isdigit() for c in question):
        return frozenset()
    found = set()
    for match in _FIGURE.finditer(question):
        number = _NUMBER.match(match.group(0))
        digits = _digits(number) if number else ""
        if digits and not _YEAR.fullmatch(digits):
            found.add(digits)
    return frozenset(found)


def _denies_what_was_said(raw: list[str]) -> bool:
    """Whether the words after a verb of saying say something is not so: "why did Altman *say*
    oversight is *unnecessary*", "why does LeCun *think* AI *shouldn't* be regulated"."""
    said = next((i for i, w in enumerate(raw) if w in SAYING or w in ATTRIBUTING), None)
    return said is not None and not _DENYING_WORDS.isdisjoint(raw[said + 1 :])


# Posts and bodies that may be asked what they said: "what did *the host* think", "what did
# India's *government* say".
_ROLES = frozenset(
    "host hosts boss bosses chief head government govt spokesperson spokesman official officials ceo cto cfo "
    "founder director executive exec execs president interviewer regulator regulators minister ministers".split()
)
_ASKING = frozenset("did does do has have had will would was is were are".split())


def _speaker_roles(raw: list[str]) -> list[str]:
    """The words naming a post or body between "what did" and a verb of saying, whose words a
    question asks: "what did the podcast *host* himself think", "what did the Instagram
    *boss* say"; none for "what did the blog say" or "what does Meta think"."""
    first = next((i for i, w in enumerate(raw) if w in _QUESTION_WORDS), None)
    if first is None or raw[first] != "what" or first + 1 >= len(raw) or raw[first + 1] not in _ASKING:
        return []
    end = next((i for i in range(first + 2, len(raw)) if raw[i] in SAYING), None)
    return [w for w in raw[first + 2 : end] if w in _ROLES] if end is not None else []


def _asks_what_said(raw: list[str]) -> bool:
    """Whether a question's first question word is "what" and a verb of saying follows it:
    "what did LeCun propose", "what does Altman think about regulation"."""
    first = next((i for i, w in enumerate(raw) if w in _QUESTION_WORDS), None)
    return first is not None and raw[first] == "what" and not SAYING.isdisjoint(raw[first + 1 :])


# Where `Engine.gate_cases` collects what the gate weighs; None (the default) collects nothing.
_GATE_CASES: ContextVar[list[tuple[str, tuple[float, ...]]] | None] = ContextVar("gate_cases", default=None)


class Engine:
    """Pure and deterministic: the same base and question always give the same answer."""

    def __init__(
        self, base: FactBase, *, thresholds: Thresholds | None = None, gate: AnswerGate | None = None
    ) -> None:
        self.base = base
        self.thresholds = thresholds or Thresholds()
        # The fitted gate weighs in, unless thresholds set by hand say to answer by them alone or
        # the base is not the one it was fitted on.
        if gate is None and self.thresholds.learned_gate:
            shipped = load_gate()
            gate = shipped if shipped.fits(base.facts) else None
        self.gate = gate
        self._synonyms = {stem(w): stem(head) for w, head in base.synonyms.items() if len(words(w)) == 1}
        self._synonym_heads = frozenset(stem(head) for head in base.synonyms.values())
        # Multi-word synonyms ("put out" for "release") are read as their group's first word.
        self._phrases: dict[str, list[tuple[tuple[str, ...], str | None]]] = defaultdict(list)
        for phrase, head in base.synonyms.items():
            parts = tuple(words(phrase))
            if len(parts) > 1:
                self._phrases[parts[0]].append((parts, head))
            if len(parts) == 2 and parts[1] in _PARTICLES:
                # A phrasal verb takes its object in the middle: "put it out", "hold them back".
                for pronoun in _OBJECT_PRONOUNS:
                    self._phrases[parts[0]].append(((parts[0], pronoun, parts[1]), head))
        for candidates in self._phrases.values():
            candidates.sort(key=lambda item: -len(item[0]))
        # Two-word synonyms by each of their words, for one typed with a slip in the other.
        self._phrase_by_word: dict[str, list[tuple[tuple[str, ...], str, int]]] = defaultdict(list)
        for phrase, head in base.synonyms.items():
            parts = tuple(words(phrase))
            if len(parts) == 2:
                for at, part in enumerate(parts):
                    self._phrase_by_word[part].append((parts, head, 1 - at))
        self._canon_cache: dict[str, str] = {}
        self._canon_cache_limit = math.inf
        self._corrections: dict[str, str | None] = {}
        self._frame_slips: dict[str, bool] = {}
        self._shown_facts: dict[str, _ShownFact] = {}
        self._business_told: dict[str, bool] = {}
        self._frame_terms = frozenset(self.canon(w) for w in FRAME_WORDS)
        # Words that place a question in a text, and nouns for a text ("the podcast *notes*").
        self._position_terms = frozenset(self.canon(w) for w in POSITION_WORDS | REFERENCE_NOUNS | {"notes", "note"})
        self._form_terms = frozenset(self.canon(w) for w in FORM_WORDS)
        self._facts: list[_IndexedFact] = []
        self._by_id: dict[str, _IndexedFact] = {}
        self._surface: dict[str, str] = {}
        self._surface_sorted: list[str] | None = None  # made the first time a word is cut off
        self._kind_of_key = {self._entity_key(e): kind for e, kind in base.entity_kinds.items()}
        self._owned_goods = frozenset(self.canon(w) for w in OWNED_GOODS)
        self._display_names = {self._entity_key(e): e for e in base.entity_kinds}
        self._former_names = [
            (re.compile(rf"(?<![\w-]){re.escape(old)}(?![\w-])", re.IGNORECASE), current)
            for old, current in base.former_names.items()
        ]
        people = [name for name, kind in base.entity_kinds.items() if kind == "person"]
        companies = [name for name, kind in base.entity_kinds.items() if kind == "company"]
        self._post_reader = PostReader(
            posts_in((source.body for source in base.sources.values()), people, companies),
            synonyms=base.synonyms,
            other_names=base.former_names,
        )
        self._build()
        self._canon_cache_limit = len(self._canon_cache) + CANON_CACHE_LIMIT

    # -- index -----------------------------------------------------------------------------

    def canon(self, word: str) -> str:
        """A folded word as the index knows it: stemmed, then mapped to its synonym group."""
        known = self._canon_cache.get(word)
        if known is None:
            stemmed = stem(word)
            known = self._synonyms.get(stemmed, stemmed)
            # Bounded: a long-running bot asked made-up words would otherwise keep every one.
            if len(self._canon_cache) < self._canon_cache_limit:
                self._canon_cache[word] = known
        return known

    def _words(self, text: str, *, asked: bool = False) -> list[str]:
        """The folded words of `text`, without framing idioms, and with multi-word synonyms
        merged into their group's word; `asked`: a question, with words spelt out letter by
        letter put together (once the base's words are known)."""
        found = without_idioms(words(without_verb_take(text)))
        if asked:
            found = self._spelt_out(halves_as_shares(without_filler(found)))
        return replace_runs(found, self._phrases) if self._phrases else found

    def _spelt_out(self, found: list[str]) -> list[str]:
        """`found` with a word dictated letter by letter put together where the base knows it
        ("g p u" is "gpu", "a i" is "ai", "i o s" is "ios", "l l m s"; a plural too, "g p us";
        letters as speech-to-text may write them, "eye oh s"), and a multiple said as a number
        and "x" written as one ("ten x" is "10x")."""
        if not any((len(w) == 1 and w.isalpha()) or w in _LETTER_NAMES for w in found):
            return found
        read: list[str] = []
        i = 0
        while i < len(found):
            j = i
            while j < len(found) and ((len(found[j]) == 1 and found[j].isalpha()) or found[j] in _LETTER_NAMES):
                j += 1
            if j - i >= 2:
                letters = [_LETTER_NAMES.get(w, w) for w in found[i:j]]
                joined = "".join(letters)
                if read and self._name_of_joined(read[-1] + joined) == read[-1] + joined:
                    read.extend(letters)  # the end of a one-word name said in pieces: "open you kay"
                    i = j
                    continue
                if j < len(found) and found[j] == "us" and joined + "us" in self._surface:
                    read.append(joined + "us")  # "g p us"
                    i = j + 1
                    continue
                if joined in self._surface:
                    read.append(joined)
                    i = j
                    continue
                read.extend(found[i:j])  # letters of no word the base knows stay as they are
                i = j
                continue
            if found[i] == "x" and read and (read[-1].isdigit() or read[-1] in _NUMBER_WORDS):
                read[-1] = _NUMBER_WORDS.get(read[-1], read[-1]) + "x"  # "ten x", "10 x"
            else:
                read.append(found[i])
            i += 1
        return read

    def _slipped_phrases(self, found: list[str]) -> list[str]:
        """`found` with a two-word synonym typed with a slip in one of its words read as the
        synonym ("turnng point", "hold bakc", "hold bak"): a word the base does not know, of four
        letters or more (or of three, a letter of the phrase's word dropped), one edit from the
        phrase's word beside the other word as written."""
        for i, w in enumerate(found):
            if len(w) < 3 or not w.isalpha() or w in self._surface or w in STOPWORDS:
                continue
            for j in (i - 1, i + 1):
                if not 0 <= j < len(found):
                    continue
                for parts, head, slipped_at in self._phrase_by_word.get(found[j], ()):
                    meant = parts[slipped_at]
                    if (j < i) != (slipped_at == 1) or abs(len(meant) - len(w)) > 1 or meant[0] != w[0]:
                        continue
                    if len(w) < 4 and len(meant) <= len(w):
                        continue  # of three letters, only a letter dropped: "hold bak"
                    if OSA.distance(w, meant, score_cutoff=1) <= 1 and not (
                        w in self._common_words and not differs_only_in_ending(w, meant)
                    ):  # a common word of its own is meant as written
                        return [*found[: min(i, j)], head, *found[max(i, j) + 1 :]]  # one slip a question
        return found

    def _numbers_in_names(self, raw: list[str]) -> list[str]:
        """`raw` with a number written out as digits where that makes a name the base knows
        ("Llama four" is Llama 4, "Llama three point one" Llama 3.1; "the four goals" stay four)."""
        if _NUMBER_WORDS.keys().isdisjoint(raw):
            return raw
        read = list(raw)
        i = 1
        while i < len(read):
            digits = _NUMBER_WORDS.get(read[i])
            if digits is not None:
                name = self.canon(read[i - 1])
                decimal = _DIGIT_WORDS.get(read[i + 2]) if read[i + 1 : i + 2] == ["point"] and i + 2 < len(read) else None
                if decimal is not None and (name, f"{digits}.{decimal}") in self._entity_aliases:
                    read[i : i + 3] = [f"{digits}.{decimal}"]
                elif (name, digits) in self._entity_aliases:
                    read[i] = digits
            i += 1
        return read

    def _joined_names(self, raw: list[str]) -> list[str]:
        """`raw` with a one-word name the base knows put back together where it came in pieces,
        as speech-to-text and hurried typing leave it ("zucker burg", "pie torch", "giz mode
        oh"): two or three words, one at least unknown to the base, that joined are the name
        or a slip of it. Words the base knows all stay apart ("open source")."""
        read = list(raw)
        # Per word, read once: whether it may be a piece (letters only, no name the base knows
        # whole: "fb instagram" stays apart) and whether the base knows it.
        pieces = [self._piece_of_name(w) for w in read]
        i = 0
        while i < len(read) - 1:
            for span in (3, 2):
                if i + span > len(read):
                    continue
                kinds = pieces[i : i + span]
                if None in kinds or all(kinds):  # not a piece, or every word known
                    continue
                run = read[i : i + span]
                joined = "".join(run)
                name = self._name_of_joined(joined)
                # Near a name only, the pieces must all say something: "all man" is no "Altman".
                if name is not None and (name == joined or not STOPWORDS.intersection(run)):
                    read[i : i + span] = [name]
                    pieces[i : i + span] = [self._piece_of_name(name)]
                    break
            i += 1
        return read

    def _piece_of_name(self, word: str) -> bool | None:
        """Whether a word that may be a piece of a name split apart is known to the base
        (True) or not (False); None when it cannot be a piece: not all letters, or a name the
        base knows whole."""
        if not word.isalpha():
            return None
        if word in self._surface:
            # "open" of "Open Compute" may still be a piece ("open u k"); "instagram" may not.
            return None if (self.canon(word),) in self._entity_aliases else True
        return False

    def _name_of_joined(self, joined: str) -> str | None:
        """The one-word name `joined` is, or is a slip of (one edit, two from eight letters)."""
        if not JOINED_NAME_MIN <= len(joined) <= self._longest_name + 2:
            return None
        return self._closest_by_edits(joined, among=lambda length: self._one_word_names.get((joined[0], length)))

    def _terms_of(self, found: list[str]) -> list[str]:
        """The index terms of folded words: the words that say something, canonicalised."""
        return [self.canon(w) for w in found if w not in STOPWORDS]

    def _terms(self, text: str) -> list[str]:
        return self._terms_of(self._words(text))

    def _build(self) -> None:
        self._category_terms = frozenset(self.canon(w) for w in _CATEGORY_NOUNS)
        order = {fid: i for i, fid in enumerate(fid for t in self.base.topics.values() for fid in t.fact_ids)}
        facts = sorted(self.base.facts.values(), key=lambda f: (order.get(f.id, len(order)), f.id))
        # An entity is read once, however many facts list it: for its aliases, its key and its words.
        entity_words = {entity: self._words(entity) for fact in facts for entity in fact.entities}
        entity_keys: dict[str, str] = {}
        self._entity_aliases: dict[tuple[str, ...], str] = {}
        for entity, found in entity_words.items():
            terms = tuple(self._terms_of(found))
            entity_keys[entity] = " ".join(terms)
            self._add_entity_aliases(entity, terms)
        self._entity_alias_index: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for alias, key in self._entity_aliases.items():
            self._entity_alias_index[alias[0]].append((alias, key))
        self._name_words = frozenset(term for alias in self._entity_aliases for term in alias)
        # People of a first and a family name, as their words are indexed ("yann", "lecun"),
        # with how the family name sounds.
        self._first_and_family = sorted(
            {
                (alias[0], alias[1], _sound_of(alias[1]))
                for alias, key in self._entity_aliases.items()
                if len(alias) == 2 and self._kind_of_key.get(key) == "person"
            }
        )
        self._person_words = frozenset(
            term for alias, key in self._entity_aliases.items() if self._kind_of_key.get(key) == "person" for term in alias
        )
        # A person's family name alone names them ("Wang"): what "Alex Wang" is known by.
        self._family_names = frozenset(
            alias[0]
            for alias, key in self._entity_aliases.items()
            if len(alias) == 1 and self._kind_of_key.get(key) == "person"
        )
        self._first_names = frozenset(
            found[0]
            for entity, found in entity_words.items()
            if len(found) > 1 and self.base.entity_kinds.get(entity) == "person"
        )

        surface_df: Counter[str] = Counter()
        # Almost every phrasing is one fact's: its key maps to that fact's order, else to a tuple of them.
        self._phrased_as: dict[str | tuple[str, ...], int | tuple[int, ...]] = {}
        # Postings grow as flat lists, one per term, and become arrays once complete: appending
        # to a list is cheaper than to an array, and they are many (a fact has dozens of terms).
        posted: dict[str, list[int | float | bool]] = {}
        # Many facts have equal small sets and tuples (no counts, the same question types, the
        # same phrasings holding a term): each is kept once, which also spares the garbage
        # collector millions of objects to walk.
        shared: dict[Hashable, Hashable] = {}

        def share(value: _Shareable) -> _Shareable:
            return shared.setdefault(value, value)  # type: ignore[return-value]

        # Per fact, each phrasing's key (its distinct terms in sorted order): weighed once every IDF is known.
        phrasing_keys: list[list[str | tuple[str, ...]]] = []
        for index, fact in enumerate(facts):
            phrasings = fact.phrasings
            phrasing_words = [self._words(p) for p in phrasings]
            answer_words = self._words(fact.answer)
            quote_words = [self._words(quote.text) for quote in fact.quotes]
            surface_df.update({w for found in [*phrasing_words, answer_words] for w in found})
            # The phrasings share most of their words: each is weighed once, where it first appears.
            phrased = list(dict.fromkeys(w for found in phrasing_words for w in found))
            stamps = [_stamp_term(quote.timestamp) for quote in fact.quotes if quote.timestamp]
            self._post(
                posted,
                index,
                [(entity_words[entity], FIELD_WEIGHTS["entity"], True) for entity in fact.entities]
                + [(stamps, FIELD_WEIGHTS["entity"], True)]
                + [(phrased, FIELD_WEIGHTS["phrasing"], False), (answer_words, FIELD_WEIGHTS["answer"], True)]
                + [(found, FIELD_WEIGHTS["quote"], True) for found in quote_words],
            )
            phrasing_terms = [self._terms_of(found) for found in phrasing_words]
            texts = tuple(" ".join(sorted(terms)) for terms in phrasing_terms)
            keys = [_exact_key(terms, spelt=text) for terms, text in zip(phrasing_terms, texts)]
            phrasing_keys.append(keys)
            where: dict[str, list[int]] = {}
            for i, (key, terms) in enumerate(zip(keys, phrasing_terms)):
                known = self._phrased_as.get(key)
                self._phrased_as[key] = index if known is None else (*_as_orders(known), index)
                for term in dict.fromkeys(terms):
                    where.setdefault(term, []).append(i)
            indexed = self._index_fact(
                fact,
                index,
                phrasings,
                phrasing_words,
                phrasing_terms,
                texts,
                phrasings_with={term: share(tuple(found)) for term, found in where.items()},
                listed_keys=share(tuple(entity_keys[e] for e in fact.entities)),
                share=share,
            )
            self._facts.append(indexed)
            self._by_id[fact.id] = indexed

        linked_from: dict[str, set[str]] = defaultdict(set)
        for indexed in self._facts:
            for target in indexed.fact.related:
                linked_from[target].add(indexed.fact.id)
        for indexed in self._facts:
            indexed.related = share(frozenset(set(indexed.fact.related) | linked_from.get(indexed.fact.id, set())))

        self._postings = {term: _Postings.from_flat(posted.pop(term)) for term in list(posted)}
        count = len(self._facts) or 1
        self._idf = {term: math.log(1.0 + count / len(postings)) for term, postings in self._postings.items()}
        self._max_idf = math.log(1.0 + count)
        for indexed, keys in zip(self._facts, phrasing_keys):
            # Summed in a fixed (sorted) order: a set's order changes from run to run, and with
            # it the last bit of a float sum, which can decide between two phrasings that tie.
            indexed.phrasing_weights = array("d", [sum(map(self._idf.__getitem__, _key_terms(k))) for k in keys])
        del phrasing_keys
        self._common = {term for term, postings in self._postings.items() if len(postings) / count > UBIQUITOUS_SHARE}
        self._subject = {term for term, postings in self._postings.items() if len(postings) / count > SUBJECT_SHARE}
        # A common word is looked up in every fact the question's rarer words bring in: an
        # array by index order answers that at once, where the postings would need a search.
        self._common_weights: dict[str, array[float]] = {}
        for term in self._common:
            postings = self._postings[term]
            dense = array("d", [0.0]) * len(self._facts)
            for at, weight in zip(postings.orders, postings.weights):
                dense[at] = weight
            self._common_weights[term] = dense
        entity_df: Counter[str] = Counter()
        for indexed in self._facts:
            entity_df.update(indexed.entity_keys)
        self._specific_entities = {key for key, n in entity_df.items() if n / count <= UBIQUITOUS_SHARE}
        self._ubiquitous = frozenset(entity_df.keys() - self._specific_entities)
        for indexed in self._facts:
            indexed.owners_only = self._owners_only(indexed.fact, indexed.listed_keys)
        self._learn_source_names()
        self._release_terms = frozenset(self.canon(w) for w in _RELEASE_NOUNS)

        self._outside_alias_index: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for name in self.base.outside_entities:
            folded = tuple(words(name))
            if folded:
                self._outside_alias_index[folded[0]].append((folded, name))
        # "Llama 3" for the only 3.x the base knows (3.1); none when there are two, or a plain 3.
        releases: dict[str, set[str]] = defaultdict(set)
        for term in self._idf:
            major, dot, minor = term.partition(".")
            if dot and major.isdigit() and minor.isdigit():
                releases[major].add(term)
        self._release_of = {
            major: next(iter(found)) for major, found in releases.items() if len(found) == 1 and major not in self._idf
        }
        # Vocabulary for typo correction, most frequent first so ties go to the common word.
        self._by_length: dict[int, list[str]] = defaultdict(list)
        self._by_skeleton: dict[str, str] = {}
        self._common_words = common_words()  # real words, not taken for other words' misspellings
        self._initialisms = self._initialisms_of({e for fact in self.base.facts.values() for e in fact.entities})
        self._common_by_length: dict[int, list[str]] = defaultdict(list)
        # The same words by length and first letter, and by length and last letter: a word one
        # edit from another of three letters or more shares its first letter or its last.
        self._common_by_end: dict[tuple[int, str, int], list[str]] = defaultdict(list)
        for common in sorted(self._common_words):
            self._common_by_length[len(common)].append(common)
            self._common_by_end[len(common), common[0], 0].append(common)
            self._common_by_end[len(common), common[-1], -1].append(common)
        # Of words as near in other lengths, the more common one wins too ("relase": "release", not "relate").
        self._surface_df = {w: surface_df.get(w, 0) for w in self._surface}
        self._sorted_surface = sorted(self._surface)  # for the words a half-typed word may become
        # Canonical questions folded, sorted, each with its fact: for those that begin as typed.
        self._sorted_questions = sorted((i.fact.question.lower(), n) for n, i in enumerate(self._facts))
        for w in sorted(self._surface, key=lambda w: (-surface_df.get(w, 0), w)):
            if w.isalpha():
                self._by_length[len(w)].append(w)
                self._by_skeleton.setdefault(_skeleton(w), w)
        # A long synonym of a word the base uses is a word it knows, misspelt as any other
        # ("vulnerabilty" is "vulnerability", which the base writes "vulnerabilities"); after
        # them. Not a short one: a slip of a word of its own is as near ("flagged", "lagged").
        for w in sorted(
            w for w in self.base.synonyms if len(w) >= MIN_SYNONYM_CORRECTED and w.isalpha() and w not in self._surface
        ):
            if self.canon(w) in self._idf:
                self._surface_df[w] = 0
                self._by_length[len(w)].append(w)
                self._by_skeleton.setdefault(_skeleton(w), w)
        # Names of one word, which a question dictated or typed in pieces may split ("zucker
        # burg"), by first letter and length: the pieces keep the first letter, and a base of
        # many names is searched only where a slip of this length could be.
        self._one_word_names: dict[tuple[str, int], list[str]] = defaultdict(list)
        for w in sorted(self._surface):
            if w.isalpha() and len(w) >= JOINED_NAME_MIN and (self.canon(w),) in self._entity_aliases:
                self._one_word_names[w[0], len(w)].append(w)
        # Joined pieces longer than this by more than two letters are no slip of any name.
        self._longest_name = max((length for _, length in self._one_word_names), default=0)
        # The facts quoting each source: a question pointing at a source ("per the Gizmodo
        # article") brings them in, whether or not they name it.
        orders_of: dict[str, list[int]] = defaultdict(list)
        for order, indexed in enumerate(self._facts):
            for source in sorted(indexed.sources):
                orders_of[source].append(order)
        self._facts_of_source = {source: array("i", orders) for source, orders in orders_of.items()}

    @staticmethod
    def _asks_of_the_unknown(query: _Query) -> bool:
        """Whether some of the question's unknown words are words of their own, not slips of small words."""
        return any(_unknown_factor(w, set()) != SLIP_FACTOR for w in query.unknown)

    def _handle_named(self, match: re.Match[str]) -> str:
        """A typed @handle that is a name the base knows ("what did @zuck say"), as the name;
        any other is left for `words`, which drops it: whom a message is addressed to."""
        name = match[1]
        return name if (self.canon(name.lower()),) in self._entity_aliases else match[0]

    def _names_a_site(self, name: str) -> bool:
        """Whether a link's site name says something: it is a one-word name of something the
        base knows ("gizmodo", "openuk") or a word of a source's outlet."""
        term = self.canon(name)
        return (term,) in self._entity_aliases or term in self._sources_of_outlet_word

    def _learn_source_names(self) -> None:
        """How a question may point at each source: by the names its outlet and title give, by
        the person most of its facts are about ("the LeCun piece"), and by the kinds of text
        its metadata and body speak of ("the essay", "the podcast")."""
        facts_of: dict[str, list[_IndexedFact]] = defaultdict(list)
        for indexed in self._facts:
            for source_id in indexed.sources:
                facts_of[source_id].append(indexed)
        named: dict[str, set[str]] = defaultdict(set)
        by_noun: dict[str, set[str]] = defaultdict(set)
        for source in self.base.sources.values():
            own_names = (source.title, source.outlet, source.based_on)
            keys = set().union(*(self._entities_in(self._terms(text)) for text in own_names if text))
            listed = Counter(key for indexed in facts_of[source.id] for key in indexed.listed_keys)
            keys |= {
                key
                for key, n in listed.items()
                if self._kind_of_key.get(key) == "person" and n * 2 >= len(facts_of[source.id])
            }
            for key in keys - self._ubiquitous:
                named[key].add(source.id)
            text = " ".join(filter(None, (*own_names, source.body)))
            for noun in {*SOURCE_KIND_NOUNS.get(source.kind, ()), *DOCUMENT_NOUNS.intersection(words(text))}:
                by_noun[self.canon(noun)].add(source.id)
        self._sources_named = {key: frozenset(ids) for key, ids in named.items()}
        # What names a fact's own source by its outlet: "Gizmodo calls it a calculated risk" asks
        # nothing of Gizmodo. Not a person most of the source is about: "who is LeCun?" is not
        # asked of every fact of the LeCun piece.
        for indexed in self._facts:
            indexed.source_keys = frozenset(
                key for key, ids in named.items() if ids & indexed.sources and self._kind_of_key.get(key) != "person"
            )
        # A show or outlet named after somebody answers to a word of that name before a noun
        # for a text ("Dwarkesh's podcast", "the Patel interview"), though the person alone is
        # nobody the base knows: the words of outlet names, but for nouns for texts.
        outlet_words: dict[str, set[str]] = defaultdict(set)
        for source in self.base.sources.values():
            for text in (source.outlet, source.based_on):
                for word in words(text or ""):
                    if word not in STOPWORDS and word not in REFERENCE_NOUNS:
                        outlet_words[self.canon(word)].add(source.id)
        self._sources_of_outlet_word = {
            term: frozenset(ids) for term, ids in outlet_words.items() if len(ids) < len(self.base.sources)
        }
        # A text named by two words of its title side by side ("the risky-move article"): the
        # words of one title only, but the base's subject ("Meta", "open-source", "AI").
        in_titles: dict[str, set[str]] = defaultdict(set)
        for source in self.base.sources.values():
            for term in self._terms(source.title):
                in_titles[term].add(source.id)
        self._title_terms = {
            source.id: frozenset(t for t in self._terms(source.title) if len(in_titles[t]) == 1 and t not in self._subject)
            for source in self.base.sources.values()
        }
        # A noun every source answers to points at none of them.
        self._sources_of_noun = {
            noun: frozenset(ids) for noun, ids in by_noun.items() if len(ids) < len(self.base.sources)
        }
        self._source_ends = self._ends_of_sources()
        self._outlines: Outlines | None = None

    def _ends_of_sources(self) -> dict[str, tuple[str, str]]:
        """For each source, the facts quoting it first and last: where its text opens and
        closes. Of facts quoting the same place, the one with fewer quotes (not an overview)."""
        bodies = {source.id: normalize_typography(source.body) for source in self.base.sources.values()}
        starts: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        ends: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for fact in self.base.facts.values():
            for quote in fact.quotes:
                body = bodies.get(quote.source)
                text = normalize_typography(quote.text)
                at = body.find(text) if body is not None else -1
                if at >= 0:
                    starts[quote.source].append((at, len(fact.quotes), fact.id))
                    ends[quote.source].append((-(at + len(text)), len(fact.quotes), fact.id))
        return {source: (min(starts[source])[2], min(ends[source])[2]) for source in starts}

    def _post(
        self, posted: dict[str, list[int | float | bool]], index: int, fields: list[tuple[list[str], float, bool]]
    ) -> None:
        """Post the fact at `index` under each of its terms: its order, the weight of the best
        field that has the term, and whether the term is in its own text; `fields` are (words,
        weight, whether the field is the fact's own text: its answer, entities and quotes)."""
        weights: dict[str, float] = {}
        own: set[str] = set()
        canon, surface = self.canon, self._surface
        for found, weight, is_own in fields:
            for w in found:
                if w in STOPWORDS:
                    continue
                term = canon(w)
                if w not in surface:
                    surface[w] = term
                weights[term] = max(weights.get(term, 0.0), weight)
                if is_own:
                    own.add(term)
        for term, weight in weights.items():
            flat = posted.get(term)
            if flat is None:
                flat = posted[term] = []
            flat += (index, weight, term in own)

    def _index_fact(
        self,
        fact: Fact,
        index: int,
        phrasings: list[str],
        phrasing_words: list[list[str]],
        phrasing_terms: list[list[str]],
        phrasing_texts: tuple[str, ...],
        *,
        phrasings_with: dict[str, tuple[int, ...]],
        listed_keys: tuple[str, ...],
        share: Callable[[_Shareable], _Shareable],
    ) -> _IndexedFact:
        """What scoring asks of a fact beyond its words: whom it is about and what it can tell."""
        named_in = [self._entities_in(terms) for terms in phrasing_terms]
        # The answer's numbers both say it gives a count and what it counts: found once.
        numbers = list(CARDINAL.finditer(fact.answer))
        phrasing_types = set().union(*(question_types(found) for found in phrasing_words))
        # Whose the fact is: whom its question names (else its entities), and every owner
        # its phrasings write ("OpenAI's CEO"); "Google's strategy" is not one of Meta's facts.
        asked_of = named_in[0] or set(listed_keys)
        owners = {
            key
            for phrasing, terms, found in zip(phrasings, phrasing_terms, phrasing_words)
            for key in self._owners(phrasing, terms, found)
        }
        people_of = {
            key
            for phrasing, terms, found in zip(phrasings, phrasing_terms, phrasing_words)
            if self._somebody_of(found)
            for key in self._owners(phrasing, terms, found)
        }
        return _IndexedFact(
            fact=fact,
            order=index,
            phrasing_texts=phrasing_texts,
            # What a fact is about: its entities and whom its phrasings name, not everyone its
            # quote happens to mention ("...echoing LeCun") - that would hide a mismatch.
            entity_keys=share(frozenset(set().union(*named_in, listed_keys))),
            listed_keys=listed_keys,
            phrasings_with=phrasings_with,
            answers=share(
                frozenset(
                    phrasing_types
                    | ({"when"} if fact.date else set())
                    | ({"before"} if self._tells_earlier(fact) else set())
                    | ({"future"} if self._tells_future(fact) else set())
                    | ({"number"} if QUANTITY.search(fact.answer) else set())
                    | ({"percent"} if PERCENTAGE.search(fact.answer) else set())
                    | ({"age"} if AGE.search(fact.answer) else set())
                    | ({"count"} if numbers or MULTIPLE.search(fact.answer) else set())
                    | ({"where"} if self._tells_place(fact, phrasings) else set())
                    | ({"money"} if MONEY.search(fact.answer) else set())
                    | ({"currency"} if CURRENCY_AMOUNT.search(fact.answer) else set())
                    | ({"reaction"} if any(REACTION.search(text) for text in _own_texts(fact)) else set())
                )
            ),
            counts=share(
                frozenset(
                    self.canon(w)
                    for w in {w for found in phrasing_words for w in counted(found)}
                    | set(counted_in(fact.answer, numbers))
                    | ({"time"} if MULTIPLE.search(fact.answer) else set())  # "how many times has it grown"
                    | {w for q in fact.quotes for w in counted_in(q.text)}
                )
            ),
            subjects=share(frozenset(asked_of | owners)),
            # Who speaks in the fact: whom its question names, the entities it lists, and anyone
            # its phrasings ask the words of; "what did LeCun say" needs LeCun among them.
            speakers=share(
                frozenset(
                    asked_of | set(listed_keys) | {key for found in phrasing_words for key in self._speakers(found)}
                )
            ),
            kinds_vouched=share(frozenset(k for found in phrasing_words if (k := wants_kind(found)))),
            people_asked_of=share(frozenset(people_of)),
            tells_why=any(asks_why(found) for found in phrasing_words),
            tells_what_it_shows=any(asks_what_it_shows(found) for found in phrasing_words),
            named_nouns=self._named_nouns(fact, phrasing_words),
            tells_who=any(_asks_who(found) for found in phrasing_words),
            denies=any(_DENYING.search(text) for text in (*_own_texts(fact), *fact.phrasings)),
            figures_given=share(_figures_given(fact.answer)),
            figures=share(
                frozenset(_digits(m) for text in (*_own_texts(fact), *fact.phrasings) for m in _NUMBER.finditer(text))
            ),
            what_phrasings=share(
                frozenset(
                    i
                    for i, found in enumerate(phrasing_words)
                    if _asks_what_it_is(_defining_words(phrasings[i], found))
                    and not self._owner_words(phrasings[i]) - STOPWORDS  # "What's Meta's GPU budget?"
                )
            ),
            tells_who_does=any(self._asks_who_does(found) for found in phrasing_words),
            who_phrasings=share(frozenset(i for i, found in enumerate(phrasing_words) if found[:1] == ["who"])),
            who_is_phrasings=share(frozenset(i for i, found in enumerate(phrasing_words) if _asks_who(found))),
            why_phrasings=share(frozenset(i for i, found in enumerate(phrasing_words) if asks_why(found))),
            named_together=share(self._named_together(fact, share)),
            sources=share(frozenset(quote.source for quote in fact.quotes)),
            speakers_by_source=self._speakers_by_source(fact),
            said_by=self._said_by(fact, share),
        )

    def _owners_only(self, fact: Fact, listed_keys: tuple[str, ...]) -> dict[str, frozenset[str]]:
        """The companies the fact's own text names only as whose a thing is (another name of
        the fact or a word for their goods, after their possessive, "Apple's proprietary
        iOS", or right after the name, "Apple devices"), each with the terms of those things.
        Not the base's whole subject (Meta), nor a company named in a list ("OpenAI and Google")."""
        companies = {
            key for key in listed_keys if self._kind_of_key.get(key) == "company" and key not in self._ubiquitous
        }
        if not companies:
            return {}
        things: dict[str, set[str]] = defaultdict(set)
        named_otherwise: set[str] = set()
        for text in _own_texts(fact):
            tokens = _POSSESSIVE_TOKEN.findall(normalize_typography(text))
            for i, token in enumerate(tokens):
                possessive = token.lower().endswith("'s")
                key = self._entity_aliases.get((self.canon(fold(token[:-2] if possessive else token)),))
                if key not in companies:
                    continue
                following = [self.canon(fold(t.removesuffix("'s"))) for t in tokens[i + 1 : i + 1 + (_OWNED_REACH if possessive else 1)]]
                owned = next(
                    (
                        t
                        for t in following
                        if t in self._owned_goods or (possessive and self._entity_aliases.get((t,), key) != key)
                    ),
                    None,
                )
                if owned is None:
                    named_otherwise.add(key)
                else:
                    things[key].add(owned)
        return {key: frozenset(found) for key, found in things.items() if key not in named_otherwise}

    def _asks_of_owned(self, query: _Query, indexed: _IndexedFact) -> bool:
        """Whether the question asks of a thing the fact's companies are named for: one of
        them ("iOS", "Android") or goods of any kind ("phones" of "Apple devices")."""
        asked = query.terms.keys() | query.entity_terms
        owned = frozenset().union(*indexed.owners_only.values())
        return not owned.isdisjoint(asked) or bool(owned & self._owned_goods and asked & self._owned_goods)

    def _said_by(self, fact: Fact, share: Callable[[_Shareable], _Shareable]) -> dict[str, frozenset[str]] | None:
        """Per person the fact's text names, when it names more than one, the terms of the
        clauses of its answer and of its quotes that name them, and of its question (see
        `_IndexedFact.said_by`)."""
        if sum(self.base.entity_kinds.get(entity) == "person" for entity in fact.entities) < 2:
            return None  # who speaks in it is listed: most facts are read no further
        found: dict[str, set[str]] = defaultdict(set)
        for text in _own_texts(fact):
            for part in _CLAUSE_END.split(text):
                terms = self._terms(part)
                for key in self._entities_in(terms):
                    if self._kind_of_key.get(key) == "person":
                        found[key].update(terms)
        if len(found) < 2:
            return None
        # What the fact is about is said by each of them: "what did Zuck say about regulation"
        # of "Who thinks what about AI regulation?".
        about = self._terms(fact.question)
        return {key: share(frozenset(terms).union(about)) for key, terms in found.items()}

    def _speakers_by_source(self, fact: Fact) -> dict[str, frozenset[str]] | None:
        """Per source of a fact quoting several, the people its quotes from that source name."""
        if len({quote.source for quote in fact.quotes}) < 2:
            return None
        found: dict[str, set[str]] = defaultdict(set)
        for quote in fact.quotes:
            named = self._entities_in(self._terms(quote.text))
            found[quote.source] |= {key for key in named if self._kind_of_key.get(key) == "person"}
        return {source: frozenset(people) for source, people in found.items()}

    def _entity_key(self, entity: str) -> str:
        return " ".join(self._terms(entity))

    def _add_entity_aliases(self, entity: str, terms: tuple[str, ...]) -> None:
        """Learn the runs of index terms (`terms`, the entity's own) that name `entity`."""
        if not terms:
            return
        key = " ".join(terms)
        self._entity_aliases.setdefault(terms, key)
        # A person's family name alone names them too ("LeCun", "Altman"); the second word of
        # a product's or company's name does not ("compute" is not Open Compute).
        family = family_name(entity)
        if family is not None and self.base.entity_kinds.get(entity) in (None, "person"):
            self._entity_aliases.setdefault((self.canon(family),), key)
        # An organisation is named without the word saying what kind it is ("Linux Foundation").
        found = self._words(entity)
        if len(found) >= 3 and found[-1] in _ORGANISATION_WORDS and self.base.entity_kinds.get(entity) in _ORGANISATIONS:
            self._entity_aliases.setdefault(tuple(self._terms_of(found[:-1])), key)

    def _entities_in(self, terms: list[str]) -> set[str]:
        """Entity keys whose aliases occur in `terms`, as a run of words in text order."""
        return set(_runs_found(terms, self._entity_alias_index))

    # -- query analysis --------------------------------------------------------------------

    def _correct(self, word: str) -> str | None:
        """The base's closest word to a misspelt one, or None when nothing is close enough.

        A word whose letters match a known word once doubled letters are folded ("lamma",
        "comercial") is taken first; then one edit for short words and two for long ones. A
        word nearer a function word than that ("acording" to "according", not "avoiding") is
        not corrected: it stays an unknown word, weighed as a likely slip.
        """
        if len(word) < 4 or not word.isalpha():
            return None
        # A question may repeat an unknown word, and each is looked at again as the word after
        # a first name: the search over the vocabulary is made once per word.
        try:
            return self._corrections[word]
        except KeyError:
            pass
        if len(self._corrections) >= CORRECTIONS_KEPT:
            self._corrections.clear()
        fixed = self._closest(word)
        if fixed is not None and _nearer_a_stopword(word, fixed):
            fixed = None
        self._corrections[word] = fixed
        return fixed

    def _closest(self, word: str) -> str | None:
        folded = self._by_skeleton.get(_skeleton(word))
        if folded is None and len(word) == 4 and word not in common_four_letter_words():
            # Two letters typed the wrong way round ("opne"; "meat" is a word): the one slip
            # short words are corrected for, as any other edit too often makes a real word.
            swapped = (word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, 3))
            folded = next((w for w in swapped if w in self._surface_df), None)
        if folded is not None or len(word) < 5:
            return folded
        fixed = self._closest_by_edits(word)
        if fixed is not None and word in self._common_words and not differs_only_in_ending(word, fixed):
            return None  # "who invented ..." is not "who invested ..."
        if fixed is not None and self._nearer_a_common_word(word, fixed):
            return None  # "intrested" is "interested", one letter left out, not "invested", two edits away
        return fixed

    def _nearer_a_common_word(self, word: str, fixed: str) -> bool:
        """Whether a common English word the base does not use, and that is not `fixed` with
        another ending, is fewer edits from the misspelt `word` than `fixed` is."""
        distance = OSA.distance(word, fixed)
        if distance < 2:
            return False
        for length in range(len(word) - distance + 1, len(word) + distance):
            if distance == 2 and len(word) >= 3:
                # One edit away: among the words sharing its first letter or its last, the nearest
                # and first in order, as over all of them.
                sharing = (self._common_by_end.get((length, word[end], end), ()) for end in (0, -1))
                found = [hit for bucket in sharing if (hit := process.extractOne(word, bucket, scorer=OSA.distance, score_cutoff=1))]
                hit = min(found, key=lambda h: (h[1], h[0])) if found else None
            else:
                bucket = self._common_by_length.get(length, ())
                hit = process.extractOne(word, bucket, scorer=OSA.distance, score_cutoff=distance - 1)
            if hit is not None and hit[0] not in self._surface and not differs_only_in_ending(hit[0], fixed):
                return True
        return False

    def _closest_by_edits(self, word: str, *, among: Callable[[int], list[str] | None] | None = None) -> str | None:
        """The base's word fewest edits away from `word` (one for short words, two for long
        ones), the more common of equals; None when none is that close. `among` gives the
        words of a length to look at (by default every word of the base of that length)."""
        words_of_length = among or self._by_length.get
        edits = 1 if len(word) < 8 else 2
        best: tuple[int, str] | None = None
        for length in range(len(word) - edits, len(word) + edits + 1):
            bucket = words_of_length(length)
            if not bucket:
                continue
            hit = process.extractOne(word, bucket, scorer=OSA.distance, score_cutoff=edits)
            if hit is not None and (
                best is None
                or hit[1] < best[0]
                or (hit[1] == best[0] and self._surface_df[hit[0]] > self._surface_df[best[1]])
            ):
                best = (hit[1], hit[0])
        return best[1] if best else None

    def _names_a(self, indexed: _IndexedFact, kind: str, named: frozenset[str]) -> bool:
        """Whether the fact can answer "which <kind>": it lists such a thing beyond what the
        question names and the base's own subject, or one of its phrasings asks it that way."""
        if kind in indexed.kinds_vouched:
            return True
        return any(
            (kind == "any" or self._kind_of_key.get(key) == kind) and key not in named and key not in self._ubiquitous
            for key in indexed.listed_keys
        )

    def _names_an_agent(self, indexed: _IndexedFact, query: _Query) -> bool:
        """Whether the fact can answer "who does ...": it names a person, company or institution
        the question does not, or one of its phrasings asks who.

        The company nearly every fact names (Meta) counts only where the question names
        something else the fact names too, and sets nobody apart: "who owns Scale AI?" is
        answered by Meta's stake in it, "who owns the other 51% of Scale AI?" is not.
        """
        named = query.named
        if query.done and any(query.done in words(text) for text in (indexed.fact.answer, *(q.text for q in indexed.fact.quotes))):
            return True  # its own text says who did it: "Meta, like other tech giants, kept ..."
        if query.groups_offered and any(
            query.groups_offered & {self.canon(w) for w in words(text)} for text in _own_texts(indexed.fact)
        ):
            return True  # "who else profits, competitors?": the group offered, where the fact speaks of it
        about = not query.sets_apart and any(key in named and key not in self._ubiquitous for key in indexed.listed_keys)
        return indexed.tells_who_does or any(
            self._kind_of_key.get(key) in _AGENT_KINDS
            and (key not in named or key in query.offered)  # "was it LeCun or Zuckerberg who ...": one of those
            and (about or key not in self._ubiquitous)
            for key in indexed.listed_keys
        )

    def _names_one_in_role(self, query: _Query, indexed: _IndexedFact) -> bool:
        """Whether a fact answers "who was the <role> ...": it speaks of that role and names a
        person the question does not write, whatever stands beside the role's word ("its Chief
        AI Officer Alexandr Wang" to "who is the Chief AI Officer at Meta?"). A fact that names
        nobody ("critics from OpenUK") or does not speak of every word of the role ("the farmer",
        "the Chief Technology Officer") still lacks it."""
        return (
            query.instances_of_person
            and bool(query.role_terms)
            and all(self._in_own_text(term, indexed) for term in query.role_terms)
            and self._names_a(indexed, "person", query.named)
        )

    @staticmethod
    def _tells_earlier(fact: Fact) -> bool:
        """Whether the fact's own text speaks of an earlier time ("Historically, Meta ...")."""
        return any(not EARLIER.isdisjoint(words(text)) for text in _own_texts(fact))

    @staticmethod
    def _tells_future(fact: Fact) -> bool:
        """Whether the fact's own text speaks of what is to come ("Llama 4 is expected to ...",
        "could redefine"): "will Meta buy the rest of Scale AI?" is not answered by a stake held."""
        return any(FUTURE.search(text) for text in _own_texts(fact))

    @staticmethod
    def _tells_place(fact: Fact, phrasings: list[str]) -> bool:
        """Whether the fact's own text or a phrasing says where something was said or done ("at
        the recent AI Action Summit", "on the podcast"): "where did Altman speak?" is not
        answered by who he is."""
        return any(PLACE.search(text) for text in (*_own_texts(fact), *phrasings))

    def _head_of(self, run: list[str], *, plural_only: bool = False) -> str | None:
        """The index term of what words after "which" ask the instances of: the first that
        reads as a plural ("which Llama 4 *variants*", "which crop yield *reducers*"), else the
        first ("which *summit*"), past the names ("which *Google* models")."""
        common = [w for w in run if self.canon(w) not in self._name_words and w not in _NAME_FORMS]
        if not common:
            return None
        plural = next((w for w in common if plural_looking(w)), None)
        if plural is not None and (kind := next((w for w in common if self.canon(w) in self._category_terms), None)):
            if common.index(kind) < common.index(plural):
                plural = kind  # "which *industry* uses Llama": a verb after the noun is no plural
        if plural is None and plural_only:
            return None
        # A word that only says which one comes before the noun: "which *recent* event".
        noun = next((w for w in common if w not in _WHICH_ONE_WORDS), common[0])
        return self.canon(plural or noun)

    def _named_nouns(self, fact: Fact, phrasing_words: list[list[str]]) -> dict[str, frozenset[str]]:
        """What the fact gives instances of (see `_IndexedFact.named_nouns`)."""
        found: dict[str, set[str]] = {}
        vouched: set[str] = set()  # introduced by a marker: whatever the question names
        for text in _own_texts(fact):
            for noun, names in nouns_named(text):
                term = self.canon(noun)
                if names:
                    found.setdefault(term, set()).update(self.canon(n) for n in names)
                else:
                    vouched.add(term)
        for term in vouched:
            found[term] = set()
        for phrasing in phrasing_words:
            # "What risks did Altman warn about?" vouches for risks; "What's Meta's GPU budget?" for no GPUs.
            head = self._head_of(instances_asked(phrasing, loose=True)[0], plural_only=True)
            if head is not None:
                found[head] = set()
        return {term: frozenset(names) for term, names in found.items()}

    def _thing_named(self, run: list[str]) -> str | None:
        """The index term of the thing a run of words names, past the names before it and up to
        the next: "*license*" of "license Llama ships", "*variants*" of "Llama 4 variants"."""
        common = list(
            itertools.takewhile(
                lambda w: self.canon(w) not in self._name_words,
                itertools.dropwhile(lambda w: self.canon(w) in self._name_words or w in _NAME_FORMS, run),
            )
        )
        return self.canon(common[-1]) if common else None

    @staticmethod
    def _lists_releases_of(query: _Query, indexed: _IndexedFact) -> bool | None:
        """Whether the fact names releases of what the question names, when it asks for releases
        ("which Llama versions": a fact naming Llama 2; "the names of the Llama 4 variants":
        only one naming a Llama 4 something, not Llama 2); None when it names no release."""
        releases = [n for n in query.named if any(o != n and n.startswith(o + " ") for o in query.named)]
        others = indexed.entity_keys - query.named
        if releases:
            # "Llama 4" is named beside "Llama": its variants are asked, not other Llamas
            return any(key.startswith(n + " ") for n in releases for key in others)
        return True if any(key.startswith(n + " ") for n in query.named for key in others) else None

    def _names_instances(self, query: _Query, indexed: _IndexedFact) -> bool:
        """Whether the fact gives instances of what the question asks them of: a marker or
        one of its phrasings does, or a name beside it that the question does not write and
        that is not the base's whole subject ("Meta", "AI")."""
        names = indexed.named_nouns.get(query.instances_of or "")
        if query.instances_of in self._release_terms:
            lists = self._lists_releases_of(query, indexed)
            if lists is not None:
                return lists
        if names is None:
            # "In which field ...": a field is named by a word ("healthcare"), not beside the
            # word "field"; only a fact that speaks of fields without naming one lacks it.
            return query.instances_of in self._category_terms and not self._in_own_text(query.instances_of, indexed)
        return not names or any(n not in query.terms and n not in self._subject for n in names)

    @staticmethod
    def _telling_that_asks(raw: list[str]) -> list[int]:
        """Where a verb of telling asks something rather than frames: before a "to" or "with"
        left without its person ("who did Altman talk to?"; not "talk to me about Llama 4"),
        or a noun ("LeCun gave a talk")."""
        found = []
        for i, w in enumerate(raw):
            if w not in _TELLING:
                continue
            after = raw[i + 2 : i + 3]
            if raw[i + 1 : i + 2] and raw[i + 1] in _TO_WHOM and (not after or after[0] in _WHOM_ENDS):
                found.append(i)
            elif w in ("talk", "talks") and i > 0 and raw[i - 1] in _BEFORE_A_NOUN:
                found.append(i)
        return found

    def _asks_who_is(self, raw: list[str], *, contracted: bool = False, apposed: bool = False) -> bool:
        """Whether the words ask who a person is: "who is Sam Altman", "who's LeCun again"
        (`contracted`: the "'s" is gone from `raw`), "whos Dr LeCun", "who exactly was Alex
        Wang", "who is LeCun at Meta", "remind me who Altman is"; not "who hired Wang", "who is
        LeCun's boss", "who is Zuckerberg in favour of" or "who LeCun is arguing against"."""
        for i, w in enumerate(raw):
            if w in ("what", "whats") and self._asks_what_one_does(raw[i + 1 : i + 9]):
                return True
            if w not in ("who", "whos"):
                continue
            rest = [x for x in raw[i + 1 : i + 9] if x not in _WHO_HEDGES]
            being = contracted or w == "whos" or bool(rest and rest[0] in _BEING)
            if rest and rest[0] in _BEING:
                rest = rest[1:]
            # The name: its words, after one word that may be a title or a misspelt first
            # name ("Dr LeCun", "Alex Wang") when the question says "who is".
            lead = 1 if being and len(rest) > 1 and self.canon(rest[0]) not in self._name_words else 0
            named = list(itertools.takewhile(lambda x: self.canon(x) in self._name_words, rest[lead:]))
            found = self._entities_in([self.canon(x) for x in named])
            if not named or not any(self._kind_of_key.get(key) == "person" for key in found):
                continue
            after = rest[lead + len(named) : lead + len(named) + 2]
            if after and after[0] in _NAMED_PERSON_NOUNS:
                after = rest[lead + len(named) + 1 : lead + len(named) + 3]
            if not after or after[0] in _AFTER_A_NAME:
                return True
            if apposed and after[0] in _POINTING_AT_ONE:
                return True  # "who's Altman, the guy quoted on oversight?": what follows says which one
            if not being and after[0] in _BEING and (len(after) == 1 or after[1] in STOPWORDS):
                return True  # "who Altman is", "who Altman is and why ..."; not "who LeCun is arguing"
        return False

    def _who_this_at(self, raw: list[str], *, contracted: bool, asked_apart: bool = False) -> int | None:
        """Where "who" stands when a person named first is then asked about ("Mark
        Zuckerberg, who is this person?", "yann lecun who is he"): the name and nothing else
        before it, and after it only "is" and a word pointing back at them; else None.
        `asked_apart`: "who" opens a sentence of its own, after a question about one person
        ("why is Sam Altman in an article about Meta? who is he again?")."""
        if "who" not in raw and "whos" not in raw:
            return None
        at = max(i for i, x in enumerate(raw) if x in ("who", "whos"))  # the last: "the guy who ..., who is he?"
        rest = [x for x in raw[at + 1 :] if x not in _WHO_HEDGES]
        if not (contracted or raw[at] == "whos"):
            if not rest or rest[0] not in _BEING:
                return None
            rest = rest[1:]
        if not rest or rest[0] not in _POINTING_BACK or any(x not in _PERSON_NOUNS for x in rest[1:]):
            return None
        named = [x for x in raw[:at] if x not in _BEFORE_A_NAME]
        if not named:
            return None
        if not all(self.canon(x) in self._name_words for x in named):
            if not asked_apart:
                return None  # "LeCun's regulation view, who is this person?"
            # a person's name, not one naming a text ("the OpenAI guy in the *LeCun article*")
            named = [
                x
                for i, x in enumerate(raw[:at])
                if self.canon(x) in self._person_words and raw[i + 1 : i + 2] not in ([n] for n in REFERENCE_NOUNS)
            ]
        persons = {key for key in self._entities_in([self.canon(x) for x in named]) if self._kind_of_key.get(key) == "person"}
        return at if len(persons) == 1 else None

    def _post_of_a_person(self, raw: list[str], question: str) -> int | None:
        """Where the words ask a person's post, which is who they are: the index of "title" in
        "Zuckerberg's title?", of "job" in "what's Yann LeCun's job at Meta"; None for "LeCun's
        role in the global model" and questions asking no post."""
        if _POST_WORDS.isdisjoint(raw) and _FORMAL_POSTS.isdisjoint(raw):
            return None
        for i, w in enumerate(raw[:-3]):
            # "the position held by Mr. LeCun", "the office held by Zuckerberg"
            if w in _POST_WORDS | _FORMAL_POSTS and raw[i + 1] in ("held", "occupied") and raw[i + 2] == "by":
                found = self._entities_in([self._name_word(x) or x for x in raw[i + 3 : i + 6]])
                if any(self._kind_of_key.get(key) == "person" for key in found):
                    return i
        # "Zuckerberg's title", and "sam altmans title" with no apostrophe typed
        owned_words = owned(question)
        posts = _POST_WORDS & (
            owned_words
            | {w for prev, w in zip(raw, raw[1:]) if self._name_word(prev)}
            # "Zuckerberg's actual title": the qualifier is what is owned
            | {w for prev, w in zip(raw, raw[1:]) if prev in _POST_QUALIFIERS and prev in owned_words}
        )
        for i, w in enumerate(raw):
            if w not in posts:
                continue
            end = i
            while end > 0 and raw[end - 1] in _POST_QUALIFIERS:
                end -= 1  # "Zuckerberg's *actual* title", "LeCun's *official* role"
            start = end
            while start > 0 and self._name_word(raw[start - 1]) is not None:
                start -= 1
            found = self._entities_in([self._name_word(x) or x for x in raw[start:end]])
            if any(self._kind_of_key.get(key) == "person" for key in found) and (
                i + 1 == len(raw) or raw[i + 1] in _AFTER_A_NAME
            ):
                return i
        for i, w in enumerate(raw[1:], start=1):
            if w in _POST_WORDS and raw[i - 1] in ("what", "which") and self._holds_post(raw[i + 1 :]):
                return i  # "what position has Zuckerberg at Meta", "which title does Wang hold"
        return None

    def _name_word(self, word: str) -> str | None:
        """The term of a word of a name the base knows, the word typed in a hurry too
        ("zuckerburg"); None for any other word."""
        term = self.canon(word)
        if term in self._name_words:
            return term
        fixed = self._correct(word) if word not in self._surface and word not in STOPWORDS else None
        return self.canon(fixed) if fixed is not None and self.canon(fixed) in self._name_words else None

    def _holds_post(self, rest: list[str]) -> bool:
        """Whether the words after "what position" say a person holds it, and nothing more:
        "has Zuckerberg (at Meta)", "does LeCun hold"; not "does Zuckerberg take on regulation"."""
        if not rest or rest[0] not in _HOLDING_A_POST:
            return False
        end = 1
        while end < len(rest) and self.canon(rest[end]) in self._name_words:
            end += 1
        found = self._entities_in([self.canon(x) for x in rest[1:end]])
        if not any(self._kind_of_key.get(key) == "person" for key in found):
            return False
        tail = rest[end:]
        if tail[:1] and tail[0] in _HOLDING_A_POST:
            tail = tail[1:]
        if tail[:1] and tail[0] in ("at", "in"):
            tail = [x for x in tail[1:] if self.canon(x) not in self._name_words]
        return not tail

    def _post_asked_at(self, raw: list[str], start: int) -> int | None:
        """Where a post begins in words asking from `start` whether a person holds it, which
        asks who they are: "is Zuckerberg *the CEO or the chief AI scientist*?", "was LeCun
        *Meta's CTO*?"; None for "is Zuckerberg the CEO who wrote the essay?" or "is LeCun for
        regulation?"."""
        stated = raw[start : start + 1] not in (["is"], ["was"], ["isnt"], ["wasnt"])
        rest = raw[start + (not stated) :]
        named = list(itertools.takewhile(lambda x: self.canon(x) in self._name_words, rest))
        if not any(self._kind_of_key.get(key) == "person" for key in self._entities_in([self.canon(x) for x in named])):
            return None
        post = rest[len(named) :]
        if stated:
            # The claim stated and then checked: "Altman is the CEO of Anthropic, right?"
            if post[:1] not in (["is"], ["was"]):
                return None
            post = post[1:]
        while post and post[-1] in _CHECKING_TAGS:
            post = post[:-1]
        # The company the post is claimed at, whether the base knows it or not: "of Anthropic".
        at = next((i for i, w in enumerate(post) if w in ("of", "at")), None)
        if at is not None and (company := self._company_run(post[at + 1 :])):
            if any(w not in STOPWORDS and w not in _CHECKING_TAGS for w in post[at + 1 + company :]):
                return None
            if not _FOUNDING.isdisjoint(post[:at]):
                return None  # who founded a company is no post the person now holds elsewhere
            post = post[: at + 1]
        if _POST_NAMES.isdisjoint(post) or not all(
            w in _POST_NAMES or w in _AROUND_A_POST or self._kind_of_key.get(self.canon(w)) == "company" for w in post
        ):
            return None
        return start + 1 + len(named)

    def _asks_employer(self, raw: list[str]) -> bool:
        """Whether the words ask whom a person works for, which is who they are: "who does
        LeCun work for?", "where does Alexandr Wang work now?", "which company is Altman at?",
        "what firm does LeCun work for?"; not "who does LeCun work with on the global model?"."""
        if len(raw) < 4:
            return False
        if self._claims_employer(raw):
            return True
        if raw[0] in ("who", "where") and raw[1] in DOING:
            rest, verbs = raw[2:], _WORKING
        elif raw[0] in ("which", "what") and raw[1] in _EMPLOYERS and raw[2] in DOING | {"is", "was"}:
            rest, verbs = raw[3:], _WORKING | _AT_A_COMPANY | _RUNNING
        else:
            return False
        named = list(itertools.takewhile(lambda x: self.canon(x) in self._name_words, rest))
        if not any(self._kind_of_key.get(key) == "person" for key in self._entities_in([self.canon(x) for x in named])):
            return False
        tail = [w for w in rest[len(named) :] if w not in _NOW_WORDS]
        if raw[0] in ("which", "what") and tail[:1] and tail[0] in _AT_A_COMPANY:
            return len(tail) == 1  # "which company is Altman at?"
        return bool(tail) and tail[0] in verbs and all(w in _AT_A_COMPANY for w in tail[1:]) and len(tail) <= 2

    def _in_another_language(self, raw: list[str]) -> bool:
        """Whether the words are of another language, English only borrowed: two of its
        function words, or one and two words of no English (a slip of a word the base knows is
        English), and more of its words than English ones (names are of no language)."""
        foreign = [w for w in raw if w in FOREIGN_FUNCTION_WORDS]
        if not foreign:
            return False
        english = other = 0
        for w in raw:
            if w in FOREIGN_FUNCTION_WORDS or self._is_name_word(w):
                continue
            if w in STOPWORDS or w in self._surface or w in self._common_words or self._correct(w) is not None:
                english += 1
            else:
                other += 1
        if len(set(foreign)) < 2 and other < MIN_FOREIGN_WORDS:
            return False
        return len(foreign) + other > english

    def _claims_employer(self, raw: list[str]) -> bool:
        """Whether the words check whom a person works for: "LeCun works for OpenAI, doesn't
        he?", "does Wang work at Google?", "Altman runs Google, yeah?"; a company named and
        nothing else said."""
        start = 1 if raw[0] in DOING else 0
        # "our deck says Altman runs Google": what somebody says is the claim checked
        said = next((i for i, w in enumerate(raw[:_REPORTED_REACH]) if w in _REPORTING_A_CLAIM), None)
        if said is not None:
            start = said + 1 + (raw[said + 1 : said + 2] == ["that"])
        named = list(itertools.takewhile(lambda x: self.canon(x) in self._name_words, raw[start:]))
        if not any(self._kind_of_key.get(key) == "person" for key in self._entities_in([self.canon(x) for x in named])):
            return False
        rest = raw[start + len(named) :]
        if len(rest) >= 3 and rest[0] in _WORKING and rest[1] in ("for", "at"):
            at = 2  # "LeCun works for OpenAI"
        elif len(rest) >= 2 and rest[0] in _RUNNING:
            at = 1  # "Altman runs Google"
        else:
            return False
        company = self._company_run(rest[at:])
        return bool(company) and all(w in STOPWORDS or w in _NOW_WORDS or w in _CHECKING_TAGS for w in rest[at + company :])

    def _company_run(self, run: list[str]) -> int:
        """How many of the first words of `run` name a company, one the base knows ("Google")
        or a name it never mentions ("Anthropic", "Google DeepMind"): 0 when they name none."""
        known = list(itertools.takewhile(lambda x: self.canon(x) in self._name_words, run))
        length = (
            len(known)
            if any(self._kind_of_key.get(key) == "company" for key in self._entities_in([self.canon(x) for x in known]))
            else 0
        )
        for start, end, _ in _runs_at(run, self._outside_alias_index):
            if start in (0, length):
                length = max(length, end)
        return length

    def _asks_of_the_person(self, raw: list[str]) -> bool:
        """Whether the words ask about a person and nothing else, which asks who they are:
        "what is LeCun known for?", "background on Yann LeCun", "quick intro to Wang", "what's
        Zuckerberg's deal?"; not "LeCun's background in AI research" nor "tell me about
        LeCun's global model"."""
        rest = [w for w in raw if self.canon(w) not in self._person_words]
        if len(rest) == len(raw):
            return False
        return bool(rest) and all(w in _ABOUT_A_PERSON or w in STOPWORDS for w in rest) and not _ABOUT_A_PERSON.isdisjoint(rest)

    def _business_asked(self, raw: list[str]) -> str | None:
        """The company or product (its entity key) a question asks what it does, and nothing
        else: "what does Scale AI actually do?", "what does the Open Compute Project do", "gist
        of what Scale AI actually does"; not "what does Meta do with Llama" or a person's job
        (see `_asks_what_one_does`)."""
        for i, w in enumerate(raw):
            if w not in ("what", "whats"):
                continue
            # "what does Scale AI do", or reported: "what Scale AI does"
            reported = raw[i + 1 : i + 2] not in (["does"], ["do"])
            asked = [x for x in raw[i + (1 if reported else 2) : i + 10] if x not in _WHO_HEDGES and x != "even"]
            if asked[:1] == ["the"]:
                asked = asked[1:]
            named = list(itertools.takewhile(lambda x: self.canon(x) in self._name_words, asked))
            keys = self._entities_in([self.canon(x) for x in named])
            after = asked[len(named) :]
            if after[:1] and after[0] in _BUSINESS_NOUNS:
                after = after[1:]  # "the Open Compute *project*", "Scale AI, the *startup*"
            if (
                len(keys) == 1
                and all(self._kind_of_key.get(key) in ("company", "product") for key in keys)
                and after[:1] in ((["does"], ["do"]) if reported else (["do"],))
                and (len(after) == 1 or after[1] in _AFTER_DOING | {"and"})
            ):
                return next(iter(keys))
        return None

    def _tells_business(self, key: str) -> bool:
        """Whether a phrasing of some fact asks only what `key` (a company or product) is, which
        tells what it does: "What is Llama?"."""
        told = self._business_told.get(key)
        if told is None:  # one scan of the base per name, the names being the base's own
            terms = key.split()
            told = self._business_told[key] = any(
                all(i in indexed.phrasings_with.get(term, ()) for term in terms)
                for indexed in self._facts
                for i in indexed.what_phrasings
            )
        return told

    def _asks_what_one_does(self, rest: list[str]) -> bool:
        """Whether the words after "what" ask a person's job: "what does Zuckerberg do (at
        Meta)", "what Wang does at Meta"; not "what does LeCun do about regulation"."""
        asked = rest[1:] if rest[:1] in (["does"], ["did"]) else rest
        known = [self.canon(self._known_form(x)) for x in asked]  # "what zuckerbrg does"
        named = list(itertools.takewhile(lambda x: x in self._name_words, known))
        if not named or not any(self._kind_of_key.get(key) == "person" for key in self._entities_in(named)):
            return False
        after = asked[len(named) :]
        verb = ("do",) if len(asked) < len(rest) else ("does", "do")  # "what does X do", "what X does"
        return bool(after) and after[0] in verb and (len(after) == 1 or after[1] in _AFTER_DOING)

    @staticmethod
    def _done(raw: list[str]) -> str:
        """The verb of what a question asks who does, where it can be nothing but a verb: after
        a helping verb ("who could *misuse* it") or not ending in "s" ("who *kept* it secret");
        empty otherwise ("who *leads*", "who *benefits*": the fact's "benefits" may be a noun)."""
        after = asks_who_does(raw) or []
        verb = after[1] if len(after) == 2 and after[0] in AUXILIARIES else after[0] if after else ""
        return "" if verb.endswith("s") or verb in AUXILIARIES else verb

    def _asks_who_does(self, raw: list[str], *, read_slips: bool = False) -> bool:
        """Whether a question asks who does or did something (see `asks_who_does`), of no name.
        `read_slips`: a verb typed in a hurry is read as the word it stands for, so "who
        *reportd* ..." asks whose words, as "who reported ..." does (the phrasings of the base,
        indexed before the typo corrector exists, are spelt right)."""
        after = asks_who_does(raw)
        if after is None:
            return False
        if read_slips and self._known_form(after[-1 if after[0] in AUXILIARIES else 0]) in ATTRIBUTING:
            return False
        # A word of a name, itself ("who Zuckerberg wants") or as one whole ("who zuck ..."), not a
        # word of the same group as one ("interviewed" is read as "podcast", a word of "All-In Podcast").
        return not any(stem(w) in self._name_words or (self.canon(w),) in self._entity_aliases for w in after)

    def _speakers(self, raw: list[str]) -> set[str]:
        """The people whose words the question asks for ("what did LeCun say", "does Altman think")."""
        found = set()
        for i, w in enumerate(raw):
            if w in SAYING or w in _ASKING_A_VIEW:
                found |= self._speakers_before(raw, i)
        return found

    def _speakers_before(self, raw: list[str], i: int) -> set[str]:
        """The people named in the few words before the word of saying at `i` ("what did *LeCun* say")."""
        window = [self.canon(x) for x in raw[max(0, i - 3) : i] if x not in STOPWORDS]
        return {key for key in self._entities_in(window) if self._kind_of_key.get(key) == "person"}

    def _named_together(self, fact: Fact, share: Callable[[_Shareable], _Shareable]) -> tuple[frozenset[str], ...]:
        """The people and companies named in each sentence or clause of the fact's answer and
        quotes that names a person and somebody else: all a question asking what one said of
        another can use. A fact whose text names no person is not read clause by clause."""
        texts = _own_texts(fact)
        if not any(self.canon(w) in self._family_names for text in texts for w in self._words(text)):
            return ()
        found = []
        for text in texts:
            for part in _CLAUSE_END.split(text):
                named = frozenset(
                    key for key in self._entities_in(self._terms(part)) if self._kind_of_key.get(key) in _SPOKEN_OF_KINDS
                )
                if len(named) >= 2 and any(self._kind_of_key.get(key) == "person" for key in named):
                    found.append(share(named))
        return tuple(found)

    def _spoken_of(self, raw: list[str]) -> set[str]:
        """The people and companies named after what a speaker says or thinks ("what did
        Zuckerberg say about *Altman*"), not beside the speaker ("what do LeCun, Altman and
        Zuck think")."""
        # The first word of saying with a speaker before it: reading every word up to each one
        # again made a run of them ("say say say ...") take a tenth of a second.
        for i, w in enumerate(raw):
            if w in SAYING and self._speakers_before(raw, i):
                after = [self.canon(x) for x in raw[i + 1 :] if x not in STOPWORDS]
                return {key for key in self._entities_in(after) if self._kind_of_key.get(key) in _SPOKEN_OF_KINDS}
        return set()

    def _owners(self, text: str, terms: list[str], raw: list[str]) -> set[str]:
        """Which of the entities named in `text` (whose index terms are `terms`, whose words are
        `raw`) it writes as owners ("Google's strategy")."""
        owners = {self.canon(w) for w in self._owner_words(text)}
        # Typed without the apostrophe: "zuckerbergs net worth", "metas plans".
        for i in range(len(raw) - 1):
            w = raw[i]
            if w[-1:] == "s" and w not in self._surface and raw[i + 1] not in STOPWORDS:
                if (owner := self.canon(w[:-1]),) in self._entity_aliases:
                    owners.add(owner)
        if not owners:
            return set()
        return {key for key in self._entities_in(terms) if key.split()[-1] in owners}

    def _somebody_of(self, raw: list[str]) -> list[str]:
        """The words for somebody a named person has, when a question asks who they are: "who is
        Wang's *boss*?", "who's LeCun's *line manager*", one or two words after the name and
        nothing more (the caller checks the name is a person's, written as an owner); empty
        for "who is Wang?" and "who is Zuckerberg's essay aimed at?"."""
        if raw[:1] != ["who"]:
            return []
        rest = raw[2:] if raw[1:2] and raw[1] in _COPULAS else raw[1:]
        named = 0
        while named < len(rest) and (rest[named] in self._name_words or self.canon(rest[named]) in self._name_words):
            named += 1
        if named == 0 and rest[:1] and rest[0].endswith("s"):
            named = 1 if self.canon(rest[0][:-1]) in self._name_words else 0
        elif named < len(rest) and rest[named].endswith("s") and self.canon(rest[named][:-1]) in self._name_words:
            named += 1  # typed without the apostrophe: "yann lecuns boss"
        tail = rest[named:]
        for at in range(1, len(tail) - 1):
            # "who is LeCun's boss at Meta": where, by a name, asks no more
            if tail[at] in {"at", "in"} and all(self.canon(w) in self._name_words for w in tail[at + 1 :]):
                tail = tail[:at]
                break
        return tail if named > 0 and 1 <= len(tail) <= 2 and tail[0] not in STOPWORDS else []

    def _slip_of_a_frame_word(self, word: str) -> bool:
        """Whether a word no correction reads is a framing word of MIN_FRAME_SLIP letters or
        more that the base does not use, typed with one letter left out, added, changed or two
        swapped ("sumarize", "summarsie", "artcle"): its first letter kept, and not a word of
        its own ("mentor" is no slip of "mention")."""
        if len(word) < MIN_FRAME_SLIP - 1 or word in self._common_words:
            return False
        if word not in self._frame_slips:
            if len(self._frame_slips) >= CORRECTIONS_KEPT:
                self._frame_slips.clear()
            hit = process.extractOne(word, _LONG_FRAME_WORDS, scorer=OSA.distance, score_cutoff=1)
            meant = hit[0] if hit is not None and hit[0][0] == word[0] else None
            self._frame_slips[word] = meant is not None and self.canon(meant) not in self._idf
        return self._frame_slips[word]

    def _heard_family_names(self, raw: list[str]) -> list[str]:
        """`raw` with a family name as speech-to-text heard it put right after the person's
        first name ("yan *lacoon*" is Yann LeCun): a word the base does not know that sounds
        like the family name (Soundex) after the first name or a slip of it. Never on its
        own: "who is Lucian?" asks of somebody else."""
        if len(raw) < 2:
            return raw
        read = list(raw)
        for i in range(1, len(read)):
            word = read[i]
            if len(word) < 4 or not word.isalpha() or word in self._surface or word in self._common_words:
                continue
            sound = _sound_of(word)
            for first, family, family_sound in self._first_and_family:
                if sound == family_sound and OSA.distance(stem(read[i - 1]), first) <= FIRST_NAME_EDITS:
                    read[i] = family
                    break
        return read

    def _misspelt_first_name(self, word: str, following: str) -> str | None:
        """The first name of the person whose family name comes next, when `word` is a typo
        of it ("Maro Zuckerberg", "Yenn LeCun"); short first names defeat plain typo correction."""
        key = self._entity_aliases.get((self.canon(self._known_form(following)),)) if following else None
        if key is None or " " not in key or not word.isalpha():
            return None
        first = key.split()[0]
        return first if OSA.distance(stem(word), first) <= FIRST_NAME_EDITS else None

    def _known_form(self, word: str) -> str:
        """The word as the base spells it, when it is a typo the base can correct."""
        if word in self._surface:
            return word
        return self._correct(word) or word

    def _split(self, word: str) -> list[str] | None:
        """A run-together word that is two words of the base ("opensource", "scaleai"), either
        spelt the British way ("datacentres")."""
        for cut in range(2, len(word) - 1):
            left, right = word[:cut], word[cut:]
            if (left in self._surface or american(left) in self._surface) and (
                right in self._surface or american(right) in self._surface
            ):
                return [left, right]
        return None

    def _without_label(self, question: str) -> str:
        """`question` without a label before a colon that names who asks or what for ("risk
        committee: ...", "IR: ..."): one to three words the base does not know; a known word
        says what is asked ("Llama 4: when?")."""
        label = _LABEL.match(question)
        if label is None:
            return question
        found = words(label.group(1))
        if not 0 < len(found) <= 3 or any(
            self.canon(w) in self._postings or w in self._surface or self._correct(w) for w in found
        ):
            return question
        return question[label.end() :]

    def _analyze(self, question: str) -> _Query:
        # "finance: who is Sam Altman, for the memo?", "HR here - ...": who asks and what for say nothing asked.
        question = self._without_label(without_asker(without_purpose(without_format(without_told_simply(question)))))
        if ":" in question:
            # "[01:12:09] context?": a time in the podcast is the one word quotes made there share.
            question = _TIMESTAMP_IN_TEXT.sub(lambda m: f" {_stamp_term(m.group(0))} ", question)
        if (naming := _NAMING.match(question)) and self._post_reader.with_holders(post := question[naming.end() :]) != post:
            question = "who is " + post  # "Name Meta's chief AI scientist" asks who holds the post
        if self._initialisms and _INITIALISM.search(question):
            # "YLC's global model", "L3.1 context window": the name the capitals stand for.
            question = _INITIALISM.sub(lambda m: self._initialisms.get(m.group(0), m.group(0)), question)
        if has_link(question):
            question = without_links(question, self._names_a_site)
        if "@" in question:
            question = _HANDLE.sub(self._handle_named, question)
        raw = self._question_words(question)
        if (ruled_out := self._ruled_out(raw)) and (kept := _without_runs(question, ruled_out)) != question:
            # "what did LeCun, *not Altman*, say?": a name ruled out is no part of the question.
            question = kept
            raw = self._question_words(question)
        capital = capitalised(question)
        names = capital | owned(question)
        # Nothing but punctuation or emoji ("?", ":wave:") asks what the bot can do, like "help".
        help_only = all(w in HELP_WORDS or w in STOPWORDS for w in raw)
        outside = self._outside_in(raw)
        terms: dict[str, float] = {}
        ordered: list[str] = []
        unknown: list[str] = []
        guessed: set[str] = set()  # reached only by correcting a word ("leaving" read as "lead")
        spelt: set[str] = set()
        # A leading greeting ("good morning!") is manners, not part of what is asked.
        index = greeting = greeting_length(raw)
        # A message ending in a letter, not a mark, may have been sent before its last word was done.
        cut_off = question.rstrip()[-1:].isalpha()
        # "Zuckerberg's title?" asks who he is, as "who is Zuckerberg?" does, not of a title;
        # so does "Zuckerberg, who is this person?", not of a person.
        post_at = self._post_of_a_person(raw, question)
        apart = _WHO_APART.search(question)
        pointed_back_from = self._who_this_at(raw, contracted=bool(_WHO_S.search(question)), asked_apart=bool(apart))
        # "is LeCun Meta's CTO?" asks who LeCun is: the post named says nothing more.
        post_asked_at = self._post_asked_at(raw, greeting)
        if outside and raw[greeting:] and (post_asked_at is not None or self._claims_employer(raw[greeting:])):
            # "Altman is the CEO of Anthropic, right?": the company is the claim checked, not
            # what is asked about; who Altman is settles it.
            outside = []
        # "who does LeCun work for?", "what is LeCun known for?" ask who LeCun is: only the name
        # says of whom.
        only_the_person = (
            self._asks_employer(raw[greeting:])
            or self._asks_of_the_person(raw[greeting:])
            # "who's Altman, the guy quoted on oversight?": the rest only says which Altman
            or (bool(_WHO_APPOSED.search(question)) and self._asks_who_is(raw[greeting:], apposed=True))
            # "the one exec quoted on oversight - who is Altman exactly?": what goes before says which
            or (
                apart is not None
                and self._asks_who_is(words(apart.group(0)), contracted=bool(_WHO_S.search(apart.group(0))))
            )
            # "you brought up Altman and the All-In podcast - who is he exactly?": the one person
            # named before is asked about, the rest only says which
            or (apart is not None and pointed_back_from is not None)
        )
        if post_asked_at is not None:
            pointed_back_from = post_asked_at if pointed_back_from is None else min(pointed_back_from, post_asked_at)
        while index < len(raw):
            w = raw[index]
            index += 1
            if (
                w in STOPWORDS
                or (w in _SIZE_ASKED and index > 1 and raw[index - 2] == "how")  # "how *large* is the stake" asks an amount
                # "did Meta *end up* taking" says only that it did; "what would we end up *with*" asks a result.
                or (w in _ENDING_UP and raw[index : index + 1] == ["up"] and raw[index + 1 : index + 2] not in ([], ["with"], ["as"]))
                or index - 1 == post_at
                or (post_at is not None and w in _HOLDING_A_POST)  # "which title does Wang *hold*"
                or (post_at is not None and index - 1 < post_at and w in _POST_QUALIFIERS)  # his *actual* title
                or (pointed_back_from is not None and index > pointed_back_from)
                or (only_the_person and self.canon(w) not in self._person_words)
                # "this LeCun *guy*": a word for a person after their name says nothing more.
                or (w in _NAMED_PERSON_NOUNS and index > 1 and self.canon(raw[index - 2]) in self._person_words)
            ):
                continue
            pair = w + raw[index] if index < len(raw) else None
            if (
                pair
                and pair in self._surface
                and (self.canon(pair),) in self._entity_aliases
                and written_as_name(question, w, raw[index])
            ):
                w, index = pair, index + 1  # "Open AI" -> "openai"; "open AI models" stays two words
            found: list[tuple[str, float]] = []
            if w in self._surface or self.canon(w) in self._idf:
                found = [(self.canon(w), 1.0)]
            elif (lemma := _with_e(w)) is not None and self.canon(lemma) in self._idf:
                found = [(self.canon(lemma), 1.0)]  # "taking" is "take", not a typo of "making"
            elif self.canon(w) in self._frame_terms:
                # Words that say where ("the Gizmodo coverage") or frame what is asked ("sum up")
                # and that the base does not use: never a typo of one it does ("leverage").
                continue
            elif self.canon(w) in self._synonym_heads:
                unknown.append(w)  # a word the synonyms know, spelt right: not a typo of a base word
            elif index == len(raw) and cut_off and (whole := self._completed(w)) is not None:
                # "what was altman's point about oversi": a message sent before its last word was done
                found = [(whole, CORRECTED_WEIGHT)]
                guessed.add(whole)
            elif (fixed := self._correct(w)) is not None:
                found = [(self.canon(fixed), CORRECTED_WEIGHT)]
                guessed.add(found[0][0])
            elif w in self._release_of and not (index < len(raw) and raw[index] in _UNITS):
                found = [(self._release_of[w], CORRECTED_WEIGHT)]  # "Llama 3" is 3.1; "a 3-minute read" is no release
            elif (first := self._misspelt_first_name(w, raw[index] if index < len(raw) else "")) is not None:
                found = [(first, CORRECTED_WEIGHT)]
            elif (parts := self._split(w)) is not None:
                found = [(self.canon(p), CORRECTED_WEIGHT) for p in parts if p not in STOPWORDS]
            elif len(w) > 4 and w.endswith("ly"):
                continue  # an adverb the base never uses ("simultaneously") colours, it doesn't ask
            elif self._slip_of_a_frame_word(w):
                continue  # "sumarize the blog's conclusion", as "summarize" would: framing
            else:
                unknown.append(w)
            for term, trust in found:
                if trust == 1.0:
                    spelt.add(term)
                ordered.append(term)
                weight = self._idf.get(term, self._max_idf) * trust
                if term in self._form_terms:
                    weight = min(weight, FORM_WEIGHT)  # "what's the difference": the form of the question, not its subject
                terms[term] = max(terms.get(term, 0.0), weight)
        named = self._entities_in(ordered)
        if unknown and (strangers := self._unknown_names(raw, unknown, outside, capital, self._owner_words(question))):
            outside = [*outside, *_runs_as_written(strangers, question)]
        offered: frozenset[str] = frozenset()
        if "or" in raw and (choices := _choice_words(raw)):
            chosen = {self.canon(w) for w in choices}
            name_terms = {t for key in named for t in key.split()}
            if any(t not in name_terms for t in terms):  # "Mistral or Llama?" alone asks them compared
                offered = frozenset(key for key in named if not chosen.isdisjoint(key.split()))
            if offered:
                # "Is India or China the example?", "OpenUK or the OSI?": the name the sources
                # never mention is one of the choices offered, not the subject of the question.
                outside = [name for name in outside if choices.isdisjoint(words(name))]
                unknown = [w for w in unknown if w not in choices]
        types = question_types(raw)
        pinned = _pins_a_period(raw, unknown)
        if pinned:
            types.add("when")  # "Meta's AI capex for 2025", "the budget for next year": of that time only
        # A post asked for ("which title does Wang hold") asks who they are, not for titles.
        instance_words, instances_of_person = instances_asked(raw) if post_at is None else ([], False)
        if instance_words and (self._known_form(instance_words[0]) in TEXT_NOUNS or _slip_of_a_text_noun(instance_words[0])):
            instance_words, instances_of_person = [], False  # "which souce says ...": as "which source"
        # "Name the apps ...": names of a known kind, asked as "which apps" asks them.
        owners = frozenset(self._owners(question, ordered, raw))
        people_of = frozenset(key for key in owners if self._kind_of_key.get(key) == "person")
        if people_of and not instance_words and (whose := self._somebody_of(raw)):
            instance_words, instances_of_person = whose, True  # "who is Wang's boss?": somebody besides Wang
        else:
            people_of = frozenset()
        if only_the_person:
            instance_words = []
        kind_wanted = None if only_the_person else wants_kind(raw) or kind_named_by(instance_words)
        instances_of = None if kind_wanted else self._head_of([self._known_form(w) for w in instance_words])
        role_terms = frozenset(
            term
            for w in instance_words
            if (term := self.canon(self._known_form(w))) not in self._name_words and w not in _NAME_FORMS
        )
        entities = named & self._specific_entities
        cited, cited_keys, cited_terms = self._cited(raw, named)
        as_typed = words(question)  # no phrase merged, no idiom dropped: for the parts of a text
        unknown_factors = {w: _unknown_factor(w, names) for w in dict.fromkeys(unknown)}
        speakers = frozenset(self._speakers(raw))
        total = sum(terms.values()) + sum(UNKNOWN_WEIGHT * self._max_idf * f for f in unknown_factors.values())
        light_words = LIGHT_WORDS.intersection(raw)
        if speakers and _asks_what_said(raw):
            # A verb of saying in a question asking what somebody said ("what was Altman *arguing*
            # for") says only that they said something, as a light verb does.
            light_words |= SAYING.intersection(raw)
        query = _Query(
            terms=terms,
            unknown=unknown,
            entities=entities,
            entity_terms=frozenset(t for key in named for t in key.split()),
            outside=outside,
            content=" ".join(sorted(ordered)),
            total_weight=total,
            help_only=help_only
            or (greeting > 0 and not terms)
            or (terms.keys() <= self._subject and HELP_WORDS.issuperset(unknown) and _put_to_the_bot(raw)),
            # A share asked for rules a fact out only when it would be the answer (see `_decide`):
            # so few facts give one that cutting the others would make those few the answer
            # to any question with "percentage" in it.
            # How a person responds ("how does Zuckerberg respond to the security worry") asks
            # what they say, which the speaker check weighs; how a company or anyone else took
            # something ("has Meta responded", "how did regulators react") asks a reaction.
            asks=frozenset(types - {"percent", "future"} - ({"reaction"} if speakers else set())),
            asks_share="percent" in types,
            exact=bool(_EXACT.search(question)),
            # So is what is to come ("will Meta close Llama?"): most facts speak of it.
            asks_future="future" in types and not _asks_persistence(raw),
            pins_period=pinned,
            asks_happened=asks_if_it_happened(raw[greeting:]),
            groups_offered=frozenset(self.canon(w) for w in raw if w in _GROUPS) if _asks_who_gains(raw) else frozenset(),
            asks_whether=raw[greeting : greeting + 1] != []
            # "didn't LeCun say ...?", with or without the apostrophe, asks yes or no too
            and (raw[greeting] in AUXILIARIES or raw[greeting] in NEGATED_AUXILIARIES)
            and raw[greeting + 1 : greeting + 2] != ["there"],
            counted=frozenset(self.canon(self._known_form(w)) for w in counted(raw)),
            owners=owners,
            named=frozenset(named),
            wants_kind=kind_wanted,
            instances_of=instances_of,
            instances_of_person=instances_of_person,
            people_of=people_of,
            unknown_reactor=self._unknown_reactor(raw, unknown) if "reaction" in types and unknown else (),
            # A task opens the message, past a few courtesies: its first characters tell.
            task=(task_asked(words(question)) if MAY_ASK_A_TASK.search(question, 0, TASK_REACH) else None)
            or ("calculate" if asks_arithmetic(question) else None),
            advice=asks_advice(question),
            of_the_text=asked_of_the_text(question) or ("heading" if asks_part_name(as_typed) else None),
            followed=asks_what_followed(question),
            foreign=self._in_another_language(raw),
            role_terms=role_terms,
            name_of=self._thing_named(name_asked_for(raw)),
            speakers=speakers,
            attributes=not ATTRIBUTING.isdisjoint(raw),
            # Not whom a source is named by ("the LeCun article"): they are not asked about.
            spoken_of=frozenset(self._spoken_of(raw) - speakers - cited_keys) if speakers - cited_keys else frozenset(),
            why=(why := asks_why(raw)),
            # (not what a text or a person says: "what does the blog say about Llama 4?")
            shows=not why and not cited and not speakers and asks_what_it_shows(raw),
            event=self._event_asked(raw) if why else None,
            denied_said=why and _denies_what_was_said(raw),
            figures=figures_stated(question),
            # (a post the sources say who holds is read with the name: "Meta's chief AI scientist")
            speaker_roles=frozenset(self.canon(w) for w in roles)
            if not speakers and (roles := _speaker_roles(raw)) and self._post_reader.with_holders(question) == question
            else frozenset(),
            who_first=not why and next((w for w in raw if w in _QUESTION_WORDS), None) == "who",
            what_said=_asks_what_said(raw),
            # "What are Meta's objectives" asks what Meta's are, not what an objective is ("what's"
            # is no owner).
            defines=(
                defines := _asks_what_it_is(defining := _defining_words(question, raw))
                and not self._owner_words(question) - STOPWORDS
            ),
            defining=frozenset(self._terms(" ".join(w for w in raw if w not in thing)))
            if defines and (thing := _thing_defined(defining))
            else frozenset(),
            who_is=(
                who_is := self._asks_who_is(raw, contracted=bool(_WHO_S.search(question)))
                or post_at is not None
                or pointed_back_from is not None
                or post_asked_at is not None
                or only_the_person
            ),
            who_does=(who_does := not who_is and self._asks_who_does(raw, read_slips=True)),
            business_of=None if who_is else self._business_asked(raw),
            done=self._done(raw) if who_does else "",
            sets_apart=not _SETTING_APART_WORDS.isdisjoint(raw),
            light=frozenset(self.canon(w) for w in light_words)
            - frozenset(self.canon(w) for w in raw if w not in light_words),
            cited=cited,
            position=(position := self._position_asked(raw, cited, cited_terms, terms, unknown)),
            # (read from the words as typed: "moving forward", "wrap up" may name a part)
            place=None if position or outside else self._place_asked(as_typed, cited, cited_terms),
            asks_mention=bool(cited) and not _MENTIONING.isdisjoint(raw),
            pointing_back=None if named or cited else pointed_back(raw, question),
            cited_keys=cited_keys & entities,
            cited_terms=cited_terms,
            framing_whom=frozenset(self.canon(raw[i]) for i in self._telling_that_asks(raw)),
            guessed=frozenset(guessed - spelt),
            offered=offered,
        )
        self._learn_asked(query, self._asking_weight(unknown_factors))
        if "or" in raw and "than" not in raw and (other_way := _other_way(raw)):
            query.other_way = frozenset(t for w in other_way if (t := self.canon(self._known_form(w))) in terms)
            query.other_way_unknown = self._asking_weight(
                {w: f for w, f in unknown_factors.items() if w in other_way}
            ) * ASKED_UNKNOWN_SHARE
        return query

    def _event_asked(self, raw: list[str]) -> str | None:
        """The term of the verb a "why did/has/had ..." question says something happened by:
        the first word after its subject ("why did Meta *sell* its Scale AI stake", "why did
        OpenUK *endorse* ...", past a verb that only frames it: "why did Meta *decide to open*
        ..." and past the noun a subject ends in: "why did Meta's AI team *sell* ..."); None
        for a verb of saying ("why did Zuck *say* ...": what was said is what is asked) or
        when it asks no past event."""
        for i, w in enumerate(raw[:-2]):
            if w == "why" and raw[i + 1] in ("did", "has", "had"):
                rest = raw[i + 2 : i + 10]
                for at, x in enumerate(rest):
                    if x in SAYING or x in ATTRIBUTING:
                        return None
                    if (
                        x in STOPWORDS
                        or x in _FRAMING_AN_EVENT
                        or x in TEXT_NOUNS
                        or x in REFERENCE_NOUNS
                        or self._is_name_word(x)
                    ):
                        continue
                    following = rest[at + 1] if at + 1 < len(rest) else ""
                    if following and not (
                        following in STOPWORDS or self._is_name_word(following) or following.endswith("ing")
                    ):
                        continue  # the noun a subject ends in, before its verb: "the study *conclude*"
                    return self.canon(self._known_form(x))
                return None
        return None

    def _asking_weight(self, unknown_factors: dict[str, float]) -> float:
        """The weight of the unknown words (with their factors) that ask something: not a long
        slip of a function word ("anythign"), which asks nothing, as the word itself would not;
        a word of its own a letter from one ("cooking", "sports") still asks."""
        return sum(
            UNKNOWN_WEIGHT * self._max_idf * factor
            for word, factor in unknown_factors.items()
            if not _slip_of_a_function_word(word)
        )

    def _learn_asked(self, query: _Query, unknown_weight: float, *, leaving_out: str | None = None) -> None:
        """Set what `query` asks about its entities, for the "asked about" check: its terms but
        for names, framing words (unless used to ask whom: "who did Altman *talk* to") and
        `leaving_out`, and a share of the weight of its unknown words that ask."""
        asked = tuple(
            (t, w)
            for t, w in query.terms.items()
            if t not in query.entity_terms
            and (t not in self._frame_terms or t in query.framing_whom)
            and t != leaving_out
        )
        of_cited = tuple((t, w) for t, w in asked if t not in query.cited_terms)
        query.asked, query.asked_of_cited = asked, of_cited
        query.asked_total = sum(w for _, w in asked) + unknown_weight * ASKED_UNKNOWN_SHARE
        query.asked_of_cited_total = sum(w for _, w in of_cited) + unknown_weight * ASKED_UNKNOWN_SHARE

    def _unknown_names(
        self, raw: list[str], unknown: list[str], outside: list[str], capital: set[str], owners: set[str]
    ) -> list[list[str]]:
        """Names the base does not know that the question asks about, each as its run of
        folded words: written capitalised as the subject of its verb ("what did *Marc
        Andreessen* say", "does *Databricks* own"), as an owner ("*Databricks's* AI strategy"), or
        after a first name the base knows, of somebody else, before what they say or think or
        at the end ("what did *Mark Cuban* say", "who is *Sam Bankman*?"). Not a first name
        before a name the base knows ("Alex Wang"), a slip of a known name ("Mea", "LCun"), a
        lone plural after "do" ("do Clinicians use"), or a name the question only mentions
        ("work with Washington")."""
        listed = {w for name in outside for w in words(name)}  # named by outside_entities.yaml already
        strange = {w for w in unknown if w in capital and len(w) >= 3 and w not in listed}
        found: list[list[str]] = []
        i = 0
        while i < len(raw):
            w, i = raw[i], i + 1
            if w not in strange:
                continue
            start, run = i - 1, [w]
            while i < len(raw) and raw[i] in strange:
                run.append(raw[i])
                i += 1
            following = raw[i] if i < len(raw) else ""
            if following and self.canon(self._known_form(following)) in self._family_names:
                continue  # "Alex Wang": a first name the base does not know, of somebody it does
            if all(map(self._slip_of_a_name, run)):
                continue
            # The rest of the name as written: one short word or one the base does not spell
            # ("Susan *Li*", "David *Sacks*"), never a word of the question ("Snowflake *Buy*").
            if following in capital and following not in self._surface and following not in STOPWORDS:
                run.append(following)
                following = raw[i + 1] if i + 1 < len(raw) else ""
            before = raw[start - 1] if start > 0 else ""
            if before in self._first_names and (
                following in _HOLDING_A_VIEW
                or not following
                or run[-1] in owners
                # "did Mark Cuban invest", not "did Mark Rebut the worry", "was Yann Wrong to call",
                # "did Sam Lobby for" or "does Yann Oppose regulation" (a verb of holding a view).
                or (
                    start > 1
                    and raw[start - 2] in AUXILIARIES
                    and following not in (_AFTER_A_COPULA if raw[start - 2] in _COPULAS else _AFTER_A_VERB)
                    and not _HOLDING_A_VIEW & set(run)
                )
            ):
                found.append([before, *run])  # "Mark Cuban": a first name the base knows, of somebody else
            elif run[-1] in owners or (before in AUXILIARIES and _one_named(before, run)):
                found.append(run)
        return found

    @staticmethod
    def _owner_words(question: str) -> set[str]:
        """The folded words written as owners: "Databricks's strategy", and the organisation
        a post is held at ("the CEO of Google", "chief AI scientist at Meta")."""
        lowered = question.lower()
        found = {m.group(1) for m in ROLE_HELD_AT.finditer(lowered)} if " of " in lowered or " at " in lowered else set()
        if "'" not in question and (question.isascii() or APOSTROPHES.isdisjoint(question)):
            return found  # no other owner is written without an apostrophe: the text need not be folded
        text = normalize_typography(question).lower()
        return found | {
            owner
            for owner, m in after_owner(text, POSSESSIVE)
            if not _compared(text, m.start() - len(owner))
            and not _ELLIPTIC_END.match(text, m.end())
            and not _THEIR_WORDS.match(text, m.end())
        }

    def _slip_of_a_name(self, word: str) -> bool:
        """Whether an unknown word is a typo of a name the base knows ("Zuckerbreg"), or of a
        small word: two edits from a long name, one from a short one ("Axios" is not "iOS")."""
        for name, edits, _ in process.extract(word, self._name_words, scorer=OSA.distance, score_cutoff=2, limit=None):
            if edits <= (2 if min(len(word), len(name)) >= 5 else 1):
                return True
        return _unknown_factor(word, set()) == SLIP_FACTOR

    def _cited(self, raw: list[str], named: set[str]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """The sources a question points at, the entity keys it names them by and the index
        terms of its references: "the Gizmodo piece", "Zuckerberg's essay", "on the podcast".
        A generic noun ("article", "piece") needs a name; a kind of text ("essay") may stand
        alone, and then points at the texts of the people the question names (`named`), if any:
        "in his essay, how does LeCun ..." points at no essay, LeCun wrote none."""
        people = [self._sources_named[key] for key in named if key in self._sources_named]
        theirs = frozenset().union(*people) if people else None
        sources: set[str] = set()
        keys: set[str] = set()
        terms: set[str] = set()
        for word, naming_words, pointed in references(raw):
            noun = self.canon(word) if word else None
            of_noun = self._sources_of_noun.get(noun, frozenset()) if noun else frozenset()
            naming = [self.canon(w) for w in naming_words]
            names = {key for key in self._entities_in(naming) if key in self._sources_named}
            if noun is None:
                # Named alone, a person speaks ("according to Zuckerberg"); an outlet is cited ("per Gizmodo").
                names = {key for key in names if self._kind_of_key.get(key) != "person"}
            if names:
                of_names = frozenset().union(*(self._sources_named[key] for key in names))
                # "Zuckerberg's essay": of the texts about him, the essay.
                sources |= (of_names & of_noun) or of_names
                keys |= names
                terms |= {t for key in names for t in key.split()} | ({noun} if noun else set())
            elif noun and (titled := self._titled(naming)):
                sources |= titled  # "the risky-move article": two words of its title
                terms |= {*naming, noun}
            elif noun and naming and (outlet := self._outlet_named(naming)) and (theirs is None or outlet & theirs):
                # Of the people it names, a show they are heard on: "what did LeCun say on
                # Dwarkesh's podcast" points at no text of LeCun's, and asks what none gives.
                sources |= outlet
                terms |= {*naming, noun}
            elif of_noun and pointed and (theirs is None or of_noun & theirs):
                sources |= of_noun if theirs is None else of_noun & theirs
                terms.add(noun)
        return frozenset(sources), frozenset(keys), frozenset(terms)

    def _titled(self, naming: list[str]) -> frozenset[str]:
        """The sources whose titles hold two of the naming words side by side, in a title's own
        words ("risky move"); none when no title does."""
        pairs = set(zip(naming, naming[1:]))
        return frozenset(
            source for source, title in self._title_terms.items() if any(a in title and b in title and a != b for a, b in pairs)
        )

    def _question_words(self, question: str) -> list[str]:
        """The words of a question as the engine reads them: slips of phrases mended, numbers
        kept with their names, split names joined, family names heard."""
        return self._heard_family_names(
            self._joined_names(self._numbers_in_names(self._slipped_phrases(self._words(question, asked=True))))
        )

    def _ruled_out(self, raw: list[str]) -> list[list[str]]:
        """The words of each name the question rules out with a "not" before it: "OpenUK
        (*not OpenAI*) complaint?", "what did LeCun, *not Altman*, say?"."""
        if "not" not in raw:
            return []
        canon = [self.canon(w) for w in raw]
        return [
            raw[start:end]
            for start, end, _ in _runs_at(canon, self._entity_alias_index)
            if start > 0 and raw[start - 1] == "not"
        ]

    def _position_asked(
        self,
        raw: list[str],
        cited: frozenset[str],
        cited_terms: frozenset[str],
        terms: dict[str, float],
        unknown: list[str],
    ) -> tuple[str, str] | None:
        """The text a question points at and where in it it asks about ("start" or "end"),
        when it asks nothing else: "how does the Gizmodo piece end?", not "how does the blog
        say Llama 2 ended up open?". Of texts a noun points at, the one of that kind ("the
        podcast writeup": the podcast notes, not the article quoting a podcast)."""
        if not cited or (position := asks_position(raw)) is None:
            return None
        if any(w not in POSITION_WORDS for w in unknown):
            return None
        if any(t not in cited_terms and t not in self._position_terms and t not in self._frame_terms for t in terms):
            return None
        cited = self._of_the_kind_named(cited, cited_terms)
        return (next(iter(cited)), position) if len(cited) == 1 else None

    def _of_the_kind_named(self, cited: frozenset[str], cited_terms: frozenset[str]) -> frozenset[str]:
        """Of several texts pointed at, those of the kind of text named ("the podcast
        writeup": the podcast notes, not the article quoting a podcast)."""
        if len(cited) <= 1:
            return cited
        return frozenset(
            source
            for source in cited
            if cited_terms & {self.canon(n) for n in SOURCE_KIND_NOUNS.get(self.base.sources[source].kind, ())}
        )

    @property
    def outlines(self) -> Outlines:
        """The sources' sections and paragraphs and which fact quotes where, made the first
        time a question asks about a part of a text."""
        if self._outlines is None:
            self._outlines = Outlines(self.base)
        return self._outlines

    def _place_asked(self, raw: list[str], cited: frozenset[str], cited_terms: frozenset[str]) -> _Place | None:
        """The part of a text a question points at: a section its heading's words name ("the
        public reactions section", "Llama's reign"), the intro or a list or a call-out of the
        text pointed at, or a counted part of it ("the blog's second paragraph", "the last
        bullet of the LeCun piece"); None when the words point at no part of one text."""
        found = place_words(raw)
        if found is None:
            return None
        cited = self._of_the_kind_named(cited, cited_terms) or cited
        if not cited and (found.points or found.step):
            # A name before a word for a part points at a text as "piece" would: "the Gizmodo
            # intro", "the LeCun list".
            as_pieces = ["piece" if w in PART_NOUNS else w for w in raw]
            cited, _, more_terms = self._cited(as_pieces, self._entities_in([self.canon(w) for w in as_pieces]))
            cited_terms = cited_terms | (more_terms - {"piece"})
        # A kind of text named alone narrows whose headings are meant: "the podcast challenges section".
        kinds = frozenset(
            source.id
            for source in self.base.sources.values()
            if not set(SOURCE_KIND_NOUNS.get(source.kind, ())).isdisjoint(raw)
        )
        outlines = self.outlines
        naming = [w if i not in found.used and w not in PLACE_WORDS else "" for i, w in enumerate(raw)]
        named = outlines.sections_named(naming, cited or kinds or None, near=found.used)
        heading_words: frozenset[int] = frozenset()
        # Words as common as "after" or "first" place a question only by a heading they are
        # next to and two of whose words the question has ("what comes after Llama's reign").
        # A heading named by one word is named only right by a word for a part: "the
        # challenges section", not "a speaker intro ... his work".
        # (Near as the words that count go: "the second sentence of the blog conclusion".)
        counting = [
            i for i, w in enumerate(raw) if i in found.used or (w not in FUNCTION_WORDS and self.canon(w) not in cited_terms)
        ]
        near = {i: at for at, i in enumerate(counting)}
        used = [near[i] for i in found.used if i in near]
        heading = [near[i] for i in named[0][2] if i in near] if named else []
        if named and (
            (found.points and (len(heading) >= 2 or _next_to(used, heading, reach=1)))
            or (len(heading) >= 2 and _next_to(used, heading))
        ):
            source, section, heading_words = named[0]
        elif len(cited or kinds) == 1 and (
            found.step or (found.points and (found.ordinal or found.edge or found.intro or found.callout))
        ):
            source, section = next(iter(cited or kinds)), None
            if found.intro:
                section = outlines.intro_of(source)
            elif found.callout:
                section = outlines.callout_of(source)
                if section is None:
                    return None
        elif found.unit == "paragraph" and (found.edge or found.step):
            # "how does the Altman paragraph end?": the text is the one the paragraph is in.
            source, section = "", None
        else:
            return None
        placing = {self.canon(w) for w in PLACE_WORDS} | self._position_terms | self._frame_terms | cited_terms
        # Whom the text is named by ("the Zuckerburg essay") says which text, not what is asked.
        placing |= {t for key, ids in self._sources_named.items() if source in ids for t in key.split()}
        if section is not None:
            # Every word of the heading, "AI" and "open" too, only names the section.
            placing |= {self.canon(w) for w in words(outlines.sections[source][section].title)}
        rest = [
            w
            for i, w in enumerate(raw)
            if i not in found.used
            and i not in heading_words
            and w not in PLACE_WORDS
            and w not in INTRO_WORDS
            and self._term_of(w) not in cited_terms
            and self._term_of(w) not in self._position_terms
        ]
        asks_more = any(w not in STOPWORDS and (term := self._term_of(w)) in self._idf and term not in placing for w in rest)
        if not source and not asks_more:
            return None
        return _Place(source, section, found, " ".join(rest) if asks_more else "")

    def _completed(self, start: str) -> str | None:
        """The term of the one word of the base that `start` (five letters or more, no word of
        the base and no common English word) begins: "oversi" is "oversight", "leadersh"
        "leadership", "framew" "framework"; None when it begins none or words of more than
        one term."""
        if len(start) < MIN_CUT_OFF or start in self._surface or start in common_words():
            return None  # ("along" is a word of its own, not "alongside" cut off)
        if self._surface_sorted is None:
            self._surface_sorted = sorted(self._surface)
        at = bisect_left(self._surface_sorted, start)
        terms = set()
        for word in itertools.islice(self._surface_sorted, at, None):
            if not word.startswith(start):
                break
            if word not in STOPWORDS:
                terms.add(self._surface[word])
        return terms.pop() if len(terms) == 1 else None

    def _term_of(self, word: str) -> str:
        """The index term of a word, of its spelling mended when the index lacks it as typed."""
        term = self.canon(word)
        return term if term in self._idf or (fixed := self._correct(word)) is None else self.canon(fixed)

    def _fact_of_place(self, place: _Place) -> str | None:
        """The fact answering a question about a part of a text: the one quoting that part,
        or, when the question asks more ("which apps does the Llama's reign section name?"),
        the fact there that answers it best, or the one next to it a step asks for."""
        outlines = self.outlines
        asked = place.words
        if not place.source:
            ranked = [p for p in self._rank(self._analyze(self.reading_of(place.rest))) if p.coverage > 0]
            if not ranked:
                return None
            anchor = self._by_id[ranked[0].fact_id].fact
            return fact_at(outlines, anchor.quotes[0].source, None, asked, anchor.id)
        placed = fact_at(outlines, place.source, place.section, asked)
        if not place.rest or ((asked.every or asked.listed) and asked.ordinal is None and placed is not None):
            return placed
        counted = asked.ordinal is not None and asked.unit in ("paragraph", "bullet", "sentence") and not asked.qualified
        if counted and placed is not None:
            # "the second to last paragraph, could it sway other companies?": what the rest asks
            # of the paragraph counted, or that paragraph's fact.
            paragraphs = [p for p in outlines.paragraphs(place.source) if any(
                s.paragraph == p.number and s.fact_id == placed for s in outlines.placed.get(place.source, ()))]
        else:
            paragraphs = outlines.paragraphs(place.source, place.section)
        there = {s.fact_id for s in outlines.facts_at(place.source, paragraphs)}
        ranked = [p for p in self._rank(self._analyze(self.reading_of(place.rest))) if p.fact_id in there and p.coverage > 0]
        if not ranked:
            return placed if counted else None
        anchor = ranked[0].fact_id
        if asked.qualified and asked.ordinal is not None:
            # "the first regulation paragraph": of the facts on regulation there, the first
            # (or last) in the text.
            order = {s.fact_id: i for i, s in enumerate(outlines.placed.get(place.source, ()))}
            close = [p.fact_id for p in ranked if p.score >= QUALIFIED_SHARE * ranked[0].score]
            anchor = sorted(close, key=order.__getitem__)[0 if asked.ordinal > 0 else -1]
        return fact_at(outlines, place.source, place.section, asked, anchor)

    def _outlet_named(self, naming: list[str]) -> frozenset[str]:
        """The sources whose outlet every one of `naming` (index terms before a noun for a
        text) is a word of: "Dwarkesh" of the "Dwarkesh Patel podcast"; empty for other words."""
        found: frozenset[str] | None = None
        for term in naming:
            ids = self._sources_of_outlet_word.get(term)
            if ids is None:
                return frozenset()
            found = ids if found is None else found & ids
        return found or frozenset()

    def _outside_in(self, raw: list[str]) -> list[str]:
        """The outside names the question uses, except as part of a longer name the base knows
        ("Dwarkesh Patel" is nobody the base knows; the "Dwarkesh Patel podcast" is a show it does)."""
        found = _runs_at(raw, self._outside_alias_index)
        if not found:
            return []
        kept = [(i, self.canon(w)) for i, w in enumerate(raw) if w not in STOPWORDS]
        known = [
            (kept[start][0], kept[end - 1][0] + 1)
            for start, end, _ in _runs_at([term for _, term in kept], self._entity_alias_index)
        ]
        # Of "Sundar Pichai", the reply names him once, not "Pichai" as well.
        spans = [(start, end) for start, end, _ in found]
        return sorted(
            {
                name
                for start, end, name in found
                if not any(low <= start and end <= high and high - low > end - start for low, high in known)
                and not any(low <= start and end <= high and high - low > end - start for low, high in spans)
            }
        )

    # -- scoring ---------------------------------------------------------------------------

    def _candidates(self, query: _Query) -> list[tuple[_IndexedFact, float, dict[int, float]]]:
        """The facts worth scoring, each with its coverage and the question's word weight per phrasing."""
        coverage: dict[int, float] = defaultdict(float)
        rare = [t for t in query.terms if t not in self._common]
        for term in rare or list(query.terms):
            postings = self._postings.get(term)
            if postings is not None:
                for order, weight in zip(postings.orders, postings.weights):
                    coverage[order] += query.terms[term] * weight
        if query.cited_terms:
            self._add_cited(query, coverage)
        if rare and len(coverage) < MIN_CANDIDATES:
            # Too few facts share a rare word: let the common words bring in a few more.
            rare = []
            coverage.clear()
            for term in query.terms:
                postings = self._postings.get(term)
                if postings is not None:
                    for order, weight in zip(postings.orders, postings.weights):
                        coverage[order] += query.terms[term] * weight
            if query.cited_terms:
                self._add_cited(query, coverage)
        if rare:
            for term in query.terms:
                if term in self._common:
                    weights = self._common_weights[term]
                    for order in coverage:
                        coverage[order] += query.terms[term] * weights[order]
        ranked = sorted(coverage, key=lambda order: (-coverage[order], order))
        # Questions made only of common words tie on coverage across many facts: look wider.
        limit = CANDIDATES if rare else CANDIDATES * 3
        # Among facts that know the same words, one that has them in a single phrasing goes first
        # ("Who is Yann LeCun?" names LeCun, as a dozen facts do; one is phrased just so).
        pool = ranked[: limit * 2]
        # A fact phrased with exactly the question's words goes first, never left out for
        # coming late among dozens that share them all.
        exact = set(_as_orders(self._phrased_as.get(_exact_key(query.terms), ())))
        pool += [order for order in sorted(exact) if order not in pool]
        total = query.total_weight or 1.0
        shared = {order: _phrasing_overlap(query, self._facts[order]) for order in pool}
        best = {
            order: max(shared[order].values(), default=0.0) / total + (1.0 if order in exact else 0.0) for order in pool
        }
        pool.sort(key=lambda order: (-(coverage[order] + best[order]), order))
        # A fact holding every word holds all of it, whatever the rounding of its sums.
        return [(self._facts[order], min(1.0, coverage[order] / total), shared[order]) for order in pool[:limit]]

    def _add_cited(self, query: _Query, coverage: dict[int, float]) -> None:
        """Count the words pointing at a source ("the Gizmodo article") as held by each fact
        quoting it: they say where the answer is, not what it says."""
        cited_terms = [t for t in query.cited_terms if t in query.terms]
        if not cited_terms:
            return
        orders: set[int] = set()
        for source in query.cited:
            quoting = self._facts_of_source.get(source, ())
            if len(quoting) <= CITED_SOURCE_REACH:
                orders.update(quoting)
            else:  # a source of very many facts: those already found, not every one of them
                orders.update(order for order in coverage if source in self._facts[order].sources)
        for order in sorted(orders):  # a fact quoting two of the sources pointed at counts once
            indexed = self._facts[order]
            coverage[order] += sum(query.terms[t] * (1.0 - self._weight(t, indexed)) for t in cited_terms)

    def _score(
        self, query: _Query, indexed: _IndexedFact, coverage: float, shared: dict[int, float], fuzzy: float
    ) -> ScoreParts:
        total = query.total_weight or 1.0
        best_f1, best_index = 0.0, 0
        phrasing_weights = indexed.phrasing_weights
        for i, weight in shared.items():  # the first phrasing of the best, whatever the order
            precision = weight / total
            phrasing_weight = phrasing_weights[i]
            recall = min(1.0, weight / phrasing_weight) if phrasing_weight else 0.0
            f1 = 2 * precision * recall / (precision + recall)
            if f1 > best_f1 or (f1 == best_f1 and f1 and i < best_index):
                best_f1, best_index = f1, i
        penalties: list[str] = []
        penalty = 1.0
        entities, owners, speakers = query.entities, query.owners, indexed.speakers
        if query.cited:
            if query.cited & indexed.sources:
                if indexed.speakers_by_source is not None:
                    # Who speaks in the quotes from the sources pointed at, not elsewhere in the fact.
                    speakers = frozenset().union(
                        *(indexed.speakers_by_source.get(source, ()) for source in query.cited & indexed.sources)
                    )
                # Named only to point at the fact's own source: "the LeCun piece" asks nothing of LeCun.
                entities, owners = entities - query.cited_keys, owners - query.cited_keys
            elif query.asks_whether and query.asked and self._asked_about_share(query, indexed) >= PINNED_ON_ANOTHER_SHARE:
                # "Was the reservoir of human knowledge line from Zuck's essay?": the fact with
                # those words says where they are from; whose text was pointed at is no subject.
                entities, owners = entities - query.cited_keys, owners - query.cited_keys
                penalty *= PINNED_PENALTY
                penalties.append("source")
            else:
                penalty *= SOURCE_PENALTY
                penalties.append("source")
        chosen = bool(query.offered) and self._choice_made(query, indexed, entities)
        # "Apple's stance on open source AI" of a fact naming Apple only as iOS's maker: asked
        # of Apple, it must ask of what is Apple's there.
        owner_only = bool(entities & indexed.owners_only.keys()) and not self._asks_of_owned(query, indexed)
        if (
            owner_only
            or (not chosen and entities - indexed.entity_keys - indexed.source_keys)
            or (query.speakers and query.speakers - speakers - (query.offered if chosen else frozenset()))
            or (indexed.subjects and (owners & self._specific_entities) - indexed.subjects - query.offered)
        ):
            # Words pinned on the wrong person are still answered by who said them, after a
            # fact that has the person asked about say them too.
            penalty *= PINNED_PENALTY if self._pinned_on_another(query, indexed, entities, speakers) else ENTITY_PENALTY
            penalties.append("entity")
        if query.spoken_of and not any(
            named & query.speakers - query.cited_keys and query.spoken_of <= named for named in indexed.named_together
        ):
            # "What did Zuckerberg say about Altman?": no sentence of the fact has Zuckerberg
            # speak of Altman, though it quotes both ("LeCun cautions ...; Altman stresses ...").
            penalty *= ENTITY_PENALTY
            penalties.append("spoken_of")
        if query.speakers and indexed.said_by and self._said_elsewhere(query, indexed):
            penalty *= ASKED_ABOUT_PENALTY
            penalties.append("said_by")
        if self._missing_detail(query, indexed):
            penalty *= QUESTION_TYPE_PENALTY
            penalties.append("question_type")
        if query.event and not self._weight(query.event, indexed):
            # "Why did Meta sell its Scale AI stake?" of a fact that never speaks of selling.
            penalty *= EVENT_PENALTY
            penalties.append("event")
        if query.speaker_roles and not all(self._in_own_text(t, indexed) for t in query.speaker_roles):
            # "What did the Instagram boss say about Llama?" of a fact where no boss speaks.
            penalty *= ASKED_ABOUT_PENALTY
            penalties.append("speaker_role")
        if query.figures - indexed.figures:
            penalty *= UNGIVEN_FIGURE_PENALTY
            penalties.append("figure")
        if query.denied_said and not indexed.denies:
            # "Why did LeCun say AI shouldn't be regulated?" of a fact where he calls for rules.
            penalty *= EVENT_PENALTY
            penalties.append("denied")
        if query.who_is and not indexed.tells_who:
            penalty *= WHY_PENALTY
            penalties.append("who")
        if query.why and (not indexed.tells_why or best_index in indexed.who_phrasings):
            penalty *= WHY_PENALTY
            penalties.append("why")
        if query.shows and not indexed.tells_what_it_shows:
            # "what does all that spending tell us about Meta's aims?" is not "how much is it?"
            penalty *= SHOWS_PENALTY
            penalties.append("shows")
        if (
            0 in indexed.who_phrasings  # a profile: "Who is Sam Altman?"
            and not query.entities
            and any(
                self._kind_of_key.get(key) == "person"
                and best_index in indexed.phrasings_with.get(key.split()[-1], ())
                and query.terms.keys().isdisjoint(key.split())
                for key in indexed.subjects
            )
        ):
            # "Will AI take jobs?" is not "Altman's job": a phrasing of a person's profile that
            # names them, matched by a question that names nobody.
            penalty *= ENTITY_PENALTY
            penalties.append("nobody_named")
        if query.what_said and best_index in indexed.who_is_phrasings:
            # What somebody said is not who they are: "what did Meta's chief AI scientist
            # propose?" is not asked by "Who is Meta's chief AI scientist?".
            penalty *= WHY_PENALTY
            penalties.append("who_phrasing")
        if query.who_first and best_index in indexed.why_phrasings:
            # A reason is nobody: "who makes Llama?" is not asked by "Why share Llama?".
            penalty *= WHY_PENALTY
            penalties.append("why_phrasing")
        if (
            query.defines
            and query.entities <= self._ubiquitous
            and not any(
                all(i in indexed.phrasings_with.get(term, ()) for term in query.terms if term not in query.defining)
                for i in indexed.what_phrasings
            )
        ):
            # A notion the fact uses without a phrasing asking what it is ("AGI race Meta"): a
            # thing the base names (Gemma, OpenUK) is told of where it is named.
            penalty *= LONE_WORD_PENALTY
            penalties.append("defines")
        if (
            query.unknown
            and not (query.entities or query.named or query.cited)
            and query.terms.keys().isdisjoint(self._common)
        ):
            penalty *= OFF_DOMAIN_PENALTY
            penalties.append("off_domain")
        if len(query.terms) == 1 and not query.unknown and not self._in_own_text(next(iter(query.terms)), indexed):
            penalty *= LONE_WORD_PENALTY
            penalties.append("lone_word")
        # Of a source as of somebody, a question asks something: "what did the essay say about China".
        if (
            (entities or query.cited)
            and not (entities <= indexed.entity_keys and _sets_side_by_side(entities, self._kind_of_key))
            and self._asked_about_share(query, indexed, of_cited=bool(query.cited & indexed.sources))
            < MIN_ASKED_ABOUT_SHARE
        ):
            penalty *= ASKED_ABOUT_PENALTY
            penalties.append("asked_about")
        score = penalty * (
            SCORE_WEIGHTS["coverage"] * coverage
            + SCORE_WEIGHTS["phrasing"] * best_f1
            + SCORE_WEIGHTS["fuzzy"] * fuzzy
        )
        return ScoreParts(
            fact_id=indexed.fact.id,
            score=round(score, 6),
            coverage=coverage,
            phrasing=best_f1,
            fuzzy=fuzzy,
            penalty=penalty,
            matched_phrasing=indexed.fact.phrasings[best_index],
            penalties=tuple(penalties),
        )

    @staticmethod
    def _choice_made(query: _Query, indexed: _IndexedFact, entities: set[str]) -> bool:
        """Whether every name the fact lacks was offered as a choice, and the fact names one of
        the choices: "did LeCun or Zuckerberg bring up India?" of LeCun's fact on India."""
        return bool(query.offered & indexed.entity_keys) and entities - indexed.entity_keys <= query.offered

    def _pinned_on_another(
        self, query: _Query, indexed: _IndexedFact, entities: set[str], speakers: frozenset[str]
    ) -> bool:
        """Whether a yes-or-no question asks if somebody said what the fact has somebody else
        say, in its words: "did LeCun warn that advanced AI could pose global risks?" of
        Altman's warning. Its quote sets the record straight, where a wrong name would
        otherwise leave the question unanswered."""
        if not (query.asks_whether and query.attributes):
            return False
        # Whom the words are pinned on: the people whose words are asked for, or else the people
        # named ("did LeCun compare open models to Android?": "compare" is no verb of saying).
        pinned_on = query.speakers or frozenset(e for e in entities if self._kind_of_key.get(e) == "person")
        return (
            bool(pinned_on)
            and bool(speakers)
            and not pinned_on & speakers
            and entities - indexed.entity_keys <= pinned_on
            and bool(query.asked)  # words said, not only names ("did Altman speak at the AI Action Summit?")
            and self._asked_about_share(query, indexed) >= PINNED_ON_ANOTHER_SHARE
        )

    def _asked_about_share(self, query: _Query, indexed: _IndexedFact, *, of_cited: bool = False) -> float:
        """The share of what the question asks about its entities ("Apple's AI *strategy*") that
        the fact covers; 1.0 when the question only names an entity ("Who is Alexandr Wang?").
        `of_cited`: the fact is from a source the question points at."""
        asked, total = (
            (query.asked_of_cited, query.asked_of_cited_total) if of_cited else (query.asked, query.asked_total)
        )
        # A light verb counts where the fact has it ("why did Zuck bring those up"), not against it.
        total -= sum(w for t, w in asked if t in query.light and not self._weight(t, indexed))
        if total <= 0:
            return 1.0
        covered = sum(w * self._weight(t, indexed) for t, w in asked if t not in query.guessed)
        if query.asks_whether and not covered:
            return 0.0  # a claim matched only through words read as others ("is LeCun *leaving*")
        covered += sum(w * self._weight(t, indexed) for t, w in asked if t in query.guessed)
        share = covered / total
        if query.other_way:
            # "Central or a side project?": the fact may hold either way; the first is held
            # without the words of the second.
            rest = total - sum(w for t, w in asked if t in query.other_way) - query.other_way_unknown
            first = covered - sum(w * self._weight(t, indexed) for t, w in asked if t in query.other_way)
            if rest > 0:
                share = max(share, first / rest)
        return share

    def _said_elsewhere(self, query: _Query, indexed: _IndexedFact) -> bool:
        """Whether what the question asks a speaker said is in the fact, but not where the
        speaker is named: "what did Altman say about open source" of a fact where LeCun speaks
        of open source and Altman of oversight."""
        asked = [(t, w) for t, w in query.asked if self._in_own_text(t, indexed)]  # a phrasing's word is no one's
        total = sum(w for _, w in asked)
        if not total:
            return False
        said_by = indexed.said_by or {}
        # Several speakers asked side by side ("what have LeCun and Altman said about ...") may
        # each have said part of it.
        theirs = frozenset().union(*(said_by[speaker] for speaker in query.speakers if speaker in said_by))
        return bool(theirs) and sum(w for t, w in asked if t in theirs) / total < MIN_ASKED_ABOUT_SHARE

    def _missing_detail(self, query: _Query, indexed: _IndexedFact) -> str | None:
        """What the question asks for that the fact cannot give: a time (`when`), a place, a
        count, a number, money, instructions (`howto`), names of a kind, or a person (`who`);
        None when it can."""
        missing = query.asks - indexed.answers
        if "where" in missing and query.wants_kind == "place" and self._names_a(indexed, "place", query.named):
            # "which country did the article use as its example?" names a place the fact names,
            # not where something was done.
            missing = missing - {"where"}
        if missing:
            return min(missing, key=_DETAIL_ORDER.index)
        if query.exact and (asked := query.asks & _FIGURES_ASKED):
            # "The exact dollar figure" of "billions in GPUs"; "how much, exactly?" of "a 49% stake".
            needed = "money" if asked & {"currency", "money"} else "percent" if query.asks_share else "number"
            if needed not in indexed.figures_given:
                return min(asked, key=_DETAIL_ORDER.index)
        if query.counted and not query.counted & indexed.counts:
            return "count"
        if query.wants_kind and not self._names_a(indexed, query.wants_kind, query.named):
            return "who" if query.wants_kind == "person" else "kind"
        if query.name_of and query.wants_kind not in indexed.kinds_vouched and not self._weight(query.name_of, indexed):
            return "kind"  # "the name of the license" of a fact that never speaks of a license
        if query.name_of in self._release_terms and self._lists_releases_of(query, indexed) is False:
            return "kind"  # "what are the Llama 4 variants called?" of a fact naming only Llama 2 and 3.1
        if query.people_of:
            # "who is LeCun's boss": only a fact written to tell it; one naming LeCun and a CEO
            # does not say who is whose ("LeCun cautions ...; OpenAI's CEO Sam Altman ...").
            return None if query.people_of <= indexed.people_asked_of else "who"
        if query.instances_of and not self._names_instances(query, indexed) and not self._names_one_in_role(query, indexed):
            return "who" if query.instances_of_person else "kind"  # "which crops", of a fact naming none
        return None

    def _weight(self, term: str, indexed: _IndexedFact) -> float:
        """How much `term` counts for the fact (0.0 when the fact does not know it)."""
        common = self._common_weights.get(term)
        if common is not None:
            return common[indexed.order]
        postings = self._postings.get(term)
        if postings is None:
            return 0.0
        at = postings.find(indexed.order)
        return 0.0 if at is None else postings.weights[at]

    def _in_own_text(self, term: str, indexed: _IndexedFact) -> bool:
        """Whether `term` is in the fact's own text (answer, entities, quotes), not only its phrasings."""
        postings = self._postings.get(term)
        if postings is None:
            return False
        at = postings.find(indexed.order)
        return at is not None and bool(postings.own[at])

    def words_read(self, phrasing: str) -> tuple[str, ...]:
        """The index terms the engine reads a phrasing as, sorted: two phrasings with the same
        terms are one to it, whatever their other words ("How much does Meta spend on GPUs?",
        "How much is Meta spending on GPUs?")."""
        return tuple(sorted(set(self._terms(phrasing))))

    def rank(self, question: str) -> list[ScoreParts]:
        """Every candidate fact with its score parts, best first."""
        query = self._analyze(question[:MAX_READ_CHARS])
        return self._rank(query)

    def _rank(self, query: _Query) -> list[ScoreParts]:
        if not query.terms:
            return []
        scored = []
        for indexed, coverage, shared in self._candidates(query):
            # The best phrasing's similarity, found in rapidfuzz: one result per fact, not one per phrasing.
            best = process.extractOne(query.content, indexed.phrasing_texts, scorer=FUZZY_SCORER)
            scored.append(self._score(query, indexed, coverage, shared, best[1] / 100.0 if best else 0.0))
        scored.sort(key=lambda parts: (-parts.score, self._by_id[parts.fact_id].order))
        return scored

    # -- answers ---------------------------------------------------------------------------

    def answer(self, question: str) -> Answer:
        """Answer one question: the matched fact with its quotes, or an abstention with suggestions."""
        question = question.strip()[:MAX_READ_CHARS]
        query = self._analyze(question)
        if not question or (query.help_only and not query.outside):
            return self.help(question)
        if _asks_of_the_bot(question):
            return self._asked_of_the_bot(question)
        if (apart := set_apart(question)) is not None and (besides := self._besides(question, *apart)) is not None:
            return besides
        if (asked := self.reading_of(question)) != question:
            query = self._analyze(asked)  # "Can you help? Who is Yann LeCun?" asks who LeCun is
        answer = self._decide(question, query)
        if answer.answered and answer.confidence is not None and (
            answer.score < self.thresholds.min_score or answer.margin < self.thresholds.min_margin
        ):
            # The gate answered what the thresholds refused: a part of the message giving the
            # same fact on its own says which question was answered ("Sorry to bother you all,
            # but *how much of Scale AI does Meta own?*").
            readings = [self._decide(reading, self._analyze(reading)) for reading in self._readings(question, query)]
            clearest = _clearest(question, [reading for reading in readings if reading.fact_id == answer.fact_id])
            if clearest is not None:
                return clearest
        if answer.answered:
            return self._clearer_part(question, query, answer) or answer
        if answer.reason == "advice" and any(
            asks_advice(part) and not self._analyze(part).terms for part in pieces(question)
        ):
            return answer  # "Will Meta still open-source models? your prediction please" asks it of the whole
        if answer.reason in _UNSURE or answer.reason == "advice" or (answer.reason or "").startswith(
            ("not_given:", "unknown_entity:", "task:")
        ):
            analyzed = [(reading, self._analyze(reading)) for reading in self._readings(question, query)]
            if not query.pointing_back:
                for _, part_query in analyzed:
                    part_query.pointing_back = None  # "his" in one part points at a name in another
            # A part asking of one word that names nothing ("anyone confirm?", "who's on call??")
            # says too little to stand for the message.
            readings = [
                self._decide(reading, query)
                for reading, query in analyzed
                if len(query.terms) > 1 or query.entities or query.help_only
            ]
            clearest = _clearest(question, readings)
            if clearest is None and (
                _ASKS_WHAT_IS_COVERED.search(question)
                or any(
                    query.help_only and not query.outside and not HELP_WORDS.isdisjoint(set(words(reading)) - STOPWORDS)
                    for reading, query in analyzed
                )
            ):
                # "Before I rely on you for a memo: ... Where do your answers come from?" asks
                # for the help, among words no fact answers ("Llama 4: when?" does not), as does
                # "What kinds of questions can you answer, and is it only about Meta?".
                return self.help(question)
            return clearest or answer
        return answer

    def _besides(self, question: str, rest: str, excluded: str) -> Answer | None:
        """The answer to a question that sets something apart ("besides the Scale AI stake,
        what else has Meta invested in?"): the rest of the question, by any fact but the one
        that tells what it sets apart; None when the rest asks nothing of its own."""
        rest_query = self._analyze(rest)
        if not rest_query.terms or rest_query.help_only:
            return None
        left = self._decide(excluded, self._analyze(excluded))
        ranked = [parts for parts in self._rank(rest_query) if not (left.answered and parts.fact_id == left.fact_id)]
        return self._decide(rest, rest_query, ranked).model_copy(update={"question": question})

    def _asked_of_the_bot(self, question: str) -> Answer:
        """The answer to a message asking of the bot itself ("can I trust your answers?", "can
        you answer questions about Llama?"): the help, unless the rest of the message asks a
        question a fact answers ("can I trust your answers? how much of Scale AI does Meta
        own?")."""
        rest = " ".join(piece for piece in pieces(question) if not _asks_of_the_bot(piece))
        if rest and not _asks_of_the_bot(rest):  # a question split over pieces stays one
            answer = self.answer(rest)
            # One word matched says too little beside it ("Can you compare things for me?").
            if answer.answered and (len((rest_query := self._analyze(rest)).terms) > 1 or rest_query.entities):
                return answer.model_copy(update={"question": question, "matched_part": answer.matched_part or answer.question})
        return self.help(question)

    def _clearer_part(self, question: str, query: _Query, answer: Answer) -> Answer | None:
        """For two questions about two names ("who is Yann LeCun and who is Sam Altman?") that
        match, as a whole, a fact answering neither, the answer to the clearer one; else None.

        A fact that answers every question ("what does LeCun think about regulation and what
        does Altman think?") or is as good an answer as any to one of them is kept.
        """
        parts = question_parts(question)[:MAX_PARTS] if len(query.entities) > 1 else []
        if len(parts) < 2:
            return None
        queries = [self._analyze(part) for part in parts]
        for part_query in queries:
            part_query.pointing_back = None  # the message names whom its parts point at
        named = [part_query.entities for part_query in queries if part_query.entities]
        if len(named) < 2 or all(named[0] == other for other in named[1:]):
            return None  # one subject asked about in two ways: the whole is the question
        rankings = [self._rank(part_query) for part_query in queries]
        fits = [_fit_of(ranked, answer.fact_id) for ranked in rankings]
        if all(score >= self.thresholds.min_score for score, _ in fits) or any(
            gap < self.thresholds.min_margin for _, gap in fits
        ):
            return None
        return _clearest(
            question,
            [self._decide(part, part_query, ranked) for part, part_query, ranked in zip(parts, queries, rankings)],
        )

    def place_asked(self, question: str) -> tuple[str, str] | None:
        """The source and "start" or "end" when `question` asks only how that text opens or
        closes ("how does the Gizmodo piece end?"), which the fact quoting it first or last
        answers; None otherwise."""
        return self._analyze(self.reading_of(question.strip())).position

    def part_asked(self, question: str) -> str | None:
        """What part of which text `question` asks about, in words ("how the section 'Public
        Reactions to ...' of 'Meta's risky move ...' ends"), when a fact quoting that part
        answers it; None otherwise."""
        place = self._analyze(self.reading_of(question.strip())).place
        if place is None or self._fact_of_place(place) is None:
            return None
        asked = place.words
        if not place.source:
            where = "a paragraph of the text quoting what it names"
        else:
            title = self.base.sources[place.source].title
            heading = self.outlines.sections[place.source][place.section].title if place.section is not None else ""
            where = f"the section {heading!r} of {title!r}" if heading else f"{title!r}"
        what = {
            "paragraph": "paragraph", "bullet": "bullet", "sentence": "sentence", "section": "part", None: "part"
        }[asked.unit if asked.ordinal is not None else None]  # fmt: skip
        if asked.step:
            told = f"what comes {'after' if asked.step > 0 else 'before'} {'what it names in ' if place.rest else ''}{where}"
        elif asked.ordinal is not None:
            told = f"{_ordinal_words(asked.ordinal)} {what} of {where}"
        elif asked.edge:
            told = f"how {where} {'opens' if asked.edge == 'start' else 'ends'}"
        else:
            told = where
        return told + (", with what else it asks" if place.rest and not asked.step else "")

    def reading_of(self, question: str) -> str:
        """The text of `question` the engine reads as the question: all of it, but for pieces
        that only greet, thank or ask for help beside others."""
        question = question[:MAX_READ_CHARS]
        return self._without_pleas(question) or question

    def _without_pleas(self, question: str) -> str | None:
        """The message without its pieces that only ask for help, greet or thank ("Can you
        help?", "hi there."), when it has such pieces and others; None when it has not. A piece
        of question words alone ("When?") is a question, not a plea."""
        if not _PLEA.search(question):
            return None  # most messages hold no plea: known without splitting them
        found = pieces(question)
        if len(found) < 2:
            return None
        kept = [piece for piece in found if not (PLEA_WORDS & set(words(piece)) and self._analyze(piece).help_only)]
        return " ".join(kept) if kept and len(kept) < len(found) else None

    def _readings(self, question: str, query: _Query | None = None) -> list[str]:
        """Other ways to read a question the engine is unsure about.

        The words around a question can drown it ("Sorry to bother you, but how much of Scale
        AI does Meta own?"): each part that is a question of its own. And people still use
        former names ("did Facebook open source Llama?"): the question with the current ones.
        A question naming nobody may ask of a person by post ("what did OpenAI's CEO argue on
        All-In?"): the question with the name of the one the sources say holds it. `query` is
        the question as already analysed, when the caller has it.
        """
        readings = question_parts(question, self._is_name_word)[:MAX_PARTS] + self._with_the_person_named(question)
        if (plain := without_likeness(question)) != question:
            readings.append(plain)  # "is meta opening up out of desperation, like a losing team ...?"
        if (plain := without_askers_setting(question)) != question:
            readings.append(plain)  # "how much does Meta spend on GPUs? asking for our Paris team"
        renamed = question
        for pattern, current in self._former_names:
            renamed = pattern.sub(current, renamed)
        if renamed != question:
            readings += [renamed, *question_parts(renamed, self._is_name_word)[:MAX_PARTS]]
        if (by_holder := self._post_reader.with_holders(question)) != question and not any(
            self._kind_of_key.get(key) == "person" for key in (query or self._analyze(question)).named
        ):
            readings += [by_holder, *question_parts(by_holder, self._is_name_word)[:MAX_PARTS]]
        # A part the renaming left as it was (or a repeated one) is read once.
        return list(dict.fromkeys(readings))

    def _initialisms_of(self, names: set[str]) -> dict[str, str]:
        """What each name is written as in capitals alone, when that names it and nothing else:
        "YLC" (Yann LeCun), "SA" (Sam Altman), "PT" (PyTorch), "L3.1" (Llama 3.1); a name of
        three words or more also by the capitals of its first two; not a word the base or
        English has ("AI", "LF", which the base's phrasings use), nor a name written so
        already ("GPT"), nor capitals from inside a name ("OS" of iOS)."""
        found: dict[str, set[str]] = defaultdict(set)
        for name in names:
            if not name[:1].isupper():
                continue  # "iOS" is not "OS"
            capitals = "".join(ch for ch in name if ch.isupper())
            release = re.search(r"\s(\d+(?:\.\d+)?)$", name)
            if release:
                forms = {capitals + release.group(1)}
            else:
                forms = {capitals} | ({capitals[:2]} if len(name.split()) >= 3 and len(capitals) >= 3 else set())
            for form in forms:
                lower = form.lower()
                if len(form) >= 2 and form != name and lower not in self._surface and lower not in self._common_words:
                    found[form].add(name)
        return {form: next(iter(named)) for form, named in found.items() if len(named) == 1}

    def _unknown_reactor(self, raw: list[str], unknown: list[str]) -> tuple[str, ...]:
        """The word just before a word of reacting that the synonyms know and no fact uses
        ("Meta's *stock* react", "META *stock* reaction", "the *share price* react"): the thing
        whose reaction is asked, which the reactions the sources report (people's) are not;
        () when there is none ("how did the tech *crowd* react": a word of nothing known)."""
        for i, w in enumerate(raw):
            if w in REACTING_WORDS:
                before = [x for x in raw[max(0, i - 3) : i] if x not in STOPWORDS][-2:]
                found = tuple(x for x in before if x in unknown and self.canon(x) in self._synonym_heads)
                if found:
                    return found
        return ()

    def _is_name_word(self, word: str) -> bool:
        """Whether a folded word is a word of a name the base knows ("meta", "lecun")."""
        return word in self._name_words or self.canon(word) in self._name_words

    def _with_the_person_named(self, question: str) -> list[str]:
        """The parts of a message that ask of "he" or "his" with the one person its context
        names put in ("I called LeCun Meta's CTO in a draft. What's *his* actual title?" asks
        LeCun's title); none when the message names nobody the base knows, more than one
        person, or has a part that asks a question of its own as written."""
        found = pieces(question)
        if len(found) < 2 or len(found) > MAX_PARTS * 2 or not _PERSON_PRONOUN.search(question):
            return []

        def named_in(part: str, name: str) -> str:
            return _PERSON_PRONOUN.sub(lambda m: name + ("'s" if m.group(0).lower() == "his" else ""), part)

        # Only a part that would ask a question of its own with a name put in is worth reading
        # the message's names for (most messages have none).
        asking = [i for i, part in enumerate(found) if _PERSON_PRONOUN.search(part) and stands_alone(named_in(part, "Someone"))]
        if not asking or any(stands_alone(part, self._is_name_word) for part in found):
            # Only where no part asks as written, the person named in the context: "When did
            # Wang join Meta, and what did he do before?" asks two things of him, read whole.
            return []
        people = [{key for key in self._analyze(part).named if self._kind_of_key.get(key) == "person"} for part in found]
        named = set().union(*people)
        if len(named) != 1:
            return []
        name = self._display_names[next(iter(named))]
        return [
            replaced
            for i in asking
            if not people[i] and stands_alone(replaced := named_in(found[i], name), self._is_name_word)
        ]

    def _one_person_of_overview(self, query: _Query, ranked: list[ScoreParts]) -> list[ScoreParts]:
        """`ranked`, with the related fact of the one person a question names first when the
        best is an overview of several people's views: "Altman's view on oversight" is his own
        fact, not the round-up of LeCun's, Altman's and Zuckerberg's (which it would otherwise
        win for sharing "views"); not when the question asks of words the overview gives only
        to another ("didn't LeCun call for international oversight?": Altman's words)."""
        if len(ranked) < 2:
            return ranked
        first = ranked[0]
        overview = self._by_id[first.fact_id]
        people = {key for key in query.named if self._kind_of_key.get(key) == "person"}
        if len(people) != 1 or not overview.said_by or not people < overview.said_by.keys():
            return ranked
        (person,) = people
        others_words = set().union(*(words for key, words in overview.said_by.items() if key != person))
        if query.terms.keys() & (others_words - overview.said_by[person]):
            return ranked
        return self._related_first_where(
            ranked,
            ONE_PERSON_REACH,
            lambda fact: {key for key in fact.speakers if self._kind_of_key.get(key) == "person"} == people,
        )

    def _one_release_of_overview(self, query: _Query, ranked: list[ScoreParts]) -> list[ScoreParts]:
        """`ranked`, with the related fact of the one product a question names first when the
        best is an overview of several ("llama 4 source" is Llama 4's own fact, not the list of
        Llama versions); a name within another ("Llama" in "Llama 4") is the family, no product
        of its own here."""
        if len(ranked) < 2:
            return ranked
        asked = self._releases(query.named)
        if len(asked) != 1 or self.canon("version") in query.terms or query.asks & {"before", "later"}:
            return ranked  # "what Llama version came before Llama 3.1?" asks of the list
        first = ranked[0]
        overview = self._by_id[first.fact_id]
        listed = self._releases(overview.entity_keys)
        if len(listed) < 2 or not asked < listed or len(overview.fact.quotes) < 2:
            return ranked  # (a fact with one quote is no overview: "Llama in Facebook, Instagram and WhatsApp")
        return self._related_first_where(
            ranked, ONE_RELEASE_REACH, lambda fact: self._releases(fact.entity_keys) == asked
        )

    def _related_first_where(
        self, ranked: list[ScoreParts], reach: float, fits: Callable[[_IndexedFact], bool]
    ) -> list[ScoreParts]:
        """`ranked` with the first fact related to the best that `fits` and scores within `reach`
        of it put first, the best second; `ranked` itself when none does."""
        first = ranked[0]
        related = self._by_id[first.fact_id].fact.related
        for part in ranked[1:CANDIDATES]:
            if part.score < first.score - reach:
                break
            if part.fact_id in related and fits(self._by_id[part.fact_id]):
                return [part, first, *(p for p in ranked[1:] if p is not part)]
        return ranked

    def _releases(self, keys: Iterable[str]) -> set[str]:
        """The products among `keys`, but one whose name begins another's (the family)."""
        products = {key for key in keys if self._kind_of_key.get(key) == "product"}
        return {key for key in products if not any(other != key and other.startswith(key + " ") for other in products)}

    def _fuller_related_first(self, ranked: list[ScoreParts]) -> list[ScoreParts]:
        """`ranked`, with the second fact first when it is related to the first, scores within
        `min_margin` of it and holds clearly more of the question: "what do the GPU buys and
        the Scale AI deal tell us about Meta?" is the fact on both, not the one on the stake.
        Related facts are never too close to call (each is offered with the other), so without
        this the first would win however little of the question it holds."""
        if len(ranked) < 2:
            return ranked
        first, second = ranked[0], ranked[1]
        if (
            second.fact_id in self._by_id[first.fact_id].related
            and second.score >= first.score - self.thresholds.min_margin
            and second.coverage >= first.coverage + RELATED_COVERAGE_LEAD
        ):
            return [second, first, *ranked[2:]]
        return ranked

    def gate_cases(self, question: str) -> list[tuple[str, tuple[float, ...]]]:
        """What the answer gate weighed while answering `question`: for each reading it decided
        (the whole message, then its parts), the best fact and the features read. For fitting
        the gate (`benchmarks/fit_gate.py`); empty when the gate decided nothing."""
        seen: list[tuple[str, tuple[float, ...]]] = []
        token = _GATE_CASES.set(seen)
        try:
            self.answer(question)
        finally:
            _GATE_CASES.reset(token)
        return seen

    def _gate_features(
        self, question: str, query: _Query, ranked: list[ScoreParts], best: ScoreParts, runner_up: ScoreParts | None
    ) -> tuple[float, ...]:
        """What the answer gate reads, in the order of `GATE_FEATURES`."""
        related = self._by_id[best.fact_id].related
        unknown_weight = UNKNOWN_WEIGHT * self._max_idf * len(set(query.unknown))
        return (
            best.score,
            best.coverage,
            best.phrasing,
            best.fuzzy,
            best.penalty,
            float(len(best.penalties)),
            runner_up.score if runner_up else 0.0,
            runner_up.coverage if runner_up else 0.0,
            runner_up.phrasing if runner_up else 0.0,
            ranked[2].score if len(ranked) > 2 else 0.0,
            float(len(query.terms)),
            float(len(set(query.unknown))),
            unknown_weight / query.total_weight if query.total_weight else 0.0,
            query.total_weight / self._max_idf,
            float(len(query.entities)),
            float(sum(1 for p in ranked[:5] if p.fact_id in related)),
            float(len(question.split())),
        )

    def _gate(
        self, question: str, query: _Query, ranked: list[ScoreParts], best: ScoreParts, runner_up: ScoreParts | None
    ) -> tuple[str | None, float | None]:
        """Whether `best` is the answer: (None, confidence) when it is, else why not ("low_score"
        or "too_close", named as the thresholds would name it), and the gate's confidence
        (None when the thresholds alone decide)."""
        seen = _GATE_CASES.get()
        if self.gate is not None or seen is not None:
            features = self._gate_features(question, query, ranked, best, runner_up)
            if seen is not None:
                seen.append((best.fact_id, features))
        score = best.score
        margin = score - (runner_up.score if runner_up else 0.0)
        t = self.thresholds
        reason = None
        if score < t.min_score or best.coverage < t.min_coverage:
            reason = "low_score"  # or too little of what was asked is in the fact, however alike the wording
        elif margin < t.min_margin:
            reason = "too_close"
        if self.gate is None:
            return reason, None
        # The thresholds' verdict stands unless the gate is sure otherwise: an answer they allow
        # is refused below the veto, a score too low for them is overruled at the (higher)
        # threshold. Two facts too close to call stay so: the gate weighs whether the best is
        # right, not which of the two is.
        confidence = self.gate.confidence(features)
        if reason is None:
            clear = score >= self.gate.clear_score and margin >= self.gate.clear_margin
            return (None if clear or confidence >= self.gate.veto else DOUBTFUL), confidence
        return (None if reason == "low_score" and confidence >= self.gate.threshold else reason), confidence

    def _decide(self, question: str, query: _Query, ranked: list[ScoreParts] | None = None) -> Answer:
        """The answer to `query` (read from `question`), from its ranking when already made."""
        ranked = self._rank(query) if ranked is None else ranked
        ranked = self._one_person_of_overview(query, self._fuller_related_first(ranked))
        ranked = self._one_release_of_overview(query, ranked)
        best = ranked[0] if ranked else None
        runner_up = next(
            (p for p in ranked[1:] if best and p.fact_id not in self._by_id[best.fact_id].related), None
        )
        score = best.score if best else 0.0
        margin = score - (runner_up.score if runner_up else 0.0)
        reason = None
        confidence = None
        if query.position and (ends := self._source_ends.get(query.position[0])):
            # "how does the Gizmodo piece end?": the fact quoting its last words, whatever
            # else the words "end" or "open" match.
            placed = self._by_id[ends[0] if query.position[1] == "start" else ends[1]]
            return self._answer_fact(
                placed.fact,
                question=question,
                score=1.0,
                margin=1.0,
                suggestions=self._suggestions(ranked, exclude=placed.fact.id),
            )
        if query.place and (placed_id := self._fact_of_place(query.place)) is not None:
            # "how does the public reactions section end?", "the blog's second bullet": the
            # fact quoting that part of the text.
            return self._answer_fact(
                self._by_id[placed_id].fact,
                question=question,
                score=1.0,
                margin=1.0,
                suggestions=self._suggestions(ranked, exclude=placed_id),
            )
        if query.foreign:
            reason = "not_english"
        elif query.task:
            reason = "task:" + query.task
        elif query.advice:
            reason = "advice"
        elif query.pointing_back:
            reason = "pointing_back:" + query.pointing_back
        elif query.of_the_text:
            reason = "not_given:" + query.of_the_text  # no source says who wrote it or when
        elif query.business_of and not self._tells_business(query.business_of):
            reason = "not_given:business"  # "what does Scale AI actually do?": the stake is no answer
        elif query.followed:
            reason = "not_given:later"
        elif query.outside:
            reason = "unknown_entity:" + ", ".join(query.outside)
        elif subject := self._unknown_subject(query) or list(query.unknown_reactor):
            reason = "unknown_subject:" + ", ".join(_as_written(subject, question))
        elif best is None:
            reason = "no_match"
        elif len(query.terms) == 1 and not query.unknown and self._too_broad(next(iter(query.terms))):
            reason = "too_broad"  # "what is meta": one word that most facts share names no fact
        elif len(query.terms) == 1 and best.coverage < LONE_TERM_MIN_COVERAGE and self._asks_of_the_unknown(query):
            reason = "low_score"  # one word, too little of it in the fact, however alike the wording
        else:
            reason, confidence = self._gate(question, query, ranked, best, runner_up)
        if reason in _UNSURE and reason != DOUBTFUL and ranked:
            # The question's subject is clear, only the detail it asks for is not in the fact:
            # "When is Llama 4 coming out?" is not "I don't know what you mean". Clear means
            # clearly above the bar without the cut, not just over it ("when was Meta founded?"),
            # and above every other fact, cut or not.
            subject = max(ranked[:CANDIDATES], key=_without_question_type_cut)
            if (
                "question_type" in subject.penalties
                and _without_question_type_cut(subject) >= self.thresholds.min_score + self.thresholds.min_margin
            ):
                missing = self._missing_detail(query, self._by_id[subject.fact_id]) or "detail"
                if missing == "when" and query.pins_period and query.asks_future:
                    missing = "future"  # "will Meta spend more in 2026": what is to come, first of all
                reason = "not_given:" + missing
                # The fact the reply speaks of ("the closest fact I have") comes first.
                ranked = [subject, *(p for p in ranked if p is not subject)]
        if (
            reason in _ANSWERING
            and best is not None
            and query.who_does
            and not query.wants_kind
            and not self._names_an_agent(self._by_id[best.fact_id], query)
        ):
            # "Who leads Meta's AI lab?" of a fact naming nobody who does anything. Only the
            # answer is ruled out: cutting every such fact would leave the answer to a fact that
            # names somebody by the way ("who supports LeCun's model?": the views on regulation).
            reason = "not_given:who"
        if (
            reason in _ANSWERING
            and best is not None
            and query.asks_whether
            and query.asks_mention
            and not query.cited & self._by_id[best.fact_id].sources
        ):
            # "does the blog mention open washing?" of a fact quoting another source: the blog
            # does not, as far as the facts tell; the fact that does is offered.
            reason = "not_given:source"
        if reason in _ANSWERING and best is not None and query.asks_share and "percent" not in self._by_id[best.fact_id].answers:
            reason = "not_given:percent"
        if (
            reason in _ANSWERING
            and best is not None
            and query.asks_future
            and "future" not in self._by_id[best.fact_id].answers
            and not _asks_what_would_be(self._words(best.matched_phrasing))
        ):
            # "Will Meta buy the rest of Scale AI?" of a stake held: what is, not what will be.
            # A phrasing matched that asks what would come of it does ("Would the global model
            # speed up innovation?"), though the fact says it as what does ("can speed up").
            # A fact of the same subject as close as a tie that does tell what is to come is
            # the answer ("will the new models be open?": the plan, not why they are opened).
            coming = self._telling_the_future_instead(best, ranked)
            if coming is None:
                reason = "not_given:future"
            else:
                best, ranked = coming, [coming, *(p for p in ranked if p is not coming)]
                score = best.score
        if reason in _ANSWERING and best is not None and query.asks_happened and "future" in self._by_id[best.fact_id].answers:
            reason = "not_given:happened"
        if reason is not None:
            return Answer(
                question=question,
                status="abstained",
                score=score,
                margin=margin,
                confidence=confidence,
                reason=reason,
                suggestions=self._suggestions(ranked, exclude=None),
            )
        assert best is not None
        answer = self._answer_fact(
            self._by_id[best.fact_id].fact,
            question=question,
            score=score,
            margin=margin,
            suggestions=self._suggestions(ranked, exclude=best.fact_id),
        )
        return answer if confidence is None else answer.model_copy(update={"confidence": confidence})

    def _telling_the_future_instead(self, best: ScoreParts, ranked: list[ScoreParts]) -> ScoreParts | None:
        """A fact listed as related to `best` (either way), within a tie of it and over the
        bar, that speaks of what is to come where `best` does not."""
        related = self._by_id[best.fact_id].related
        floor = max(best.score - self.thresholds.min_margin, self.thresholds.min_score)
        return next(
            (
                p
                for p in ranked[1:CANDIDATES]
                if p.score >= floor and p.fact_id in related and "future" in self._by_id[p.fact_id].answers
            ),
            None,
        )

    def _unknown_subject(self, query: _Query) -> list[str]:
        """What a question asks about when no fact knows it, its known words only framing it
        ("how does quantization *work*?", "any *news* on the merger?") or, asking whether,
        only naming whom or what it asks it of ("is Llama 4 a *flop*?", "did OpenUK *sue*
        Meta?"): its first few unknown words, slips of small words aside; empty when it asks
        about something the base knows."""
        if not query.unknown or not query.terms:
            return []
        if all(t in self._frame_terms for t in query.terms):
            return [
                w
                for w in dict.fromkeys(query.unknown)
                if w not in _WHEN_WORDS and _unknown_factor(w, set()) != SLIP_FACTOR
            ][:SUBJECT_WORDS_SHOWN]
        if not query.asks_whether or not query.entities or query.who_is:
            return []
        if not all(t in self._frame_terms or t in query.entity_terms for t in query.terms):
            return []
        # A word of one or two letters is shorthand ("IG", "q"), not what is asked.
        return [
            w
            for w in dict.fromkeys(query.unknown)
            if len(w) > 2 and w not in _WHEN_WORDS and _unknown_factor(w, set()) != SLIP_FACTOR
        ][:SUBJECT_WORDS_SHOWN]

    def answer_fact(self, fact_id: str, *, question: str | None = None) -> Answer | None:
        """The answer for a fact chosen by id (a suggestion or related button); None if unknown."""
        indexed = self._by_id.get(fact_id)
        if indexed is None:
            return None
        answer = self._answer_fact(indexed.fact, question=question or indexed.fact.question, score=1.0, margin=1.0)
        if question and (asked := self.answer(question)).fact_id == fact_id and asked.matched_part:
            # Shared from an answer to one of several questions: it still says which one.
            answer = answer.model_copy(update={"matched_part": asked.matched_part})
        return answer

    def _answer_fact(
        self, fact: Fact, *, question: str, score: float, margin: float, suggestions: list[FactRef] | None = None
    ) -> Answer:
        shown = self._shown(fact)
        return Answer(
            question=question,
            status="answered",
            fact_id=fact.id,
            topic=fact.topic,
            canonical_question=fact.question,
            text=fact.answer,
            quotes=list(shown.quotes),
            score=score,
            margin=margin,
            suggestions=suggestions or [],
            related=list(shown.related),
        )

    def _shown(self, fact: Fact) -> _ShownFact:
        """A fact's quotes with their sources and its related facts, as an answer shows them:
        made once for the facts most recently answered, not again for every answer."""
        shown = self._shown_facts.get(fact.id)
        if shown is None:
            shown = _ShownFact(
                quotes=tuple(
                    ResolvedQuote(text=q.text, source=self.base.source_info(q.source), timestamp=q.timestamp)
                    for q in fact.quotes
                ),
                related=tuple(self.related(fact.id)),
            )
            if len(self._shown_facts) >= SHOWN_FACTS_KEPT:
                self._shown_facts.clear()
            self._shown_facts[fact.id] = shown
        return shown

    def _suggestions(self, ranked: list[ScoreParts], *, exclude: str | None, limit: int = 3) -> list[FactRef]:
        """The closest other facts; with nothing close at all, the first fact of the first topics."""
        picks = [
            (p.fact_id, round(p.score, 4))
            for p in ranked
            if p.fact_id != exclude and p.score >= self.thresholds.suggestion_floor
        ][:limit]
        if not picks and exclude is None:
            firsts = (t.fact_ids[0] for t in self.base.topics.values() if t.fact_ids and t.fact_ids[0] in self._by_id)
            picks = [(fact_id, 0.0) for fact_id in itertools.islice(firsts, limit)]
        return [FactRef(fact_id=f, question=self._by_id[f].fact.question, score=score) for f, score in picks]

    def _too_broad(self, term: str) -> bool:
        """A word on so many facts (a quarter of them, and at least a handful) that alone it picks none."""
        return term in self._common and len(self._postings[term]) >= MIN_CANDIDATES

    def linked(self, fact_id: str) -> frozenset[str]:
        """The facts related to this one either way: two of them close together are no conflict."""
        return self._by_id[fact_id].related

    def related(self, fact_id: str, *, limit: int = 5) -> list[FactRef]:
        """Facts listed as related first, then others of the same topic."""
        indexed = self._by_id[fact_id]
        ids = [r for r in indexed.fact.related if r in self._by_id]
        topic = self.base.topics.get(indexed.fact.topic)
        if topic:
            ids += [f for f in topic.fact_ids if f != fact_id and f not in ids and f in self._by_id]
        return [FactRef(fact_id=f, question=self._by_id[f].fact.question) for f in ids[:limit]]

    def help(self, question: str = "") -> Answer:
        """The help reply: how to ask, and the topics with an example question each; the
        sources too when the question asks where the answers come from."""
        found = words(question)
        # "what are your sources?", "where do your answers come from?"; not "open source".
        said = {w for i, w in enumerate(found) if not (w in {"source", "sources"} and i and found[i - 1] == "open")}
        asks_sources = bool(SOURCE_WORDS & said) or (bool(said & {"come", "comes"}) and "from" in said)
        sources = [s.info for s in self.base.sources.values()] if asks_sources else []
        return Answer(question=question, status="help", topics=self.topics(), sources=sources)

    def topics(self) -> list[TopicSummary]:
        summaries = []
        for topic in self.base.topics.values():
            ids = [f for f in topic.fact_ids if f in self._by_id]
            if ids:
                example = self._by_id[ids[0]].fact.question
                summaries.append(TopicSummary(id=topic.id, title=topic.title, example=example, fact_count=len(ids)))
        return summaries

    def fact(self, fact_id: str) -> Fact | None:
        indexed = self._by_id.get(fact_id)
        return indexed.fact if indexed else None

    def complete(self, typed: str, *, limit: int = 25) -> list[FactRef]:
        """Canonical questions that best match what has been typed so far (autocomplete)."""
        # A word is still being typed when the text ends in it (or in an apostrophe inside it:
        # "LeCun'"), not in a space or another mark (after "open-" comes another word).
        end = typed[:MAX_READ_CHARS][-1:]
        typing = end.isalnum() or end in "'\u2019"
        typed = typed.strip()[:MAX_READ_CHARS]
        if not typed:
            return [FactRef(fact_id=i.fact.id, question=i.fact.question) for i in self._facts[:limit]]
        raw = words(typed)
        query = self._analyze(typed)
        partial = raw[-1] if raw and typing else None
        if partial and len(partial) >= 2 and partial not in STOPWORDS:
            # What the question asks about is what was typed in full: the half-typed word is
            # neither an unknown word nor every word it may become (unless typed in full too).
            term = self.canon(partial)
            self._learn_asked(
                query,
                self._asking_weight({u: _unknown_factor(u, set()) for u in query.unknown if u != partial}),
                leaving_out=None if term in {self.canon(x) for x in raw[:-1]} else term,
            )
            for w in self._completions(partial):
                term = self._surface[w]
                query.terms.setdefault(term, self._idf.get(term, self._max_idf))
            query.total_weight = sum(query.terms.values()) + self._max_idf * len(
                [u for u in query.unknown if u != partial]
            )
        ranked_parts = self._rank(query)
        scores = {p.fact_id: p.score for p in ranked_parts}
        if len(self._facts) <= COMPLETE_FUZZY_ALL_MAX:
            pool = self._facts
        else:  # the facts the index found, and those whose question begins as typed
            pool = [self._by_id[f] for f in scores]
            pool += [i for i in self._questions_beginning(typed, limit) if i.fact.id not in scores]
        fuzzy = process.extract(
            typed, [i.fact.question for i in pool], scorer=fuzz.WRatio, limit=limit, processor=str.lower
        )
        for _, similarity, position in fuzzy:
            fid = pool[position].fact.id
            scores[fid] = max(scores.get(fid, 0.0), similarity / 200.0)
        ranked = sorted(scores, key=lambda fid: (-scores[fid], self._by_id[fid].order))
        return [FactRef(fact_id=f, question=self._by_id[f].fact.question, score=round(scores[f], 4)) for f in ranked[:limit]]

    def _questions_beginning(self, typed: str, limit: int) -> list[_IndexedFact]:
        """Up to `limit` facts whose canonical question begins with `typed` (case aside)."""
        start = typed.lower()
        found = []
        at = bisect_left(self._sorted_questions, (start, -1))
        while at < len(self._sorted_questions) and len(found) < limit:
            question, n = self._sorted_questions[at]
            if not question.startswith(start):
                break
            found.append(self._facts[n])
            at += 1
        return found

    def _completions(self, partial: str) -> list[str]:
        """The base's words that `partial` may become, shortest first: COMPLETE_EXPANSIONS of them."""
        found = []
        at = bisect_left(self._sorted_surface, partial)
        while at < len(self._sorted_surface) and self._sorted_surface[at].startswith(partial):
            found.append(self._sorted_surface[at])
            at += 1
        found.sort(key=lambda w: (len(w), w))
        return found[:COMPLETE_EXPANSIONS]


# A typed handle: "@maria", "@zuck" (not an address, "bob@meta.com").
_HANDLE = re.compile(r"(?<![\w@.])@(\w[\w-]{0,80})")

# A period named relative to now: "this year", "last quarter", "next month".
_RELATIVE_TIME = frozenset({"this", "next", "last", "past", "coming"})
_PERIODS = frozenset({"year", "quarter", "month", "week"})
_YEAR = re.compile(r"(?:19|20)\d\d")
_KINDS_OF_YEAR = frozenset({"fiscal", "financial", "calendar", "budget", "school", "academic"})  # "this fiscal year"
# The asker and their own, a few words before a time: "I read it last week", "my manager asked last month".
_ASKERS = frozenset("i im ive me my we weve us our".split())
ASKER_REACH = 6
# Words telling when something was said, right before the time: "Gizmodo *reported* last week
# that ...", "a colleague *said* this week", "there was *news* this month".
_REPORTING = frozenset(
    "said says say reported reports report wrote writes announced announces news article post posted "
    "tweeted mentioned claimed heard".split()
)
REPORTING_REACH = 3


def _pins_a_period(raw: list[str], unknown: list[str]) -> bool:
    """Whether a question asks of a time the sources cannot speak to: a period named relative
    to now ("capex for this year", "budget for next year") or a year no source names ("for
    2025"). A fact can answer it only with a date of its own. A time of the asker's own doing
    ("I read the Gizmodo piece last week, what did it say ...") scopes nothing asked."""
    years = {w for w in unknown if _YEAR.fullmatch(w)}
    for i, w in enumerate(raw):
        if w in years:
            pinned = True
        elif w in _RELATIVE_TIME and i + 1 < len(raw):
            period = raw[i + 2] if raw[i + 1] in _KINDS_OF_YEAR and i + 2 < len(raw) else raw[i + 1]
            pinned = period in _PERIODS
        else:
            continue
        if (
            pinned
            and _ASKERS.isdisjoint(raw[max(0, i - ASKER_REACH) : i])
            and _REPORTING.isdisjoint(raw[max(0, i - REPORTING_REACH) : i])
        ):
            return True
    return False


def _clearest(question: str, readings: list[Answer]) -> Answer | None:
    """The clearest answered reading, as the answer to the whole `question`; None when none is."""
    clear = [reading for reading in readings if reading.answered]
    if not clear:
        return None
    best = max(clear, key=lambda reading: reading.score)
    return best.model_copy(update={"question": question, "matched_part": best.question})


def _fit_of(ranked: list[ScoreParts], fact_id: str | None) -> tuple[float, float]:
    """How a fact scores in a ranking, and how far below the best it is (its score 0.0 and
    the whole best score when it is not among the candidates)."""
    top = ranked[0].score if ranked else 0.0
    score = next((parts.score for parts in ranked if parts.fact_id == fact_id), 0.0)
    return score, top - score


def _without_question_type_cut(parts: ScoreParts) -> float:
    """A fact's score as it would be if it could give the detail the question asks for."""
    return parts.score / QUESTION_TYPE_PENALTY if "question_type" in parts.penalties else parts.score


def _exact_key(terms: Iterable[str], *, spelt: str | None = None) -> str | tuple[str, ...]:
    """A set of terms as the index keys the phrasings made of exactly those terms: its terms
    sorted and joined by spaces (`spelt` itself when it is that string, so that a phrasing's
    text is its key too), or a tuple of them where joining would blur them: no terms, or an
    empty one or one with a space (a synonym group's head may have one)."""
    ordered = sorted(set(terms))
    if not ordered or not all(term and " " not in term for term in ordered):
        return tuple(ordered)
    joined = " ".join(ordered)
    return spelt if spelt == joined else joined


def _key_terms(key: str | tuple[str, ...]) -> Sequence[str]:
    """The sorted terms an `_exact_key` stands for."""
    return key.split(" ") if isinstance(key, str) else key


def _as_orders(orders: int | tuple[int, ...]) -> tuple[int, ...]:
    """The facts' orders a `_phrased_as` value holds: one fact's alone, or several."""
    return (orders,) if isinstance(orders, int) else orders


def _phrasing_overlap(query: _Query, indexed: _IndexedFact) -> dict[int, float]:
    """Per phrasing of the fact (by index), the weight of the question's words it holds."""
    shared: dict[int, float] = defaultdict(float)
    for term, weight in query.terms.items():
        for i in indexed.phrasings_with.get(term, ()):
            shared[i] += weight
    return shared


def _sets_side_by_side(entities: set[str], kind_of: dict[str, str]) -> bool:
    """Whether the question names two or more things of one kind ("GPT and Gemma", "LeCun,
    Altman and Zuckerberg"): it asks how they compare, which a fact naming each of them tells."""
    distinct = {e for e in entities if not any(e != other and e in other.split() for other in entities)}
    kinds = {kind_of.get(e) for e in distinct}
    return len(distinct) >= 2 and len(kinds) == 1 and None not in kinds


def _one_named(auxiliary: str, run: list[str]) -> bool:
    """Whether the words after an auxiliary may be one name: not a lone plural after "do",
    "are", "were" or "have" ("do Clinicians use"). After any other auxiliary a word ending in
    "s" may be a name ("did Databricks buy"): refused, a capitalised plural ("can Hobbyists")
    costs an "I don't know" with suggestions, where a name answered costs a wrong fact."""
    return not (auxiliary in _PLURAL_AUXILIARIES and len(run) == 1 and run[0].endswith("s"))


def _written_as_words(words: list[str]) -> re.Pattern[str]:
    """Folded words written whole, in any case, one after another with spaces or hyphens between."""
    return re.compile(r"(?<![^\W_])" + r"[\s-]+".join(map(re.escape, words)) + r"(?![^\W_])", re.IGNORECASE)


def _runs_as_written(runs: list[list[str]], question: str) -> list[str]:
    """Each run of folded words as the question writes it ("mark cuban" as "Mark Cuban"),
    found left to right, so a name written twice or after the same word in lower case is
    shown whole; a run the question writes otherwise (accents) as folded."""
    shown: list[str] = []
    at = 0
    for run in runs:
        pattern = _written_as_words(run)
        hit = pattern.search(question, at) or pattern.search(question)
        if hit is not None:
            shown.append(hit.group(0))
            at = hit.end()
        else:  # marked up between its words ("**Mark** **Cuban**"): its words as written, spaced
            written = []
            for word in run:
                text, at = _word_as_written(word, question, at)
                written.append(text)
            shown.append(" ".join(written))
    return list(dict.fromkeys(shown))


def _word_as_written(word: str, question: str, at: int) -> tuple[str, int]:
    """A folded word as `question` spells it from `at` on (else anywhere), or as folded when it
    spells it otherwise, and where the search for the next word starts."""
    pattern = _written_as_words([word])
    hit = pattern.search(question, at) or pattern.search(question)
    return (hit.group(0), hit.end()) if hit else (word, at)


def _as_written(words: list[str], question: str) -> list[str]:
    """Folded words as the question spells them ("rlhf" as "RLHF"), those side by side in it
    as one phrase ("Kubernetes migration"); a word it writes otherwise (accents) as folded."""
    found = sorted(
        (hit.start(), hit.end(), hit.group(0)) if hit else (len(question), len(question), word)
        for word in words
        for hit in [_written_as_words([word]).search(question)]
    )
    phrases: list[str] = []
    end = -1
    for start, stop, text in found:
        if phrases and 0 <= end <= start and not question[end:start].strip(" -"):
            phrases[-1] += question[end:start] + text
        else:
            phrases.append(text)
        end = stop
    return phrases


# How a question is put to the bot when it asks what the bot knows of a subject.
_TO_THE_BOT = (("what", "do", "you", "know"), ("what", "can", "you", "tell"), ("tell", "me", "about"))


def _put_to_the_bot(raw: list[str]) -> bool:
    """Whether the words address the bot about what it knows ("is this the bot for ...",
    "what do you know about ...", "tell me about ...")."""
    return "bot" in raw or any(tuple(raw[i : i + len(run)]) == run for run in _TO_THE_BOT for i in range(len(raw)))


def _with_e(word: str) -> str | None:
    """The form with a final "e" of an inflected word ("taking", "coded"), if it is one."""
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)] + "e"
    return None


_SOUND_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def _sound_of(word: str) -> str:
    """A word's Soundex code: its first letter and the sounds of the next consonants, vowels
    left out and a sound repeated once ("lacoon" and "lecun" are both L25)."""
    code, last = word[0], _SOUND_CODES.get(word[0], "")
    for letter in word[1:]:
        digit = _SOUND_CODES.get(letter, "")
        if digit and digit != last:
            code += digit
        if letter not in "hw":
            last = digit
    return code[:4]


def _skeleton(word: str) -> str:
    """The word with doubled letters folded: "llama" and "lamma" both give "lama"."""
    return "".join(ch for i, ch in enumerate(word) if i == 0 or ch != word[i - 1])


# How close to the best a fact on what a counted part is about must score to be one of those
# counted: "the first llama paragraph" counts the paragraphs of the facts on Llama.
QUALIFIED_SHARE = 0.8


def _ordinal_words(ordinal: int) -> str:
    """ "the second", "the last", "the 2nd to last" for 2, -1, -2."""
    names = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
    if ordinal > 0:
        return "the " + names.get(ordinal, f"{ordinal}th")
    return "the last" if ordinal == -1 else f"the {names.get(-ordinal, f'{-ordinal}th')} to last"


def _next_to(these: Iterable[int], those: Iterable[int], reach: int = 3) -> bool:
    """Whether a word at one of `these` indexes is within `reach` words of one of `those`."""
    return any(abs(a - b) <= reach for a in these for b in those)


def _unknown_factor(word: str, names: set[str]) -> float:
    """How much an unknown word weighs against a match: a capitalised one may be a name the
    base lacks (double), one a slip away from a small word ("waht", "abot") little."""
    if word in names:
        return UNKNOWN_NAME_FACTOR
    if len(word) >= 4 and process.extractOne(word, _LONG_STOPWORDS, scorer=OSA.distance, score_cutoff=1):
        return SLIP_FACTOR
    return 1.0


# Verbs of gaining or losing by something, which groups answer: "who *benefits*", "who is *affected*".
_GAINING = frozenset(
    """benefit benefits benefited benefiting gain gains gained profit profits profited win wins won lose loses
    lost impacted affected helped hurt harmed""".split()
)
# Groups a fact may name as who gains or loses: "startups and universities", "competitors".
_GROUPS = frozenset(
    """developers researchers startups businesses companies organizations organisations governments
    competitors rivals players users academics universities nations countries communities innovators
    enterprises firms ngos society""".split()
)
_GAIN_REACH = 4


def _asks_who_gains(raw: list[str]) -> bool:
    """Whether the words ask who gains or loses by something: "who *benefits*", "who else
    *profits*", "who will be *impacted*", "who stands to *gain*"."""
    return any(w == "who" and not _GAINING.isdisjoint(raw[i + 1 : i + 1 + _GAIN_REACH]) for i, w in enumerate(raw))


def _slip_of_a_text_noun(word: str) -> bool:
    """Whether a word is a noun for a text typed with a slip ("artcile", "aritcle", "soruce"):
    one edit from one of five letters or more, its first letter kept."""
    if len(word) < MIN_TEXT_NOUN_SLIPPED or word in TEXT_NOUNS:
        return False
    hit = process.extractOne(word, _LONG_TEXT_NOUNS, scorer=OSA.distance, score_cutoff=1)
    return hit is not None and hit[0][0] == word[0]


def _slip_of_a_function_word(word: str) -> bool:
    """Whether an unknown word is a long function word mistyped ("anythign", "somthing",
    "betweeen", "somethinh"): two of its letters swapped, one left out, one doubled, or one
    struck for a key beside it, its first letter kept. Not a letter changed or added in
    other ways, which makes words of their own ("daring" of "during", "mighty" of "might",
    "themes" of "theres"), nor chat filler ("cooking" of "looking", "sports" of "sorts")."""
    if len(word) < MIN_SLIP_ASKING_NOTHING:
        return False
    hit = process.extractOne(word, _LONG_FUNCTION_WORDS, scorer=OSA.distance, score_cutoff=1)
    if hit is None or hit[0][0] != word[0]:
        return False
    meant = hit[0]
    if len(word) == len(meant) - 1:
        return True  # a letter left out
    if len(word) == len(meant) + 1:
        at = next((i for i, (a, b) in enumerate(zip(word, meant)) if a != b), len(meant))
        return word[at] == word[at - 1]  # a letter doubled: "betweeen"
    changed = [i for i, (a, b) in enumerate(zip(word, meant)) if a != b]
    if len(changed) == 2:
        return changed[1] == changed[0] + 1  # two letters swapped
    return len(changed) == 1 and word[changed[0]] in _KEYS_BESIDE.get(meant[changed[0]], "")


def _nearer_a_stopword(word: str, fixed: str) -> bool:
    """Whether a misspelt word is closer to a function word than to its correction."""
    if len(word) < 4:
        return False
    hit = process.extractOne(word, _LONG_STOPWORDS, scorer=OSA.distance, score_cutoff=1)
    return hit is not None and hit[1] < OSA.distance(word, fixed)


_PARTICLES = frozenset("out back up off away down over on in".split())
# The verbs of telling among the framing words, and the words after one that make it ask
# whom: "who did Altman talk to", "who did Zuckerberg write to".
_TELLING = frozenset(
    "write writes wrote written mention mentions mentioned talk talks talked talking discuss discusses discussed "
    "discussing".split()
)
_TO_WHOM = frozenset({"to", "with"})
# What may come after such a "to" or "with" that leaves it asking whom: nothing, another
# question, or where or when it was said ("who did Zuckerberg talk to on the podcast?").
_WHOM_ENDS = frozenset("and or but on at in during about before after".split())
# Before "talk", the words that make it a noun, which asks: "gave a talk", "his talk".
_BEFORE_A_NOUN = frozenset("a an the his her their its give gives gave given giving".split())
_WHO_S = re.compile(r"\bwho['\u2019]s\b", re.IGNORECASE)
# "Who is", "who was", "who's" (read as "who s" or "who" alone); a hedge may come between.
_BEING = frozenset({"is", "was", "s"})
# Nouns whose instances are seldom written beside them: "in which field" (healthcare), "at
# which event" (the AI Action Summit).
_CATEGORY_NOUNS = frozenset(
    "field fields area areas domain domains industry industries sector sectors event events".split()
)
# Words that only frame what happened, verbs ("why did Zuck *bring* them up", "why did Meta
# *decide to* open up", "why did Meta *go* open") and adverbs ("why did Meta *suddenly* ..."):
# the word after them says what.
_FRAMING_AN_EVENT = frozenset(
    "bring brought go went gone make made get got do done take took taken put come came decide decided choose chose "
    "chosen opt opted want wanted start started begin began begun try tried need needed end ended suddenly "
    "actually really even ever finally".split()
)
# What one release of a named thing is called: "which Llama *version*" is answered by a fact
# naming Llama 2.
_RELEASE_NOUNS = frozenset("version versions release releases edition editions generation generations".split())
# Words before a noun that say which one is meant, never the noun asked of: "which *recent*
# event", "which *latest* version".
_WHICH_ONE_WORDS = frozenset(
    "recent new newer newest latest last first next previous earlier later current original main major big "
    "biggest top exact specific particular other same".split()
)
# Words that only say a name is asked for, not what names it: "which *name*", "the critic, *name*?".
_NAME_FORMS = frozenset("name names".split())
_WHO_HEDGES = frozenset("exactly really actually".split())
# The adjective of "how large", "how big": it asks an amount, as "how much" does.
_SIZE_ASKED = frozenset("big large huge sizable sizeable".split())
# What a number counts when it is no release's: "a 3-minute read", "4 years ago", "3 times".
_UNITS = frozenset(
    "second seconds minute minutes min mins hour hours hr hrs day days week weeks month months year years yr yrs "
    "times percent pct x k m bn million millions billion billions thousand thousands people companies countries".split()
)
_ENDING_UP = frozenset("end ends ended ending".split())
# "Mark Zuckerberg, who is *this person*?", "so LeCun, who is *he*?"
_POINTING_BACK = frozenset("this that he she".split())
_PERSON_NOUNS = frozenset("person guy man woman one again".split())
# A word for a person after their name: "who is this LeCun *guy*?" asks who LeCun is.
_NAMED_PERSON_NOUNS = frozenset("person guy dude fellow fella bloke chap man woman lady character".split())
_BEFORE_A_NAME = frozenset("so and ok okay hey".split())
# What may follow a name asked about with "who is": "who's LeCun again", "who is Wang at Meta",
# "who is Altman of OpenAI"; not "in favour of" or "a fan of".
_AFTER_A_NAME = frozenset("again and exactly anyway now at of from".split())
# A person's post, asked of them: "Zuckerberg's *title*", "LeCun's *job* at Meta".
_POST_WORDS = frozenset("title job role position post".split())
# What may stand between a name and its post: "Zuckerberg's *actual* title".
_POST_QUALIFIERS = frozenset("actual real official current exact full formal proper present day".split())
# Posts named so only in formal writing, and only as held by somebody ("the office held by").
_FORMAL_POSTS = frozenset("office capacity".split())
_HOLDING_A_POST = frozenset("has have does do did holds hold held is was".split())
# Words naming a post in a company ("the chief AI scientist", "Meta's CEO"), and the small words
# around them in "is Zuckerberg the CEO or the chief AI scientist?".
_POST_NAMES = frozenset(
    "ceo cto cfo coo ciso chief executive scientist officer founder cofounder co head boss president chairman "
    "chair director vp lead leader".split()
)
# Words asking what a person holds, as words of saying ask what they said: "Altman's *view* on
# open weights", "does Altman *support* open sourcing?".
_ASKING_A_VIEW = frozenset(
    "view views take stance position opinion opinions thoughts support supports back backs favor favors favour "
    "favours oppose opposes endorse endorses agree agrees disagree disagrees".split()
)
_FOUNDING = frozenset("founder cofounder co founded".split())
_AROUND_A_POST = frozenset("the a an or of at for in just actually really still now s ai research".split())
# Asking whom a person works for: "who does LeCun *work for*", "which *company* is Altman
# *at*", "what *firm* does Wang *run*".
_WORKING = frozenset("work works working worked".split())
_AT_A_COMPANY = frozenset("for at with".split())
_RUNNING = frozenset("run runs lead leads head heads".split())
# Words asking about a person as a whole: "what is LeCun *known for*", "*background* on Wang",
# "*quick intro* to LeCun", "what's Zuckerberg's *deal*?".
_ABOUT_A_PERSON = frozenset(
    "known famous background backstory bio biography intro introduction profile deal story rundown "
    "lowdown who whos".split()
)
_NOW_WORDS = frozenset("now currently again exactly actually these days".split())
_EMPLOYERS = frozenset("company companies firm firms organisation organization org employer lab".split())
# What may follow "what does Zuckerberg do" and still ask his job: "at Meta", "again".
_AFTER_DOING = frozenset("at for again exactly now as".split())
# Verbs asking whether a text speaks of something: "does the blog *mention* open washing?".
_MENTIONING = frozenset(
    "mention mentions mentioned talk talks talked cite cites cited discuss discusses discussed cover covers covered "
    "address addresses addressed".split()
)
# Words closing a claim to have it checked: "Altman works at Google, *ne*?", "..., *correct*?".
_CHECKING_TAGS = frozenset("ne na eh innit yeah yes yep no nah ok okay correct true right wrong".split())
# Verbs reporting a claim before it, within a few words: "our deck *says* Altman runs Google".
_REPORTING_A_CLAIM = frozenset("says said claims claimed thinks thought reckons heard".split())
_REPORTED_REACH = 5
# What a company or product is, after its name: "what does the Open Compute *project* do?".
_BUSINESS_NOUNS = frozenset(
    "project company firm startup lab labs foundation group organisation organization framework tool app "
    "platform library initiative".split()
)


def _own_texts(fact: Fact) -> tuple[str, ...]:
    """What the fact itself says: its answer and its quotes."""
    return (fact.answer, *(quote.text for quote in fact.quotes))


# Verbs asking whether what is so will go on being so: "will Llama *stay* at the core?", "will
# Meta *keep* using Llama in its apps?".
_PERSISTING = frozenset("stay stays remain remains keep keeps continue continues still".split())
_FUTURE_CUES = frozenset({"will", "gonna", "going", "wil", "ll"})
# What may follow such a verb to say what stays: "stay *at* the core", "remain *a* cornerstone",
# "stay *committed*"; an adjective alone ("stay free", "stay open") asks what is to come.
_WHAT_STAYS = frozenset("a an the at in on part committed".split())


def _asks_persistence(raw: list[str]) -> bool:
    """Whether the words ask if something stays as it is ("is Llama going to stay at the core of
    Meta's strategy?", "will Meta keep using Llama inside Facebook?"): a fact telling how it is
    answers as far as the sources go, where "will Meta buy the rest of Scale AI?" asks what no
    fact of a stake held tells."""
    for i, w in enumerate(raw):
        if w not in _FUTURE_CUES:
            continue
        # the verb within a few words, past the subject: "will *Meta* keep", "is going *to* stay"
        at = next((j for j in range(i + 1, min(i + 6, len(raw))) if raw[j] in _PERSISTING), None)
        if at is not None and at + 1 < len(raw) and (raw[at + 1].endswith("ing") or raw[at + 1] in _WHAT_STAYS):
            return True  # "keep *using*", "stay *at* the core", "stay *a* cornerstone"; not "stay free"
    return False


def _asks_what_would_be(found: list[str]) -> bool:
    """Whether a phrasing asks what would or could come of something ("Would pooling global
    datasets reduce AI bias?", "How would a global model build trust?")."""
    return not _WHAT_WOULD_BE.isdisjoint(found)


def _asks_what_it_is(raw: list[str]) -> bool:
    """Whether the words ask only what a thing is: "what is AGI", "what's a frontier model",
    "what are open weights", "define open washing", "openwashing meaning", "eli5 open
    washing", "what is a GPU, simply?", "what does AGI mean?" (of one to three words, none of
    them a small word)."""
    return _thing_defined(raw) is not None


# Words after a thing that only ask for it to be told simply: "what's a GPU, *basically*?".
_SIMPLY = frozenset("simply basically exactly actually again really briefly quickly pls please plz".split())
_SIMPLY_PHRASES = (
    # (the others, "in plain english", "explain like I'm five", "for beginners", go before the
    # words are read, see `without_told_simply`)
    ("in", "a", "nutshell"),
    ("in", "one", "line"),
    ("eli", "5"),
    ("eli5",),
)
_SIMPLY_ENDS = _SIMPLY | {phrase[-1] for phrase in _SIMPLY_PHRASES}
# What opens a request to have a thing told simply: "eli5 open washing", "explain open washing".
_DEFINE_OPENERS = frozenset({"define", "eli5"})
_WHAT_S = re.compile(r"\bwhat['\u2019]s\b", re.IGNORECASE)


def _defining_words(text: str, raw: list[str]) -> list[str]:
    """`raw` (the words of `text`) as `_thing_defined` reads them: an opening "what's" is
    "whats" (its "s" is no word of `raw`: "what's llama" is not "what llama models"), "eli 5"
    is "eli5"."""
    if raw[:1] == ["what"] and _WHAT_S.search(text):
        return ["whats", *raw[1:]]
    if raw[:2] == ["eli", "5"]:
        return ["eli5", *raw[2:]]
    return raw


def _thing_defined(raw: list[str]) -> list[str] | None:
    """The words of the thing a question asks only what it is (see `_asks_what_it_is`), without
    the words asking it ("define", "meaning"); None if it asks more. "what's" is read as "what
    is" ("what a GPU" can be nothing else: the apostrophe's "s" is no word)."""
    raw = _without_simply(raw)
    if len(raw) >= 3 and raw[0] in ("what", "whats") and raw[1] in ("is", "are"):
        thing = raw[2:]
    elif len(raw) >= 2 and raw[0] == "whats" or len(raw) >= 3 and raw[0] == "what" and raw[1] in ("a", "an"):
        thing = raw[1:]
    elif len(raw) >= 2 and raw[0] in _DEFINE_OPENERS:
        thing = raw[1:]
    elif len(raw) >= 4 and raw[0] in ("what", "whats") and raw[1] in ("does", "do") and raw[-1] in ("mean", "means"):
        thing = [w for w in raw[2:-1] if w not in _WHO_HEDGES and w != "even"]  # "what does open washing actually mean"
    elif len(raw) >= 3 and raw[:2] == ["meaning", "of"]:
        thing = raw[2:]
    elif len(raw) >= 2 and raw[-1] in ("meaning", "definition"):
        thing = raw[:-1]
    else:
        return None
    if thing[0] in ("a", "an", "the"):
        thing = thing[1:]
    if len(thing) > 2 and thing[-2:] in (["in", "ai"], ["in", "tech"]):
        thing = thing[:-2]  # "what is a transformer in AI": the field it is a term of
    return thing if 1 <= len(thing) <= 3 and not any(w in STOPWORDS for w in thing) else None


def _without_simply(raw: list[str]) -> list[str]:
    """`raw` without the closing words that only ask for a simple telling ("..., simply", "...
    in a nutshell", "... eli5")."""
    if not raw or raw[-1] not in _SIMPLY_ENDS:
        return raw
    changed = True
    while changed and raw:
        changed = False
        if raw[-1] in _SIMPLY:
            raw, changed = raw[:-1], True
        for phrase in _SIMPLY_PHRASES:
            if len(raw) > len(phrase) and tuple(raw[-len(phrase) :]) == phrase:
                raw, changed = raw[: -len(phrase)], True
    return raw


def _asks_who(found: list[str]) -> bool:
    """Whether a phrasing asks who somebody or something is ("Who is Meta's Chief AI Officer?")."""
    return any(w == "who" and following in _BEING for w, following in zip(found, found[1:]))

_OBJECT_PRONOUNS = ("it", "them", "this", "that", "these", "those")
_LONG_STOPWORDS = sorted(w for w in STOPWORDS if len(w) >= 4)
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# The keys beside each letter on a QWERTY keyboard, in its row and the rows above and below.
_KEYS_BESIDE = {
    key: "".join(
        other
        for r, other_row in enumerate(_KEYBOARD_ROWS)
        for c, other in enumerate(other_row)
        if abs(r - row) <= 1 and abs(c - col) <= 1 and other != key
    )
    for row, keys in enumerate(_KEYBOARD_ROWS)
    for col, key in enumerate(keys)
}
# How far into a message the verb of a task may stand: "hey bot, could you please translate".
TASK_REACH = 60
# A name written in capitals alone, or by its capitals and release number: "YLC", "L3.1".
_INITIALISM = re.compile(r"\b[A-Z]{2,5}\b|\b[A-Z]{1,3}\d+(?:\.\d+)?\b")
# "He", "him", "his": a person named elsewhere in the message ("she" and "her" name nobody the
# sources speak of, and "her" is also whom something is done to).
_PERSON_PRONOUN = re.compile(r"\b(?:he|him|his)\b", re.IGNORECASE)
_LONG_FUNCTION_WORDS = sorted(w for w in FUNCTION_WORDS if len(w) >= MIN_SLIP_ASKING_NOTHING - 1)
# Framing words long enough that one slip leaves them recognisable ("sumarize"); shorter ones
# ("take", "line", "plan") are a letter from too many words of their own.
MIN_FRAME_SLIP = 7
_LONG_FRAME_WORDS = sorted(w for w in FRAME_WORDS if len(w) >= MIN_FRAME_SLIP)
# Words that say when a question is asked, not what about ("any news *today*?").
_WHEN_WORDS = frozenset(
    "today tonight tomorrow yesterday week weekend month year lately recently currently nowadays morning".split()
)
_PLURAL_AUXILIARIES = frozenset("do are were have".split())
# Words that follow a verb, not a name: "did Mark Rebut *the* worry", "was Yann Wrong *to* call",
# "did Sam Lobby *for* it".
_AFTER_A_VERB = frozenset(
    "the a an to it them him her his their its this that these those me us our my your "
    "with for on about in of at from by against".split()
)
# After "is" or "was", an article follows the name ("is Mark Cuban *a* fan"), not a verb.
_COPULAS = frozenset("is was".split())
_AFTER_A_COPULA = _AFTER_A_VERB - {"a", "an", "the"}
# What somebody named does in a question about their view ("what did Mark Cuban *say*").
_HOLDING_A_VIEW = SAYING | frozenset(
    "agree agrees agreed disagree disagrees disagreed support supports supported oppose opposes opposed".split()
)
# The helping verbs of a phrasing asking what would come of something ("will" is read by
# `question_types` as for a question).
_WHAT_WOULD_BE = frozenset("would could might".split())
# Words setting somebody apart from whom a question asks for: "who *else*", "the *other* half".
_SETTING_APART_WORDS = frozenset("other others else besides except apart beyond".split())
# The kinds of what does something: "who leads ...", "who funds ...".
_AGENT_KINDS = frozenset({"person", "company", "institution"})
DOUBTFUL = "doubtful"
"""The reason for refusing an answer the thresholds allow, when the answer gate doubts it."""
_UNSURE = frozenset({"low_score", "too_close", DOUBTFUL})
# What the checks of what a fact gives still read as an answer: one the gate doubts is still
# better told by what its fact does not give ("does the blog mention open washing?").
_ANSWERING = frozenset({None, DOUBTFUL})
# The details a question may ask for, in the order one is named when it asks for several.
_DETAIL_ORDER = ("when", "where", "age", "count", "number", "currency", "money", "howto", "before", "reaction")
# Numbers written out, as a name's number may be ("Llama four"). ("One" is a function word,
# and larger numbers are written with digits.)
_DIGIT_WORDS = {word: str(value) for value, word in enumerate("zero one two three four five six seven eight nine".split())}
JOINED_NAME_MIN = 5
"""The shortest name looked for in words that came apart ("le cun" is LeCun)."""
# Letters as speech-to-text writes them out ("eye oh s", "open you kay"): read as letters only
# where a run of them spells a word the base knows.
_LETTER_NAMES = {
    "you": "u", "kay": "k", "eye": "i", "oh": "o", "see": "c", "pee": "p", "gee": "g", "jay": "j",
    "el": "l", "em": "m", "en": "n", "tee": "t", "ex": "x", "bee": "b", "dee": "d", "vee": "v",
}  # fmt: skip
_NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate("zero one two three four five six seven eight nine ten".split())
    if value >= 2
}


def _without_runs(text: str, runs: list[list[str]]) -> str:
    """`text` without "not" and each run of words after it (as written, any punctuation
    between the words)."""
    for run in runs:
        pattern = r"\bnot\W+" + r"\W+".join(re.escape(w) for w in run) + r"(?!\w)"
        text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    return text


def _runs_found(sequence: list[str], index: dict[str, list[tuple[tuple[str, ...], str]]]) -> list[str]:
    """The names whose word runs (indexed by first word) occur in `sequence`."""
    return [name for _, _, name in _runs_at(sequence, index)]


def _runs_at(
    sequence: list[str], index: dict[str, list[tuple[tuple[str, ...], str]]]
) -> list[tuple[int, int, str]]:
    """Where the names whose word runs (indexed by first word) occur in `sequence`: (start, end, name)."""
    found: list[tuple[int, int, str]] = []
    if index.keys().isdisjoint(sequence):
        return found
    for start, word in enumerate(sequence):
        for run, name in index.get(word, ()):
            # A run is listed under its first word: one word long, it is there already.
            if len(run) == 1 or tuple(sequence[start : start + len(run)]) == run:
                found.append((start, start + len(run), name))
    return found
