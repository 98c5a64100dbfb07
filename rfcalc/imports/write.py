"""An imported network written back as a reviewable spec (``rfcalc import``).

Every layer is one line of flow YAML with its inputs named, so the file reads top to
bottom like the graph; what the import folded or could not express is listed in
comments at the top, by node name.  The spec loads back to the same network.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from ..model import CONVS, POOLS, WINDOWS, Layer, Op, Padding
from .builder import Imported

#: what YAML cannot hold unescaped (PyYAML's reader refuses it)
_UNPRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _quoted(text: str) -> str:
    """A name as a YAML double-quoted scalar that reads back as the same name: any
    character as itself (an emoji stays an emoji, not a surrogate pair that YAML
    rejects), controls escaped."""
    body = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", body)


def _value(v: Any) -> str:
    """An int, or a fraction as ``"3/2"``, or a symbol's name."""
    if getattr(v, "is_Integer", False) or isinstance(v, int):
        return str(int(v))
    if getattr(v, "is_Rational", False):
        return json.dumps(f"{v.p}/{v.q}")
    return str(v)


def _axes(values: tuple[Any, ...]) -> str:
    texts = [_value(v) for v in values]
    return texts[0] if len(set(texts)) == 1 else "[" + ", ".join(texts) + "]"


def _padding(pads: tuple[Padding, ...]) -> str:
    if all(p.mode is not None for p in pads) and len({p.mode for p in pads}) == 1:
        return str(pads[0].mode)
    pairs = [(int(p.before), int(p.after)) for p in pads]
    if len(set(pairs)) == 1 and pairs[0][0] == pairs[0][1]:
        return str(pairs[0][0])
    if len(pairs) == 1:
        return f"[{pairs[0][0]}, {pairs[0][1]}]"
    return "[" + ", ".join(f"[{b}, {a}]" for b, a in pairs) + "]"


def _layer(layer: Layer, channels: bool) -> str:  # noqa: C901 (one branch per key)
    items = [f"name: {_quoted(layer.name)}", f"op: {layer.op}"]
    items.append("inputs: [" + ", ".join(_quoted(i) for i in layer.inputs) + "]")
    if layer.op in WINDOWS | CONVS:
        items.append(f"kernel: {_axes(layer.kernel)}")
        if layer.stride and (layer.op in POOLS or set(map(int, layer.stride)) != {1}):
            items.append(f"stride: {_axes(layer.stride)}")
        if layer.dilation and set(map(int, layer.dilation)) != {1}:
            items.append(f"dilation: {_axes(layer.dilation)}")
        if layer.padding:
            items.append(f"padding: {_padding(layer.padding)}")
    if layer.output_padding and any(int(v) for v in layer.output_padding):
        items.append(f"output_padding: {_axes(layer.output_padding)}")
    if layer.ceil_mode:
        items.append("ceil_mode: true")
    if layer.op in CONVS:
        if layer.groups > 1:
            items.append(f"groups: {layer.groups}")
        if not layer.bias:
            items.append("bias: false")
    if layer.op == Op.CONV and layer.padding_mode != "zeros":
        items.append(f"padding_mode: {layer.padding_mode}")
    if layer.op in (Op.UPSAMPLE, Op.PIXEL_SHUFFLE, Op.PIXEL_UNSHUFFLE):
        items.append(f"scale: {_axes(layer.scale)}")
    if layer.op in (Op.UPSAMPLE, Op.RESIZE):
        items.append(f"mode: {layer.mode}")
        if layer.align_corners:
            items.append("align_corners: true")
    if layer.target is not None:
        items.append(f"to: {_quoted(layer.target)}")
    elif layer.op == Op.RESIZE:
        items.append(f"size: {_axes(layer.output_size)}")
    if layer.op == Op.ADAPTIVE_POOL:
        items.append(f"output_size: {_axes(layer.output_size)}")
    if layer.op == Op.PAD:
        items.append(f"padding: {_padding(layer.padding)}")
        if layer.padding_mode != "zeros":
            items.append(f"mode: {layer.padding_mode}")
    if layer.op == Op.CROP and layer.target is None:
        items.append(f"crop: {_padding(layer.padding)}")
    if channels and layer.channels is not None and layer.op in CONVS:
        items.append(f"channels: {layer.channels}")
    return "  - {" + ", ".join(items) + "}"


def spec_text(imported: Imported, source: str) -> str:
    """The spec of ``imported`` (read from ``source``), as YAML text."""
    network = imported.network
    lines = [f"# Imported by rfcalc from {source}: review it, then keep it as the design."]
    for title, notes in (
        ("folded as spatially the identity", imported.folded),
        ("where the spatial structure ends (not analysed further)", imported.stopped),
        ("not expressed (analysed as if it passed its input on)", imported.unsupported),
    ):
        if notes:
            lines.append(f"# {title}:")
            lines += [f"#   {n.node} ({n.op_type}): {n.why}" for n in notes]
    # a folded slice or split of the channels changes their count where the spec cannot
    # say so: the channels (and the cost) are then left out
    keep = not any("of the channels" in n.why for n in imported.folded) and all(
        layer.channels is not None for layer in network.layers if layer.op in CONVS
    )
    if not keep:
        lines.append("# channels left out: the model slices or splits them")
    lines += [
        "rfcalc: 1",
        f"name: {_quoted(network.name)}",
        *([f"target: {network.target}"] if network.target else []),
        "input: {size: ["
        + ", ".join(_value(s) for s in network.input_size)
        + "]"
        + (f", channels: {network.input_channels}" if keep and network.input_channels else "")
        + "}",
    ]
    blocks, items = _blocks(network.layers, keep)
    if blocks:
        lines.append("blocks:  # what the graph repeats (instances expand to the same names)")
        for name, body in blocks:
            lines += [f"  {name}:", *body]
    lines.append("layers:")
    lines += items
    return "\n".join(lines) + "\n"


#: ``layer1.0.conv1``: a unit of a numbered sequence (``layer1.0``) and its local name
_UNIT = re.compile(r"^(?P<prefix>.+\.(?P<index>\d+))\.(?P<local>.+)$")


@dataclass
class _Unit:
    prefix: str | None
    layers: list[Layer]
    #: the one layer outside the unit its layers read (None: several, or none)
    reads: str | None = None
    #: the unit's layers written as a block body, when it can be one
    body: tuple[str, ...] = ()


#: an integer written as a value (not part of a name such as ``conv1`` or ``layer1.0``)
_INT = re.compile(r"(?<![\w$.])(\d+)(?![\w.])")
#: the key an integer is the value of (``channels: 64``), to name a parameter after it
_KEYED = re.compile(r"(\w+): $")


def _blocks(layers: tuple[Layer, ...], keep: bool) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """Blocks for the numbered units (``layer1.0.*``, ``layer1.1.*``) whose layers are
    written alike but for some numbers (those become parameters), and the top-level
    items: an instance per unit (``repeat`` for a whole run ``P.0`` .. ``P.n-1`` of one
    block with the same arguments, each reading the one before), else the layers."""
    units: list[_Unit] = []
    for layer in layers:
        m = _UNIT.match(layer.name)
        prefix = m["prefix"] if m else None
        if units and prefix is not None and units[-1].prefix == prefix:
            units[-1].layers.append(layer)
        else:
            units.append(_Unit(prefix, [layer]))
    for unit in units:
        _as_block(unit, keep)
    groups: dict[tuple[str, ...], list[_Unit]] = {}
    for unit in units:
        if unit.body:
            groups.setdefault(_shape(unit.body), []).append(unit)
    blocks: dict[tuple[str, ...], tuple[str, list[str], dict[int, str]]] = {}
    items: list[str] = []
    i = 0
    while i < len(units):
        unit = units[i]
        group = groups.get(_shape(unit.body), []) if unit.body else []
        if len(group) < 2:
            items += [_layer(layer, keep) for layer in unit.layers]
            i += 1
            continue
        shape = _shape(unit.body)
        if shape not in blocks:
            blocks[shape] = _define(f"block{len(blocks) + 1}", group)
        name, _, params = blocks[shape]
        values = _values(unit.body)
        args = ", ".join(f"{label}: {values[k]}" for k, label in sorted(params.items()))
        run = _run(units, i)
        assert unit.prefix is not None
        head = (
            f"name: {_quoted(unit.prefix.rsplit('.', 1)[0])}, block: {name}, repeat: {run}"
            if run > 1
            else f"name: {_quoted(unit.prefix)}, block: {name}"
        )
        items.append(
            f"  - {{{head}"
            + (f", args: {{{args}}}" if args else "")
            + f", inputs: [{'null' if unit.reads is None else _quoted(unit.reads)}]}}"
        )
        i += run
    return [(name, text) for name, text, _ in blocks.values()], items


def _shape(body: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_INT.sub("#", line) for line in body)


def _values(body: tuple[str, ...]) -> list[int]:
    return [int(m.group(1)) for line in body for m in _INT.finditer(line)]


def _define(name: str, group: list[_Unit]) -> tuple[str, list[str], dict[int, str]]:
    """A block for units written alike but for some numbers: those are parameters
    (named after their key, defaulting to the first unit's), the body refers to them."""
    first = group[0].body
    rows = [_values(unit.body) for unit in group]
    varying = [k for k in range(len(rows[0])) if len({row[k] for row in rows}) > 1]
    params: dict[int, str] = {}
    #: numbers that vary alike in every unit are one parameter
    by_column: dict[tuple[int, ...], str] = {}
    body: list[str] = []
    k = 0
    for line in first:
        out, last = [], 0
        for m in _INT.finditer(line):
            out.append(line[last : m.start()])
            if k in varying:
                column = tuple(row[k] for row in rows)
                if column not in by_column:
                    keyed = _KEYED.search(line[: m.start()])
                    base = keyed.group(1) if keyed else "n"
                    label, n = base, 1
                    while label in by_column.values():
                        n += 1
                        label = f"{base}{n}"
                    by_column[column] = label
                    params[k] = label
                out.append(f"${by_column[column]}")
            else:
                out.append(m.group(1))
            last = m.end()
            k += 1
        body.append("".join(out) + line[last:])
    lines = []
    if params:
        defaults = ", ".join(f"{label}: {rows[0][k]}" for k, label in sorted(params.items()))
        lines.append(f"    params: {{{defaults}}}")
    lines.append("    layers:")
    lines += ["  " + line for line in body]
    return name, lines, params


def _as_block(unit: _Unit, keep: bool) -> None:
    """Set the unit's block body when its layers read one layer outside it."""
    if unit.prefix is None or len(unit.layers) < 2:
        return
    cut = len(unit.prefix) + 1
    local = {layer.name: layer.name[cut:] for layer in unit.layers}
    outside = {i for layer in unit.layers for i in layer.inputs if i not in local}
    if len(outside) != 1:
        return
    (unit.reads,) = outside
    body = []
    for layer in unit.layers:
        inputs = tuple(local.get(i, "$input") for i in layer.inputs)
        body.append(_layer(replace(layer, name=local[layer.name], inputs=inputs), keep))
    unit.body = tuple(body)


def _run(units: list[_Unit], i: int) -> int:
    """How many units from ``i`` are ``P.0``, ``P.1``, ... of one block, each reading the
    last layer of the one before (what ``repeat`` expands to)."""
    first = units[i]
    m = _UNIT.match(first.layers[0].name)
    if m is None or m["index"] != "0":
        return 1
    base = m["prefix"].rsplit(".", 1)[0]
    n = 1
    while i + n < len(units):
        nxt = units[i + n]
        if (
            nxt.body != first.body  # the same numbers too: a repeat has one set of args
            or nxt.prefix != f"{base}.{n}"
            or nxt.reads != units[i + n - 1].layers[-1].name
        ):
            break
        n += 1
    return n
