"""Read the matching aids: synonyms, outside entities, entity kinds and former names.

Each reader gets the YAML document of its file (`knowledge/synonyms.yaml` and the like) and a
`problem` callback that notes one problem of that file. It notes every problem, not just the
first; what it returns is of use only when it noted none. The synonyms are checked against the
names the other files give once those are read (`check_synonyms_name_one_thing`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from bot.models import ENTITY_KINDS
from bot.strict_yaml import Doc, node_at, shown, what_yaml_read
from bot.text import family_name, words


class NoteProblem(Protocol):
    """Notes one problem of the file being read: what is wrong and how to fix it, and its line."""

    def __call__(self, problem: str, *, line: int | None = None) -> None: ...


def read_synonyms(doc: Doc, problem: NoteProblem) -> dict[str, str]:
    """Each word of every group, lowercased, mapped to its group's first word."""
    if not isinstance(doc.data, list):
        problem(f"is {what_yaml_read(doc.node)}, not a list of groups; write one `- [word, word]` line per group")
        return {}
    mapping: dict[str, str] = {}
    for index, group in enumerate(doc.data):
        line = doc.line_at(index)
        if (
            not isinstance(group, list)
            or len(group) < 2
            or not all(isinstance(w, str) and w.strip() for w in group)
        ):
            problem(f"group {index + 1} is not two or more words; write it like [stake, share]", line=line)
            continue
        head = group[0].strip().lower()
        if len(words(head)) != 1:
            problem(f"group {shown(group)} must start with a single word (phrases may follow)", line=line)
            continue
        in_group: set[str] = set()
        for word in group:
            key = word.strip().lower()
            if not words(key):
                problem(f"word {word!r} has no letters or digits; remove it", line=line)
            elif key in in_group:
                problem(f"word {word!r} is listed twice in its group; remove one", line=line)
            elif mapping.get(key, head) != head:
                problem(f"word {word!r} is in two groups ({mapping[key]!r} and {head!r}); keep it in one", line=line)
            in_group.add(key)
            mapping.setdefault(key, head)
    return mapping


def check_synonyms_name_one_thing(
    doc: Doc, problem: NoteProblem, *, entities: set[str], outside: Sequence[str], former: Mapping[str, str]
) -> None:
    """Note each synonym group word that is an outside name, and each group that names two
    different entities of the facts: the engine reads every word of a group as its first, so
    a question about one thing would get the facts about another.

    A group may hold one entity's other names: its family name ("zuckerberg" for Mark
    Zuckerberg), nicknames no fact lists ("zuck"), and its `former` names ("facebook" for Meta).
    """
    if not isinstance(doc.data, list):
        return
    outside_keys = {" ".join(words(name)) for name in outside}
    named = _entity_named_by(entities, former)
    for index, group in enumerate(doc.data):
        if not isinstance(group, list) or not all(isinstance(w, str) and words(w) for w in group):
            continue  # read_synonyms has said what is wrong with it
        line = doc.line_at(index)
        keys = [" ".join(words(word)) for word in group]
        for word, key in zip(group, keys):
            if key in outside_keys:
                problem(
                    f"word {word!r} is an outside entity, which the sources never mention; remove it from its group",
                    line=line,
                )
        things = list(dict.fromkeys(named[key] for key in keys if key in named))
        if len(things) > 1:
            problem(
                f"group {shown(group)} names {_listed(things)}, different entities of the facts, "
                "so a question about one would get facts about another; keep the words of one of them",
                line=line,
            )


def _entity_named_by(entities: set[str], former: Mapping[str, str]) -> dict[str, str]:
    """Each folded name of an entity (the whole name, a person's family name, a former name)
    mapped to the entity, as its current name."""
    named: dict[str, str] = {}
    for old, current in former.items():
        named[" ".join(words(old))] = current
    for entity in sorted(entities):
        current = former.get(entity, entity)
        named.setdefault(" ".join(words(entity)), current)
        family = family_name(entity)
        if family is not None:
            named.setdefault(family, current)
    return named


def _listed(names: Sequence[str]) -> str:
    """'A', 'B' and 'C'."""
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def read_outside_entities(
    doc: Doc, problem: NoteProblem, *, entities: set[str], phrasings: Mapping[str, Sequence[str]]
) -> list[str]:
    """The names the sources never mention.

    `entities` are those the facts list, which may not be among them; `phrasings` (fact id to
    the question and alternates) may not use them either: the bot refuses a question that names
    one, so a name the facts are asked by would turn their own phrasings away.
    """
    if not isinstance(doc.data, list):
        problem(f"is {what_yaml_read(doc.node)}, not a list of names; write one `- name` per line")
        return []
    known = {" ".join(words(e)) for e in entities}
    using = _phrasings_using([e for e in doc.data if isinstance(e, str)], phrasings, entities)
    names: list[str] = []
    seen: set[str] = set()
    for index, entity in enumerate(doc.data):
        line = doc.line_at(index)
        if not isinstance(entity, str) or not entity.strip():
            what = what_yaml_read(node_at(doc.node, (index,))[0])
            problem(f"item {index + 1} is {what}, not a name; write a name or remove the line", line=line)
            continue
        key = " ".join(words(entity))
        if key in known:
            problem(f"{entity!r} is an entity of a fact; remove it from the outside list", line=line)
        elif key in seen:
            problem(f"{entity!r} is listed twice; remove one", line=line)
        elif using.get(entity):
            fact_id, example = using[entity][0]
            count = f"{len(using[entity])} phrasing{'s' if len(using[entity]) != 1 else ''}"
            problem(
                f"{entity!r} is in {count} of the facts, like {shown(example)} (fact {fact_id}), "
                "which the bot would refuse as outside the sources; remove it from the outside list",
                line=line,
            )
        seen.add(key)
        names.append(entity.strip())
    return names


class OutsideNames:
    """Finds outside names in a text the way the engine does in a question: as a run of folded
    words, except inside a longer name the facts list ("Dwarkesh Patel" is not read alone in
    "the Dwarkesh Patel podcast")."""

    def __init__(self, outside: Iterable[str], entities: Iterable[str]) -> None:
        entity_runs = [run for run in (tuple(words(e)) for e in entities) if run]
        self._runs = [
            (name, run, [longer for longer in entity_runs if len(longer) > len(run) and _starts_of(run, longer)])
            for name in outside
            if (run := tuple(words(name)))
        ]

    def used_in(self, text: str) -> list[str]:
        """The outside names `text` uses, in the order they were given."""
        found = words(text)
        present = set(found)
        return [
            name
            for name, run, longer in self._runs
            if run[0] in present
            and any(not _inside_a_name(start, len(run), found, longer) for start in _starts_of(run, found))
        ]


def _phrasings_using(
    outside: Sequence[str], phrasings: Mapping[str, Sequence[str]], entities: Iterable[str]
) -> dict[str, list[tuple[str, str]]]:
    """Each outside name that phrasings use, with those phrasings as (fact id, phrasing)."""
    finder = OutsideNames(outside, entities)
    using: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for fact_id, texts in phrasings.items():
        for text in texts:
            for name in finder.used_in(text):
                using[name].append((fact_id, text))
    return using


def _starts_of(run: tuple[str, ...], found: Sequence[str]) -> list[int]:
    """Where the words of `run` occur, in order and side by side, in `found`."""
    size = len(run)
    return [i for i, word in enumerate(found) if word == run[0] and tuple(found[i : i + size]) == run]


def _inside_a_name(start: int, size: int, found: Sequence[str], names: Sequence[tuple[str, ...]]) -> bool:
    """Whether the words at `start` are part of one of `names` (longer names) where they occur."""
    return any(
        at <= start and start + size <= at + len(name) for name in names for at in _starts_of(name, found)
    )


def read_entity_kinds(doc: Doc, problem: NoteProblem, *, entities: set[str], all_known: bool) -> dict[str, str]:
    """Each entity of a fact mapped to its kind.

    A name that is not in `entities` is a problem only when `all_known`: when a fact file could
    not be read, the name may be an entity of one of its facts.
    """
    if not isinstance(doc.data, dict):
        kinds_list = ", ".join(ENTITY_KINDS)
        problem(f"must map each kind ({kinds_list}) to a list of entity names; write lines like company: [Meta]")
        return {}
    kinds: dict[str, str] = {}
    for kind, names in doc.data.items():
        line = doc.line_at(kind)
        if kind not in ENTITY_KINDS:
            problem(f"unknown kind {kind!r}; use one of: {', '.join(ENTITY_KINDS)}", line=line)
            continue
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            node = node_at(doc.node, (kind,))[0]
            problem(f"`{kind}` is {what_yaml_read(node)}, not a list of names; write it like [Meta, Google]", line=line)
            continue
        for index, entity in enumerate(n.strip() for n in names):
            line = doc.line_at(kind, index)
            if entity not in entities:
                if all_known:
                    problem(f"{entity!r} is not an entity of any fact; check its spelling", line=line)
            elif kinds.get(entity, kind) != kind:
                problem(f"{entity!r} is listed as both {kinds[entity]} and {kind}; keep one", line=line)
            elif entity in kinds:
                problem(f"{entity!r} is listed twice as {kind}; remove one", line=line)
            else:
                kinds[entity] = kind
    return kinds


def read_former_names(doc: Doc, problem: NoteProblem, *, entities: set[str], all_known: bool) -> dict[str, str]:
    """Each former name mapped to the current one, an entity of a fact.

    A current name that is not in `entities` is a problem only when `all_known`, as for
    `read_entity_kinds`.
    """
    if not isinstance(doc.data, dict):
        problem("must map each former name to the current name of the same thing; write lines like Facebook: Meta")
        return {}
    former: dict[str, str] = {}
    lines: dict[str, int | None] = {}
    for old, current in doc.data.items():
        line = doc.line_at(old)
        if not old.strip():
            problem(
                f"a former name is empty (mapped to {what_yaml_read(node_at(doc.node, (old,))[0])}); "
                "write the name people still use before the colon, or remove the line",
                line=line,
            )
        elif not isinstance(current, str) or not current.strip():
            node = node_at(doc.node, (old,))[0]
            problem(
                f"{old!r} maps to {what_yaml_read(node)}; map it to the current name, like Facebook: Meta", line=line
            )
        elif old.strip() == current.strip():
            problem(f"{old!r} maps to itself; remove the line", line=line)
        elif current.strip() not in entities:
            if all_known:
                problem(f"{current!r} (for {old!r}) is not an entity of any fact; check its spelling", line=line)
        else:
            former[old.strip()] = current.strip()
            lines[old.strip()] = line
    for circle in _circles_of(former):
        shown_circle = " -> ".join([*circle, circle[0]])
        problem(
            f"former names go round in a circle ({shown_circle}); remove the line of the name that is current",
            line=lines[circle[0]],
        )
    return former


def _circles_of(former: Mapping[str, str]) -> list[list[str]]:
    """Each circle of former names (Facebook -> Meta -> Facebook) once, from its name listed first."""
    circles: list[list[str]] = []
    in_circles: set[str] = set()
    for start in former:
        path, name = [start], former[start]
        while name in former and name not in path:
            path.append(name)
            name = former[name]
        if name == start and start not in in_circles:
            circles.append(path)
            in_circles.update(path)
    return circles
