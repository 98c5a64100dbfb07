"""An imported network written back as a reviewable spec (``rfcalc import``).

Every layer is one line of flow YAML with its inputs named, so the file reads top to
bottom like the graph; what the import folded or could not express is listed in
comments at the top, by node name.  The spec loads back to the same network.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import CONVS, POOLS, WINDOWS, Layer, Op, Padding
from .onnx_graph import Imported


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
    items = [f"name: {json.dumps(layer.name)}", f"op: {layer.op}"]
    items.append("inputs: [" + ", ".join(json.dumps(i) for i in layer.inputs) + "]")
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
        items.append(f"to: {json.dumps(layer.target)}")
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
        f"name: {json.dumps(network.name)}",
        *([f"target: {network.target}"] if network.target else []),
        "input: {size: ["
        + ", ".join(_value(s) for s in network.input_size)
        + "]"
        + (f", channels: {network.input_channels}" if keep and network.input_channels else "")
        + "}",
        "layers:",
    ]
    lines += [_layer(layer, keep) for layer in network.layers]
    return "\n".join(lines) + "\n"
