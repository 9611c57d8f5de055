"""Load `knowledge/` into a validated FactBase, collecting every problem before failing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz

from bot.errors import KnowledgeError, KnowledgeProblem
from bot.models import ENTITY_KINDS, Fact, FactBase, Source, Topic
from bot.text import normalize_typography, sentences, strip_markup, words

# libyaml's loader when PyYAML was built with it: ten times faster than the pure-Python one.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MIN_ALTERNATES = 6
MAX_QUOTE_SENTENCES = 3
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n(.*)\Z", re.DOTALL)


def default_knowledge_dir() -> Path:
    """The `knowledge/` directory next to the `bot` package (the repository layout)."""
    return Path(__file__).resolve().parent.parent / "knowledge"


def load_fact_base(root: Path) -> FactBase:
    """Load and fully validate the fact base under `root`; raise KnowledgeError listing every problem."""
    loader = _Loader(Path(root))
    return loader.load()


@dataclass
class _Located:
    """A fact's raw mapping with where it came from."""

    file: str
    line: int | None
    data: dict[str, Any]


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[KnowledgeProblem] = []

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
        sources = self.load_sources()
        topics, facts = self.load_facts(sources)
        synonyms = self.load_synonyms()
        outside = self.load_outside_entities(facts)
        kinds = self.load_entity_kinds(facts)
        former = self.load_former_names(facts)
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

    # -- sources ---------------------------------------------------------------------------

    def load_sources(self) -> dict[str, Source]:
        sources: dict[str, Source] = {}
        files = sorted((self.root / "sources").glob("*.md"))
        if not files:
            self.problem(self.rel(self.root / "sources"), "no source files (*.md) found")
        for path in files:
            name = self.rel(path)
            match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
            if not match:
                self.problem(name, "must start with YAML front matter between two '---' lines")
                continue
            meta = self.parse_yaml(name, match.group(1), line_offset=1)
            if meta is None:
                continue
            if not isinstance(meta, dict):
                self.problem(name, "the front matter must be a mapping of fields")
                continue
            try:
                source = Source(**meta, body=match.group(2))
            except ValidationError as error:
                self.validation_problems(name, None, error, None)
                continue
            except TypeError as error:
                self.problem(name, f"malformed front matter: {error}")
                continue
            if source.id != path.stem:
                self.problem(name, f"id {source.id!r} must match the file name {path.stem!r}")
            if source.id in sources:
                self.problem(name, f"duplicate source id {source.id!r}")
            sources[source.id] = source
        return sources

    # -- facts -----------------------------------------------------------------------------

    def load_facts(self, sources: dict[str, Source]) -> tuple[dict[str, Topic], dict[str, Fact]]:
        located: list[_Located] = []
        topics: dict[str, Topic] = {}
        files = sorted((self.root / "facts").glob("*.yaml"))
        if not files:
            self.problem(self.rel(self.root / "facts"), "no fact files (*.yaml) found")
        for path in files:
            located += self.read_fact_file(path, topics)

        facts: dict[str, Fact] = {}
        fact_files: dict[str, str] = {}
        for item in located:
            raw_id = item.data.get("id") if isinstance(item.data.get("id"), str) else None
            try:
                fact = Fact.model_validate(item.data)
            except ValidationError as error:
                self.validation_problems(item.file, raw_id, error, item.line)
                continue
            if fact.id in facts:
                self.problem(
                    item.file, f"duplicate id (also in {fact_files[fact.id]})", fact_id=fact.id, line=item.line
                )
                continue
            facts[fact.id] = fact
            fact_files[fact.id] = item.file

        for fact in facts.values():
            self.check_fact(fact, fact_files[fact.id], facts, sources)
        self.check_shared_phrasings(facts, fact_files)
        return topics, facts

    def read_fact_file(self, path: Path, topics: dict[str, Topic]) -> list[_Located]:
        name = self.rel(path)
        parsed = self.parse_yaml(name, path.read_text(encoding="utf-8"), with_node=True)
        if parsed is None:
            return []
        document, node = parsed
        if not isinstance(document, dict) or not isinstance(document.get("facts"), list):
            self.problem(name, "must be a mapping with `topic`, `title` and a list `facts`")
            return []
        topic_id, title = document.get("topic"), document.get("title")
        if not isinstance(topic_id, str) or not topic_id.strip():
            self.problem(name, "`topic` is missing or empty")
            return []
        if not isinstance(title, str) or not title.strip():
            self.problem(name, "`title` is missing or empty")
            title = topic_id
        if topic_id in topics:
            self.problem(name, f"topic {topic_id!r} is already used by another file")
        lines = _fact_lines(node)
        located: list[_Located] = []
        for index, data in enumerate(document["facts"]):
            line = lines[index] if index < len(lines) else None
            if not isinstance(data, dict):
                self.problem(name, f"fact number {index + 1} is not a mapping of fields", line=line)
                continue
            fact_id = data.get("id") if isinstance(data.get("id"), str) else None
            if data.setdefault("topic", topic_id) != topic_id:
                self.problem(
                    name, f"topic {data['topic']!r} differs from the file's topic {topic_id!r}", fact_id=fact_id, line=line
                )
            located.append(_Located(name, line, data))
        ids = [d.data["id"] for d in located if isinstance(d.data.get("id"), str)]
        topics[topic_id] = Topic(id=topic_id, title=title.strip(), fact_ids=ids)
        return located

    def check_fact(self, fact: Fact, file: str, facts: dict[str, Fact], sources: dict[str, Source]) -> None:
        if len(fact.alternates) < MIN_ALTERNATES:
            self.problem(
                file, f"has {len(fact.alternates)} alternates; give at least {MIN_ALTERNATES}", fact_id=fact.id
            )
        for related in fact.related:
            if related == fact.id:
                self.problem(file, "lists itself in `related`", fact_id=fact.id)
            elif related not in facts:
                self.problem(file, f"related id {related!r} is not a fact", fact_id=fact.id)
        for quote in fact.quotes:
            source = sources.get(quote.source)
            if source is None:
                known = ", ".join(sorted(sources)) or "none"
                self.problem(file, f"unknown source {quote.source!r} (known: {known})", fact_id=fact.id)
                continue
            self.check_quote(file, fact.id, quote.text, source)

    def check_quote(self, file: str, fact_id: str, quote: str, source: Source) -> None:
        needle = normalize_typography(quote)
        haystack = normalize_typography(source.body)
        if needle in haystack:
            count = len(sentences(quote))
            if count > MAX_QUOTE_SENTENCES:
                self.problem(
                    file, f"quote has {count} sentences; keep it to one to {MAX_QUOTE_SENTENCES}", fact_id=fact_id
                )
            return
        alignment = fuzz.partial_ratio_alignment(needle, haystack)
        closest = haystack[alignment.dest_start : alignment.dest_end] if alignment else ""
        if len(closest) > 200:
            closest = closest[:197] + "..."
        self.problem(
            file,
            f"quote is not verbatim in source {source.id!r}; closest passage: {closest!r}",
            fact_id=fact_id,
        )

    def check_shared_phrasings(self, facts: dict[str, Fact], fact_files: dict[str, str]) -> None:
        owner: dict[str, str] = {}
        for fact in facts.values():
            seen: set[str] = set()
            for phrasing in fact.phrasings:
                key = " ".join(words(phrasing))
                if key in seen:
                    self.problem(fact_files[fact.id], f"phrasing {phrasing!r} is given twice", fact_id=fact.id)
                    continue
                seen.add(key)
                other = owner.setdefault(key, fact.id)
                if other != fact.id:
                    self.problem(
                        fact_files[fact.id],
                        f"alternate {phrasing!r} is also a phrasing of fact {other!r}; keep it in one fact",
                        fact_id=fact.id,
                    )

    # -- matching aids ---------------------------------------------------------------------

    def load_synonyms(self) -> dict[str, str]:
        name, groups = self.read_optional("synonyms.yaml")
        if groups is None:
            return {}
        if not isinstance(groups, list) or not all(
            isinstance(g, list) and len(g) >= 2 and all(isinstance(w, str) and w.strip() for w in g) for g in groups
        ):
            self.problem(name, "must be a list of groups, each a list of two or more words")
            return {}
        mapping: dict[str, str] = {}
        for group in groups:
            head = group[0].strip().lower()
            if len(words(head)) != 1:
                self.problem(name, f"group {group!r} must start with a single word (phrases may follow)")
                continue
            for word in group:
                key = word.strip().lower()
                if mapping.get(key, head) != head:
                    self.problem(name, f"word {word!r} is in two groups ({mapping[key]!r} and {head!r})")
                mapping[key] = head
        return mapping

    def load_outside_entities(self, facts: dict[str, Fact]) -> list[str]:
        name, names = self.read_optional("outside_entities.yaml")
        if names is None:
            return []
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            self.problem(name, "must be a list of names")
            return []
        known = {" ".join(words(e)) for fact in facts.values() for e in fact.entities}
        for entity in names:
            if " ".join(words(entity)) in known:
                self.problem(name, f"{entity!r} is an entity of a fact; remove it from the outside list")
        return [n.strip() for n in names]

    def load_entity_kinds(self, facts: dict[str, Fact]) -> dict[str, str]:
        name, document = self.read_optional("entity_kinds.yaml")
        if document is None:
            return {}
        if not isinstance(document, dict) or not all(
            isinstance(names, list) and all(isinstance(n, str) and n.strip() for n in names)
            for names in document.values()
        ):
            self.problem(name, "must map each kind (" + ", ".join(ENTITY_KINDS) + ") to a list of entity names")
            return {}
        entities = {e for fact in facts.values() for e in fact.entities}
        kinds: dict[str, str] = {}
        for kind, names in document.items():
            if kind not in ENTITY_KINDS:
                self.problem(name, f"unknown kind {kind!r}; use one of: {', '.join(ENTITY_KINDS)}")
                continue
            for entity in (n.strip() for n in names):
                if entity not in entities:
                    self.problem(name, f"{entity!r} is not an entity of any fact; check its spelling")
                elif kinds.get(entity, kind) != kind:
                    self.problem(name, f"{entity!r} is listed as both {kinds[entity]} and {kind}; keep one")
                else:
                    kinds[entity] = kind
        return kinds

    def load_former_names(self, facts: dict[str, Fact]) -> dict[str, str]:
        name, document = self.read_optional("former_names.yaml")
        if document is None:
            return {}
        if not isinstance(document, dict) or not all(
            isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip() for k, v in document.items()
        ):
            self.problem(name, "must map each former name to the current name of the same thing")
            return {}
        entities = {e for fact in facts.values() for e in fact.entities}
        former: dict[str, str] = {}
        for old, current in document.items():
            if current.strip() not in entities:
                self.problem(name, f"{current!r} (for {old!r}) is not an entity of any fact; check its spelling")
            else:
                former[old.strip()] = current.strip()
        return former

    # -- helpers ---------------------------------------------------------------------------

    def read_optional(self, filename: str) -> tuple[str, Any]:
        """(the file's name as shown in problems, its YAML document); None when the file is
        absent or its YAML is malformed (that problem already noted)."""
        path = self.root / filename
        name = self.rel(path)
        if not path.exists():
            return name, None
        return name, self.parse_yaml(name, path.read_text(encoding="utf-8"))

    def parse_yaml(self, name: str, text: str, *, line_offset: int = 0, with_node: bool = False) -> Any:
        """The YAML document (and its node tree, for line numbers), or None after noting the problem."""
        loader = _YamlLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
            return (data, node) if with_node else data
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 + line_offset if mark is not None else None
            reason = getattr(error, "problem", None) or str(error).splitlines()[0]
            self.problem(name, f"malformed YAML: {reason}", line=line)
            return None
        finally:
            loader.dispose()

    def validation_problems(self, file: str, fact_id: str | None, error: ValidationError, line: int | None) -> None:
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"]) or "fact"
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "missing":
                message = "is missing"
            elif item["type"] == "extra_forbidden":
                message = "is not a known field"
            self.problem(file, f"`{field}` {message}", fact_id=fact_id, line=line)


def _fact_lines(node: yaml.Node | None) -> list[int]:
    """The 1-based line where each item of the top-level `facts` list starts."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "facts" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


@dataclass(frozen=True)
class KnowledgeStats:
    """What `knowledge check` reports about a valid fact base."""

    sources: int
    topics: int
    facts: int
    alternates_min: int
    alternates_mean: float
    alternates_max: int
    quotes: int
    sentences: int
    quoted_sentences: int
    per_source: dict[str, tuple[int, int]]

    @property
    def quoted_share(self) -> float:
        return self.quoted_sentences / self.sentences if self.sentences else 0.0


def knowledge_stats(base: FactBase) -> KnowledgeStats:
    """Counts, and the share of source sentences that some fact quotes (half or more of it)."""
    counts = [len(f.alternates) for f in base.facts.values()] or [0]
    quotes_by_source: dict[str, list[str]] = {}
    for fact in base.facts.values():
        for quote in fact.quotes:
            quotes_by_source.setdefault(quote.source, []).append(normalize_typography(quote.text))
    per_source: dict[str, tuple[int, int]] = {}
    for source in base.sources.values():
        body = normalize_typography(strip_markup(source.body))
        quoted = [False] * len(body)
        for quote in quotes_by_source.get(source.id, []):
            start = body.find(quote)
            while start != -1:
                quoted[start : start + len(quote)] = [True] * len(quote)
                start = body.find(quote, start + 1)
        found = [normalize_typography(s) for s in sentences(source.body)]
        covered = 0
        for sentence in found:
            start = body.find(sentence)
            if start != -1 and sum(quoted[start : start + len(sentence)]) * 2 >= len(sentence):
                covered += 1
        per_source[source.id] = (covered, len(found))
    return KnowledgeStats(
        sources=len(base.sources),
        topics=len(base.topics),
        facts=len(base.facts),
        alternates_min=min(counts),
        alternates_mean=sum(counts) / len(counts),
        alternates_max=max(counts),
        quotes=sum(len(f.quotes) for f in base.facts.values()),
        sentences=sum(total for _, total in per_source.values()),
        quoted_sentences=sum(covered for covered, _ in per_source.values()),
        per_source=per_source,
    )
