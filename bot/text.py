"""Text normalisation: for checking quotes against sources, and for matching questions."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable

# Characters that differ between a faithful quote and its source only in typography.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)
# Every character that typography folds into a plain apostrophe, and the apostrophe itself.
APOSTROPHES = frozenset({"'"} | {chr(code) for code, folded in _TYPOGRAPHY.items() if folded == "'"})


def clean_text(text: str) -> str:
    """`text` with bytes that were not UTF-8 (which Python keeps as lone surrogates) shown as U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def normalize_typography(text: str) -> str:
    """Fold curly quotes, dashes, non-breaking hyphens and spaces, ellipses and white space.

    Nothing else changes: case, letters, digits and other punctuation stay, so a quote that
    differs from its source in any word does not pass for verbatim.
    """
    if not text.isascii():  # every character folded here is outside ASCII
        text = text.translate(_TYPOGRAPHY).replace("\u2026", "...")
    # Splitting on white space and joining with one space is what `re.sub(r"\s+", " ", text).strip()`
    # does (both know white space by `str.isspace`), in a fraction of the time.
    return " ".join(text.split())


# Function words and question scaffolding: they say how something is asked, not what.
FUNCTION_WORDS = frozenset(
    """
    a an the and or but if then so of to in on at by for with from into onto about as
    is are was were be been being am do does did done doing have has had having
    i me my we us our you your he him his she her it its they them their this that these
    those there here what which who whom whose when where why how whats whos hows wheres
    can could would should will shall may might must also just very really too quite
    any some all each every no not nor only same than such both few more most other many much
    again further once up down out off over under through during before after above below
    between against until while because please tell know explain describe say said says saying
    speak speaks speaking spoke spoken
    let thing things something anything everything one ones way ways lot kind sort
    hey hi hello thanks thank pls plz im ive id dont doesnt didnt isnt arent wasnt
    youre youve youll youd theyre theyve theyll thats theres heres hes shes weve
    cant wont wouldnt couldnt shouldnt havent hasnt hadnt werent aint
    s t re ve ll d m
    """.split()
)
STOPWORDS = FUNCTION_WORDS | frozenset(
    # Chat filler: how people talk around a question, never what it is about.
    """
    ok okay yeah yes yep yup nope nah hmm um uh er oh ah wow lol haha btw tbh imo imho fyi u ur
    thx ty tysm tia cheers q qq actual
    afaik iirc idk kinda sorta gonna wanna gotta dunno guy guys dude folks team everyone anyone
    someone somebody anybody everybody nobody stuff lots bunch thingy whatever etc sorry dumb silly quick
    anywhere somewhere everywhere nowhere elsewhere anyhow somehow whoever wherever whenever
    exactly roughly approximately precisely now dr mr mrs ms prof professor kindly dear
    respect regard regards regarding pertaining via
    teh hte adn nad hwo
    question questions wondering wonder curious confused trying try figure understand
    get got getting heard hear hearing read reading saw see seen mean means meant guess
    think thought feel pretty fairly rather sort sorts kind kinds type types bit little
    maybe perhaps probably basically honestly literally seriously actually really totally
    currently recently lately still even already anyway anyways though although however
    wait supposed apparently yet article articles regarding concerning toward towards per according right
    sees seeing gets thinks thinking feels feeling hears guesses wonders wondered tries tried
    understands understood meaning look looks looking looked
    boast boasts boasted boasting brag brags bragged bragging
    quiz quizzes trivia flashcard flashcards ask asks asked asking
    tf wtf ffs ugh smh omg damn dammit jeez geez argh bloody freaking frickin effing lmao lmfao bruh meh
    innit eh lah leh lor ngl fr frfr lowkey highkey mate geezer bloke chap lad lads fella
    hola hallo ciao salut bonjour merci gracias danke bitte grazie obrigado obrigada dziekuje perdon scusa scusi
    oye bueno pues vale dai allora quindi dunque ecco alors bah ecoute voila tja naja doch genau kurz gefragt
    yaar yar arre achha accha acha haan bhai senpai chotto sumimasen zusammen leute
    """.split()
)

# Chat idioms that frame a question without saying what it is about: "what's the deal with
# Alexandr Wang" asks about Wang, not about a deal. Written as `words` gives them ("what's"
# folds to "what"); a message loses every run it contains, wherever it stands.
FRAMING_IDIOMS = tuple(
    tuple(idiom.split())
    for idiom in """
    what the deal with|what the story with|what the story behind|what up with|what going on with
    what new with|what the latest on|what the latest with|the lowdown on|the rundown on|the scoop on
    fill me in on|fill me in|catch me up on|bring me up to speed on|up to speed on|remind me
    any word on|any news on|any update on|any updates on|anything known about|is anything known about
    what the gist of|give me the gist of|in a nutshell|long story short|tl dr|tldr|eli5
    in plain english|in simple terms|in layman terms|off the top of your head|to be honest
    out of curiosity|for context|its own|their own|his own|her own|our own|my own|your own
    going forward|moving forward|from now on|these days|nowadays|right now|at the moment
    in practice|i need|we need
    the hell|the heck|the fuck|for fuck sake|for fucks sake|for god sake|for gods sake|just say it
    straight answer|stop being vague|short version|or nah|cant wait for|can not wait for
    in the context of|in his words|in her words|in their words|own words
    in one line|in a line|one line|one liner|oneliner|in one sentence|in a sentence|one sentence|short answer
    in short|summed up|elevator pitch version of|elevator pitch of|elevator pitch|quick recap of|one word answer is fine
    no cap|kindly advise|kindly tell|kindly confirm|do the needful|how everyone keeping|how are you keeping
    kindly advise as to|please advise as to|please advise|kindly advise on|please advise on
    please confirm whether|please confirm|kindly confirm whether|kindly state|please state
    kindly summarise|kindly summarize|please summarise|please summarize|kindly clarify whether|kindly clarify
    please clarify whether|please clarify|clarification is sought as to|clarification is sought regarding
    clarification is sought|clarification is requested regarding|clarification is requested as to
    clarification is requested|please provide|kindly provide|please outline|kindly outline|pls outline
    please identify|kindly identify|please indicate|kindly indicate|please set out|kindly set out
    kindly elaborate|kindly expand|please expand|please elaborate
    how everyone doing|how is everyone doing
    por favor|per favore|sil vous plait|s il vous plait
    thanks in advance|thank you in advance|thx in advance|ty in advance|no rush|not urgent|no worries
    no pressure|asking for a friend|when you get a chance|when you have a sec|when you have a minute
    show up|shows up|showed up|showing up|pop up|pops up|popped up|crop up|crops up|cropped up
    give me|gimme|find me|show me|get me|send me|pull up|dig up|point me to|point me at|can you find
    brief me on|brief me about|in this context|in that context
    at the end of the day|day to day|on a day to day basis
    true or false|true false|t or f|fact check|quiz question|trivia question|pub quiz|quiz time|quiz round
    multiple choice|fill in the blank|fill in the blanks|fill the blank|correct or not|correct or incorrect
    right or wrong|bonus point|bonus points|bonus question|for a bonus point
    is that true|is this true|is that correct|is this correct|is that accurate
    is this accurate|true or not|correct or not|accurate or not|fair reading|fair summary|did i get that right
    not sure if this is the right place|not sure this is the right place|not sure where to ask|not sure who to ask
    not sure how this works|do you happen to know|happen to know|any idea|i can never remember|can never remember
    i always forget|if i remember correctly|if i remember right|if i recall correctly|if im remembering right
    if im remembering correctly|if memory serves|unless im mistaken|unless i misread|if im not mistaken
    correct me if im wrong|in case it matters|in case anyone asks|in case someone asks
    would it be possible to find out|is it possible to find out|id love to understand|id love to know
    """.replace("\n", "|").split("|")
    if idiom.strip()
)
_IDIOMS_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str | None]]] = {}
for _idiom in sorted(FRAMING_IDIOMS, key=len, reverse=True):
    _IDIOMS_BY_FIRST.setdefault(_idiom[0], []).append((_idiom, None))
    if _idiom[0] == "what":  # as typed in a hurry, without the apostrophe: "whats the deal with"
        _IDIOMS_BY_FIRST.setdefault("whats", []).append((("whats", *_idiom[1:]), None))


# Words after which "like" is chat filler ("does Meta own *like* part of Scale AI", "what
# about *like* bad actors", "it grew *like* ten x"), not a comparison ("a model like Llama",
# "something like $14 billion") nor the verb ("do people like Llama").
_BEFORE_FILLER_LIKE = frozenset(
    "own owns owned grew grow grown spend spent paid pay cost costs got has have had "
    "uh um so and but about around just said say says".split()
)


# Tags closing a question that ask nothing more: "... or the whole thing *or what*".
_CLOSING_TAGS = (("or", "what"), ("or", "something"), ("or", "smth"), ("or", "whatever"), ("and", "that"), ("or", "summat"))


def without_filler(found: list[str]) -> list[str]:
    """`found` (folded words) without a "like" that is only chat filler and without a tag
    closing the question ("or what")."""
    if len(found) > 2 and tuple(found[-2:]) in _CLOSING_TAGS:
        found = found[:-2]
    if len(found) > 2 and found[-1] == "like":
        found = found[:-1]  # a closing "like": "what was he banging on about, like?"
    if "like" not in found:
        return found
    return [w for i, w in enumerate(found) if not (w == "like" and i and found[i - 1] in _BEFORE_FILLER_LIKE)]


# "Half" says a share where it is one of something ("owns half of Scale AI", "less than
# half"), not a part of a plan or a year ("the other half", "the first half of 2025").
_BEFORE_A_SHARE_HALF = frozenset(
    "than nearly almost about over under around roughly like just own owns owned bought buy buys "
    "hold holds held acquired acquire took".split()
)
_BEFORE_A_PART_HALF = frozenset("the other first second latter back front one".split())


def halves_as_shares(found: list[str]) -> list[str]:
    """`found` (folded words) with a "half" that states a share read as a percentage."""
    if "half" not in found:
        return found
    read = list(found)
    for i, w in enumerate(found):
        if w != "half" or (i and found[i - 1] in _BEFORE_A_PART_HALF):
            continue
        following = found[i + 1] if i + 1 < len(found) else None
        if following in (None, "of", "the") or (i and found[i - 1] in _BEFORE_A_SHARE_HALF):
            read[i] = "percent"
    return read


# A word closing a claim to check it ("meta owns 49% of scale ai - *true*?", "... *correct*?").
_CHECKING_CLOSE = frozenset({"true", "correct", "accurate"})


def without_idioms(found: list[str]) -> list[str]:
    """`found` (folded words) without the framing idioms it contains, nor a word closing a
    claim to ask whether it holds."""
    found = replace_runs(found, _IDIOMS_BY_FIRST)
    return found[:-1] if len(found) > 3 and found[-1] in _CHECKING_CLOSE else found


def replace_runs(found: list[str], runs: dict[str, list[tuple[tuple[str, ...], str | None]]]) -> list[str]:
    """`found` with each run of words in `runs` (listed under its first word, longest first)
    replaced by its word, or dropped where that is None."""
    if runs.keys().isdisjoint(found):
        return list(found)  # most texts hold no run: checked at once rather than word by word
    kept: list[str] = []
    i = 0
    while i < len(found):
        for run, replacement in runs.get(found[i], ()):
            if tuple(found[i : i + len(run)]) == run:
                if replacement is not None:
                    kept.append(replacement)
                i += len(run)
                break
        else:
            kept.append(found[i])
            i += 1
    return kept


# "Take" is an opinion after an owner or an article ("LeCun's take on rules", "the blog's
# take") or before "on" or "about"; anywhere else it is the verb ("what stake did Meta take",
# "taking a stake", "take the lead"), which says nothing of what a question is about.
_TAKE = re.compile(r"\b(?:take|takes|taking|taken|took)\b(?!\s+off\b)", re.IGNORECASE)
_AFTER_OWNER = re.compile(r"(?:['\u2019]s?|\b(?:the|a|an|his|her|their|your|my|our|its|whose|hot|own))\s+$", re.IGNORECASE)
_BEFORE_ON = re.compile(r"\s+(?:on|about)\b", re.IGNORECASE)


# "How did people take the news?" asks how they reacted: "take" after "how", before what was
# made known ("it", "the news", "Meta's announcement").
_TAKEN_AS_NEWS = re.compile(
    r"\s+(?:it|this|that|(?:(?:the|this|that|[a-z]+['\u2019]?s)\s+(?:[a-z-]+\s+){0,3})?"
    r"(?:news|announcement|move|decision|reveal|release|plan|plans|pivot|shift|initiative))\b",
    re.IGNORECASE,
)
_HOW_BEFORE = re.compile(r"\bhow\b[^.?!;]*$", re.IGNORECASE)


def without_verb_take(text: str) -> str:
    """`text` without "take" where it is the verb, so that only the opinion is read as one,
    and with "react" where it asks how some took the news."""

    def kept(m: re.Match[str]) -> str:
        if _TAKEN_AS_NEWS.match(text, m.end()) and _HOW_BEFORE.search(text, 0, m.start()):
            return " react to "
        noun = m.group(0).lower() in ("take", "takes") and (
            _AFTER_OWNER.search(text[max(0, m.start() - 8) : m.start()]) or _BEFORE_ON.match(text, m.end())
        )
        return m.group(0) if noun else " "

    return _TAKE.sub(kept, text) if "tak" in text.lower() else text


_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
# A number written onto a name is its version ("llama4"); one running into letters is part of
# a word of its own ("4chan", "3D", "70B"), not a version number standing alone, and so is one
# after a lone letter: a code ("Q3", "H100", "M2"), not a name's version.
_LETTER_DIGIT = re.compile(r"(?<=[a-z]{2})(?=[0-9])")
_DIGIT = re.compile(r"[0-9]")
_US = re.compile(r"\bUS\b")
_OWNERS_S = re.compile(r"'s\b")
_USA = re.compile(r"\bu\.s\.(?:a\.?)?|\bu\.s\b")


def fold(text: str) -> str:
    """Lower-case ASCII-ish text for matching: accents dropped, typography folded."""
    text = normalize_typography(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if "US" in text and not text.isupper():
        # "US" in capitals among small letters is the country, as "U.S." is, not "us".
        text = _US.sub("U.S.", text)
    text = text.lower().replace("%", " percent ")
    if "u.s" in text:
        # The country is one word, "usa", so that a lone "u" is what chat makes of "you" ("u there?").
        text = _USA.sub(" usa ", text)
    if "'s" in text:
        # "Apple's own stance" is Apple's stance: "own" after an owner stresses whose, it owns nothing.
        text = text.replace("'s own ", "'s ")
        # An owner's "'s" goes wherever the word ends: "OpenAI's CEO", "than OpenAI's?".
        text = _OWNERS_S.sub("", text)
    # Looking for a letter-digit boundary at every position is slow; most text has no digit at all.
    return _LETTER_DIGIT.sub(" ", text) if _DIGIT.search(text) else text


# Emoji as chat clients write them into text: Slack's `:thinking_face:`, Discord's `<:pepe:123>`.
# A transcript's speaker label, a time stamp before it perhaps: "Speaker 1:", "[00:14] Speaker
# B:", "SPK2:" (a question dictated to a meeting assistant and pasted as is).
_SPEAKER_LABEL = re.compile(r"^\s*(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s*)?(?:speaker|spk)\s*\w{0,3}\s*:\s", re.IGNORECASE)
_EMOJI_CODE = re.compile(r"<a?:\w+:\d+>|(?<!\w):[\w+-]+:(?!\w)")
# Mentions of people, roles and channels as chat clients write them (Slack's `<@U123>`,
# `<!channel>`, `<#C1|general>`; Discord's `<@!123>`, `<@&456>`, `<#789>`; a handle typed out,
# `@maria`, `@here`), pasted into a question: whom a message is addressed to, not what it asks.
_CHAT_MENTION = re.compile(
    r"<(?:[@#!][^<>\s]{1,80}|@[!&]\d{1,25})>|(?<![\w@.])@\w[\w.-]{0,80}", re.IGNORECASE
)


# A link as typed or pasted into a message: `https://site/path`, `www.site/path`, or Slack's and
# Discord's `<https://site/path|label>` and `<https://site/path>`.
_LINK = re.compile(
    r"<(?P<bracketed>https?://[^\s<>|]+)(?:\|(?P<label>[^<>]*))?>"
    r"|(?<![\w@.])(?P<bare>(?:https?://|www\.)[^\s<>]+)",
    re.IGNORECASE,
)
_HOST = re.compile(r"^(?:https?://)?(?:[^@/\s]*@)?(?P<host>[^/:?#\s]+)", re.IGNORECASE)
# Second-level labels under a country's domain: "bbc.co.uk" is the BBC's, not "co"'s.
_SECOND_LEVEL = frozenset("co com org net gov ac edu".split())


def site_name(link: str) -> str:
    """The name a link's site goes by, folded: "gizmodo" for `https://www.gizmodo.com/...`,
    "bbc" for `bbc.co.uk`; "" when the link has no host."""
    match = _HOST.match(link)
    labels = [label for label in (match["host"].lower().split(".") if match else []) if label]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        labels = labels[:-1]
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")


def without_links(text: str, keep_site: Callable[[str], bool]) -> str:
    """`text` with each link replaced by its label (Slack's `<url|label>`), else by its site's
    name where `keep_site` says the name tells something ("gizmodo"), else by nothing: a link
    says where somebody read a thing; its path is no part of the question."""

    def replaced(match: re.Match[str]) -> str:
        if match["label"]:
            return f" {match['label']} "
        name = site_name(match["bracketed"] or match["bare"])
        return f" {name} " if name and keep_site(name) else " "

    return _LINK.sub(replaced, text)


def has_link(text: str) -> bool:
    """Whether `text` may hold a link (cheap: most questions hold none)."""
    return "://" in text or "www." in text or "WWW." in text


# A message's last line that signs it rather than asks: "— dan (platform team)", "-- Tom",
# "Sent from my iPhone", "sent via Slack mobile"; not a last item of a list ("- Llama 4").
_SIGNATURE = re.compile(
    r"\n[ \t]*(?:(?:--|\u2013|\u2014)[ \t]*[^\n?]{0,60}|sent (?:from|via|with) [^\n?]{1,40})[ \t]*\Z",
    re.IGNORECASE,
)


# Hashtags after a message's last sentence ("... what's that about? #ai-policy #til"): tags
# filing the message, not words of its question. One inside a sentence ("is #openwashing
# fair?") is read.
_TRAILING_TAGS = re.compile(r"(?<=[?!.])[^\w#]*+(?:#[\w-]++[^\w#]*+)+\Z")  # possessive: no backtracking


# What the asker wants an answer for, closing a clause: "who is Sam Altman, *for the board
# memo*?", "*for a customer deck*: is Llama free?". It says where the answer goes, not what
# it is; a text the sources are ("for the blog", "the report") is not among these.
_PURPOSE = re.compile(
    r"[,;(]?\s*\bfor\s+(?:(?:the|a|an|our|my|your|this|that|next|tomorrow's|today's|this week's|next week's)\s+)?"
    r"(?:[\w'-]+\s+){0,2}?"
    r"(?:memo|memos|deck|decks|slide|slides|slide deck|briefing|briefings|brief|briefing note|briefing notes|"
    r"email|emails|newsletter|presentation|presentations|doc|docs|document|writeup|write-up|one-pager|"
    r"onepager|org chart|wiki|faq|handout|pitch|talking points|agenda|board pack|quarterly memo)\)?"
    r"(?=\s*(?:[?.!,;:)]|$))",
    re.IGNORECASE,
)


# Who asks, said beside the question: "HR here - ...", "... ? sales here".
_ASKER_HERE = re.compile(
    r"^\s*(?:[A-Za-z&/]+\s+){0,2}?[A-Za-z&/]+\s+here\s*[,:.!\-\u2013\u2014]+\s*"
    r"|(?<=[?.!])\s*(?:[A-Za-z&/]+\s+){0,2}?[A-Za-z&/]+\s+here\s*[.!]*\s*$",
    re.IGNORECASE,
)


# Who passed the question on, opening it: "my manager asked", "our CFO wants to know", "the
# board keeps asking:" (what they asked follows).
_ASKED_FOR = re.compile(
    r"^\s*(?:(?:so|ok|okay|hey|hi|quick\s+one)\W+)?(?:my|our|the)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:manager|boss|lead|cfo|ceo|cto|coo|vp|director|team|client|customer|colleague|coworker|co-worker|teammate|"
    r"editor|professor|prof|teacher|legal|finance|compliance|board|exec|execs|management|leadership|partner|partners)\s+"
    r"(?:just\s+)?(?:asked|asks|wants\s+to\s+know|is\s+asking|was\s+asking|keeps\s+asking|needs\s+to\s+know|"
    r"would\s+like\s+to\s+know|wanted\s+to\s+know)(?:\s+(?:me|us))?\s*[:,\-\u2013\u2014]?\s*",
    re.IGNORECASE,
)


def without_asker(text: str) -> str:
    """`text` without a note of who asks ("legal here:", "... sales here") or who passed the
    question on ("my manager asked ...", "our CFO wants to know ...")."""
    lowered = text.lower()
    if "here" in lowered:
        kept = _ASKER_HERE.sub(" ", text).strip()
        text = kept if kept and any(c.isalnum() for c in kept) else text
    if "ask" in lowered or "know" in lowered:
        kept = _ASKED_FOR.sub("", text, count=1).strip()
        text = kept if kept and any(c.isalnum() for c in kept) else text
    return text


# Where the asker sits, said beside the question: "..., asking for our Paris team", "heard
# rumours in our Singapore office", "for those of us in Europe begging for compute, ...",
# "from a Brussels policy angle, ...". A place named there is not what is asked about.
_ASKERS_SETTING = re.compile(
    r"[,;(]?\s*\b(?:(?:asking|writing|here|speaking)\s+)?(?:for|from|in|at|on)\s+(?:our|my)\s+(?:[\w'-]+\s+){0,3}?"
    r"(?:team|teams|office|offices|group|colleagues|folks|people|unit|org|lab|department|dept|branch|hub|site|staff|"
    r"side|crew|squad|desk|market|customers|clients|users)\b\)?"
    r"|[,;(]?\s*\b(?:for|among)\s+(?:those\s+of\s+us|us|people\s+like\s+us|folks\s+like\s+us|teams\s+like\s+ours)\s+"
    r"(?:in|at|from|based\s+in|outside)\s+[^,?.!;:]{1,40}(?=[,;:?.!]|$)"
    r"|^\s*(?:speaking\s+|asking\s+)?from\s+(?:a|an|the|our|my)\s+(?:[\w'-]+\s+){1,3}?"
    r"(?:angle|perspective|point\s+of\s+view|standpoint|lens|seat|desk)\s*[,:]",
    re.IGNORECASE,
)


def without_askers_setting(text: str) -> str:
    """`text` without where the asker sits ("for our EU policy team", "in our Singapore
    office", "from a Brussels policy angle,"): `text` itself when it says none, or nothing else."""
    kept, cut = _ASKERS_SETTING.subn("", text)
    kept = kept.strip(" ,;:-")
    return kept if cut and any(c.isalnum() for c in kept) else text


# Whom the asker will tell, closing a clause: "who is Altman, *for a class of undergrads*?",
# "how do I explain the stake *to the CFO*", "*presenting to our Bangalore team*, how would
# ...", "... *when talking to execs*". It says who hears the answer, not what it is; people
# the facts speak of ("for developers", "for small businesses") are not among these.
_AUDIENCE_NOUNS = (
    r"(?:class|classes|students|undergrads|seminar|meetup|panel|reporter|reporters|journalist|journalists|"
    r"customer|client|execs|executives|manager|boss|cfo|speaker\s+notes|q&a|qa|"
    r"comms|pr\s+team|finance\s+team|audience|non-?technical\s+exec)"
)
_AUDIENCE = re.compile(
    r"[,;(]?\s*\b(?:(?:when|while)\s+(?:talking|speaking|presenting|pitching|explaining)\s+)?(?:for|to)\s+"
    r"(?:(?:the|a|an|our|my|your|this|some)\s+)?(?:(?!(?:their|there|its|his|her|meta)\b)[\w'-]+\s+){0,2}?" + _AUDIENCE_NOUNS
    + r"(?:\s+(?:who|that|of)(?:\s+[\w'-]+){1,5})?\)?(?=\s*(?:[?.!,;:)]|$))"
    r"|^\s*(?:presenting|talking|speaking|pitching|explaining\s+\w+(?:\s+\w+){0,4}?)\s+to\s+[^,?.!:;]{1,40}[,:]\s*",
    re.IGNORECASE,
)


def without_purpose(text: str) -> str:
    """`text` without a clause saying what the answer is for ("for the board memo") or whom
    the asker will tell ("for a class", "to the CFO"), when something else is asked."""
    lowered = text.lower()
    if "for" not in lowered and "to" not in lowered:
        return text
    cut, purposes = _PURPOSE.subn("", text)
    cut, audiences = _AUDIENCE.subn("", cut)
    kept = cut.strip(" ,;:-")
    return kept if (purposes or audiences) and kept and any(c.isalnum() for c in kept) else text


# How the asker wants it told, not what they ask: "*in simple terms*, how does ...", "...,
# *simple version pls*", "closed source AI, *explain like im five*", "summarize the essay *for a
# non-engineer*". ("eli5 X" is left to the engine, which reads it as asking what X is.)
_TOLD_SIMPLY = re.compile(
    r"[,;(]?\s*\b(?:"
    r"in\s+(?:very\s+)?(?:simple|plain|basic|layman['\u2019]?s?|lay|non-?technical|everyday)\s+(?:terms|english|words|language)"
    # a version asked for, not of a model: closing the message ("is there a simple version of Llama?" asks one)
    r"|(?:the\s+|a\s+)?(?:simple|simpler|short|shorter|quick|dumbed[- ]down|plain)\s+version(?:\s+(?:pls|plz|please))?(?=\W*$)"
    r"|(?:explain\s+)?(?:it\s+|this\s+)?like\s+(?:i['\u2019]?m|i\s+am|im)\s+(?:five|5|a\s+(?:five|5)[- ]year[- ]old|a\s+kid|a\s+child|new)"
    r"|for\s+(?:a\s+|an\s+|the\s+)?(?:non[- ]?(?:engineers?|technical(?:\s+(?:person|people|folks|audience))?|techies?|tech(?:\s+(?:person|people|folks))?|experts?|specialists?)"
    r"|beginners?|dummies|newbies?|newcomers?|laypeople|layperson|lay\s+audience|someone\s+new|a\s+beginner)"
    r"|dumbed\s+down|simply\s+put|keep\s+it\s+simple|make\s+it\s+simple"
    r")\)?\s*[:,]?",
    re.IGNORECASE,
)


# Letters one of which every such phrase holds: most questions have none, and skip the pattern.
_TOLD_SIMPLY_CUES = ("simpl", "plain", "lay", "basic", "everyday", "technical", "version", "like i", "beginner",
                     "dumm", "newb", "newcom", "non", "expert", "specialist", "techie", "tech ")


def without_told_simply(text: str) -> str:
    """`text` without the words asking for a simple telling ("in simple terms", "explain like
    I'm five", "for a non-engineer"), when something else is asked."""
    return _without_cued(text, _TOLD_SIMPLY_CUES, _TOLD_SIMPLY)


def _without_cued(text: str, cues: tuple[str, ...], pattern: re.Pattern[str]) -> str:
    """`text` without what `pattern` matches, looked for only when one of `cues` is in it; the
    text as it was when nothing would be left."""
    lowered = text.lower()
    if not any(cue in lowered for cue in cues):
        return text
    cut, found = pattern.subn(" ", text)
    kept = cut.strip(" ,;:-")
    return kept if found and kept and any(c.isalnum() for c in kept) else text


# How the asker wants the answer shaped, whatever is asked: "in 3 bullets", "as a table", "yes
# or no", "under 20 words", "number only", "just the name", "TL;DR first", "with the quote".
_COUNT_WORD = r"(?:\d{1,3}|one|two|three|four|five|a\s+few|few|a\s+couple(?:\s+of)?)"
_SHAPE_NOUNS = r"(?:bullets?|bullet\s+points?|points|words|sentences?|lines?|paragraphs?|takeaways?)"
_FORMAT = re.compile(
    r"[,;(]?\s*(?:"
    r"(?:as|in)\s+(?:a\s+|an\s+)?(?:table|bullet(?:ed)?\s+list|bullet\s+form|bullets|bullet\s+points|numbered\s+list"
    r"|list|markdown|json|csv|plain\s+text)"
    r"|(?:in\s+)?(?:under|less\s+than|fewer\s+than|max(?:imum)?|at\s+most|no\s+more\s+than|within)\s+\d{1,3}\s+" + _SHAPE_NOUNS
    + r"|(?:in\s+)?" + _COUNT_WORD + r"\s+" + _SHAPE_NOUNS + r"(?:\s+(?:max(?:imum)?|tops|or\s+(?:less|fewer)|only))?"
    r"|(?:just\s+)?(?:give\s+me\s+|tell\s+me\s+)?(?:a\s+)?yes\s*(?:or|/)\s*no(?:\s+only)?(?:\s+(?:and|\+|plus)\s+(?:why|the\s+quote|quote|a\s+quote))?"
    r"|(?:just|only)\s+(?:the\s+|a\s+)?(?:number|figure|name|names|percentage|year|date|quote|link|headline|x[- ]factor)"
    r"|(?:number|figure|name|names|quote|link|percentage|one[- ]word|bullets?)\s+only"
    r"|one[- ]word(?:\s+answer)?(?:\s+(?:pls|plz|please))?(?=[.!]*\s*$)"
    r"|(?:tl;?\s*dr|summary|answer)\s+first"
    r"|(?:with|plus|\+|and)\s+(?:the\s+|a\s+)?(?:quote|source|sources|link|links|source\s+link)(?:\s+(?:too|as\s+well|pls|plz|please))?"
    r"|(?:quote|link|source|sources)\s+(?:pls|plz|please)"
    r"|no\s+jargon|no\s+fluff|no\s+waffle|bullets?\s+(?:pls|plz|please)|(?:(?<=,)|(?<=,\s))bullets?(?=\W*$)"
    r")(?:\s+(?:pls|plz|please))?\)?(?=\s*(?:[?.!,;:)]|$))\s*[:,]?",
    re.IGNORECASE,
)
_FORMAT_CUES = ("bullet", "table", "list", "word", "sentence", "line", "yes", "only", "just", "first", "quote", "link",
                "source", "jargon", "fluff", "waffle", "paragraph", "point", "markdown", "json", "csv", "plain", "takeaway")


def without_format(text: str) -> str:
    """`text` without the words saying how to shape the answer ("in 3 bullets", "yes or no",
    "number only", "with the quote"), when something else is asked."""
    return _without_cued(text, _FORMAT_CUES, _FORMAT)


def without_signature(text: str) -> str:
    """`text` without a last line that only signs the message."""
    return _SIGNATURE.sub("", text.rstrip()) if "\n" in text else text


def words(text: str) -> list[str]:
    """The words of `text`, folded, in order; numbers like `3.1` stay whole, emoji codes go,
    and a hyphenated name made only of small words is one word ("All-In" is "allin")."""
    if "\n" in text:
        text = without_signature(text)
    if ":" in text:
        text = _EMOJI_CODE.sub(" ", _SPEAKER_LABEL.sub(" ", text))
    if "#" in text:
        text = _TRAILING_TAGS.sub(" ", text)
    if "<" in text or "@" in text:
        text = _CHAT_MENTION.sub(" ", text)
    folded = fold(text).replace("'", "")
    if "-" in folded:
        folded = _HYPHENATED.sub(_joined_if_small, folded)
    if "/" in folded:
        folded = _SLASHED_SHORTHAND.sub(lambda m: f" {_SLASHED[m.group(0)]} ", folded)
    found = _WORD.findall(folded)  # a word ends in a letter or digit, never in a dot
    if _SHORTHAND.keys().isdisjoint(found):
        return found
    return [word for token in found for word in _SHORTHAND.get(token, (token,))]


# Chat's shorthand for words, as the words ("_" joins the words of one): "ppl", "govt", "w/".
# Only forms that mean one thing in a work chat ("cos", "sec", "eng" may mean "because",
# "second", "English").
_SHORTHAND = {
    short: tuple(meant.split("_"))
    for short, meant in (
        line.split("=")
        for line in """
        govt=government gov=government regs=regulations natl=national intl=international
        perf=performance vuln=vulnerability vulns=vulnerabilities strat=strategy biz=business
        mgmt=management comms=communications
        abt=about bc=because oss=open_source foss=open_source pod=podcast
        ig=instagram insta=instagram msft=microsoft goog=google oai=openai amzn=amazon
        wat=what wht=what wut=what qs=questions
        nxt=next b4=before tho=though thru=through tmrw=tomorrow approx=approximately convo=conversation
        exec=executive execs=executives mgr=manager dept=department infra=infrastructure
        """.split()
    )
}
_SLASHED = {"w/o": "without", "w/": "with", "b/c": "because"}
_SLASHED_SHORTHAND = re.compile(r"(?<![\w/])(?:w/o|b/c|w/)(?![\w/])|(?<![\w/])w/(?=\w)")


def family_name(name: str) -> str | None:
    """The folded family name that names a person alone too ("lecun" for "Yann LeCun"), or None
    when `name` does not read as a person's two-part name ("Scale AI", "Llama 2", "iOS")."""
    parts = words(name)
    written = name.split()
    if len(parts) != 2 or not (written[0][:1].isupper() and written[-1][:1].isupper()):
        return None
    if not all(part.isalpha() for part in parts) or any(part in {"ai", "model", "models"} for part in parts):
        return None
    return parts[-1]


_HYPHENATED = re.compile(r"(?<![\w-])[a-z]+(?:-[a-z]+)+(?![\w-])")


def _joined_if_small(match: re.Match[str]) -> str:
    parts = match.group(0).split("-")
    return "".join(parts) if all(part in STOPWORDS for part in parts) else match.group(0)


# Irregular verb forms the suffix rules cannot reach ("wrote", "bought"), each to its base
# form. Forms that are also everyday nouns or adjectives ("left", "found", "given", "lost"), or whose
# base word the synonyms read otherwise ("held" is not "holding" a stake, "took" not "his
# take"), are not here.
IRREGULAR_FORMS = {
    form: base
    for base, forms in (
        line.strip().split(":") for line in """
        arise:arose arisen|become:became|begin:began begun|break:broke|bring:brought
        build:built|buy:bought|choose:chose chosen|draw:drew drawn|drive:drove
        fight:fought|forbid:forbade forbidden|foresee:foresaw foreseen|forget:forgot forgotten
        give:gave|go:went gone|grow:grew grown|hide:hid hidden|keep:kept
        lead:led|make:made|rethink:rethought|run:ran|seek:sought|sell:sold
        send:sent|shake:shook shaken|show:shown|spend:spent|stand:stood
        steal:stole stolen|strike:struck|teach:taught|tell:told|throw:threw thrown
        undertake:undertook undertaken|overtake:overtook overtaken|understand:understood
        win:won|withdraw:withdrew withdrawn|write:wrote written
        """.replace("\n", "|").split("|")
        if line.strip()
    )
    for form in forms.split()
}


# Words whose ending is no suffix to strip: an "officer" holds a post, an "office" is a place.
_KEPT_WHOLE = {"officer": "officer", "officers": "officer"}

# Stems remembered: every word of the fact base and then some; about 200 bytes each.
STEM_CACHE_SIZE = 50_000


@functools.lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(word: str) -> str:
    """A light, consistent suffix stripper: both sides of a match use it, so it need only agree with itself.

    Remembered for the most recent STEM_CACHE_SIZE words: the fact base's words are stemmed
    again and again while it is indexed."""
    word = IRREGULAR_FORMS.get(word, word)
    if len(word) <= 3 or not word.isalpha():
        return word
    if word in _KEPT_WHOLE:
        return _KEPT_WHOLE[word]
    word = american(word)
    for suffix, replacement, min_stem in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= min_stem:
            word = word[: len(word) - len(suffix)] + replacement
            # "offering", "favored": as "offer", "favor" themselves stem.
            if suffix in _VERB_ENDINGS and word.endswith(("er", "or")) and len(word) - 2 >= 3:
                word = word[:-2]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    elif len(word) > 5 and word.endswith("ll"):  # "modelling", "install": as "model", "instal"
        word = word[:-1]
    return word


# British spellings read as American ones ("organisation", "licence", "centre", "favour",
# "analyse", "modelling"): both sides of a match go through `stem`, so a word changed that
# has no American twin ("promise" as "promize") is changed alike everywhere and still matches.
_BRITISH_ENDINGS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # -ise where American writes -ize: after the letters those verbs end in ("organise",
        # "realise", "criticise", "prioritise"), not in "advertise", "promise" or "surprise".
        (
            r"(?<=[a-z]{2}(?:al|il|im|an|on|or|er|at|it|og|ar|ic|gn|rd|in|et|iv|rn|es|as|th|ol|om|id|eg|el))"
            r"is(e|es|ed|ing|er|ers|ation|ations|ational)$",
            r"iz\1",
        ),
        (r"(?<=[a-z]{2})ys(e|es|ed|ing|er|ers)$", r"yz\1"),
        (r"(?<=[a-z]{2}[^aeou])our(s|ed|ing|ite|ites|able)?$", r"or\1"),
        (r"(?<=[a-z]{3})(t|b)re(s)?$", r"\1er\2"),
        (r"(?<=[a-z]{3})(t|b)red$", r"\1ered"),
        (r"^(lic|def|off|pret)enc(e|es|ed|ing)$", r"\1ens\2"),
    )
)
# Words of their own with such an ending, with whatever before it ("unpromising"): never respelt.
_NOT_BRITISH = re.compile(
    r"(promis|treatis|valis|metropolis|megalopolis|acropolis)(e|es|ed|ing|ingly|er|ers)?$"
    r"|^(de|con)?(vour|tour)(s|ed|ing)?$|parkour"
)


def american(word: str) -> str:
    """`word` (folded) with a British ending spelt as in American English: "organisation",
    "analyse", "centre", "licence". "-our" is left alone: the stemmer strips "or" from
    "favor" but not from "favored", so "favour" would part from "favoured"."""
    if _NOT_BRITISH.search(word):
        return word
    for pattern, replacement in _BRITISH_ENDINGS:
        changed = pattern.sub(replacement, word)
        if changed != word:
            return changed
    return word


_VERB_ENDINGS = frozenset({"ing", "ings", "ed", "edly", "ingly"})
_SUFFIXES = (
    ("ational", "at", 3),
    ("ations", "at", 3),
    ("ation", "at", 3),
    ("nesses", "", 3),
    ("ness", "", 3),
    ("ments", "", 3),
    ("ment", "", 3),
    ("ities", "", 3),
    ("ity", "", 3),
    ("ingly", "", 3),
    ("ings", "", 3),
    ("ing", "", 3),
    ("edly", "", 3),
    ("ies", "y", 2),
    ("ied", "y", 2),
    ("ed", "", 3),
    ("ers", "", 3),
    ("er", "", 3),
    ("ors", "", 3),
    ("or", "", 3),
    ("ly", "", 3),
    ("sses", "ss", 2),
    ("ss", "ss", 2),
    ("us", "us", 2),
    ("is", "is", 2),
    ("s", "", 3),
)


def printable(text: str, *, limit: int = 200) -> str:
    """User text made safe for a terminal: control characters (escape sequences) dropped, bounded."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def strip_markup(text: str) -> str:
    """Drop wiki links, timestamp anchors and other HTML tags that some notes carry."""
    text = re.sub(r"\s*\[\[[^\]]*\]\]", "", text)
    text = re.sub(r"\s*\(?<a [^>]*>.*?</a>\)?", "", text)
    return re.sub(r"<[^>]+>", " ", text)


def sentences(text: str) -> list[str]:
    """Split prose into sentences (for coverage statistics, not for matching).

    Headings and lead-ins (lines that do not end like a sentence) are left out, and wiki
    links, HTML tags and timestamp markup are dropped.
    """
    found: list[str] = []
    text = strip_markup(text)
    for line in text.splitlines():
        line = line.strip().lstrip("#>-* ").strip()
        if len(line.split()) < 4 or not line.endswith((".", "!", "?", '"', "\u201d", "\u2026")):
            continue
        for part in re.split(r"(?<=[.!?\u2026])[\"\u201d\u2019]?\s+(?=[\"\u201c\u2018A-Z0-9])", line):
            part = part.strip()
            if len(part.split()) >= 4:
                found.append(part)
    return found


# Where a chat message's parts meet: a sentence's end, a colon or semicolon, or "but".
# A second question joined by "and" asks as a question does, its verb before its subject:
# "and why does he ...", "and how much of Scale AI does Meta own", "and what year did ...",
# "and what's ...". "A link between Llama and how Meta makes money" joins no question: "how
# Meta makes money" is part of the first.
_AUX = r"(?:is|are|was|were|do|does|did|can|could|will|would|should|has|have|had|might)"
_AND_QUESTION = (
    r",?\s+and\s+(?="
    rf"(?:who|why|when|where)\s+{_AUX}\b"
    r"|who\s+(?:\w+ed|said|wrote|made|built|led|ran|paid|bought|sold|took|gave)\b"
    rf"|how\s+{_AUX}\b"
    rf"|how\s+(?:much|many|long|big|far|often|old|tall|large|soon|fast)(?:\s+[\w'-]+){{0,4}}?\s+{_AUX}\b"
    rf"|(?:what|which)(?:\s+[\w'-]+){{0,3}}?\s+{_AUX}\b"
    r"|(?:who|what|how|where|when)['\u2019]s\b)"
)
# Abbreviations whose dot ends no sentence: "Catching up vs. driving innovation", "will the a.i. be".
_NO_END = "".join(
    rf"(?<!{re.escape(abbreviation)})"
    for abbreviation in (" vs.", " e.g.", " i.e.", " etc.", " mr.", " ms.", " dr.", " a.i.", " u.s.", " approx.", " esp.")
)
# The words a piece after a hyphen typed as a dash opens with to be a question of its own; not
# "which", which chooses among what the piece before it sets out ("open vs closed - which wins?").
_OPENS_A_QUESTION = (
    r"(?:who|whom|whose|what|whats|what's|whos|who's|why|how|hows|when|where|is|are|was|were|does|do|did|can|"
    r"could|will|would|should|has|have|had|tell|explain)\b"
)
# A question mark typed straight into the next question ("Who is LeCun?What did he say?") ends
# its question too; not one inside a link ("article?id=abc", "?utm_source=..."). A colon ends
# a piece but after "re" ("what did Zuck say re: Llama 3.1?"), and so does a spaced dash, or a
# hyphen typed as one before a question ("whatsapp is huge in brazil - does meta use llama in
# it?"; not "where was the summit - paris?", which offers an answer).
_PART_BOUNDARY = re.compile(
    rf"(?<=[.!?]){_NO_END}\s+"
    r"|(?:(?<=[^\W_]\?)|(?<=[?!]\?))(?=[^\W\d_]+(?:[\s,'\u2019]|$))"
    r"|(?<!(?<!\w)re)[:;]\s+|\s+[\u2013\u2014]\s+|,?\s+but\s+|\s*\n\s*"
    rf"|\s+-{{1,2}}\s+(?={_OPENS_A_QUESTION})"
    rf"|{_AND_QUESTION}",
    re.IGNORECASE,
)
# A question mark that ends a question, not one inside a link ("article?id=abc").
_ASKS = re.compile(r"\?(?!\w+=)")
# Words a question opens with.
_ASKING = frozenset(
    "who whom whose what whats whos hows wheres whens which why how when where is are was were does do did can could "
    "will would should has have had".split()
)
# Auxiliaries with "not", as words gives them ("didn't" is "didnt"). A question may ask in the
# negative ("didn't Meta ...?"), but so may a statement begin ("Didn't read it.", "Can't find
# the essay."): opening with one, a part asks only if it ends with a question mark.
NEGATED_AUXILIARIES = frozenset(
    "isnt arent wasnt werent doesnt dont didnt cant couldnt wont wouldnt shouldnt hasnt havent hadnt".split()
)
# Words a request opens with: "tell me about Llama 4", "explain open washing".
_REQUESTS = frozenset("tell explain describe summarize summarise compare define list give show".split())
# Words after "how" that ask ("how much", "how does"), not exclaim ("how cool").
_HOW_ASKS = frozenset(
    "much many long big far often come exactly about is are was were do does did can could will would should "
    "has have had might".split()
)
# Words a question may open with before its question word: "remind me, who is ...", "and so why ...".
_LEAD_INS = frozenset("so and also then ok okay anyway btw remind me quick q hey hi oh um".split())
# Words that point back at an earlier part ("How does *that* lead him to open source?"):
# a part using one can't be understood on its own. A possessive after a name points at that
# name ("when did Zuckerberg publish his essay?").
_POINTING_BACK = frozenset("it that this these those they them he him she such".split())
_POSSESSIVES = frozenset("its their his her".split())
# Of those, the ones that may point at a name earlier in the same part ("what do *Meta's*
# investments say about what *it's* aiming for?"); "that", "this", "such" point past it.
_PERSONAL = frozenset("it they them he him she".split())
_DEMONSTRATIVES = frozenset("this that these those".split())
_OR_ELSE = re.compile(r",?\s+or\s+", re.IGNORECASE)
# What "these" or "that" may point at that is no earlier part: the texts the answers come from.
_TEXTS_ASKED_FROM = frozenset(
    "article articles piece pieces story stories report reports source sources notes essay blog podcast post "
    "posts context facts docs documents interview coverage writeup".split()
)
_COPULAS = frozenset("is was isnt wasnt".split())
_THE_BOT = frozenset("bot tool assistant".split())
# "Is it true that ...", "is it possible that ...": "it" stands for the clause that follows.
_JUDGED = frozenset("true correct right accurate fair possible likely so".split())
# Where a phrase framing a question ends ("Per the podcast notes, is ..."), and how long it may be.
_LEAD_COMMA = re.compile(r",\s+")
MAX_LEAD_WORDS = 12
# Words after which "that" points back ("is *that* true", "how does *that* lead", "both sides of
# *that*"); after a noun or a verb of saying it opens a clause ("say *that* ...", "a model
# *that* ..."), as it does after a conjunction ("so *that* ...").
_BEFORE_A_POINTING_THAT = FUNCTION_WORDS - frozenset(
    "and or but so say said says saying know tell explain describe speak speaks speaking spoke spoken".split()
) | {""}
_TOKEN = re.compile(r"[A-Za-z0-9][\w'.-]*")


def question_parts(text: str, known_name: Callable[[str], bool] | None = None) -> list[str]:
    """The self-contained questions inside a message that says more than its question.

    Chat messages wrap the question in manners and context ("Sorry to bother you, but how much
    of Scale AI does Meta own?", "hey team! quick one: when did ...", "What's open washing?
    people keep accusing Meta of it"). This returns each part that opens like a question and
    does not point back at another part; nothing when the message is one part.
    """
    parts = pieces(text)
    if len(parts) < 2:
        return []
    found = [part for part in parts if stands_alone(part, known_name)]
    if found:
        return found
    # A line or sentence of its own asking in a few words, among others that ask nothing:
    # "following up on the thread from standup -\nllama versions mentioned??".
    asking = [part for part in parts if _ASKS.search(part)]
    return asking if len(asking) == 1 and _stands_alone(asking[0], opening=False) else []


def pieces(text: str) -> list[str]:
    """The pieces a message falls into at sentence ends, colons, "but" and a second question
    joined by "and": what `question_parts` picks its questions from. Emoji codes go first:
    their colons end no piece (":thinking_face: thx!")."""
    if "\n" in text:
        text = without_signature(text)
    if ":" in text:
        text = _EMOJI_CODE.sub(" ", text)
    return [piece.strip() for piece in _PART_BOUNDARY.split(text) if piece.strip()]


def asks_more_than(message: str, part: str) -> bool:
    """Whether `message` asks something besides its part `part` ("who is LeCun *and what is
    his salary?*"); words around a single question ("Sorry to bother you, but ...", "How
    cool.") do not. False when `part` is not a part of `message` as written."""
    found = pieces(message)
    if part.strip() not in found:
        return False
    return any(piece != part.strip() and reads_as_question(piece) for piece in found)


def reads_as_question(text: str) -> bool:
    """Whether a message asks something: it has a question mark, or opens (past "so", "ok",
    "remind me"...) with a question word ("what about Llama 4") or a request ("tell me about
    Llama 4", "explain open washing"). "thanks!", "I disagree", "how cool", "what a day" ask
    nothing."""
    if _ASKS.search(text):
        return True
    words_in = [fold(token).replace("'", "").rstrip(".") for token in _TOKEN.findall(text)]
    words_in = list(itertools.dropwhile(lambda word: word in _LEAD_INS, words_in))
    if not words_in:
        return False
    first, second = words_in[0], (words_in[1] if len(words_in) > 1 else "")
    if first in _REQUESTS:
        return True
    if first not in _ASKING:
        return False
    if first in {"what", "which"} and second in {"a", "an"}:
        return False  # "what a day"
    return first != "how" or second in _HOW_ASKS  # "how much ...", not "how cool"


def _stands_alone(
    part: str, *, opening: bool = True, named: bool = False, known_name: Callable[[str], bool] | None = None
) -> bool:
    """Whether a part of a message asks a question of its own: it opens with a question word
    (unless `opening` is False) and points back at no other part ("is that true?"), nor at
    a name before it unless `named` (one is written before the part, in the same sentence)."""
    tokens = _TOKEN.findall(part)
    if not tokens:
        return False  # "?!" or an emoji: nothing is asked
    if not opening:
        return not any(
            (word := fold(token).replace("'", "").rstrip(".")) in _POINTING_BACK or word in _POSSESSIVES
            for token in tokens
        )
    previous = ""
    for position, token in enumerate(tokens):
        word = fold(token).replace("'", "").rstrip(".")
        if opening and word in _LEAD_INS:
            continue  # "remind me who ...", "so what ..."
        if opening and not (word in _ASKING or (word in NEGATED_AUXILIARIES and part.endswith("?"))):
            return False
        opening = False
        following = fold(tokens[position + 1]).replace("'", "").rstrip(".") if position + 1 < len(tokens) else ""
        if word == "that" and following and previous not in _BEFORE_A_POINTING_THAT:
            pass  # "does the article say *that* ...", "a model *that* every nation ...": a clause follows
        elif word in _DEMONSTRATIVES and following in _TEXTS_ASKED_FROM:
            pass  # "who is Altman in *these sources*?", "according to *that piece*": the texts answers come from
        elif word == "this" and following in _THE_BOT:
            pass  # "how do I use *this bot*?": the bot asked
        elif word == "it" and previous in _COPULAS and following in _JUDGED:
            pass  # "is *it* true that Meta plans ...?": it points at what follows
        elif (word in _POINTING_BACK and not (named and word in _PERSONAL)) or (word in _POSSESSIVES and not named):
            return False
        named = named or (position > 0 and (token[0].isupper() or (known_name is not None and known_name(word))))
        previous = word
    return not opening


def stands_alone(part: str, known_name: Callable[[str], bool] | None = None) -> bool:
    """Whether a part of a message asks a question of its own (see `question_parts`);
    `known_name` tells a name written in lower case ("is it true meta plans to open source
    its models?")."""
    if _stands_alone(part, known_name=known_name) or _asks_after_a_lead(part, known_name):
        return True
    # "Is Meta planning to open source its new models, *or is that speculation*?": the other way
    # the question offers points at its first way, in the same part.
    either = _OR_ELSE.search(part)
    return either is not None and _stands_alone(part[: either.start()], known_name=known_name)


def _asks_after_a_lead(part: str, known_name: Callable[[str], bool] | None = None) -> bool:
    """Whether a sentence asks its question after a phrase that frames it, set off by a comma:
    "Per the podcast notes, is Meta open to ...?", "In Zuckerberg's own words, what does ...?"
    (the whole sentence is the question: the phrase may say whose words or which text)."""
    if not _ASKS.search(part[-2:]):
        return False
    for comma in _LEAD_COMMA.finditer(part):
        lead = _TOKEN.findall(part[: comma.start()])
        if len(lead) <= MAX_LEAD_WORDS and _stands_alone(
            part[comma.end() :],
            named=any(token[0].isupper() for token in lead[1:]),
            known_name=known_name,
        ):
            return True
    return False
