"""Reuse in a spec: ``repeat`` and parameterised ``blocks``, expanded before reading layers.

```yaml
blocks:
  basic:                           # a block: parameters with defaults, then layers
    params: {channels: 64, stride: 1}
    layers:
      - {name: conv1, op: conv, kernel: 3, stride: $stride, padding: 1, channels: $channels}
      - {name: conv2, op: conv, kernel: 3, padding: 1, channels: $channels}
      - {name: proj, op: conv, kernel: 1, stride: $stride, inputs: [$input]}
      - {name: out, op: add, inputs: [conv2, proj]}
layers:
  - {name: layer2, block: basic, args: {channels: 128, stride: 2}}
  - {name: layer3, block: basic, repeat: 2, args: {channels: 256}, first: {stride: 2}}
```

Expanded layers are named ``instance.local`` (``layer3.1.conv2`` for a repeated block,
``layer2.conv1`` for a single one, ``conv.2`` for a repeated plain layer).  Inside a block
``$name`` is a parameter, ``$(expr)`` an integer expression over parameters (``+ - * //``
and parentheses, parsed without ``eval``), and ``$input`` the layer the block reads.  Every
expanded value keeps the place it was written, so errors point at the block definition.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import replace

from ..model import INPUT, MAX_LAYERS, Loc, SpecError
from .yamlread import Value

#: how deeply blocks may use blocks
MAX_NESTING = 8
#: the largest repeat count
MAX_REPEAT = 10_000

BLOCK_KEYS = ("params", "layers", "description")
INSTANCE_KEYS = ("name", "block", "args", "repeat", "first", "inputs")
_PARAM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Block:
    def __init__(self, name: str, params: dict[str, Value | None], layers: list[Value], loc: Loc):
        self.name, self.params, self.layers, self.loc = name, params, layers, loc


def read_blocks(v: Value) -> dict[str, Block]:
    if not isinstance(v.data, dict):
        raise SpecError(f"blocks must be a mapping of block names to blocks, not {v.kind}", v.loc)
    out: dict[str, Block] = {}
    for name, body in v.data.items():
        if not _PARAM.match(name):
            raise SpecError(f"{name!r} cannot name a block (letters, digits, _)", body.loc)
        if not isinstance(body.data, dict):
            raise SpecError(f"block {name!r} must be a mapping with 'layers'", body.loc)
        assert body.key_locs is not None
        for key, loc in body.key_locs.items():
            if key not in BLOCK_KEYS:
                raise SpecError(f"unknown key {key!r} in block {name!r}; keys: params, layers", loc)
        params: dict[str, Value | None] = {}
        if "params" in body.data:
            pv = body.data["params"]
            if isinstance(pv.data, list):
                for p in pv.data:
                    if not isinstance(p.data, str) or not _PARAM.match(p.data):
                        raise SpecError("a parameter name is a plain name", p.loc)
                    params[p.data] = None
            elif isinstance(pv.data, dict):
                params.update(pv.data)
            else:
                raise SpecError(
                    "params is a list of names or a mapping of names to defaults", pv.loc
                )
            if "input" in params:
                raise SpecError("'input' is reserved: $input is the layer a block reads", pv.loc)
        layers = body.data.get("layers")
        if layers is None or not isinstance(layers.data, list) or not layers.data:
            raise SpecError(f"block {name!r} needs a non-empty list of layers", body.loc)
        out[name] = Block(name, params, layers.data, body.loc)
    return out


def expand(
    items: list[Value], blocks: Mapping[str, Block], repeats: Mapping[str, int] | None = None
) -> list[Value]:
    """The layer list with every ``repeat`` and block instance written out;
    ``repeats`` overrides the count of top-level items by name."""
    out: list[Value] = []
    _expand(items, blocks, {}, "", out, 0, None, repeats or {}, [MAX_EXPANDED_VALUES])
    return out


def _expand(
    items: list[Value],
    blocks: Mapping[str, Block],
    env: Mapping[str, Value],
    prefix: str,
    out: list[Value],
    depth: int,
    block_input: str | None,
    repeats: Mapping[str, int] | None,
    budget: list[int],
) -> str | None:
    """Append the expanded ``items`` to ``out``; returns the name of the last layer.

    Every expanded layer gets explicit ``inputs`` (the previous layer of its scope when
    it names none), and references to names of this scope become full names: a block
    instance or a repeated layer stands for its last layer.
    """
    local: dict[str, str] = {}  # names in this scope -> expanded names
    last = block_input
    for index, raw in enumerate(items, start=1):
        if not isinstance(raw.data, dict):
            out.append(raw)  # the layer reader reports it
            continue
        m = raw.data
        repeat = 1
        if "repeat" in m:
            rv = m["repeat"]
            if (
                isinstance(rv.data, bool)
                or not isinstance(rv.data, int)
                or not 1 <= rv.data <= MAX_REPEAT
            ):
                raise SpecError(f"repeat must be an integer from 1 to {MAX_REPEAT}", rv.loc)
            repeat = rv.data
        is_block = "block" in m
        base = _name(raw, index, is_block)
        if not prefix and repeats and base in repeats:
            repeat = repeats[base]
        repeated = "repeat" in m or (not prefix and bool(repeats) and base in (repeats or {}))
        for rep in range(repeat):
            scope = {**env, "rep": Value(rep, raw.loc)} if repeated else env
            item = _substitute(raw, scope, block_input, local, bool(prefix) or repeated, budget)
            m = item.data
            full = f"{prefix}{base}" if repeat == 1 and not repeated else f"{prefix}{base}.{rep}"
            if is_block:
                block, args = _instance(item, blocks, rep, depth)
                # an argument naming a layer of this scope stands for its full name
                args = {
                    k: Value(local[v.data], v.loc)
                    if isinstance(v.data, str) and v.data in local
                    else v
                    for k, v in args.items()
                }
                reads = last or INPUT
                if rep == 0 and "inputs" in m:
                    reads = _single_input(m["inputs"])
                # the body sees the instance's repetition index as $rep
                args = {"rep": Value(rep, item.loc), **args}
                last = _expand(
                    block.layers, blocks, args, f"{full}.", out, depth + 1, reads, None, budget
                )
            else:
                fields = {k: v for k, v in m.items() if k != "repeat"}
                locs = {k: v for k, v in (item.key_locs or {}).items() if k != "repeat"}
                fields["name"] = Value(full, m["name"].loc if "name" in m else item.loc)
                if rep > 0 or "inputs" not in m:
                    fields["inputs"] = Value([Value(last or INPUT, item.loc)], item.loc)
                out.append(Value(fields, item.loc, locs))
                last = full
            if len(out) > MAX_LAYERS:
                raise SpecError(f"the spec expands to more than {MAX_LAYERS:,} layers", item.loc)
        local[base] = last or INPUT
    return last


def _name(item: Value, index: int, is_block: bool) -> str:
    m = item.data
    if "name" in m:
        n = m["name"].data
        if not isinstance(n, str) or not n:
            raise SpecError("a layer name is a string", m["name"].loc)
        return n  # dotted instance names (``layer1.0``) read as the module paths they copy
    if is_block:
        raise SpecError("a block instance needs a 'name' (its layers are named after it)", item.loc)
    op = m.get("op")
    return f"{op.data if op is not None and isinstance(op.data, str) else 'layer'}{index}"


def _instance(
    item: Value, blocks: Mapping[str, Block], rep: int, depth: int
) -> tuple[Block, dict[str, Value]]:
    m = item.data
    assert item.key_locs is not None
    for key, loc in item.key_locs.items():
        if key not in INSTANCE_KEYS:
            raise SpecError(
                f"unknown key {key!r} in a block instance; keys: {', '.join(INSTANCE_KEYS)}", loc
            )
    bv = m["block"]
    first = m.get("first") if rep == 0 else None
    if first is not None and isinstance(first.data, dict) and "block" in first.data:
        bv = first.data["block"]  # the first repetition may be another block
    if not isinstance(bv.data, str) or bv.data not in blocks:
        import difflib

        close = difflib.get_close_matches(str(bv.data), list(blocks), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise SpecError(f"no block named {bv.data!r}{hint}", bv.loc)
    if depth >= MAX_NESTING:
        raise SpecError(f"blocks nest deeper than {MAX_NESTING} levels", bv.loc)
    block = blocks[bv.data]
    args: dict[str, Value] = {k: v for k, v in block.params.items() if v is not None}
    for key in ("args", "first"):
        if key not in m or (key == "first" and rep > 0):
            continue
        av = m[key]
        if not isinstance(av.data, dict):
            raise SpecError(f"{key} is a mapping of parameter names to values", av.loc)
        assert av.key_locs is not None
        for pname, value in av.data.items():
            if key == "first" and pname == "block":
                continue
            if pname not in block.params:
                raise SpecError(
                    f"block {block.name!r} has no parameter {pname!r}; "
                    f"parameters: {', '.join(block.params) or 'none'}",
                    av.key_locs[pname],
                )
            args[pname] = value
    missing = [p for p in block.params if p not in args]
    if missing:
        raise SpecError(f"block {block.name!r} needs {', '.join(missing)} in args", item.loc)
    return block, args


def _single_input(v: Value) -> str:
    refs = v.data if isinstance(v.data, list) else [v]
    if len(refs) != 1 or not isinstance(refs[0].data, str):
        raise SpecError("a block instance reads one layer", v.loc)
    return str(refs[0].data)


def _substitute(
    item: Value,
    env: Mapping[str, Value],
    block_input: str | None,
    local: Mapping[str, str],
    inside: bool,
    budget: list[int],
) -> Value:
    """Parameters replaced by their values; local layer references made full names.

    Every value written out counts against ``budget``: ``repeat`` copies what an alias
    shares, so the YAML reader's budget alone does not bound the expanded spec."""

    def sub(v: Value, key: str | None) -> Value:
        budget[0] -= 1
        if budget[0] < 0:
            raise SpecError(
                f"the spec expands to more than {MAX_EXPANDED_VALUES:,} values (repeat and blocks "
                "copy every value they hold)",
                item.loc,
            )
        d = v.data
        if isinstance(d, str) and d.startswith("$"):
            if not inside:
                raise SpecError(
                    f"{d} is a block parameter; it means nothing outside a block", v.loc
                )
            if d == "$input":
                return Value(block_input or INPUT, v.loc)
            return _evaluate(d, env, v.loc)
        if key in ("inputs", "to") and isinstance(d, str):
            return Value(local.get(d, d), v.loc)
        if isinstance(d, list):
            return Value([sub(x, key) for x in d], v.loc)
        if isinstance(d, dict):
            return Value({k: sub(x, k) for k, x in d.items()}, v.loc, v.key_locs)
        return v

    return sub(item, None)


#: the most values the expanded layers may hold (as many as the YAML reader reads); the
#: most layers is the network's bound, :data:`~rfcalc.model.MAX_LAYERS` (this module
#: once named both ``MAX_EXPANDED``: the second, 2,000,000, was the one every check read)
MAX_EXPANDED_VALUES = 2_000_000

#: the longest ``$( ... )`` expression read, and how deeply it may nest
MAX_EXPRESSION = 256
MAX_EXPRESSION_DEPTH = 32


def _depth(tree: ast.AST) -> int:
    """How deeply the nodes of ``tree`` nest (without recursion)."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _evaluate(text: str, env: Mapping[str, Value], loc: Loc) -> Value:  # noqa: C901 (a grammar)
    body = text[1:]
    if _PARAM.match(body):
        if body not in env:
            raise SpecError(f"{text} names no parameter of this block", loc)
        return replace(env[body], loc=loc)
    shown = text if len(text) <= 40 else text[:37] + "..."
    if len(text) > MAX_EXPRESSION:
        raise SpecError(
            f"the expression {shown!r} is {len(text)} characters long, more than {MAX_EXPRESSION}",
            loc,
        )
    try:
        tree = ast.parse(body.replace("$", ""), mode="eval")
    except (SyntaxError, RecursionError, MemoryError):
        raise SpecError(f"cannot read the expression {shown!r}", loc) from None
    depth = _depth(tree)
    if depth > MAX_EXPRESSION_DEPTH:
        raise SpecError(
            f"the expression {shown!r} nests {depth} levels deep, more than {MAX_EXPRESSION_DEPTH}",
            loc,
        )

    def ev(node: ast.AST) -> int:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in env:
                raise SpecError(f"{node.id!r} in {text!r} names no parameter of this block", loc)
            value = env[node.id].data
            if isinstance(value, bool) or not isinstance(value, int):
                raise SpecError(f"parameter {node.id!r} is not an integer ({value!r})", loc)
            return value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(
            node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Pow)
        ):
            a, b = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Pow):
                if not 0 <= b <= 62 or abs(a) > 2**20:
                    raise SpecError(f"the power in {text!r} is out of range", loc)
                return int(a**b)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                if abs(a) > 2**40 or abs(b) > 2**40:
                    raise SpecError(f"the expression {text!r} is too large", loc)
                return a * b
            if b == 0:
                raise SpecError(f"division by zero in {text!r}", loc)
            return a // b
        raise SpecError(f"{text!r}: expressions take integers, parameters, + - * // ** and ()", loc)

    return Value(ev(tree), loc)
