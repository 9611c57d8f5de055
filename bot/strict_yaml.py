"""Strict YAML for the fact base: plain values only, every problem with its line.

Aliases, tags other than the plain ones, deep nesting, merge keys, duplicate keys and keys
that are not text are refused before anything is built, so nothing runs, nothing multiplies
and no value silently replaces another. `1:06:08` and `2025-06-01` stay the text they are.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import yaml

YAML_TAG = "tag:yaml.org,2002:"
PLAIN_TAGS = frozenset(YAML_TAG + name for name in ("str", "int", "float", "bool", "null", "seq", "map"))
MAX_NESTING = 20
"""Fact files nest five levels deep; libyaml's composer overflows the C stack on deep input."""
TOO_DEEP = f"nests lists and mappings more than {MAX_NESTING} deep; flatten it"
Problems = list[tuple[str, "int | None"]]
"""(what is wrong and how to fix it, the line) for each problem found."""


class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML (libyaml's when PyYAML has it: ten times faster) that keeps `1:06:08` and
    `2025-06-01` as the text they are: no base-60 numbers, no dates."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:  # noqa: ANN401 - PyYAML's own signature
        tag = super().resolve(kind, value, implicit)
        if tag == YAML_TAG + "timestamp" or (tag in (YAML_TAG + "int", YAML_TAG + "float") and ":" in value):
            return YAML_TAG + "str"
        return tag


@dataclass
class Doc:
    """A parsed YAML document with its node tree, for line numbers."""

    data: Any
    node: yaml.Node | None
    offset: int = 0
    """Lines of the file before the YAML text (the opening `---` of front matter)."""

    def line(self, node: yaml.Node | None) -> int | None:
        return None if node is None else node.start_mark.line + 1 + self.offset

    def line_at(self, *path: str | int) -> int | None:
        return self.line(node_at(self.node, path)[0])


def parse_strict_yaml(text: str, *, offset: int = 0) -> tuple[Doc | None, Problems]:
    """The YAML document (None when it has a problem) and its problems. `offset` is the number
    of lines of the file before `text` (the opening `---` of front matter)."""
    problems: Problems = _hidden_line_breaks(text, offset)
    if problems:
        return None, problems  # YAML would count lines differently from the editor: no line would be right
    try:
        _check_events(text, offset, problems)
        if problems:
            return None, problems
        loader = StrictLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_nodes(node, offset, problems)
                if problems:
                    return None, problems
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        line = _yaml_line(error, text, offset)
        hidden = _hidden_space_near(text, None if line is None else line - offset)
        if hidden is not None:
            return None, [*problems, (hidden[0], hidden[1] + offset)]
        if _indented_with_tab(text, None if line is None else line - offset):
            return None, [*problems, (TAB_INDENT, line)]
        return None, [*problems, (_yaml_problem(error), line)]
    return Doc(data, node, offset), problems


def _check_events(text: str, offset: int, problems: Problems) -> None:
    """Refuse aliases, unusual tags and deep nesting, reading the stream without building it."""
    try:
        _check_event_stream(text, offset, problems)
    except yaml.MarkedYAMLError as error:
        # PyYAML 6.0.4 and later stop a flow collection nested past their own limit while
        # scanning ahead, before this check has counted as many levels: the same problem.
        if "nesting depth" not in (error.problem or ""):
            raise
        line = error.problem_mark.line + 1 + offset if error.problem_mark is not None else None
        problems.append((TOO_DEEP, line))


def _check_event_stream(text: str, offset: int, problems: Problems) -> None:
    """`_check_events` over the parsed events, in order."""
    depth = 0
    aliases: set[str] = set()
    for event in yaml.parse(text, Loader=StrictLoader):
        line = event.start_mark.line + 1 + offset
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in aliases:
                continue
            aliases.add(event.anchor)
            problems.append(
                (f"uses the alias *{event.anchor}; anchors and aliases are not supported, so write the value out", line)
            )
        elif isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            tag = event.tag
            if tag is not None and tag != "!" and tag not in PLAIN_TAGS:
                named = "!!" + tag[len(YAML_TAG) :] if tag.startswith(YAML_TAG) else tag
                problems.append((f"uses the YAML tag {named}; tags are not supported, so remove it", line))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    problems.append((TOO_DEEP, line))
                    return
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_nodes(root: yaml.Node, offset: int, problems: Problems) -> None:
    """Refuse duplicate keys, keys that are not text and merge keys; make text NFC, so that the
    same words typed two ways compare equal."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if not node.value.isascii():
                node.value = unicodedata.normalize("NFC", node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + 1 + offset
                stack.append(value)
                if isinstance(key, yaml.ScalarNode) and not key.value.isascii():
                    key.value = unicodedata.normalize("NFC", key.value)
                if key.tag == YAML_TAG + "merge":
                    problems.append(("uses a merge key (<<); write the fields out instead", line))
                elif not isinstance(key, yaml.ScalarNode):
                    problems.append(
                        (f"has a key that is {what_yaml_read(key)}; write the key as one piece of text", line)
                    )
                elif key.tag != YAML_TAG + "str":
                    problems.append((f"has a key that is {what_yaml_read(key)}, not text; put the key in quotes", line))
                elif key.value in keys:
                    problems.append(
                        (
                            f"`{shown(key.value, quote=False)}` is given twice in the same mapping "
                            f"(first on line {keys[key.value]}); keep one",
                            line,
                        )
                    )
                else:
                    keys[key.value] = line


def node_at(node: yaml.Node | None, path: tuple[str | int, ...]) -> tuple[yaml.Node | None, bool]:
    """The node at `path` under `node`, or the deepest one on the way there; and whether it is the one."""
    for part in path:
        step = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            step = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            step = node.value[part]
        if step is None:
            return node, False
        node = step
    return node, True


def what_yaml_read(node: yaml.Node | None, value: object = None) -> str:
    """How a curator would name what YAML read: "the number 123", "a list", "empty"."""
    if isinstance(node, yaml.ScalarNode):
        tag = node.tag.removeprefix(YAML_TAG)
        if tag == "null":
            return "empty"
        if tag in ("int", "float"):
            return f"the number {node.value}"
        if tag == "bool":
            return f"{node.value}, which YAML reads as true or false"
        return f"the text {shown(node.value)}"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping of fields"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{value}, which YAML reads as true or false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of fields"
    return shown(value)


def shown(value: object, *, limit: int = 80, quote: bool = True) -> str:
    """`value` for a problem line: quoted like Python does, and cut when long."""
    text = repr(value) if quote else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _yaml_problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.reader.ReaderError):
        return f"holds the control character U+{error.character:04X}, which YAML does not allow; delete it"
    parts = [getattr(error, "context", None), getattr(error, "problem", None)]
    reason = " ".join(part for part in parts if part) or str(error).splitlines()[0]
    return (
        f"malformed YAML: {reason}; check the indentation here and above, "
        "and put text holding ': ' or ' #' or starting with a special character in quotes"
    )


TAB_INDENT = "is indented with a tab, which YAML does not allow; indent with spaces, as the lines around it are"


def _indented_with_tab(text: str, line: int | None) -> bool:
    """Whether the line of a YAML error is indented with a tab: YAML's own message ("found
    character that cannot start any token") does not say that the tab is what it cannot read."""
    rows = text.split("\n")
    if line is None or not 1 <= line <= len(rows):
        return False
    row = rows[line - 1]
    return "\t" in row[: len(row) - len(row.lstrip(" \t"))]


# How many lines above a YAML error a look-alike of a space may stand and still be its cause
# (a no-break space after `question:` is found by YAML only at the next key).
HIDDEN_SPACE_REACH = 3
_LINE_BREAK_LOOKALIKES = re.compile("[\u2028\u2029\x85]")
_LINE_FRAME = re.compile(r"[^\w\"']*(?:\w[\w -]*:)?[^\w\"']*")


def _hidden_line_breaks(text: str, offset: int) -> Problems:
    """One problem per line holding a character YAML reads as a line break and editors do not
    show as one (U+2028 line separator, U+2029 paragraph separator, U+0085 next line)."""
    if text.isascii() or not _LINE_BREAK_LOOKALIKES.search(text):
        return []
    problems: Problems = []
    for number, row in enumerate(text.split("\n"), start=1):
        found = _LINE_BREAK_LOOKALIKES.search(row)
        if found:
            ch = found.group(0)
            name = unicodedata.name(ch, "next line").lower()
            problems.append(
                (
                    f"holds U+{ord(ch):04X} ({name}), which YAML reads as a line break though editors show none; "
                    "replace it with a plain space or a real line break",
                    number + offset,
                )
            )
    return problems


def _hidden_space_near(text: str, line: int | None) -> tuple[str, int] | None:
    """A character that looks like a space and is none for YAML (a no-break space, a
    zero-width space) in the YAML around the text of the line of a YAML error or just above:
    the problem to report instead of the error, with its line; None when there is none."""
    if line is None or text.isascii():
        return None
    lines = text.split("\n")
    for number in range(max(1, line - HIDDEN_SPACE_REACH), min(line, len(lines)) + 1):
        row = lines[number - 1]
        # In the YAML around the text ("  - ", "question: "), not inside the text itself, where
        # a quote may keep its source's no-break space.
        frame = _LINE_FRAME.match(row).group(0)  # type: ignore[union-attr]
        suspects = [ch for ch in frame if ch != " " and unicodedata.category(ch) in ("Zs", "Cf")]
        if suspects:
            ch = suspects[0]
            name = unicodedata.name(ch, "").lower() or "an invisible character"
            return (
                f"holds U+{ord(ch):04X} ({name}), which looks like a space or a line break but is not one "
                "to YAML; replace it with a plain space, or delete it",
                number,
            )
    return None


def _yaml_line(error: yaml.YAMLError, text: str, offset: int) -> int | None:
    if isinstance(error, yaml.reader.ReaderError):
        return text[: error.position].count("\n") + 1 + offset
    mark = getattr(error, "problem_mark", None)
    return mark.line + 1 + offset if mark is not None else None
