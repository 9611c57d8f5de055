"""Load `knowledge/` into a validated FactBase, collecting every problem before failing.

Each problem is one line naming the file, the line where YAML gives one, the fact, what is
wrong and how to fix it. A broken file is reported once: facts that cite a source whose file
is broken, or name facts of a file that cannot be read, are not reported a second time.
"""

from __future__ import annotations

import re
import stat
import unicodedata
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz, process

from bot.errors import KnowledgeError, KnowledgeProblem
from bot.field_problems import field_problems
from bot.matching_aids import (
    NoteProblem,
    check_synonyms_name_one_thing,
    read_entity_kinds,
    read_former_names,
    read_outside_entities,
    read_synonyms,
)
from bot.models import Fact, FactBase, Quote, Source, SourceInfo, Topic, check_id
from bot.strict_yaml import Doc, node_at, parse_strict_yaml, shown, what_yaml_read
from bot.text_files import NotAFile, TextProblem, read_text_file
from bot.text import normalize_typography, words

MIN_ALTERNATES = 6
MAX_QUOTE_SENTENCES = 3
MAX_FILE_BYTES = 2_000_000
"""The largest file the loader reads: a hundred times the largest curated file, so a file this
big is a mistake, and every check stays quick."""
CLOSEST_PASSAGE_SEARCHES = 20
"""How many quotes that are not verbatim get the closest passage searched for (a fuzzy search)."""

FACT_BASE_NAMES = (
    "README.md",
    "sources",
    "facts",
    "synonyms.yaml",
    "outside_entities.yaml",
    "entity_kinds.yaml",
    "former_names.yaml",
)
"""What `knowledge/` holds: any other name there is never read, most likely a misspelt one of these."""
_FACT_BASE_FOLDERS = frozenset({"sources", "facts"})
_BACKUP_SUFFIXES = (".bak", ".orig", ".old", ".rej", ".swp", ".tmp", ".save", ".backup")

_FRONT_MATTER_END = re.compile(r"^---[ \t]*$", re.MULTILINE)
_FACT_FILE_FIELDS = ("topic", "title", "facts")
_FACT_ID_LINE = re.compile(r"^[ \t-]*id:[ \t]*['\"]?([a-z0-9-]+)", re.MULTILINE)
_SOURCE_ID_LINE = re.compile(r"^id:[ \t]*['\"]?([a-z0-9-]+)", re.MULTILINE)
# Where one sentence of a quote ends and the next begins; initials and titles ("U.S.", "Dr.") don't end one.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]*[A-Z0-9])")
_NOT_A_SENTENCE_END = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Inc|Co|Corp|Ltd|vs|No|Nos))\.$")


def default_knowledge_dir() -> Path:
    """The `knowledge/` directory next to the `bot` package (the repository layout)."""
    return Path(__file__).resolve().parent.parent / "knowledge"


def unread_folders(root: Path) -> list[tuple[str, int]]:
    """Folders inside `facts/` and `sources/` holding files of their kind, which are not read
    (only the files directly in those folders are: a `drafts/` folder keeps facts out of the
    base), each with how many such files it holds; hidden folders are left out."""
    found: list[tuple[str, int]] = []
    for folder, suffix in (("facts", ".yaml"), ("sources", ".md")):
        try:
            inner = sorted(p for p in (root / folder).iterdir() if p.is_dir() and not p.name.startswith("."))
        except OSError:
            continue  # a missing or unreadable folder is a problem the loading names
        for directory in inner:
            try:
                count = sum(1 for p in directory.rglob(f"*{suffix}") if p.is_file())
            except OSError:
                continue
            if count:
                found.append((f"{folder}/{directory.name}/", count))
    return found


def load_fact_base(root: Path) -> FactBase:
    """Load and fully validate the fact base under `root`; raise KnowledgeError listing every problem."""
    loader = _Loader(Path(root))
    return loader.load()


@dataclass
class _Located:
    """A fact's raw mapping with where it came from."""

    file: str
    doc: Doc
    node: yaml.Node
    data: dict[str, Any]
    shorthand: bool = False
    """Whether the fact gave `quote`/`source` rather than a `quotes` list."""

    @property
    def line(self) -> int | None:
        return self.doc.line(self.node)

    def line_at(self, *path: str | int) -> int | None:
        """The line of a field of this fact (or of the nearest part of it that exists)."""
        if self.shorthand and path[:1] == ("quotes",):
            path = (path[2],) if len(path) > 2 and path[2] != "text" else ("quote",)
        return self.doc.line(node_at(self.node, path)[0])


@dataclass
class _SourceText:
    """A source body as the quote check reads it: whole, and one paragraph (line) at a time."""

    whole: str
    paragraphs: list[str] = field(default_factory=list)


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[KnowledgeProblem] = []
        self.broken_sources: set[str] = set()
        """Ids of sources whose file has a problem: quotes citing them are not checked again."""
        self.source_ids_unknown = False
        """No source file could be listed (no `sources/` folder, an empty or unreadable one): that
        is one problem, not one more for every quote, which may cite any of the missing files."""
        self.broken_facts: set[str] = set()
        """Ids of facts with a problem of their own: `related` naming them is not reported again."""
        self.unreadable_fact_file = False
        """A fact file could not be parsed, so which entities the facts list is not known."""
        self.fact_ids_unknown = False
        """Not even the bytes of a fact file could be read, so any id may be one of its facts."""
        self.raw_entities: set[str] = set()
        self.source_texts: dict[str, _SourceText] = {}
        self.closest_searches = 0

    def problem(self, file: str, problem: str, *, fact_id: str | None = None, line: int | None = None) -> None:
        self.problems.append(KnowledgeProblem(file=file, problem=problem, fact_id=fact_id, line=line))

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def load(self) -> FactBase:
        if not self.root.is_dir():
            raise KnowledgeError(
                [KnowledgeProblem(str(self.root), "no such directory; set BOT_KNOWLEDGE_DIR to the fact base")]
            )
        self.check_names_in_root()
        sources = self.load_sources()
        topics, facts = self.load_facts(sources)
        synonyms, outside, kinds, former = self.load_matching_aids(facts)
        if self.problems:
            raise KnowledgeError(self.problems)
        return FactBase(
            sources=sources,
            topics=topics,
            facts=facts,
            synonyms=synonyms,
            outside_entities=outside,
            entity_kinds=kinds,
            former_names=former,
        )

    def files(self, folder: str, suffix: str, what: str) -> list[Path]:
        """The files of `folder` with `suffix`; a file that looks meant for it but would be skipped
        (`.yml`, `.MD`) is a problem, and hidden files (editor locks and backups) are ignored."""
        directory = self.root / folder
        try:
            paths = sorted(p for p in directory.iterdir() if not p.name.startswith("."))
        except FileNotFoundError:
            paths = []
        except OSError as error:
            self.problem(self.rel(directory), f"cannot read: {error.strerror or error}; make it a readable folder")
            return []
        found = [p for p in paths if p.suffix == suffix]
        near = {".yaml", ".yml"} if suffix == ".yaml" else {".md", ".markdown"}
        for path in paths:
            if path.suffix != suffix and path.suffix.lower() in near:
                self.problem(
                    self.rel(path), f"is not read, since {what} files end in {suffix}; rename it to {path.stem}{suffix}"
                )
        if not found:
            self.problem(self.rel(directory), f"no {what} files (*{suffix}) found; add at least one")
        return found

    def check_names_in_root(self) -> None:
        """Note each file or folder of the fact base's own folder that it never reads though
        named much like one it does (a misspelt `synonym.yaml`), with the name it most likely
        means; other files (notes, backups, editor leftovers) are left alone."""
        try:
            paths = sorted(p for p in self.root.iterdir() if not _is_editor_leftover(p.name))
        except OSError as error:
            self.problem(self.rel(self.root), f"cannot read: {error.strerror or error}; make it a readable folder")
            return
        for path in paths:
            if path.name in FACT_BASE_NAMES or _is_one_of_known_names(path):
                continue
            meant = _name_meant(path.name)
            if meant is not None:  # a notes.txt or a backup beside the base is none of its business
                self.problem(self.rel(path), _unknown_name_problem(path, meant))

    # -- sources ---------------------------------------------------------------------------

    def load_sources(self) -> dict[str, Source]:
        sources: dict[str, Source] = {}
        paths = self.files("sources", ".md", "source")
        self.source_ids_unknown = not paths
        for path in paths:
            source = self.read_source(path)
            if source is None:
                self.broken_sources.add(path.stem)
                continue
            sources[source.id] = source
        return sources

    def read_source(self, path: Path) -> Source | None:
        """The source, or None after noting its problems (and the ids its facts may cite it by)."""
        name = self.rel(path)
        text = self.read_text(path)
        if text is None:
            return None
        source = self.parse_source(name, path, text)
        if source is None:
            self.broken_sources.update(_SOURCE_ID_LINE.findall(text))
        return source

    def parse_source(self, name: str, path: Path, text: str) -> Source | None:
        first, _, rest = text.partition("\n")
        if first.rstrip() != "---":
            self.problem(
                name,
                "must start with front matter: a line '---', the fields id, title and kind, then a line '---'",
                line=1,
            )
            return None
        end = _FRONT_MATTER_END.search(rest)
        if end is None:
            self.problem(name, "front matter has no closing '---' line; add one after its last field", line=1)
            return None
        meta_text, body = rest[: end.start()], rest[end.end() + 1 :]
        doc = self.parse_yaml(name, meta_text, offset=1)
        if doc is None:
            return None
        if doc.data is None:
            self.problem(name, "front matter is empty; give it at least id, title and kind", line=1)
            return None
        if not isinstance(doc.data, dict):
            what = what_yaml_read(doc.node)
            self.problem(
                name,
                f"front matter is {what}, not fields; write `id:`, `title:` and `kind:` lines",
                line=doc.line(doc.node),
            )
            return None
        meta = dict(doc.data)
        if "body" in meta:
            self.problem(
                name,
                "`body` is not a front matter field; the body is the text after the closing '---'",
                line=doc.line_at("body"),
            )
            return None
        try:
            source = Source.model_validate({**meta, "body": unicodedata.normalize("NFC", body)})
        except ValidationError as error:
            for problem, line in field_problems(error, doc.node, line_at=doc.line_at, fields=SourceInfo):
                self.problem(name, problem, line=line)
            return None
        if source.id != path.stem:
            self.problem(
                name,
                f"id {source.id!r} differs from the file name {path.name!r}; "
                f"rename the file to {source.id}.md or set `id: {path.stem}`",
                line=doc.line_at("id"),
            )
            return None
        return source

    # -- facts -----------------------------------------------------------------------------

    def load_facts(self, sources: dict[str, Source]) -> tuple[dict[str, Topic], dict[str, Fact]]:
        located: list[_Located] = []
        topics: dict[str, Topic] = {}
        topic_files: dict[str, str] = {}
        for path in self.files("facts", ".yaml", "fact"):
            located += self.read_fact_file(path, topics, topic_files)

        facts: dict[str, Fact] = {}
        where: dict[str, _Located] = {}
        for item in located:
            raw_id = item.data.get("id") if isinstance(item.data.get("id"), str) else None
            fact = self.validate_fact(item, raw_id)
            if fact is None:
                if raw_id is not None:
                    self.broken_facts.add(raw_id.strip())
                continue
            if fact.id in facts:
                first = where[fact.id]
                self.problem(
                    item.file,
                    f"duplicate id: {first.file} line {first.line} already has a fact {fact.id!r}; "
                    "give one of them another id",
                    fact_id=fact.id,
                    line=item.line_at("id"),
                )
                continue
            facts[fact.id] = fact
            where[fact.id] = item

        for fact in facts.values():
            self.check_fact(fact, where[fact.id], facts, sources)
        self.check_phrasings(facts, where)
        return topics, facts

    def read_fact_file(self, path: Path, topics: dict[str, Topic], topic_files: dict[str, str]) -> list[_Located]:
        name = self.rel(path)
        text = self.read_text(path)
        doc = None if text is None else self.parse_yaml(name, text, in_facts=True)
        if doc is None:
            self.unreadable_fact_file = True
            lossy = text if text is not None else _lossy_text(path)
            self.broken_facts.update(_FACT_ID_LINE.findall(lossy))
            # Not even its bytes (a folder, a link to nowhere): any id may be one of its facts.
            self.fact_ids_unknown |= not lossy
            return []
        document = doc.data
        if document is None:
            self.problem(name, "is empty; give it `topic`, `title` and a list `facts`")
            return []
        if not isinstance(document, dict):
            what = what_yaml_read(doc.node)
            self.problem(
                name, f"is {what}, not fields; give it `topic`, `title` and a list `facts`", line=doc.line(doc.node)
            )
            self.unreadable_fact_file = True
            return []
        for key in document:
            if key not in _FACT_FILE_FIELDS:
                self.problem(
                    name,
                    f"`{key}` is not a field of a fact file; "
                    "check its spelling (the fields are topic, title and facts)",
                    line=doc.line_at(key),
                )
        topic_id = self.file_topic(name, doc)
        title = document.get("title")
        if "title" not in document:
            self.problem(name, "has no `title`; add `title:` with the topic's name as users see it")
        elif not isinstance(title, str) or not title.strip():
            what = what_yaml_read(node_at(doc.node, ("title",))[0])
            self.problem(name, f"`title` is {what}; write the topic's name as users see it", line=doc.line_at("title"))
        items = document.get("facts")
        if not isinstance(items, list):
            self.unreadable_fact_file = True
            if "facts" not in document:
                self.problem(name, "has no `facts`; add a list `facts` with one `- id: ...` entry per fact")
            else:
                what = what_yaml_read(node_at(doc.node, ("facts",))[0])
                self.problem(
                    name, f"`facts` is {what}, not a list; start each fact with `- id:`", line=doc.line_at("facts")
                )
            return []
        if not items:
            self.problem(name, "`facts` is empty; add a fact or delete the file", line=doc.line_at("facts"))
        located: list[_Located] = []
        for index, data in enumerate(items):
            node = node_at(doc.node, ("facts", index))[0]
            line = doc.line(node)
            if not isinstance(data, dict):
                self.problem(
                    name,
                    f"fact number {index + 1} is {what_yaml_read(node)}, not fields; give it `id:`, `question:` and the rest",
                    line=line,
                )
                continue
            if isinstance(data.get("entities"), list):
                self.raw_entities.update(e.strip() for e in data["entities"] if isinstance(e, str))
            fact_topic = data.get("topic", topic_id)
            if fact_topic != topic_id and topic_id is not None:
                topic_node = node_at(node, ("topic",))[0]
                self.problem(
                    name,
                    f"`topic` is {what_yaml_read(topic_node)}, not the file's topic {topic_id!r}; "
                    f"remove the fact's `topic`, or move the fact to the file of its topic",
                    fact_id=data.get("id").strip() if isinstance(data.get("id"), str) else None,
                    line=doc.line(topic_node),
                )
            data = {**data, "topic": topic_id or path.stem}
            located.append(_Located(name, doc, node, data))
        if topic_id is not None and isinstance(title, str) and title.strip():
            if topic_id in topics:
                self.problem(
                    name,
                    f"topic {topic_id!r} is already the topic of {topic_files[topic_id]}; "
                    "give each file its own topic, or move these facts into that file",
                    line=doc.line_at("topic"),
                )
            else:
                ids = [d.data["id"].strip() for d in located if isinstance(d.data.get("id"), str)]
                topics[topic_id] = Topic(id=topic_id, title=title.strip(), fact_ids=ids)
                topic_files[topic_id] = name
        return located

    def file_topic(self, name: str, doc: Doc) -> str | None:
        """The file's topic slug, or None after noting what is wrong with it."""
        if "topic" not in doc.data:
            self.problem(name, "has no `topic`; add `topic:` with a slug shared by its facts, like investments")
            return None
        topic_id = doc.data["topic"]
        if not isinstance(topic_id, str) or not topic_id.strip():
            self.problem(
                name,
                f"`topic` is {what_yaml_read(node_at(doc.node, ('topic',))[0])}; write a slug like investments",
                line=doc.line_at("topic"),
            )
            return None
        topic_id = topic_id.strip()
        try:
            check_id(topic_id)
        except ValueError:
            self.problem(
                name,
                f"`topic` {shown(topic_id)} must be lowercase letters, digits and single dashes, like investments",
                line=doc.line_at("topic"),
            )
            return None
        return topic_id

    def validate_fact(self, item: _Located, raw_id: str | None) -> Fact | None:
        """The fact, or None after noting each of its problems (all of them, not just the first)."""
        data = dict(item.data)
        reported: set[str] = set()
        shorthand = {key for key in ("quote", "source", "timestamp") if key in data}
        fact_id = raw_id.strip() if raw_id else None
        before = len(self.problems)
        if shorthand:
            for key in shorthand:
                del data[key]
            if "quotes" in data:
                self.problem(
                    item.file,
                    "has both `quote` and `quotes`; "
                    "keep `quote` and `source` for one quote, or put every quote in `quotes`",
                    fact_id=fact_id,
                    line=item.line_at(min(shorthand)),
                )
            elif "quote" not in shorthand or "source" not in shorthand:
                given = "quote" if "quote" in shorthand else sorted(shorthand)[0]
                missing = "source" if "quote" in shorthand else "quote"
                self.problem(
                    item.file,
                    f"has `{given}` but no `{missing}`; add `{missing}:`",
                    fact_id=fact_id,
                    line=item.line_at(given),
                )
                reported.add("quotes")
            else:
                quote = {"text": item.data["quote"], "source": item.data["source"]}
                if "timestamp" in shorthand:
                    quote["timestamp"] = item.data["timestamp"]
                data["quotes"] = [quote]
                item.shorthand = True
        elif "quotes" not in data:
            self.problem(
                item.file, "has no quote; add `quote` and `source`, or a list `quotes`", fact_id=fact_id, line=item.line
            )
            reported.add("quotes")
        try:
            fact = Fact.model_validate(data)
        except ValidationError as error:
            for problem, line in field_problems(
                error,
                item.node,
                line_at=item.line_at,
                fields=Fact,
                skip=reported,
                shorthand=item.shorthand,
            ):
                self.problem(item.file, problem, fact_id=fact_id, line=line)
            return None
        return fact if len(self.problems) == before else None

    def check_fact(self, fact: Fact, item: _Located, facts: dict[str, Fact], sources: dict[str, Source]) -> None:
        file = item.file
        if len(fact.alternates) < MIN_ALTERNATES:
            count = len(fact.alternates)
            self.problem(
                file,
                f"has {count} alternate{'s' if count != 1 else ''}; "
                f"give at least {MIN_ALTERNATES} other ways colleagues ask it",
                fact_id=fact.id,
                line=item.line_at("alternates"),
            )
        seen: set[str] = set()
        for index, related in enumerate(fact.related):
            line = item.line_at("related", index)
            if related == fact.id:
                self.problem(file, f"lists itself in `related`; remove {related!r}", fact_id=fact.id, line=line)
            elif related in seen:
                self.problem(file, f"lists {related!r} twice in `related`; remove one", fact_id=fact.id, line=line)
            elif related not in facts and related not in self.broken_facts and not self.fact_ids_unknown:
                self.problem(
                    file,
                    f"related id {related!r} is not a fact; check its spelling or remove it",
                    fact_id=fact.id,
                    line=line,
                )
            seen.add(related)
        named: dict[str, str] = {}
        for index, entity in enumerate(fact.entities):
            # "Scale AI" and "scale ai" are one entity to the engine, which folds case.
            key = " ".join(entity.casefold().split())
            if key not in named:
                named[key] = entity
            else:
                first = named[key]
                also = "" if first == entity else f" (as {first!r} too)"
                self.problem(
                    file,
                    f"lists entity {entity!r} twice{also}; remove one",
                    fact_id=fact.id,
                    line=item.line_at("entities", index),
                )
        quoted: dict[tuple[str, str], int] = {}
        for index, quote in enumerate(fact.quotes):
            line = item.line_at("quotes", index, "text")
            key = (quote.source, normalize_typography(quote.text))
            if key in quoted:
                self.problem(
                    file, f"quote {index + 1} repeats quote {quoted[key] + 1}; remove it", fact_id=fact.id, line=line
                )
                continue
            quoted[key] = index
            source = sources.get(quote.source)
            if source is None:
                if quote.source not in self.broken_sources and not self.source_ids_unknown:
                    known = ", ".join(sorted(sources)) or "none"
                    self.problem(
                        file,
                        f"unknown source {quote.source!r} (known: {known}); cite one of those ids",
                        fact_id=fact.id,
                        line=item.line_at("quotes", index, "source"),
                    )
                continue
            self.check_quote(file, fact.id, line, quote, source)
            self.check_timestamp_fits_source(file, fact.id, item.line_at("quotes", index, "timestamp"), quote, source)

    def check_timestamp_fits_source(
        self, file: str, fact_id: str, line: int | None, quote: Quote, source: Source
    ) -> None:
        """A timestamp says where in a recording a quote is said: only podcast notes have one."""
        if quote.timestamp is not None and source.kind != "podcast notes":
            self.problem(
                file,
                f"`timestamp` {quote.timestamp!r} only applies to quotes of podcast notes, "
                f"and source {source.id!r} is a {source.kind}; remove it",
                fact_id=fact_id,
                line=line,
            )

    def source_text(self, source: Source) -> _SourceText:
        text = self.source_texts.get(source.id)
        if text is None:
            paragraphs = [normalize_typography(line) for line in source.body.split("\n")]
            text = _SourceText(normalize_typography(source.body), [p for p in paragraphs if p])
            self.source_texts[source.id] = text
        return text

    def check_quote(self, file: str, fact_id: str, line: int | None, quote: Quote, source: Source) -> None:
        needle = normalize_typography(quote.text)
        text = self.source_text(source)
        if not any(ch.isalnum() for ch in needle):
            self.problem(
                file,
                f"quote {shown(quote.text)} has no words; quote one to three sentences",
                fact_id=fact_id,
                line=line,
            )
            return
        if any(_whole_words_in(paragraph, needle) for paragraph in text.paragraphs):
            count = _sentence_count(needle)
            if count > MAX_QUOTE_SENTENCES:
                self.problem(
                    file,
                    f"quote has {count} sentences; "
                    f"keep it to one to {MAX_QUOTE_SENTENCES}, or split it into several quotes",
                    fact_id=fact_id,
                    line=line,
                )
            return
        if any(needle in paragraph for paragraph in text.paragraphs):
            self.problem(
                file,
                f"quote starts or ends inside a word of source {source.id!r}; extend it to whole words",
                fact_id=fact_id,
                line=line,
            )
        elif needle in text.whole:
            self.problem(
                file,
                f"quote runs across a paragraph break of source {source.id!r}; "
                "quote within one paragraph, or give each part as its own quote in `quotes`",
                fact_id=fact_id,
                line=line,
            )
        else:
            self.problem(file, self.not_verbatim(quote.text, needle, source), fact_id=fact_id, line=line)

    def not_verbatim(self, raw: str, needle: str, source: Source) -> str:
        message = f"quote is not verbatim in source {source.id!r}"
        hidden = next((ch for ch in raw if unicodedata.category(ch) in ("Cf", "Cc") and not ch.isspace()), None)
        if hidden is not None:
            return f"{message}: it holds the invisible character U+{ord(hidden):04X}; delete it"
        self.closest_searches += 1
        if self.closest_searches > CLOSEST_PASSAGE_SEARCHES:
            return f"{message}; copy the passage exactly as the source has it"
        # A bounded search: the quote's first 200 characters, paragraph by paragraph.
        probe = needle[:200]
        paragraphs = self.source_text(source).paragraphs
        best = process.extractOne(probe, paragraphs, scorer=fuzz.partial_ratio)
        closest = ""
        if best is not None:
            alignment = fuzz.partial_ratio_alignment(probe, best[0])
            closest = best[0][alignment.dest_start : alignment.dest_end] if alignment else ""
        if len(closest) > 200:
            closest = closest[:197] + "..."
        return f"{message} (closest passage: {closest!r}); copy the passage exactly as the source has it"

    def check_phrasings(self, facts: dict[str, Fact], where: dict[str, _Located]) -> None:
        owner: dict[str, str] = {}
        first_at: dict[str, str] = {}  # where each phrasing was first written, for the problem line
        for fact in facts.values():
            item = where[fact.id]
            seen: dict[str, int] = {}
            for index, phrasing in enumerate(fact.phrasings):
                what = "question" if index == 0 else "alternate"
                line = item.line_at("question") if index == 0 else item.line_at("alternates", index - 1)
                found = words(phrasing)
                key = " ".join(found)
                if not found:
                    self.problem(
                        item.file, f"{what} {shown(phrasing)} has no words; write it out", fact_id=fact.id, line=line
                    )
                    continue
                if key in seen:
                    twice = "repeats the question" if seen[key] == 0 else "is listed twice"
                    fix = "ask it another way or remove it" if seen[key] == 0 else "remove one"
                    self.problem(item.file, f"{what} {shown(phrasing)} {twice}; {fix}", fact_id=fact.id, line=line)
                    continue
                seen[key] = index
                other = owner.setdefault(key, fact.id)
                first_at.setdefault(key, f"{item.file}:{line}" if line is not None else item.file)
                if other != fact.id:
                    self.problem(
                        item.file,
                        f"{what} {shown(phrasing)} is also a phrasing of fact {other!r} (at {first_at[key]}); "
                        "keep it in one fact",
                        fact_id=fact.id,
                        line=line,
                    )

    # -- matching aids ---------------------------------------------------------------------

    def load_matching_aids(
        self, facts: dict[str, Fact]
    ) -> tuple[dict[str, str], list[str], dict[str, str], dict[str, str]]:
        """Synonyms, outside entities, entity kinds and former names, each empty when its file is absent."""
        # Facts that failed validation still name entities, so an aid naming one is not reported too.
        entities = {e for fact in facts.values() for e in fact.entities} | self.raw_entities
        # With a fact file unreadable, or none at all (a problem of its own), an unknown name
        # may well be one of the facts the base failed to read: not a problem to add.
        all_known = not self.unreadable_fact_file and bool(facts or self.broken_facts)
        synonyms_doc, synonyms_problem = self.read_optional(
            "synonyms.yaml", "groups of interchangeable words, like - [stake, share]"
        )
        synonyms = {} if synonyms_doc is None else read_synonyms(synonyms_doc, synonyms_problem)
        doc, problem = self.read_optional(
            "outside_entities.yaml", "names the sources never mention, one `- name` per line"
        )
        phrasings = {fact.id: fact.phrasings for fact in facts.values()}
        outside = [] if doc is None else read_outside_entities(doc, problem, entities=entities, phrasings=phrasings)
        doc, problem = self.read_optional(
            "entity_kinds.yaml", "each kind mapped to a list of names, like company: [Meta]"
        )
        kinds = {} if doc is None else read_entity_kinds(doc, problem, entities=entities, all_known=all_known)
        doc, problem = self.read_optional(
            "former_names.yaml", "each former name mapped to the current one, like Facebook: Meta"
        )
        former = {} if doc is None else read_former_names(doc, problem, entities=entities, all_known=all_known)
        if synonyms_doc is not None:
            check_synonyms_name_one_thing(
                synonyms_doc, synonyms_problem, entities=entities, outside=outside, former=former
            )
        return synonyms, outside, kinds, former

    # -- reading files ---------------------------------------------------------------------

    def read_optional(self, filename: str, holds: str) -> tuple[Doc | None, NoteProblem]:
        """(the file's YAML document, a callback that notes a problem of the file); the document
        is None when the file is absent, empty or cannot be read (that problem already noted)."""
        path = self.root / filename
        name = self.rel(path)
        problem = partial(self.problem, name)
        if not path.exists() and not path.is_symlink():
            return None, problem
        text = self.read_text(path)
        doc = None if text is None else self.parse_yaml(name, text)
        if doc is not None and doc.data is None:
            problem(f"is empty; list {holds}, or delete the file")
            return None, problem
        return doc, problem

    def read_text(self, path: Path) -> str | None:
        """The file as text (UTF-8, line ends as \\n, without a byte order mark), or None after noting why not."""
        name = self.rel(path)
        try:
            text = read_text_file(path, limit=MAX_FILE_BYTES, holder="a fact base file")
        except NotAFile:
            self.problem(name, "is not a regular file (a pipe, a device or a socket); make it a plain file")
            return None
        except OSError as error:
            self.problem(name, f"cannot read: {error.strerror or error}; make it a readable file")
            return None
        if isinstance(text, TextProblem):
            self.problem(name, text.problem, line=text.line)
            return None
        return text

    def parse_yaml(self, name: str, text: str, *, offset: int = 0, in_facts: bool = False) -> Doc | None:
        """The YAML document, or None after noting each of its problems (see `strict_yaml`);
        `in_facts`: a fact file, whose problems name the fact they are in (the last id above)."""
        doc, problems = parse_strict_yaml(text, offset=offset)
        ids = _fact_id_lines(text, offset) if problems and in_facts else []
        for problem, line in problems:
            self.problem(name, problem, line=line, fact_id=_fact_at(ids, line))
        return doc


# -- helpers -------------------------------------------------------------------------------


def _fact_id_lines(text: str, offset: int) -> list[tuple[int, str]]:
    """The line of each `id:` in a fact file's text, with the id, in order."""
    return [(text.count("\n", 0, m.start()) + 1 + offset, m.group(1)) for m in _FACT_ID_LINE.finditer(text)]


def _fact_at(ids: list[tuple[int, str]], line: int | None) -> str | None:
    """The id of the fact a line of a fact file belongs to: the last `id:` at or above it."""
    if line is None:
        return None
    found = None
    for at, fact_id in ids:
        if at > line:
            break
        found = fact_id
    return found


def _lossy_text(path: Path) -> str:
    """What can be made out of a file that is too big or not UTF-8, to learn the ids it defines."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return ""  # a pipe or a device: opening it could wait forever
        with path.open("rb") as stream:
            return stream.read(MAX_FILE_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""


def _is_editor_leftover(name: str) -> bool:
    """Hidden files, editor locks, backups and autosaves (`.#x`, `x~`, `#x#`): never part of the base."""
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


def _is_one_of_known_names(path: Path) -> bool:
    """Whether `path` is a known name of the base spelt in another case, on a file system that
    does not tell case apart (macOS, Windows): there, it is read."""
    for name in FACT_BASE_NAMES:
        if name.lower() == path.name.lower():
            try:
                return path.samefile(path.parent / name)
            except OSError:
                return False
    return False


def _name_meant(name: str) -> str | None:
    """The name of the fact base that `name` most likely misspells ("synonym.yaml",
    "Outside-Entities.yaml"); None for a backup ("synonyms.yaml.bak") or anything unlike one."""
    if name.lower().endswith(_BACKUP_SUFFIXES):
        return None
    closest = process.extractOne(
        name.lower(), {known: known.lower() for known in FACT_BASE_NAMES}, scorer=fuzz.ratio, score_cutoff=80
    )
    return None if closest is None else closest[2]


def _unknown_name_problem(path: Path, meant: str) -> str:
    """What is wrong with a name the fact base never reads, and what to do with it."""
    what = "folder" if path.is_dir() else "file"
    head = f"is not read, since the fact base has no {what} of that name"
    if meant in _FACT_BASE_FOLDERS:
        return f"{head}; move what it holds into {meant}/"
    if (path.parent / meant).exists():
        return f"{head}; merge it into {meant} and delete it"
    return f"{head}; rename it to {meant}"


def _whole_words_in(haystack: str, needle: str) -> bool:
    """Whether `needle` occurs in `haystack` neither starting nor ending inside a word."""
    start = haystack.find(needle)
    while start != -1:
        end = start + len(needle)
        cut_start = needle[0].isalnum() and start > 0 and haystack[start - 1].isalnum()
        cut_end = needle[-1].isalnum() and end < len(haystack) and haystack[end].isalnum()
        if not cut_start and not cut_end:
            return True
        start = haystack.find(needle, start + 1)
    return False


def _sentence_count(quote: str) -> int:
    """How many sentences a quote holds; a fragment without a full stop is one."""
    count, start = 0, 0
    for match in _SENTENCE_BREAK.finditer(quote):
        if _NOT_A_SENTENCE_END.search(quote[start : match.start()]):
            continue
        count += any(ch.isalnum() for ch in quote[start : match.start()])
        start = match.end()
    return count + any(ch.isalnum() for ch in quote[start:])
