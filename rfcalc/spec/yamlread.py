"""YAML text to a tree of located values, refusing the hazards PyYAML lets through.

Only safe composition: the text becomes yaml nodes (every node keeps its line and
column), never Python objects.  Duplicate keys are errors (PyYAML keeps the last one
silently), tags other than the core schema are refused, and aliases are expanded under
a budget so a "billion laughs" file fails fast instead of eating memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from ..model import Loc, SpecError

#: the largest spec file read, in bytes
MAX_BYTES = 4 * 1024 * 1024
#: how many values a document may expand to, aliases counted each time they are used
MAX_NODES = 2_000_000
#: how deep mappings and lists may nest
MAX_DEPTH = 64

_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass(frozen=True)
class Value:
    """A scalar, list or mapping from the file, with the place it was written."""

    data: Any  # int | float | bool | str | None | list[Value] | dict[str, Value]
    loc: Loc
    #: for mappings: the place of each key
    key_locs: dict[str, Loc] | None = None

    @property
    def kind(self) -> str:
        d = self.data
        if isinstance(d, bool):
            return "a boolean"
        if isinstance(d, int):
            return "an integer"
        if isinstance(d, float):
            return "a number with a fraction"
        if isinstance(d, str):
            return "a string"
        if d is None:
            return "nothing (null)"
        if isinstance(d, list):
            return "a list"
        return "a mapping"


#: PyYAML's problems, in plain words (a hint after its own wording)
_WORDS = (
    ("cannot start any token", "\t", "a tab: YAML indents with spaces only"),
    (
        "mapping values are not allowed",
        "",
        "a ':' where YAML expects none: this line is indented differently from the keys"
        " of its mapping (they start in one column), or a value holds ': ' unquoted",
    ),
    ("expected ',' or '}'", "", "a '{ ... }' mapping is not closed, or lacks a ','"),
    ("expected ',' or ']'", "", "a '[ ... ]' list is not closed, or lacks a ','"),
    ("could not find expected ':'", "", "a key without its ':'"),
    ("expected <block end>", "", "this line is not indented like the lines around it"),
    ("found unexpected end of stream", "", "the file ends inside a quote or a bracket"),
)


def _in_words(problem: str, text: str, where: Loc) -> str:
    lines = text.splitlines()
    line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
    at = line[where.col - 1 : where.col] if where.col >= 1 else ""
    for phrase, char, words in _WORDS:
        if phrase in problem and (not char or at == char or char in line):
            return f" ({words})"
    return ""


def _excerpt(text: str, where: Loc) -> str:
    """The line of ``where`` and a caret under its column (tabs shown as spaces)."""
    lines = text.splitlines()
    if not 0 < where.line <= len(lines):
        return ""
    line = lines[where.line - 1]
    shown = line.expandtabs(1)
    col = len(line[: where.col - 1].expandtabs(1))
    return f"  {where.line} | {shown}\n  {' ' * len(str(where.line))} | {' ' * col}^"


def _loc(path: str, mark: Any) -> Loc:
    return Loc(path, mark.line + 1, mark.column + 1)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser when PyYAML has it (several times faster; the same nodes and
    marks), with the tag of a plain scalar resolved once per distinct text: PyYAML's
    resolver tries its patterns in Python for every scalar, and a 50,000-layer spec
    writes ``conv``, ``3`` and ``same`` 50,000 times each (the safe loader has no path
    resolvers, so the tag depends on the text alone)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._tags: dict[tuple[Any, str, Any], Any] = {}

    def resolve(self, kind: Any, value: str, implicit: Any) -> Any:
        key = (kind, value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = super().resolve(kind, value, implicit)
        return tag


def read_yaml(text: str, path: str, max_items: int | None = None) -> Value | None:
    """The single document in ``text``; None for an empty file.

    ``max_items`` bounds the lists directly under the top-level mapping (the layers),
    checked before any value is built, so an oversized spec fails fast.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SpecError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB", Loc(path))
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = "a spec holds one YAML document, this file holds several"
        if exc.problem and "document" not in exc.problem:
            msg = f"yaml: {exc.problem}"
        raise SpecError(msg, _loc(path, mark) if mark else Loc(path)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot be read"
        where = _loc(path, mark) if mark else Loc(path)
        raise SpecError(
            f"invalid YAML: {problem}{_in_words(problem, text, where)}",
            where,
            excerpt=_excerpt(text, where),
        ) from None
    except yaml.YAMLError as exc:  # reader errors: control characters, bad encoding
        raise SpecError(f"invalid YAML: {exc}", Loc(path)) from None
    finally:
        loader.dispose()
    if node is None:
        return None
    if max_items is not None and isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(value, yaml.SequenceNode) and len(value.value) > max_items:
                raise SpecError(
                    f"{key.value!r} has {len(value.value)} entries, more than {max_items}",
                    _loc(path, value.start_mark),
                )
    if "&" in text:  # without an anchor there is no alias, nothing expands
        _check_expansion(node, path)
    budget = [MAX_NODES]
    return _convert(node, path, loader, budget, 0, {})


def _check_expansion(root: Any, path: str) -> None:
    """Refuse alias bombs before expanding anything: sizes memoised per distinct node."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in sizes:
            continue
        if not ready and id(node) in visiting:
            raise SpecError(
                "an alias refers to the value that contains it", _loc(path, node.start_mark)
            )
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = (
            [c for pair in node.value for c in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        if not ready:
            visiting.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(c), 0) for c in children)
        if total > MAX_NODES:
            raise SpecError(
                f"the document expands to more than {MAX_NODES} values (aliases included)",
                _loc(path, node.start_mark),
            )
        sizes[id(node)] = total
        visiting.discard(id(node))


def _convert(
    node: Any, path: str, loader: Any, budget: list[int], depth: int, built: dict[Any, Any]
) -> Value:
    """``node`` as a :class:`Value`; ``built``: scalars already constructed, by tag and
    text (a scalar's value depends on nothing else; each is immutable)."""
    loc = _loc(path, node.start_mark)
    budget[0] -= 1
    if budget[0] < 0:
        raise SpecError(
            f"the document expands to more than {MAX_NODES} values (aliases included)", loc
        )
    if depth > MAX_DEPTH:
        raise SpecError(f"values nest deeper than {MAX_DEPTH} levels", loc)
    if node.tag not in _CORE_TAGS:
        raise SpecError(f"the tag {node.tag!r} is not allowed in a spec", loc)
    if isinstance(node, yaml.ScalarNode):
        scalar = (node.tag, node.value)
        if scalar in built:
            return Value(built[scalar], loc)
        try:
            data = built[scalar] = loader.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:
            raise SpecError(f"cannot read the value {node.value!r}: {exc}", loc) from None
        return Value(data, loc)
    if isinstance(node, yaml.SequenceNode):
        return Value([_convert(n, path, loader, budget, depth + 1, built) for n in node.value], loc)
    mapping: dict[str, Value] = {}
    key_locs: dict[str, Loc] = {}
    for key_node, value_node in node.value:
        key_loc = _loc(path, key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            raise SpecError("a key must be a plain name, not a list or a mapping", key_loc)
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise SpecError("merge keys (<<) are not supported in a spec", key_loc)
        key = str(key_node.value)
        if key in mapping:
            first = key_locs[key]
            raise SpecError(
                f"duplicate key {key!r} (first written at line {first.line}); "
                "YAML would silently keep only the last one",
                key_loc,
            )
        key_locs[key] = key_loc
        mapping[key] = _convert(value_node, path, loader, budget, depth + 1, built)
    return Value(mapping, loc, key_locs)
