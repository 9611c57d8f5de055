"""The posts the sources say people hold, and questions that ask of a person by post.

A colleague who does not remember a name asks by post: "what did OpenAI's CEO argue for on
All-In?", "why does the Meta CEO think open source is needed?". The sources say who holds
which post ("Meta CEO Mark Zuckerberg", "Sam Altman, CEO of OpenAI", "Meta's Chief AI
Scientist, Yann LeCun"), so the question can be read once more with the name put in. Only
posts written out beside a name in a source are learned; nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# A post as a source writes it beside a name: one to four capitalised words or capitals
# ("Chief AI Scientist", "CEO").
_TITLE = r"(?:[A-Z][A-Za-z]*)(?:\s+[A-Z][A-Za-z]*){0,3}"
_POSSESSIVE = r"(?:['’]s|s['’]?)?"
# Everyday words for the one who runs a company, beside the post's own synonyms: "the head
# of OpenAI", "Meta's boss".
_RUNS_IT = ("head", "leader", "boss", "chief executive")
# Asking who runs a company, with the company closing the question: "who heads OpenAI?",
# "who's in charge at Meta?" ("who leads Meta's AI work?" asks of no company's head).
_WHO_RUNS = (
    r"who(?:\s+(?:currently|actually|now))?(?:\s+(?:heads|leads|runs|is\s+(?:heading|leading|running))"
    r"|(?:\s+is\s+|['’]s\s+)(?:in\s+charge|at\s+the\s+helm)\s+(?:of|(?:over\s+)?at))\s+(?:the\s+)?"
)
# What may follow the company in such a question: "who runs OpenAI *these days*?"
_NOW = r"(?:\s+(?:now|today|nowadays|these\s+days|right\s+now|at\s+the\s+moment))?"


@dataclass(frozen=True)
class Post:
    """A post a source says a person holds: "CEO" at "OpenAI", held by "Sam Altman"."""

    person: str
    title: str
    at: str


def posts_in(texts: Iterable[str], people: Iterable[str], companies: Iterable[str]) -> list[Post]:
    """The posts `texts` write beside the name of one of `people` with one of `companies`:
    "Meta's Chief AI Scientist, Yann LeCun", "Meta CEO Mark Zuckerberg", "Sam Altman, CEO of
    OpenAI". A post written with no company ("its Chief AI Officer Alexandr Wang") is not
    learned: whose post it is would be a guess."""
    people, companies = sorted(people, key=len, reverse=True), sorted(companies, key=len, reverse=True)
    if not people or not companies:
        return []
    person = "|".join(re.escape(p) for p in people)
    company = "|".join(re.escape(c) for c in companies)
    before = re.compile(rf"\b({company}){_POSSESSIVE}\s+({_TITLE}),?\s+({person})\b")
    after = re.compile(rf"\b({person}),\s+(?:the\s+)?({_TITLE})\s+(?:of|at)\s+({company})\b")
    found: dict[tuple[str, str, str], Post] = {}
    for text in texts:
        text = " ".join(text.split())
        for match in before.finditer(text):
            post = Post(person=match.group(3), title=match.group(2), at=match.group(1))
            found.setdefault((post.person, post.title.lower(), post.at), post)
        for match in after.finditer(text):
            post = Post(person=match.group(1), title=match.group(2), at=match.group(3))
            found.setdefault((post.person, post.title.lower(), post.at), post)
    return list(found.values())


class PostReader:
    """Finds a post named in a question ("OpenAI's CEO", "the head of OpenAI", "Meta's AI
    scientist") and reads the question with its holder's name put in."""

    def __init__(self, posts: Iterable[Post], *, synonyms: Mapping[str, str], other_names: Mapping[str, str]) -> None:
        """`synonyms`: each word of a synonym group to the group's first word; `other_names`:
        a name people still use for a company ("Facebook") to its current one ("Meta")."""
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        posts = list(posts)
        for post in posts:
            title = _title_pattern(post.title, synonyms)
            names = [post.at, *(old for old, current in other_names.items() if current == post.at)]
            company = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
            forms = [
                rf"(?:the\s+)?(?:{company}){_POSSESSIVE}\s+{title}",
                rf"(?:the\s+)?{title}\s+(?:of|at)\s+(?:{company})",
            ]
            holders = {other.person for other in posts if other.title.lower() == post.title.lower()}
            if len(post.title.split()) >= 3 and len(holders) == 1:
                forms.append(rf"the\s+{title}")  # "the chief AI scientist": one person holds it
            pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(forms)})(?![\w-])", re.IGNORECASE)
            self._patterns.append((pattern, post.person))
            if _runs_the_company(post.title, synonyms):
                runs = re.compile(rf"(?<![\w-]){_WHO_RUNS}(?:{company})(?={_NOW}[\s?.!]*$)", re.IGNORECASE)
                self._patterns.append((runs, f"who is {post.person}"))

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def with_holders(self, question: str) -> str:
        """`question` with each post it names read as its holder's name ("what did OpenAI's CEO
        say" -> "what did Sam Altman say"); `question` itself when it names none."""
        for pattern, person in self._patterns:
            question = pattern.sub(person, question)
        return question


def _runs_the_company(title: str, synonyms: Mapping[str, str]) -> bool:
    """Whether `title` is the post of the one who runs a company: "CEO", "Chief Executive"."""
    title = " ".join(title.lower().split())
    return synonyms.get(title, title) in {synonyms.get(top, top) for top in ("ceo", "chief executive")}


def _title_pattern(title: str, synonyms: Mapping[str, str]) -> str:
    """A pattern for a post as people type it: each word or its synonyms ("boss" for "CEO"),
    the one who runs a company by its everyday words, and a leading "Chief" left out of a post
    of three words ("AI scientist")."""
    title_words = title.lower().split()

    def word_forms(word: str) -> str:
        head = synonyms.get(word, word)
        forms = {word} | {w for w, h in synonyms.items() if h == head}
        if len(title_words) == 1 and forms & {"ceo", "chief executive"}:
            # "chief" alone begins other posts ("Meta's chief AI officer" is not its CEO)
            forms = (forms | set(_RUNS_IT)) - {"chief"}
        spelt = (r"\s+".join(map(re.escape, form.split())) for form in sorted(forms, key=len, reverse=True))
        return "(?:" + "|".join(spelt) + ")"

    words_in = [word_forms(w) for w in title_words]
    space = r"\s+"
    forms = [space.join(words_in)]
    if len(title_words) >= 3 and title_words[0] == "chief":
        forms.append(space.join(words_in[1:]))
    return "(?:" + "|".join(forms) + ")"
