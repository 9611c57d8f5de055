"""What a question asks for, read from its words and how they are written.

Pure functions of a question's folded words (or its text): the kind of reply it wants (a
time, a count, an amount, money, instructions), the kind of named thing it asks for, what it
counts, whether it asks why, how many of its first words greet, and the names it writes
capitalised or as owners. The patterns that tell what a fact's own text gives in reply (a
number, a count, an amount of money) live here too, beside the questions they answer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from bot.text import STOPWORDS, normalize_typography, words

# Where a sentence may end: a stop, "!", "?", a colon or semicolon before a space.
_SENTENCE_END = re.compile(r"[.!?:;]\s")
# A question whose small words are capitalised too ("What Is Open Washing?", "WHO IS YANN
# LECUN") is written in title case or capitals: its capitals name nothing. Names alone do
# not make it so ("Did Databricks buy Scale AI?").
CAPITALISED_SHARE = 0.7
_WORD_RUN = re.compile(r"\w+")

# What follows an owner's name: "'s" and the word owned.
_OWNED = re.compile(r"'s\s+([a-z]+)")
_OWNER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")
# An owner's "'s", whatever follows it.
POSSESSIVE = re.compile(r"'s\b")

# Nouns that ask for a kind of named thing ("which cloud providers", "what tools").
_KIND_NOUNS = {
    word: kind
    for kind, nouns in {
        "company": "provider providers partner partners company companies firm firms vendor vendors organization "
        "organizations organisation organisations startup startups lab labs outlet outlets publication "
        "publications newspaper newspapers group groups association associations",
        # Not companies: "which hospitals use Llama?" is not answered by a fact naming OpenAI.
        "institution": "hospital hospitals clinic clinics school schools university universities college colleges "
        "bank banks agency agencies institution institutions government governments regulator regulators "
        "charity charities",
        "place": "country countries nation nations city cities place places region regions state states",
        "product": "tool tools product products app apps framework frameworks project projects platform platforms "
        "model models",
        "person": "person persons researcher researchers executive executives leader leaders ceo ceos",
    }.items()
    for word in nouns.split()
}
_AUTHORING = frozenset("wrote write writes written authored penned".split())

# Verbs that ask for somebody's own words or views ("what did LeCun say", "does Altman think").
SAYING = frozenset(
    "say said says think thinks thought argue argued argues claim claimed claims believe believes want wants "
    "propose proposed warn warned speak speaks spoke spoken tell tells told mention mentions mentioned "
    "suggest suggests suggested insist insists insisted respond responds responded reply replies replied "
    "boast boasts boasted brag brags bragged "
    # "what was LeCun saying", "is Altman arguing for oversight"
    "saying thinking arguing claiming believing wanting proposing warning speaking telling mentioning "
    "suggesting insisting responding replying boasting bragging".split()
)

# What colleagues call the texts answers come from: any of them ("the Gizmodo piece") and,
# as DOCUMENT_NOUNS, the kinds of text that tell one source from another ("per the essay").
DOCUMENT_NOUNS = frozenset(
    "essay essays podcast podcasts episode episodes interview blog post speech keynote".split()
)
# The document nouns each kind of source answers to, beyond those its own text uses.
SOURCE_KIND_NOUNS = {"podcast notes": ("podcast", "episode", "interview"), "blog post": ("blog", "post")}
REFERENCE_NOUNS = DOCUMENT_NOUNS | frozenset("article articles piece pieces story coverage report writeup".split())
# What a text does, besides saying ("what does Gizmodo report").
_REPORTING = frozenset("report reports reported write writes wrote written".split())
# Words that point a lone document noun at one text: "in his essay", "on the podcast".
_POINTING = frozenset("the this that his her their its".split())
# How far before a reference noun its names may start: "Zuckerberg's open source essay".
_NAMING_REACH = 4

# Words that tell what a question asks for, and the greetings that ask nothing.
_GREETINGS = frozenset("hi hello hey yo hiya heya greetings morning afternoon evening howdy there all".split())
_DAYTIMES = frozenset("morning afternoon evening day".split())
_WHAT = frozenset({"what", "which", "whats"})
_TIME_NOUNS = frozenset({"year", "date", "day", "month", "time", "week", "quarter", "hour"})
# What a date is of, when it asks when: "a release date", "the launch date".
_DATED = frozenset("release launch ship shipping publication due target".split())
# Words that ask how somebody took something: "how did regulators *respond*", "Meta's *reaction*".
_REACTING = frozenset(
    "react reacts reacted reacting reaction reactions respond responds responded responding response "
    "responses reply replies replied replying".split()
)
REACTING_WORDS = _REACTING
_PLACE_NOUNS = frozenset({"city", "country", "place", "location", "venue"})
# Verbs of telling somebody something: "how do I *explain* X" asks about X.
_TELLING_VERBS = frozenset(
    "explain describe frame present position pitch introduce convey summarise summarize sum word phrase put "
    "answer respond reply tell walk brief correct justify define".split()
)
# Nouns that ask a number: "what's the size of the stake", "what was the sample size".
_NUMBER_NOUNS = frozenset({"number", "size", "price", "amount", "figure", "headcount", "valuation"})
_COPULAS = frozenset({"is", "was", "are", "were"})
# Words before a time noun that make it a rate or a period, not a time asked: "per year".
_RATE_WORDS = frozenset("per a an each every this next last that same one".split())
_HEDGES = frozenset("exactly roughly approximately precisely about".split())
_PRECISELY = frozenset("exact precise specific approximate rough actual".split())
_SHARE_NOUNS = frozenset("percentage percent fraction proportion share".split())
_ARTICLES = frozenset({"the", "a", "an"})
_WH_WORDS = frozenset("who what which how why where whom whose".split())
_CURRENCIES = frozenset("dollar dollars usd euro euros eur pound pounds gbp".split())
# Before "paid" that describes a thing ("put Llama in *paid* products"), not a payment.
_BEFORE_A_PAID_THING = frozenset("a an the in into for their its our of".split())
# Who a survey asked: "how many *respondents*".
_SURVEYED = frozenset("respondents respondent interviewees".split())
_MONEY_WORDS = frozenset(
    "pay paid pays paying price priced prices pricing worth valuation valued cost costs costing "
    "salary salaries compensation paycheck paycheque earnings".split()
)
AUXILIARIES = frozenset("is are was were will would did does do has have had can could should shall might".split())

# The words without one of which `question_types` finds nothing, and `wants_kind` no kind.
_QUESTION_TYPE_CUES = (
    frozenset({"when", "where", "how", "before", "prior", "will", "going", "gonna", "number", "timeline", "timeframe"})
    | _TIME_NOUNS
    | _NUMBER_NOUNS
    | _WHAT
    | _MONEY_WORDS
    | _SURVEYED
    | {"sample"}
    | _CURRENCIES
    | _DATED
    | _REACTING
)
# "Where" asks the place of something done or said ("where did Altman speak?", "where was
# the essay published?"); of the present or what would be, it mostly asks a standing or a
# part ("where does Google land", "where would the data sit" in a plan), left out. With these
# verbs it asks no place in the past either: "where did that leave Google", "where did it come from".
_PAST_AUXILIARIES = frozenset({"did", "was", "were"})
_TELLING_OF_ONESELF = frozenset("am was were have had did".split())
_WHERE_NO_PLACE = frozenset(
    "come comes coming came stand stands standing head heads headed heading go goes going gone went "
    "fit fits leave leaves leaving left lead leads leading land lands landed appear appears appeared".split()
)
_KIND_CUES = frozenset({"who", "which", "what", "name", "names", "called"})

# What a fact's own text gives in reply: a count ("three versions"), a number, money, an
# amount in a currency. Years are not counts.
CARDINAL = re.compile(
    r"(?<![\w.])(?<![A-Za-z] )(?!(?:19|20)\d\d\b)\d[\d,]*(?![\d.]*\s*(?:%|percent))\b|"
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|"
    r"millions?|billions?)\b(?![- ]?(?:thirds?|quarters?|halves|fold))",
    re.IGNORECASE,
)
QUANTITY = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|percent)|(?<![\w.])(?<![A-Za-z] )(?!(?:19|20)\d\d\b)\d[\d,.]*|"
    r"\b(?:billions?|millions?|thousands?|hundreds?|dozens?|tenfold|twofold|half|two-thirds|one-third|third)\b",
    re.IGNORECASE,
)
# A share of a whole, as an answer to "what percentage": "49%", "40 percent", "half".
PERCENTAGE = re.compile(
    r"\d\s*(?:%|percent\b|per cent\b)|\b(?:half|halves|one-third|two-thirds|third|thirds|quarter|quarters)\b"
    r"|\b(?:two|three|four|five|ten|hundred|\d+)-?fold\b",  # growth "by what percentage": tenfold
    re.IGNORECASE,
)
# What a fact's own text says of what is to come, in answer to "will ...": a plan, an
# expectation, what could or may happen ("Llama 4 is *expected* to", "it *could* redefine"),
# or a course somebody urges ("he *advocated* U.S. companies working with the government").
FUTURE = re.compile(
    r"\b(?:will|would|could|may|might|should|must|expected|expects?|plans?|planned|planning|future|poised|"
    r"predicts?|next|soon|upcoming|preparing|prepares?|intends?|aims?|goals?|potential(?:ly)?|eventually|later|propos\w*|advocat\w*|"
    r"urge[ds]?|calls? for|called for)\b|\bgoing to\b",
    re.IGNORECASE,
)
# Where a fact's own text says something was said, done or found, in answer to "where did
# ...": at, on or across a named place or event ("at the recent AI Action Summit", "on the
# All-In podcast", "across Facebook, Instagram and WhatsApp"), in a text ("in his essay"), or
# by a publisher ("published by Linux Foundation Research").
PLACE = re.compile(
    r"\b(?:at|across)\s+(?:(?:the|a|an|his|her|its|their|recent|new)\s+)*(?:[A-Z][\w'-]*\s+)*[A-Z][a-z]"
    r"|\b(?:at|on|in)\s+(?:the|a|an|his|her|its|their)\s+(?:(?:recent|new|latest)\s+)?(?:[A-Z][\w'-]*\s+)*"
    r"(?:essay|podcast|blog|article|interview|post|report|summit|conference|speech|talk)\b"
    r"|\bpublished (?:by|in|on)\b"
)
# How somebody took something, in a fact's own text: "public reactions", "Zuckerberg replies
# that ..."; not "a response to mounting pressures", a cause.
REACTION = re.compile(
    r"\b(?:react\w*|respond(?:s|ed|ing)?|responses?(?!\s+to\b)|repl(?:y|ies|ied|ying))\b", re.IGNORECASE
)
# A multiple, in answer to "how many times": "tenfold", "10x", "twice as".
MULTIPLE = re.compile(
    r"\b(?:two|three|four|five|ten|hundred|\d+)-?fold\b|\b\d+(?:\.\d+)?x\b|\btwice\b|\bdoubled\b|\btripled\b",
    re.IGNORECASE,
)
# A person's or a thing's age, in answer to "how old is ...": "39 years old", "aged 40", "born in 1984".
AGE = re.compile(r"\b\d+[- ]years?[- ]old\b|\baged \d|\bborn\b|\bfounded in\b", re.IGNORECASE)
MONEY = re.compile(r"[$€£]|\b(?:dollars?|euros?|billions?|millions?|trillions?|cheap\w*)\b", re.IGNORECASE)
CURRENCY_AMOUNT = re.compile(r"[$€£]|\b(?:dollars?|euros?|pounds?|billions?|millions?|trillions?)\b", re.IGNORECASE)


def owned(question: str) -> set[str]:
    """Lower-cased words written right after a possessive ("Wang's *salary*"; not "what's the")."""
    if "'" not in question and "\u2019" not in question:
        return set()
    return {
        m.group(1)
        for owner, m in after_owner(normalize_typography(question).lower(), _OWNED)
        if owner not in STOPWORDS
    }


def after_owner(text: str, tail: re.Pattern[str]) -> list[tuple[str, re.Match[str]]]:
    """Each match of `tail` (which opens with an apostrophe) right after an owner's name, a
    run of letters, digits, dots and hyphens, with that name, left to right, as
    `([a-z0-9.-]+)` before `tail` would find them, but for the word one match owns owning
    the next ("what's Zuckerberg's title": "Zuckerberg" owns "title").

    The name is found by stepping back from the apostrophe: in linear time, where a
    pattern trying every start of a long run ("a.a.a.a...", "......") takes quadratic time.
    """
    found: list[tuple[str, re.Match[str]]] = []
    floor = 0
    for m in tail.finditer(text):
        start = m.start()
        while start > floor and text[start - 1] in _OWNER_CHARS:
            start -= 1
        if start < m.start():
            found.append((text[start : m.start()], m))
        floor = m.start() + 1  # past the apostrophe, not past the word owned
    return found


def capitalised(question: str) -> set[str]:
    """Lower-cased words written with a capital letter anywhere but at a sentence start (the
    first word, or one after a line break or after a sentence's end); none in a question
    written in capitals or in title case (its small words capitalised too), where a capital
    tells no name from a word."""
    found: set[str] = set()
    end = None
    small = small_capitalised = 0
    for m in _WORD_RUN.finditer(question):
        gap = question[end : m.start()] if end is not None else None
        end = m.end()
        if gap is None or "\n" in gap or _SENTENCE_END.search(gap):
            continue
        word = m.group(0)
        capital = "A" <= word[0] <= "Z"
        if word.lower() in STOPWORDS:
            small += 1
            small_capitalised += capital
        if capital:
            found.add(word.lower())
    return set() if small and small_capitalised >= CAPITALISED_SHARE * small else found


def written_as_name(question: str, first: str, second: str) -> bool:
    """Whether two words are written capitalised, as a name is ("Open AI", not "open AI")."""
    pattern = re.compile(rf"\b{re.escape(first)}\W+{re.escape(second)}\b", re.IGNORECASE)
    return any(m.group(0)[:1].isupper() for m in pattern.finditer(question))


_BEFORE_WHICH_NOUN = frozenset("of the these those".split())


def wants_kind(raw: list[str]) -> str | None:
    """The kind of named thing a question asks for: "which (cloud) providers", "what tools",
    "the name of the tool" ("any" when the named thing is of no known kind), "who wrote" (a
    person); None otherwise."""
    if _KIND_CUES.isdisjoint(raw):
        return None
    for i, w in enumerate(raw):
        if w == "who" and raw[i + 1 : i + 2] and raw[i + 1] in _AUTHORING:
            return "person"
        if w == "who" and [x for x in raw[i + 1 : i + 3] if x not in _HEDGES][:1] in (["at"], ["from"]):
            return "person"
        if w == "which" or (w == "what" and raw[i + 1 : i + 2] and raw[i + 1] in _KIND_NOUNS):
            start = i + 1
            while start < len(raw) and raw[start] in _BEFORE_WHICH_NOUN:
                start += 1  # "which of the companies"
            for n in raw[start : start + 3]:
                if n in _KIND_NOUNS:
                    return _KIND_NOUNS[n]
                if n in STOPWORDS:
                    break  # the noun asked of ends: "which industry do *organisations* use" asks no company
        if w in {"name", "names"} and raw[i + 1 : i + 2] == ["of"]:
            for n in raw[i + 2 : i + 7]:  # "the name of *Meta's next big model*"
                if n in _KIND_NOUNS:
                    return _KIND_NOUNS[n]
            return "any"
        if w == "called" and _asks_what_called(raw, i):
            return kind_named_by(raw[:i]) or "any"
        if w == "name" and i >= 2 and raw[i - 1] == "a" and raw[i - 2] in _HAVING:
            return kind_named_by(raw[max(0, i - 6) : i]) or "any"
    return None


# What may follow "called" at the end of a question asking a name: "what is it called *now*".
_AFTER_CALLED = frozenset("now yet today exactly then officially internally".split())
_HAVING = frozenset("have has had got gets get".split())


def _asks_what_called(raw: list[str], at: int) -> bool:
    """Whether "called" at `at` ends a question asking what something is called ("what are the
    variants called", "what's Samsung's model called now?"), not "what is it called when ...",
    "what did Meta get called out for"."""
    rest = raw[at + 1 :]
    if any(w not in _AFTER_CALLED for w in rest):
        return False
    before = raw[:at]
    return "what" in before and not _PRONOUNS.intersection(before[before.index("what") + 1 :])


def asks_who_does(raw: list[str]) -> list[str] | None:
    """The words after "who" when a question asks who does or did something ("who *leads* Meta's
    AI lab", "who *would fund* it"): its first question word is "who", followed by another verb
    than "to be" and than "do", which asks whom somebody does something to ("who did Meta
    hire"), and not by a pronoun; None otherwise. The verb, or the word after a helping verb
    ("who *would* ..."), may still be a name ("who Zuckerberg wants", "who would Zuckerberg
    hold back models from"), which asks whom too."""
    for i, w in enumerate(raw):
        if w in _WH_WORDS or w == "when":
            after = [x for x in raw[i + 1 : i + 5] if x not in _HEDGES][:2]
            if w != "who" or not after or after[0] in _BEING_SAID | DOING or _PRONOUNS.intersection(after):
                return None
            if after[-1 if after[0] in AUXILIARIES else 0] in ATTRIBUTING:
                return None  # "who *said* ...": whose words, which every fact's quote and source tell
            return after if after[0] in AUXILIARIES else after[:1]
    return None


def name_asked_for(raw: list[str]) -> list[str]:
    """The words naming the thing whose name a question asks for when it is of no known kind:
    "the name of the *license* Llama ships under", "the names of the *Llama 4 variants*", "what
    are the *Llama 4 variants* called"; none otherwise."""
    for i, w in enumerate(raw):
        if w in {"name", "names"} and raw[i + 1 : i + 2] == ["of"]:
            following = itertools.dropwhile(lambda n: n in STOPWORDS, raw[i + 2 : i + 7])
            run = list(itertools.takewhile(lambda n: n not in STOPWORDS, following))
            if run and not any(n in _KIND_NOUNS for n in run):
                return run
        if w == "called" and _asks_what_called(raw, i):
            run = list(itertools.takewhile(lambda n: n not in STOPWORDS, reversed(raw[:i])))[::-1]
            if run and not any(n in _KIND_NOUNS for n in run):
                return run
    return []


# What a question asks instances of, when no named kind says what they are: "which *crops*",
# "name the *critics*", "who was the *critic* that ...". Not a word that only asks which of
# several ("which one", "which kind of").
# How many instances a "which" asks for, before the noun: "which *two* concerns".
_HOW_MANY_ASKED = frozenset("two three four five six both 2 3 4 5 6".split())
_GENERIC_HEADS = frozenset(
    "one ones kind kinds type types sort sorts way ways part parts thing things side sides bit bits".split()
    # Which of the courses one could take: answered by a description, not by names.
    + "approach approaches strategy strategies path paths stance position direction option options choice "
    "choices method methods view views role roles".split()
    # Which of the points a text makes: told, not named ("list the upsides", "which risks").
    + "trait traits feature features characteristic characteristics upside upsides downside downsides benefit "
    "benefits advantage advantages disadvantage disadvantages risk risks worry worries concern concerns reaction "
    "reactions reason reasons argument arguments criticism criticisms point points goal goals aim aims objective "
    "objectives challenge challenges issue issues problem problems pressure pressures pros cons lesson lessons "
    "takeaway takeaways stuff".split()
)
# What may stand before an imperative "name": "can you name", "please name".
_BEFORE_NAMING = frozenset("you please and".split())
_BEING_SAID = frozenset("is was are were".split())
# Verbs that attribute words: "who *said* open source is safer", "who *called* it a cornerstone".
ATTRIBUTING = frozenset(
    "say said says call called calls write wrote writes describe described describes claim claimed claims "
    "argue argued argues warn warned warns predict predicted predicts report reported reports mention "
    "mentioned mentions accuse accused accuses compare compared compares note noted notes suggest suggested "
    "suggests dub dubbed dubs label labelled labeled labels quote quoted quotes propose proposed proposes "
    "pitch pitched pitches".split()
)
# Nouns for a text: "which *piece* said ...", "which *source* calls ...": every answer names its source.
TEXT_NOUNS = REFERENCE_NOUNS | frozenset("source sources outlet outlets publication site sites reporting text texts".split())
DOING = frozenset("do does did".split())
_PRONOUNS = frozenset("i you he she it we they me him her us them".split())
# Words that set what follows apart from what is asked for.
_SETTING_APART = frozenset("besides except excluding beyond apart unlike".split())
# How far after "which" the words naming what is asked may run: "which *crop yield reducers*".
_INSTANCE_REACH = 5
# Common verbs that end the words naming what is asked ("which Llamas *exist*", "developers which
# *want* to contribute") or, right after "which", show it asks no instances ("which *came* first").
_VERBS_AFTER_WHICH = frozenset(
    "exist exists existed come comes came go goes went want wants wanted need needs needed happen happens "
    "happened matter matters mattered seem seems seemed belong belongs belonged remain remains remained "
    "stand stands stood apply applies applied".split()
)


def instances_asked(raw: list[str], *, loose: bool = False) -> tuple[list[str], bool]:
    """The words that say what a question asks the instances of ("which *crop yield reducers*
    did farmers find", "name the *critics*", "who was the *critic* that ..."), up to the first
    function word, and whether it asks them as "who" (a person); ([], False) when it asks
    none. `loose`: "what <noun>" asks them too, as a fact's own phrasing vouches that the
    fact names them ("What *risks* did Sam Altman warn about?")."""
    for i, w in enumerate(raw):
        who = False
        if w == "which" or (loose and w == "what"):
            start = i + 1
        elif w in ("name", "list") and (i == 0 or raw[i - 1] in _BEFORE_NAMING):
            start = i + 1
            while start < len(raw) and raw[start] in STOPWORDS and raw[start] not in _WH_WORDS:
                start += 1  # "name *the* critics", "name *some of the* apps"
        elif w == "who" and raw[i + 1 : i + 2] and raw[i + 1] in _BEING_SAID and raw[i + 2 : i + 3] == ["the"]:
            start, who = i + 3, True
        else:
            continue
        while start < len(raw) and raw[start] in _HOW_MANY_ASKED:
            start += 1  # "which *two* concerns": the noun asked of follows
        run: list[str] = []
        for x in raw[start : start + _INSTANCE_REACH]:
            if x in STOPWORDS or x in _SETTING_APART or x in _VERBS_AFTER_WHICH:
                break  # "which groups *besides* tech companies": groups are asked for, not companies
            run.append(x)
        if w == "what" and raw[start + len(run) : start + len(run) + 1] not in ([a] for a in AUXILIARIES):
            continue  # "what *risks* did ...", not "what reduces crop yields" (a verb)
        if run and run[0] not in _GENERIC_HEADS and run[0] not in TEXT_NOUNS:
            return run, who
    return [], False


def kind_named_by(words_: Iterable[str]) -> str | None:
    """The kind of named thing the first of `words_` that names one asks for ("apps": a product)."""
    return next((_KIND_NOUNS[w] for w in words_ if w in _KIND_NOUNS), None)


def plural_looking(word: str) -> bool:
    """Whether a word reads as a plural noun ("crops", "reducers"; not "process", "status")."""
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


# A fact's text split into words (hyphens and inner dots kept: "All-In", "3.1") and marks.
_TEXT_TOKEN = re.compile(r"\w(?:[\w.'-]*\w)?|[^\w\s]")
# Marks after which a capital opens a sentence or a heading ("Diversity of Data: Pooling").
_OPENING_MARKS = frozenset('.!?:"(')
# What introduces the instances of a noun a few words on: "key sectors: from healthcare",
# "investments in AI infrastructure, including ...", "companies like OpenAI".
_INSTANCE_MARKERS = frozenset({":", "like", "including", "namely", "such"})
_MARKER_REACH = 5
_MARKER_STOPS = frozenset(".!?;") | {"and", "or"}
# Who made a thing names it, for the asker of which one it is: "the study *published by* Linux
# Foundation Research", "a report *commissioned by* Meta".
_MADE_BY = frozenset("published conducted commissioned written authored produced run led sponsored funded".split())
# Words before a name that say whose or where the noun is: "critics from OpenUK", "CEO of OpenAI".
_NAME_LINKS = frozenset({"from", "of"})


def nouns_named(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The words of a text that it gives instances of, each with the names that make them so
    (lower-cased), or none when a marker introduces them: "rivals *such as* OpenAI" ((),
    whatever follows), "its *Gemma* models", "the *All-In* podcast", "the latest version,
    *Llama 3.1*", "*Sam Altman*, CEO of OpenAI". A noun the text only mentions ("competitors,
    who can adopt", "billions in GPUs") is not among them."""
    # Dashes stay marks ("India—with its array"); a non-breaking hyphen is a hyphen.
    tokens = _TEXT_TOKEN.findall(text.replace("\u2011", "-").replace("\u2019", "'"))
    opening = {0} | {k for k in range(1, len(tokens)) if tokens[k - 1] in _OPENING_MARKS}

    def is_name(k: int) -> bool:
        # Not a plural of an acronym, a noun: "NGOs", "GPUs".
        return (
            0 <= k < len(tokens)
            and tokens[k][:1].isupper()
            and k not in opening
            and not (tokens[k].endswith("s") and tokens[k][:-1].isupper() and len(tokens[k]) > 2)
        )

    def name_at(k: int, step: int) -> list[str]:
        found = []
        while is_name(k) or (found and 0 <= k < len(tokens) and tokens[k][:1].isdigit()):
            found.append(POSSESSIVE.sub("", tokens[k].lower()).removesuffix("'"))
            k += step
        return found

    named: list[tuple[str, tuple[str, ...]]] = []
    for k, token in enumerate(tokens):
        if not token[:1].isalpha():
            continue
        acronym = token.removesuffix("s").isupper()  # a noun all the same: "CEO", "GPUs", "NGOs"
        if token[:1].isupper() and not acronym and not (is_name(k) and is_name(k - 1)):
            continue  # a name's own word counts only as its head ("AI Action *Summit*")
        word = token.lower()
        if word in STOPWORDS:
            continue
        ahead = tokens[k + 1 : k + 1 + _MARKER_REACH]
        # Past an aside in brackets: "closed-source developers (and Meta competitors) like OpenAI".
        closing = k + 1 + tokens[k + 1 : k + 1 + _MARKER_REACH].index(")") if ahead[:1] == ["("] and ")" in ahead else k
        marked = tokens[closing + 1 : closing + 1 + _MARKER_REACH]
        # Up to the sentence's end or the next noun joined on ("GPUs *and* acquisitions like ...").
        ending = next((j for j, t in enumerate(marked) if t in _MARKER_STOPS), len(marked))
        if _INSTANCE_MARKERS.intersection(marked[:ending]) and (marked[:ending].count("such") == 0 or "as" in marked):
            named.append((word, ()))
            continue
        if (
            k >= 3
            and tokens[k - 2] == "and"
            and all(tokens[j].isalpha() and tokens[j].islower() and tokens[j] not in STOPWORDS for j in (k - 3, k - 1))
        ):
            named.append((word, ()))  # two kinds joined before the noun: "privacy and security *concerns*"
            continue
        names: list[str] = []
        if token[:1].isupper() and not acronym:
            names += name_at(k - 1, -1)
        if ahead[:1] == [","] or (ahead[:1] and ahead[0] in _NAME_LINKS):
            names += name_at(k + 2, 1)
        made = 1 if ahead[:1] == [","] else 0
        if ahead[made : made + 1] and ahead[made] in _MADE_BY and ahead[made + 1 : made + 2] == ["by"]:
            names += name_at(k + made + 3, 1)  # "the study, *published by* Linux Foundation Research"
        back = k - 1
        while back >= 0 and k - back <= 2:
            if tokens[back] == "," and is_name(back - 1):
                names += name_at(back - 1, -1)  # an apposition: "Sam Altman, CEO of OpenAI"
                break
            if not tokens[back][:1].isalnum():
                break
            if is_name(back):
                names += name_at(back, -1)
                break
            back -= 1
        if names:
            named.append((word, tuple(names)))
    return named


def greeting_length(raw: list[str]) -> int:
    """How many of the first words greet ("hi", "good morning", "hey there")."""
    start = 0
    while start < len(raw):
        if raw[start] in _GREETINGS:
            start += 1
        elif raw[start] == "good" and start + 1 < len(raw) and raw[start + 1] in _DAYTIMES:
            start += 2
        else:
            break
    return start


def _asks_a_count_at(raw: list[str], i: int) -> bool:
    """Whether the words at `i` ask a count: "how many", "(the) number of"; not "a number of
    companies", which are several."""
    pair = tuple(raw[i : i + 2])
    return pair == ("how", "many") or (pair == ("number", "of") and raw[i - 1 : i] != ["a"])


def counted(raw: list[str]) -> list[str]:
    """What a "how many" question counts: the words right after it ("how many GPUs",
    "how many Llama versions", "the number of GPUs"), up to the first small word."""
    found: list[str] = []
    for i in range(len(raw) - 2):
        if _asks_a_count_at(raw, i) and raw[i + 2] not in _SHARE_NOUNS:  # "how many percent" asks a share
            for noun in raw[i + 2 : i + 4]:
                if noun in STOPWORDS or noun in _HEDGES:
                    break
                found.append(noun)
    return found


def counted_in(text: str, numbers: Iterable[re.Match[str]] | None = None) -> list[str]:
    """What a text gives a count of: the words right after each of its numbers ("three
    versions", "350,000 GPUs"), or the plural before a number that opens a list ("brings key
    benefits, and names *three*: ..."); "billions in GPUs" counts money, not GPUs. `numbers`
    are the text's `CARDINAL` matches, when they are found already."""
    found: list[str] = []
    for match in CARDINAL.finditer(text) if numbers is None else numbers:
        if text[match.end() : match.end() + 1] == ":":
            # the word just before the number is its verb ("names three:", "lists two:")
            before = words(text[max(0, match.start() - 80) : match.start()])[-8:-1]
            found += [w for w in before if plural_looking(w) and w not in STOPWORDS][-1:]
            continue
        for noun in words(text[match.end() : match.end() + 40])[:2]:
            if noun in STOPWORDS:
                break
            found.append(noun)
    return found


# Words of an earlier time: a fact with one of them can tell what came before ("Historically,
# Meta kept ...", "previously open-sourced tools").
EARLIER = frozenset("before previously previous prior earlier historically formerly former past originally".split())
# What a question about what came before asks with: "what did he do before", "where did he
# work before", "who was CEO before"; not a yes-or-no question ("did Meta open source
# anything before Llama?"), which asks whether.
_ASKING_WHAT_CAME = frozenset("what where who which".split())


_YEAR = re.compile(r"(19|20)\d\d")


def asks_before(raw: list[str]) -> bool:
    """Whether the words ask what came before something: "what did Wang do *before* he joined
    Meta", "who was Chief AI Officer *prior to* Wang"; not "has Meta done this before?"."""
    if _ASKING_WHAT_CAME.isdisjoint(raw):
        return False
    for i, w in enumerate(raw):
        after = i + 2 if w == "prior" and raw[i + 1 : i + 2] == ["to"] else i + 1 if w == "before" else None
        if after is None or after >= len(raw):
            continue
        # Before a numbered version ("what came before Llama 3.1") asks for the one ahead of it
        # in a series a fact may list, not for someone's past.
        if any(any(c.isdigit() for c in x) and not _YEAR.fullmatch(x) for x in raw[after : after + 2]):
            continue
        return True
    return False


# Where in a text a question asks about: its opening or its close ("how does the Gizmodo
# piece end?", "how do the podcast notes open?", "the last line of the essay article?").
OPENING_VERBS = frozenset("open opens begin begins start starts kick kicks".split())
# (A conclusion is asked as what a text concludes, which a fact may say: "what does the podcast
# conclude?", "how do the notes wrap up?" ask that, not the last line.)
CLOSING_VERBS = frozenset("end ends finish finishes close closes".split())
_OPENING_WORDS = frozenset("first opening".split())
_CLOSING_WORDS = frozenset("last final closing".split())
_TEXT_PARTS = frozenset("line lines sentence sentences paragraph paragraphs para paras words quote bit part".split())
_OPENING_NOUNS = frozenset("opener opening intro introduction lede beginning start".split())
_CLOSING_NOUNS = frozenset("ending end close closer".split())
_AFTER_THE_VERB = frozenset("up off with on".split())
# Every word that places a question in a text: what else it asks besides these, it asks of the text.
POSITION_WORDS = (
    OPENING_VERBS | CLOSING_VERBS | _OPENING_WORDS | _CLOSING_WORDS | _TEXT_PARTS | _OPENING_NOUNS | _CLOSING_NOUNS
)


def asks_position(raw: list[str]) -> str | None:
    """"start" or "end" when the words ask how a text opens or closes: a verb closing the
    question ("how does the Gizmodo piece *end*?", "how do the notes *open*?", "what does the
    blog *finish with*?"), a first or last part of it ("the *last line* of the essay
    article", "the *first paragraph* of the blog") or a noun for either end ("the blog's
    *intro*", "the *ending* of the LeCun piece"); None otherwise. Only where a text is pointed
    at does the caller take it as a place in that text."""
    content = [w for w in raw if w not in _AFTER_THE_VERB]
    if not content:
        return None
    last = content[-1]
    if len(content) >= 2 and content[0] in ("how", "what") and last in OPENING_VERBS | CLOSING_VERBS:
        return "start" if last in OPENING_VERBS else "end"
    for w, following in zip(raw, raw[1:]):
        if following in _TEXT_PARTS and (w in _OPENING_WORDS or w in _CLOSING_WORDS):
            return "start" if w in _OPENING_WORDS else "end"
    if last in _OPENING_NOUNS | _CLOSING_NOUNS or (
        len(raw) >= 3 and raw[0] == "the" and raw[1] in _OPENING_NOUNS | _CLOSING_NOUNS and raw[2] == "of"
    ):
        noun = last if last in _OPENING_NOUNS | _CLOSING_NOUNS else raw[1]
        return "start" if noun in _OPENING_NOUNS else "end"
    return None


_SHOWING = frozenset(
    "signal signals signalled signaled show shows showed indicate indicates indicated suggest suggests suggested"
    " reveal reveals revealed imply implies implied underscore underscores underscored".split()
)
_TELLING = frozenset("say says said tell tells told".split())
_DOING_AUX = frozenset("do does did would could might will".split())
_SAYERS = TEXT_NOUNS | frozenset("study studies critics people experts analysts commentators folks they he she".split())


def asks_what_it_shows(raw: list[str]) -> bool:
    """Whether the words ask what something shows or says about something else: "what do the
    GPU buys and the Scale AI deal *tell us about* what Meta is after?", "what does the
    spending *signal*?". (Whether a text or a person is the subject, "what does the blog say
    about Llama 4?", is the caller's to rule out.)"""
    for start, w in enumerate(raw):
        if w not in ("what", "whats") or raw[start + 1 : start + 2] == [] or raw[start + 1] not in _DOING_AUX:
            continue
        for i in range(start + 3, len(raw)):
            if raw[i] in _SHOWING or (raw[i] in _TELLING and "about" in raw[i + 1 : i + 3]):
                # (what a report, the sources or critics say is what they say)
                return raw[start + 1] != "did" and _SAYERS.isdisjoint(raw[start + 2 : i])
        return False
    return False


# A yes-or-no question opening on one of these asks whether something has come about: "*has*
# Meta ever held back a model?", "*did* any country sign up yet?".
_HAVING_HAPPENED = frozenset("has have had did hasnt havent hadnt didnt".split())
# What makes it ask whether it actually came about, not only whether it was said or planned.
_ACTUALLY = frozenset("ever actually yet already".split())
_PROSPECTIVE = frozenset("would could might may will should".split())
_ACTUALLY_PAIRS = (("so", "far"), ("after", "all"), ("to", "date"), ("in", "practice"))


# What "how big a ..." or "how much of a ..." may ask the degree of, not a figure: "how big a
# *deal* is Llama to Meta?", "how much of a *risk* is opening models?"
_DEGREE_NOUNS = frozenset(
    """deal risk problem threat concern issue factor priority difference role part impact bet gamble
    change shift advantage worry step leap departure focus player influence blow win loss""".split()
)


def _asks_a_degree(raw: list[str], at: int) -> bool:
    """Whether the words from `at`, after "how big" or "how much", ask how much of a thing
    something is ("a deal", "of a risk"), not a size or an amount ("a stake", "of Scale AI")."""
    rest = raw[at : at + 3]
    if rest[:1] == ["of"]:
        rest = rest[1:]
    return rest[:1] in (["a"], ["an"]) and rest[1:2] != [] and rest[1] in _DEGREE_NOUNS


def asks_if_it_happened(raw: list[str]) -> bool:
    """Whether a yes-or-no question asks if something has actually come about ("has Meta ever
    actually held back a model?", "has LeCun's global model been built yet?", "did Meta close
    a model after all?"): a fact telling only a plan, a proposal or what could be does not say
    it has. Not "would Meta ever hold back a model?", which asks the plan."""
    if not raw or raw[0] not in _HAVING_HAPPENED or not _PROSPECTIVE.isdisjoint(raw):
        return False  # "did the write-up think devs *would* actually contribute?" asks the prospect
    return not _ACTUALLY.isdisjoint(raw) or any(pair in zip(raw, raw[1:]) for pair in _ACTUALLY_PAIRS)


def asks_why(raw: list[str]) -> bool:
    """Whether the words ask why: "why" or "how come"."""
    return "why" in raw or (
        "come" in raw and any(w == "how" and following == "come" for w, following in zip(raw, raw[1:]))
    )


def _noun_follows(raw: list[str], at: int, nouns: frozenset[str], *, reach: int = 3) -> bool:
    """Whether one of `nouns` is what the question word at `at` asks for: among the next three
    words, before any function word other than an article ("what's the release date", "what
    European city"; not "what could a country ...")."""
    following = raw[at + 1 : at + 2 + reach]
    if following[:1] and following[0] in _COPULAS:
        following = following[1:]  # "what *was* the sample size", "what is the release date"
    for w in following[:reach]:
        if w in nouns:
            return True
        if w in STOPWORDS and w not in _ARTICLES:
            return False
    return False


def _asked_noun(following: str, after: str) -> str:
    """The noun a "what" asks for, past a word that only asks it precisely ("what exact percentage")."""
    return after if following in _PRECISELY else following


def _asks_after_a_clause(raw: list[str]) -> bool:
    """Whether a question opening with "when" asks its question after the clause "when" opens,
    with an auxiliary before its subject: "when devs improve the models, *does Meta* benefit?",
    "when Meta releases Llama 4, *will it* be open?"; not "when Llama 4 will be released?"."""
    return any(
        w in AUXILIARIES and raw[j + 1 : j + 2] != [] and raw[j + 1] not in _AFTER_AN_AUXILIARY_VERB
        for j, w in enumerate(raw[2:], start=2)
    )


# Words after an auxiliary that go on with the verb rather than begin a subject.
_AFTER_AN_AUXILIARY_VERB = frozenset("be been being have has had not never still also already".split())


def question_types(raw: list[str]) -> set[str]:
    """What kind of reply a question asks for: a time, a place, an age, a count, an amount, money,
    instructions ("how do I"), what is to come ("will ..."), or what came before ("what did Wang do *before* Meta"). A fact
    gives one only through its answer, its `date`, its own phrasings or, for what came before,
    its words of an earlier time. "Where" alone is left out: "where does India come in" asks
    no place."""
    found: set[str] = set()
    if _QUESTION_TYPE_CUES.isdisjoint(raw):
        return found
    if asks_before(raw):
        found.add("before")
    for i, w in enumerate(raw):
        following = raw[i + 1] if i + 1 < len(raw) else ""
        after = raw[i + 2] if i + 2 < len(raw) else ""
        if w == "when" and (
            following in AUXILIARIES
            or following in _HEDGES
            or i == len(raw) - 1
            or (i == 0 and not _WH_WORDS & set(raw[1:]) and not _asks_after_a_clause(raw))
        ):
            # "when is...", "when exactly...", "when Llama 4?"; not "when X did Y, who...", nor
            # "when devs improve the models, does Meta benefit?", which asks yes or no.
            found.add("when")
        elif w in _WHAT and _noun_follows(raw, i, _TIME_NOUNS):
            found.add("when")  # "what year", "what's the release date"
        elif w in _DATED and following in _TIME_NOUNS:
            found.add("when")  # "is there a release date", "any launch date yet", "L2 release month?"
        elif w == "when" and i > 0 and raw[i - 1] == "for":
            found.add("when")  # "a date for when Meta will ...", "a year for when he expects AGI"
        elif w in {"a", "any"} and following in {"date", "year", "timeline", "timeframe"} and after in {"for", "yet", "on", ""}:
            found.add("when")  # "is there a date for ...", "did he give a year for ...", "any timeline on ..."
        elif (
            w == "where"
            and following in _PAST_AUXILIARIES
            and _WHERE_NO_PLACE.isdisjoint(raw[i + 2 :])
            # "where did it say ...", "where did Gizmodo report ...": in which text, which every
            # answer tells; not "where was Altman when he warned ..."
            and ATTRIBUTING.isdisjoint(raw[i + 2 : i + 5])
            and "before" not in found  # "where did Altman work before OpenAI" asks what came before
        ):
            found.add("where")  # "where did Altman speak", not "where does the data sit"
        elif w in _WHAT and _noun_follows(raw, i, _PLACE_NOUNS):
            found.add("where")  # "what city", not "what could a country like India bring"
        elif w == "how" and following == "long":
            found.add("when")
        elif w == "how" and following == "old":
            found.add("age")  # "how old is Wang": an age, which no number of something else gives
        elif w == "how" and following == "many" and after in _SHARE_NOUNS:
            found |= {"number", "percent"}  # "how many percent does Meta own", as "what percentage"
        elif _asks_a_count_at(raw, i) and (w == "how" or after not in STOPWORDS):
            found.add("count")  # "how many GPUs", "exact number of GPUs?"; not "a number of companies" (several)
        elif w == "how" and following in {"much", "big", "large", "expensive"} and not _asks_a_degree(raw, i + 2):
            found.add("number")
        elif w in {"what", "which"} and _asked_noun(following, after) in _SHARE_NOUNS:
            found |= {"number", "percent"}  # "what percentage", "what exact share of"
        elif (w in {"what", "which"} and _asked_noun(following, after) in _NUMBER_NOUNS) or (
            w in _WHAT and _noun_follows(raw, i, _NUMBER_NOUNS, reach=4)
        ):
            found.add("number")  # "what price", "what was the sample size", "what's the exact dollar figure"
        elif w in _MONEY_WORDS and not (w == "paid" and i > 0 and raw[i - 1] in _BEFORE_A_PAID_THING):
            found.add("money")
            if "number" in found:
                found.add("currency")  # "how much did Meta pay": an amount, not "it is cheaper"
        elif w in _CURRENCIES:
            found.add("currency")  # "how much in dollars": an amount of money, not "cheaper"
        elif (
            w == "how"
            and following in {"do", "can", "should"}
            and after in {"i", "we", "you"}
            and raw[i + 3 : i + 4] != [] and raw[i + 3] not in _TELLING_VERBS
        ):
            # "how do I submit ..."; not "how do I *explain* the stake to finance", which asks
            # about the stake.
            found.add("howto")
        elif w == "how" and following == "to" and i == 0:
            found.add("howto")
        elif w == "how" and following == "i" and after not in _TELLING_OF_ONESELF:
            # "how I submit my expenses", "how I can fine-tune it": "how do I", "how can I" in
            # other languages' order; not "how I was told".
            found.add("howto")
        if i == len(raw) - 1 and i > 0 and raw[i - 1] not in _RATE_WORDS:
            # A terse question ending on what it asks: "zuck essay publish date?", "LF study
            # sample size?", "Wang's comp package price?"; not "growth per year".
            if w in _TIME_NOUNS:
                found.add("when")
            elif w in _NUMBER_NOUNS:
                found.add("number")
        if w in _SURVEYED or (w == "sample" and following in {"size", "sizes"}):
            # "the sample size of the survey", "how many respondents": how many were asked, a
            # count no share of them gives
            found = (found - {"number"}) | {"count"}
        if w in _REACTING:
            found.add("reaction")  # "how did regulators respond", "did Meta reply to OpenUK"
        if w in {"will", "gonna"} or (w == "going" and following == "to" and after and after not in STOPWORDS):
            found.add("future")  # "will Meta buy the rest", "is Meta going to stop"
    if "percent" in found:
        found -= {"money", "currency"}  # "what share cite cost savings" asks a share, no amount of money
    return found


def references(raw: list[str]) -> list[tuple[str | None, list[str], bool]]:
    """Where a question points at a text: per reference, its noun (None when the text is
    named alone), the words that may name the text, and whether a determiner or possessive
    points the noun at one text. "The Gizmodo piece", "in his essay" (a noun and the words
    before it, up to the nearest function word); "according to Gizmodo", "per the essay",
    "what does Gizmodo say" (the words after "according to" or "per", or before a verb of saying)."""
    found: list[tuple[str | None, list[str], bool]] = []
    for i, w in enumerate(raw):
        if w in REFERENCE_NOUNS:
            start = i
            while start > 0 and i - start < _NAMING_REACH and raw[start - 1] not in STOPWORDS:
                start -= 1
            if start > 0 and raw[start - 1] in AUXILIARIES:
                # A verb, not a text: "what does Zuckerberg report", "will Meta post".
                if w in _REPORTING and start < i:
                    found.append((None, raw[start:i], False))
                continue
            found.append((w, raw[start:i], start > 0 and raw[start - 1] in _POINTING))
        elif w == "per" or (w == "according" and raw[i + 1 : i + 2] == ["to"]):
            start = i + (2 if w == "according" else 1)
            while start < len(raw) and raw[start] in _POINTING:
                start += 1
            end = start
            while end < len(raw) and end - start < _NAMING_REACH and raw[end] not in STOPWORDS:
                end += 1
            if not REFERENCE_NOUNS.intersection(raw[start:end]):  # "per the essay" is the noun's
                found.append((None, raw[start:end], False))
        elif w in SAYING or w in _REPORTING:
            start = i
            while start > 0 and i - start < _NAMING_REACH and raw[start - 1] not in STOPWORDS:
                start -= 1
            if start < i:
                found.append((None, raw[start:i], False))
    return found


# Work a message may ask of the bot, opening with its verb: the bot answers questions, it
# does none of these. Verbs that also ask for an answer ("summarize", "explain", "write up",
# "send me the quote", "email me the source") are not among them.
_TASKS = frozenset(
    "translate proofread rewrite debug calculate compute convert install approve cancel schedule reschedule".split()
)
# Verbs that are nouns as often ("order of the Llama releases", "draft of the essay"): a task
# when a determiner or a person follows ("book a room", "draft an email", "fix this regex").
_TASKS_AS_NOUNS = frozenset("book order format reformat fix draft".split())
_TASK_OBJECTS = frozenset("me us a an the this that these those my our some it them him her".split())
# What may come before the verb of a task: "please", "can you", "could u", "hey".
_BEFORE_A_TASK = frozenset("please pls plz kindly hey hi hello ok okay so also and then now quick yo bot".split())
_ASKING_A_FAVOUR = frozenset("can could would will".split())


# Whether a message may open with a task at all: most messages are read without looking.
MAY_ASK_A_TASK = re.compile(r"\b(?:" + "|".join(sorted(_TASKS | _TASKS_AS_NOUNS | {"remind"})) + r")\b", re.IGNORECASE)


# Asking the bot's own advice or opinion, which no source gives: what the asker should do
# ("should our team build on Llama?", "should I buy Meta stock?"), a recommendation or a
# prediction of its own ("what would you recommend", "your prediction please", "you
# personally"), a verdict on a stock ("is Meta stock a buy?"). Not a worry the sources speak
# to ("should we worry about misuse?"), nor a view asked of somebody ("should US companies
# work with the government, per Zuck?").
_ADVICE = re.compile(
    r"(?:^|[.?!,:;]\s*|\b(?:so|ok|okay|just|honestly|seriously|then|no)\s+)(?:should|shall)\s+"
    r"(?:i|we|my\s+[a-z]+|our\s+[a-z]+)\s+(?!(?:worry|care|be|fear|expect|believe|trust|know|read|ask|phrase|think)\b)"
    r"|\byou\s+personally\b|\bpersonally,?\s+(?:do|would|what)\b"
    r"|\byour\s+(?:own\s+|personal\s+)?(?:opinion|prediction|recommendation|forecast)\b"
    r"|\b(?:would|do|can|could)\s+you\s+(?:advise|recommend)\b|\bwhat\s+would\s+you\s+(?:recommend|advise|suggest|do)\b"
    r"|\b(?:which|what)(?:\s+[a-z]+){0,2}\s+should\s+(?:i|we|my\s+[a-z]+|our\s+[a-z]+)\s+"
    r"(?:use|pick|choose|go\s+with|standardi[sz]e\s+on|buy|adopt|build\s+on|switch\s+to|bet\s+on)\b"
    r"|\bforget\s+(?:what\s+)?the\s+(?:articles|sources|facts)\b"
    # judging the sources themselves: "which article is most sceptical of Meta?", "which source
    # would you trust most?", "rank the sources"
    r"|\bwhich\s+(?:of\s+the\s+)?(?:articles?|sources?|pieces?|texts?|outlets?|writeups?)\s+(?:is|seems|was|sounds|looks|reads)\s+"
    r"(?:the\s+)?(?:most|least|more|less)\b"
    r"|\bwhich\s+(?:articles?|sources?|pieces?|outlets?)\s+(?:would|should|do|can)\s+(?:you|i|we)\s+trust\b"
    r"|\brank\s+the\s+(?:\d+\s+|five\s+)?(?:sources|articles|pieces)\b"
    # the bot's own judgement of a choice or a contest: "do you think Meta is right to go
    # hybrid?", "who do you think wins, Meta or OpenAI?"
    r"|\b(?:do|d['\u2019])\s*(?:you|u|ya)\s+(?:think|reckon)\s+(?:[\w'\u2019-]+\s+){1,4}?(?:is|are|was|were)\s+"
    r"(?:right|wrong|smart|wise|foolish|mad|crazy)\s+to\b"
    r"|\b(?:do|d['\u2019])\s*(?:you|u|ya)\s+(?:think|reckon)\s+(?:[\w'\u2019-]+\s+){1,3}?(?:should|ought\s+to)\b"
    r"|\bwould\s+(?:you|u)\s+(?:bet\s+on|invest\s+in|put\s+money\s+on)\b"
    r"|\bwho\s+(?:do|d['\u2019])\s*(?:you|u|ya)\s+(?:think|reckon)\s+(?:will\s+|is\s+going\s+to\s+|is\s+)?"
    r"(?:wins?|winning|comes?\s+out\s+(?:on\s+top|ahead)|has\s+the\s+(?:better|stronger|best))\b"
    # a verdict on a stock: "is meta stock a buy right now?", "are the shares worth buying?"
    r"|\b(?:is|are|['\u2019]s)\s+(?:[\w'\u2019-]+\s+){0,3}?a\s+(?:good\s+|strong\s+|smart\s+)?(?:buy|sell)\b(?!\s+(?:of|into|in|for)\b)"
    r"|\b(?:stock|stocks|shares)\s+(?:still\s+)?worth\s+(?:buying|holding|selling|investing\s+in)\b",
    re.IGNORECASE,
)
_ADVICE_OF_OTHERS = re.compile(r"\b(?:per|according\s+to)\b|['\u2019]s\s+view\b", re.IGNORECASE)


def asks_advice(question: str) -> bool:
    """Whether the question asks the bot's own advice, recommendation or opinion."""
    return bool(_ADVICE.search(question)) and not _ADVICE_OF_OTHERS.search(question)


# What a question may ask of a source text itself, which no source tells of itself: who wrote
# or edited it ("author of the LeCun piece?", "who edited the risky-move article"), and when it
# was written or posted ("date on the investment blog post?", "when was the Gizmodo piece
# published?"). Not of the essay's author: Zuckerberg wrote it, and the sources say so.
_TEXT_NOUNS = r"(?:article|articles|piece|pieces|post|posts|blog|notes|story|stories|report|write-?up|coverage|interview|transcript|essay)"
_AUTHOR_WORDS = r"(?:authors?|writers?|bylines?|editors?|journalists?|reporters?)"
_AUTHOR_ASKED = re.compile(
    rf"\b{_AUTHOR_WORDS}\s+(?:of|on|for|behind)\s+(?:the|this|that|these)\s+(?:[\w'\u2019-]+\s+){{0,3}}?{_TEXT_NOUNS}\b"
    rf"|\b{_TEXT_NOUNS}(?:['\u2019]s)?\s+{_AUTHOR_WORDS}\b"
    rf"|\bwho\s+(?:edited|penned|authored|reported)\s+(?:the|this|that)\s+(?:[\w'\u2019-]+\s+){{0,3}}?{_TEXT_NOUNS}\b",
    re.IGNORECASE,
)
# Letters one of which every question of a text's author or date holds.
_OF_THE_TEXT_CUES = ("author", "writer", "byline", "editor", "edited", "journalist", "reporter", "penned",
                     "date", "timestamp", "when")
_NOT_OF_THE_ESSAY = re.compile(r"\bessay\b", re.IGNORECASE)
_DATE_ASKED = re.compile(
    rf"\b(?:date|dates|dated|timestamp)\s+(?:of|on|for)\s+(?:the|this|that|these)\s+(?:[\w'\u2019-]+\s+){{0,3}}?{_TEXT_NOUNS}\b"
    rf"|\b{_TEXT_NOUNS}(?:['\u2019]s)?\s+(?:publication\s+)?(?:date|dates)\b"
    rf"|\bdate\s+(?:anywhere\s+)?(?:on|in)\s+(?:the|this|that|these)\s+(?:[\w'\u2019-]+\s+){{0,3}}?{_TEXT_NOUNS}\b"
    rf"|\bwhen\s+(?:was|were|did)\s+(?:the|this|that|his|zuck['\u2019]?s|zuckerberg['\u2019]?s)\s+(?:[\w'\u2019-]+\s+){{0,3}}?{_TEXT_NOUNS}\s+"
    r"(?:published|posted|written|updated|come\s+out|go\s+up|put\s+up|released|dated)\b",
    re.IGNORECASE,
)


def asked_of_the_text(question: str) -> str | None:
    """What a question asks of a source text itself: "author" (who wrote or edited it, but the
    essay), "dated" (when it was written or posted); None when it asks neither."""
    lowered = question.lower()
    if not any(cue in lowered for cue in _OF_THE_TEXT_CUES):
        return None
    if (m := _AUTHOR_ASKED.search(question)) and not _NOT_OF_THE_ESSAY.search(m.group(0)):
        return "author"
    if _DATE_ASKED.search(question):
        return "dated"
    return None


# A reply in a thread points back at what the bot cannot see: "and what did *he* say about
# oversight?", "ok and how much of *it* do they own?", "follow-up: how much did *they* spend
# on that?". A person is pointed at anywhere before the question says anything; a thing only
# after an opener that continues a thread ("and", "also", "what about", "follow-up:").
_THREAD_OPENERS = frozenset("ok okay thanks thank you thx ty cool right wait hmm oh great got it so nice".split())
_CONTINUING = frozenset({"and", "also", "plus"})
_PERSON_POINTED_AT = frozenset("he him his she her".split())
_THING_POINTED_AT = frozenset("they them their it its that this those these".split())
_QUOTED = re.compile(r"^\s*>|[\"\u201c\u201d]|(?:^|\s)'[^']{8,}'", re.MULTILINE)


def pointed_back(raw: list[str], question: str) -> str | None:
    """The word by which a message points back at something it does not name ("he", "it"),
    when it does so before saying anything else; None when it names what it asks of first,
    or quotes it."""
    if _QUOTED.search(question):
        return None
    at = 0
    while at < len(raw) and raw[at] in _THREAD_OPENERS:
        at += 1
    rest = raw[at:]
    continuing = (
        rest[:1] and rest[0] in _CONTINUING
        or rest[:2] in (["what", "about"], ["how", "about"], ["follow", "up"])
    )
    if continuing:
        for i, w in enumerate(rest[:-1]):
            if w == "the" and rest[i + 1] in _REFERRING_BACK:
                return f"the {rest[i + 1]}"  # "and the third benefit?", "what about the other guy's view?"
    for w in raw:
        if w in _PERSON_POINTED_AT or (continuing and w in _THING_POINTED_AT):
            return w
        if w not in STOPWORDS and w not in ("follow", "up"):
            return None
    return None


# Words after "the" that point at something said before: "the other one", "the same study".
_REFERRING_BACK = frozenset("other same next previous earlier latter former first second third last".split())


# Asking what happened after a text or an event of the sources ("did Meta's stock go up
# after the essay came out?", "what happened next?", "which countries have signed up to
# LeCun's model?"): the sources end where they were written, and say nothing of what followed.
_WHAT_FOLLOWED = re.compile(
    r"\bafter\s+(?:the|that|this|his|its|their|[a-z]+['\u2019]s)\s+(?:[\w.'\u2019-]+\s+){0,3}?"
    r"(?:came\s+out|was\s+published|went\s+out|aired|announcement|summit|essay|blog|article|deal|podcast|news|"
    r"report|piece|story)\b"
    r"|\bwhat\s+happened\s+(?:next|afterwards|since|after)\b"
    # Who has taken up a proposal since: "which countries have signed up to LeCun's model?"
    r"|\b(?:have|has)\s+(?:[a-z]+\s+){0,2}?(?:signed\s+(?:up|on)|joined|officially\s+agreed|agreed\s+to\s+(?:join|contribute|"
    r"take\s+part|participate))\b"
    r"|\bdid\s+(?:[a-z]+\s+){0,2}?agree\s+to\s+(?:join|contribute|take\s+part|participate|share)\b"
    r"|\b(?:sign(?:ed)?\s+(?:up|on)|join(?:ed)?)\b[^.?!]*\b(?:so\s+far|already|yet)\b|\bofficially\s+(?:agreed|joined|signed)\b"
    # After a release: "how did the stock do after Llama 3.1 launched?"
    r"|\bafter\s+(?:[\w.'\u2019-]+\s+){1,3}?(?:launched|shipped|went\s+live|(?:was|were|got)\s+released)\b"
    # Since a text came out: "has Meta gone hybrid since the blog came out?", "since then?"
    r"|\bsince\s+(?:then|(?:the|that|this|his|its|their)\s+(?:[\w'\u2019-]+\s+){0,3}?(?:came\s+out|was\s+published|"
    r"essay|blog|article|podcast|summit|deal|report|piece|post|announcement))\b"
    r"|\bafter\s+(?:these|the)\s+(?:articles|sources|texts)\s+(?:were|was)\b"
    # Whether somebody still holds the post the sources give: "is LeCun still at Meta now?"
    r"|\b(?:is|are)\s+(?:[\w.'\u2019-]+\s+){1,3}?still\s+(?:at|working\s+(?:at|for)|employed\s+(?:at|by))\s+\w"
    # How something came out, asked yes or no: "did OpenUK end up endorsing the licence?", "did
    # the crop project work out?", "did it turn into an actual treaty?", "did Meta go through
    # with it in the end?", "did the models draw contributors after launch?"; not "how did
    # Llama 2 end up available?" or "what stake did Meta end up taking?", which the texts tell.
    r"|(?:^|[.?!,;:]\s*|\b(?:so|and|but|ok|okay|also|wait|hey)\s+)(?:did|has|have)\s+(?:[\w'\u2019.-]+\s+){1,10}?"
    r"(?:end(?:ed)?\s+up\s+\w+ing|in\s+the\s+end|(?:go|gone)\s+through\s+with|work(?:ed)?\s+out|"
    r"turn(?:ed)?\s+into\s+(?:an?\s+)?(?:actual|real)|after\s+(?:the\s+)?launch)\b",
    re.IGNORECASE,
)


def asks_what_followed(question: str) -> bool:
    """Whether the question asks what happened after something the sources report; how it
    was taken ("how did people react after the announcement?") the sources do report."""
    return bool(_WHAT_FOLLOWED.search(question)) and not _TAKEN.search(question)


_TAKEN = re.compile(r"\b(?:react\w*|respon\w*|receiv\w*|reception|backlash|criticis\w*|critics)\b", re.IGNORECASE)


# Function words of other languages that English never uses, to tell a message written in
# another language ("¿Qué porcentaje de Scale AI tiene Meta?", "Wer ist Yann LeCun?") from
# one that only greets or thanks in it ("merci, who is LeCun?").
FOREIGN_FUNCTION_WORDS = frozenset(
    """
    que cuanto cual como quien porque tiene hay los las del una sobre para esta este es el la
    est quoi pourquoi combien qui les des dans avec une cest sont elle
    wie wer ist und sind hat haben viel warum welche der das mit fur uber ein eine
    perche quanto della sulla che chi sono ha il di
    quem voce nao sao uma
    hoeveel zei het een sinds van zijn wordt
    jak czy jest sie nie dla
    """.split()
)


# What a question sets apart to ask about the rest: "besides the Scale AI stake, what else
# has Meta invested in?", "apart from LeCun, who is quoted on regulation?", "Llama aside,
# what has Meta open-sourced?", "what's Llama's market share, besides the tenfold growth?".
_APART = (
    r"(?:besides|apart\s+from|other\s+than|aside\s+from|except(?:\s+for)?|excluding|not\s+counting|outside\s+of"
    r"|leaving\s+out|setting\s+aside|putting\s+aside)"
)
_ASKING_START = (
    r"(?:what|which|who|whom|whose|how|why|where|when|is|are|was|were|does|do|did|has|have|can|could|would|will|"
    r"should|any|anyone|anything|tell|give|name|list)"
)
# Opening the message, past a few words of address ("ok, besides ...", "Quiz: besides ...").
_LEAD = r"(?P<lead>(?:[\w'\u2019]+[\s,:;!.-]+){0,3}?)"
_SET_APART = re.compile(
    rf"^{_LEAD}{_APART}\s+(?P<x>[^,;:?!\u2014\u2013]+?)\s*(?:[,;:\u2014\u2013]|\s-\s)\s*(?P<rest>.+)$"
    rf"|^{_LEAD.replace('lead', 'lead2')}{_APART}\s+(?P<x2>[^,;:?!]+?)\s+(?P<rest2>{_ASKING_START}\b.+)$"
    r"|^\s*(?:leaving|setting|putting)\s+(?P<x4>[^,;:?!]+?)\s+(?:aside|out)\s*[,;:\u2014\u2013-]?\s*(?P<rest4>.+)$"
    r"|^\s*(?P<x5>[^,;:?!]{1,40}?)\s+aside\s*[,;:\u2014\u2013-]\s*(?P<rest5>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_MAY_SET_APART = re.compile(
    r"\b(?:besides|apart|other\s+than|aside|except|excluding|counting|outside\s+of|leaving|setting|putting)\b", re.IGNORECASE
)


# Words that ask, written before what a question sets apart ("who besides Meta ...").
_ASKED_BEFORE = _WH_WORDS | AUXILIARIES | {"when"}


def set_apart(question: str) -> tuple[str, str] | None:
    """The question without what its opening sets apart, and what it sets apart ("besides
    the Scale AI stake, what else has Meta invested in?", "Llama aside, what has Meta
    open-sourced?"); None when it opens with nothing set apart ("who besides Meta gains?")."""
    if not _MAY_SET_APART.search(question):
        return None
    match = _SET_APART.match(question)
    if match is None:
        return None
    for group in ("", "2", "4", "5"):
        if match.group("x" + group):
            lead = match.groupdict().get("lead" + group) or ""
            if not _ASKED_BEFORE.isdisjoint(lead.lower().split()):
                return None  # "who besides Meta gains from Llama?": asked before it sets apart
            return " ".join(f"{lead} {match.group('rest' + group)}".split()), match.group("x" + group).strip()
    return None


# Sums, whole messages of them: "what's 49 percent of 2300", "17 times 23?", "how much is 3.5 x 12".
_ARITHMETIC = re.compile(
    r"^\W*(?:(?:what(?:['\u2019]?s|\s+is)|how\s+much\s+is|calculate|compute|work\s+out)\s+)?"
    r"\d[\d,.]*\s*(?:%|percent|per\s+cent|[kmb]|bn|million|billion)?\s*"
    r"(?:of|times|x|\*|\u00d7|plus|minus|divided\s+by|over|\+|-|/)\s*\d[\d,.]*\s*(?:[kmb]|bn|million|billion)?\W*$",
    re.IGNORECASE,
)


def asks_arithmetic(question: str) -> bool:
    """Whether the whole message is a sum to work out ("what's 49 percent of 2300"): work the
    bot does not do, whatever figure of the sources it repeats."""
    return bool(_ARITHMETIC.match(question))


def task_asked(raw: list[str]) -> str | None:
    """The verb of the work a message asks the bot to do, when it opens with one ("translate
    this into French", "can you draft an email to legal", "remind me to call the dentist");
    None for a question ("how do I fix it?", "remind me what LeCun said", "draft of the
    essay?")."""
    at = 0
    while at < len(raw):
        if raw[at] in _BEFORE_A_TASK:
            at += 1
        elif raw[at] in _ASKING_A_FAVOUR and raw[at + 1 : at + 2] in (["you"], ["u"]):
            at += 2
        else:
            break
    verb, following = (raw[at] if at < len(raw) else ""), raw[at + 1 : at + 2]
    if verb in _TASKS or (verb in _TASKS_AS_NOUNS and following and following[0] in _TASK_OBJECTS):
        return verb
    if verb == "remind" and following == ["me"] and raw[at + 2 : at + 3] == ["to"]:
        return verb  # "remind me to call", not "remind me who Altman is"
    return None


# A likeness the asker draws to make the question clear, not part of what is asked: "..., like a
# shop slashing prices when sales slump", "the way game studios lean on modders", "apple style?".
# Not "would like to", "what's it like in", an example named ("like the EU AI Act": a capital
# keeps it), nor a style that says what a thing is ("an IAEA-style agency").
_LIKENESS = re.compile(
    r"(?:,\s*|\s+[-\u2013\u2014]\s*|\s+)(?:(?:kind|sort)\s+of\s+|just\s+|a\s+bit\s+|much\s+)?"
    r"(?:like\s+(?:a|an|the|with|when|some|those|these)|the\s+way|as\s+if|as\s+though)\s[^?!.,;]*"
    r"|,?\s*\b[\w-]+(?:\s+vs\.?\s+[\w-]+)?[- ]style(?=\s*(?:[?!.,;]|$))",
    re.IGNORECASE,
)


def without_likeness(question: str) -> str:
    """The question without the likeness it draws ("is meta opening up out of desperation, like
    a losing team switching tactics?" -> "is meta opening up out of desperation?"); the
    question itself when it draws none, or when nothing else would be left."""
    kept, cut = _LIKENESS.subn(lambda m: m.group() if re.search(r"[A-Z]", m.group()) else "", question)
    kept = kept.strip(" ,;-\u2013\u2014")
    return kept if cut and kept != question.strip() and re.search(r"\w", kept) else question
