"""Say what pydantic found wrong with a fact or a source, in curators' words.

Each problem names the field, says what is wrong and how to fix it, and comes with the line of
the YAML that holds the field.
"""

from __future__ import annotations

from typing import Any, Protocol

import yaml
from pydantic import BaseModel, ValidationError

from bot.models import Fact, Quote
from bot.strict_yaml import Problems, node_at, what_yaml_read

Loc = tuple[str | int, ...]
"""Where pydantic places an error: field names and list positions, outermost first."""


class LineAt(Protocol):
    """The line of the YAML that holds the field at `path`, or of the nearest part of it that exists."""

    def __call__(self, *path: str | int) -> int | None: ...


def field_problems(
    error: ValidationError,
    node: yaml.Node | None,
    *,
    line_at: LineAt,
    fields: type[BaseModel],
    skip: frozenset[str] | set[str] = frozenset(),
    shorthand: bool = False,
) -> Problems:
    """One problem per pydantic error, except those on a field in `skip` (already reported).

    `node` is the YAML the model was read from; `shorthand` says that a fact gave `quote` and
    `source` rather than a `quotes` list, so the fields of that one quote are named as written.
    """
    problems: Problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        if loc[:1] and loc[0] in skip:
            continue
        path = _shorthand_path(loc) if shorthand else loc
        found, exact = node_at(node, path)
        line = line_at(*loc, *_blank_item(item, loc))
        problems.append((_field_problem(item, _field_name(path), found if exact else None, fields), line))
    return problems


def _blank_item(item: Any, loc: Loc) -> Loc:  # noqa: ANN401 - pydantic's error dict
    """Where in a list of texts its first blank item is, for a check of the whole list that
    refused blank items; nothing for any other problem, which is the field's own."""
    value = item.get("input")
    if item["type"] != "value_error" or len(loc) != 1 or not isinstance(value, list):
        return ()
    blank = [index for index, entry in enumerate(value) if isinstance(entry, str) and not entry.strip()]
    return (blank[0],) if blank else ()


def _shorthand_path(loc: Loc) -> Loc:
    """Where a field of the one quote of `quotes` is written when the fact gives `quote`/`source`."""
    if loc[:2] == ("quotes", 0):
        return ("quote",) if len(loc) == 2 or loc[2] == "text" else (loc[2],)
    return loc


def _field_name(path: Loc) -> str:
    """`question`, `alternates` item 2, `text` of `quotes` item 1."""
    if not path:
        return "the fact"
    name = f"`{path[0]}`"
    if len(path) > 1 and isinstance(path[1], int):
        name += f" item {path[1] + 1}"
        if len(path) > 2:
            name = f"`{path[2]}` of {name}"
    elif len(path) > 1:
        name = f"`{path[1]}` of {name}"
    return name


def _field_problem(item: Any, where: str, node: yaml.Node | None, model: type[BaseModel]) -> str:  # noqa: ANN401
    kind, value = item["type"], item.get("input")
    what = what_yaml_read(node, value)
    empty = what == "empty"
    if kind == "missing":
        return f"{where} is missing; add it"
    if item["loc"] == ("body",):
        return "has no text after the front matter; add the article's body"
    if kind == "extra_forbidden":
        known = ", ".join(_known_fields(Quote if model is Fact and len(item["loc"]) > 2 else model))
        return f"{where} is not a known field; check its spelling (the fields are {known})"
    if kind == "string_type":
        if empty:
            return f"{where} is empty; fill it in"
        if isinstance(node, yaml.ScalarNode) or node is None and not isinstance(value, (list, dict)):
            return f"{where} must be text, not {what}; put it in quotes"
        return f"{where} is {what}, not one piece of text; write it on one line"
    if kind == "list_type":
        if empty:
            return f"{where} is empty; list at least one item, one `- item` per line"
        return f"{where} is {what}, not a list; write it as [a, b] or one `- item` per line"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{where} is {what}, not fields; give it `text:` and `source:`"
    if kind == "too_short":
        return f"{where} is an empty list; give at least one item"
    if kind == "literal_error":
        return f"{where} is {what}; use one of: {item.get('ctx', {}).get('expected', '')}"
    if kind in ("bool_type", "bool_parsing"):
        return f"{where} is {what}; write true or false"
    message = item["msg"].removeprefix("Value error, ")
    if kind == "value_error":
        return f"{where} {message}"
    return f"{where}: {message}"


def _known_fields(model: type[BaseModel]) -> list[str]:
    """The fields a curator may write for `model`; a fact's include the one-quote shorthand."""
    if model is Fact:
        return "id question alternates answer quote source timestamp quotes date entities related".split()
    return list(model.model_fields)
