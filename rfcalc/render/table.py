"""The ``analyze`` table as a rich renderable."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..engine import Analysis, AxisResult, LayerResult
from ..engine.cost import LayerCost
from ..model import AXIS_NAMES, CONVS, WINDOWS, Layer, Op
from ..wording import maybe_note_text
from .values import per_axis, short

_WINDOW = ("kernel", "stride", "dilation")


def _params(r: LayerResult) -> str:
    """``k/s/p/d`` for window layers, the scale for resampling, blank otherwise."""
    layer = r.layer
    if layer.op in WINDOWS | CONVS:
        axes = range(len(r.axes))
        k, s, d = (per_axis([layer.param(key, i) for i in axes], "×") for key in _WINDOW)
        pads = layer.padding
        if pads and all(p.mode is not None for p in pads) and len({p.mode for p in pads}) == 1:
            p = pads[0].mode or ""
        else:
            p = per_axis(
                [
                    a.pad_before
                    if a.pad_before == a.pad_after
                    else f"{short(a.pad_before)},{short(a.pad_after)}"
                    for a in r.axes
                ],
                "×",
            )
        text = f"{k}/{s}/{p}/{d}"
        if layer.output_padding and any(layer.output_padding):
            text += f" op{per_axis(layer.output_padding, '×')}"
        if layer.ceil_mode:
            text += " ceil"
        return text
    if layer.op in {Op.UPSAMPLE, Op.PIXEL_SHUFFLE, Op.PIXEL_UNSHUFFLE}:
        return f"×{per_axis(layer.scale, '×')}" + (
            f" {layer.mode}{_options(layer)}" if layer.op == Op.UPSAMPLE else ""
        )
    if layer.op in {Op.RESIZE, Op.CROP} and layer.target:
        return f"to {layer.target}"
    if layer.op == Op.RESIZE:
        return f"→{per_axis(layer.output_size, '×')} {layer.mode}{_options(layer)}"
    if layer.op in {Op.PAD, Op.CROP}:
        return per_axis([f"{short(a.pad_before)},{short(a.pad_after)}" for a in r.axes], "×")
    if layer.op == Op.ADAPTIVE_POOL:
        return f"→{per_axis(layer.output_size, '×')}"
    return ""


def _options(layer: Layer) -> str:
    """``align_corners`` and ``recompute_scale_factor`` where set, abbreviated."""
    return (" align" if layer.align_corners else "") + (
        " recompute" if layer.recompute_scale_factor else ""
    )


def analysis_table(result: Analysis, title: str, cost: bool = False) -> RenderableType:
    table = Table(title=Text(title), title_justify="left", header_style="bold")
    table.add_column("layer", overflow="fold", min_width=5)
    table.add_column("op", overflow="fold", min_width=4)
    table.add_column("k/s/p/d", no_wrap=True)
    table.add_column("output", no_wrap=True)
    table.add_column("RF", justify="right", no_wrap=True)
    table.add_column("jump", justify="right", no_wrap=True)
    table.add_column("eff. pad", justify="right", no_wrap=True)
    costs = None
    if cost:
        from ..engine.cost import network_cost

        costs = network_cost(result)
        table.add_column("params", justify="right", no_wrap=True)
        table.add_column("MACs", justify="right", no_wrap=True, max_width=28, overflow="ellipsis")
    extra = ["", ""] if cost else []
    table.add_row(
        Text("input"),
        Text(""),
        Text(""),
        Text(per_axis(result.input_size)),
        "1",
        "1",
        "0",
        *extra,
        style="dim",
    )
    notes: list[Text] = []
    previous = "input"
    for r in result.layers:
        rf = per_axis([_rf(a) for a in r.axes])
        op = str(r.layer.op)
        # name the inputs of merges, and of layers that do not read the row above
        if len(r.layer.inputs) > 1 or r.layer.inputs[0] != previous:
            op = f"{op} ← {', '.join(r.layer.inputs)}"
        previous = r.name
        style = None
        flags = []
        if r.mismatched_axes:
            flags.append("branch sizes differ")
            style = "red"
        if not r.aligned:
            flags.append("misaligned branches")
        axis_notes = [maybe_note_text(a.note) for a in r.axes]
        if len(set(axis_notes)) == 1:
            axis_notes = axis_notes[:1]  # the same on every axis: said once
        for i, note in enumerate(axis_notes):
            if note:
                flags.append(note if len(axis_notes) == 1 else f"on {_axis(result, i)}, {note}")
        for a in r.axes:
            if a.blind_phases and a.field is not None:
                flags.append(f"{a.blind_phases} of {a.field.period} output phases see no input")
        if any(
            (isinstance(a.size, int) and a.size < 1)
            or (getattr(a.size, "is_Integer", False) and a.size < 1)
            for a in r.axes
        ):
            style = "red"
            flags.append("empty output")
        table.add_row(
            Text(r.name),
            Text(op),
            Text(_params(r)),
            Text(per_axis(list(r.output_size))),
            Text(rf),
            Text(per_axis([a.jump for a in r.axes])),
            Text(per_axis([a.effective_padding for a in r.axes])),
            *(_cost_cells(costs.layers[r.name]) if costs is not None else []),
            style=style,
        )
        for flag in dict.fromkeys(flags):
            notes.append(Text(f"{r.name}: {flag}", style="yellow"))
    if costs is not None:
        table.add_section()
        table.add_row(
            Text("total"),
            "",
            "",
            "",
            "",
            "",
            "",
            *_cost_cells(LayerCost(None, costs.params, costs.macs)),
            style="bold",
        )
    return Group(table, *notes) if notes else table


def _cost_cells(c: LayerCost) -> list[Text]:
    def num(x: object) -> str:
        if x is None:
            return "?"
        if isinstance(x, int) or getattr(x, "is_Integer", False):
            return f"{int(x):,}"  # type: ignore[call-overload]
        return short(x)

    return [Text(num(c.params) if c.params != 0 else ""), Text(num(c.macs) if c.macs != 0 else "")]


def _rf(a: AxisResult) -> str:
    """``212``, or ``8..12`` where output phases see different amounts of input."""
    if a.receptive_field_min is None:
        return short(a.receptive_field)
    return f"{short(a.receptive_field_min)}..{short(a.receptive_field)}"


def _axis(result: Analysis, axis: int) -> str:
    """An axis by its input symbol (H) or, for a concrete input, its usual name."""
    size = result.input_size[axis]
    return str(size) if getattr(size, "is_Symbol", False) else AXIS_NAMES[axis]
