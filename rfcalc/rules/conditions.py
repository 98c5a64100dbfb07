"""Shared by the size rules: for which inputs does a per-layer condition hold?"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from ..engine import Analysis, LayerResult
from ..engine.shapes import effective_kernel
from ..engine.solve import Residues, compile_expr, solve_condition
from .base import Context

WINDOW = ("conv", "max_pool", "avg_pool")


def lost_pixels(r: LayerResult, axis: int, n: Any) -> Any | None:
    """Trailing input pixels of a window layer that no window covers, beyond the gap a
    window smaller than its stride leaves between windows anyway (that is RF202's
    finding); <= 0: none."""
    layer = r.layer
    if layer.op not in WINDOW:
        return None
    a = r.axes[axis]
    window = layer.int_window(axis)
    if window is None:
        return None
    k, s, d = window
    if s == 1:
        return None
    ke = effective_kernel(sympy.Integer(k), sympy.Integer(d))
    gap = max(0, s - int(ke))
    return sympy.expand(n + a.pad_before - (a.size - 1) * s - ke - gap)


@dataclass(frozen=True)
class Condition:
    """``expr == 0`` (kind "zero") or ``expr <= 0`` (kind "nonpositive") on the input of
    one axis, imposed by ``layer`` (``source``: merge, crop, unshuffle or drop), and why."""

    expr: Any
    kind: str
    reason: str
    layer: str
    source: str


def size_conditions(
    analysis: Analysis, axis: int, sources: tuple[str, ...] = ("merge", "crop", "unshuffle", "drop")
) -> list[Condition]:
    """Every condition the layers put on the input of ``axis``: merged branches agree in
    size, centre crops fit, pixel_unshuffle divides, strided windows tile their input."""
    out: list[Condition] = []
    for r in analysis.layers:
        layer = r.layer
        if layer.op in ("add", "concat"):
            if "merge" not in sources:
                continue
            first = r.input_sizes[0][axis]
            for name, sizes in zip(layer.inputs[1:], r.input_sizes[1:], strict=True):
                diff = sympy.expand(sizes[axis] - first)
                if diff != 0:
                    reason = f"{layer.name}: {layer.inputs[0]} and {name} agree in size"
                    out.append(Condition(diff, "zero", reason, layer.name, "merge"))
        elif layer.op == "crop" and layer.target is not None:
            if "crop" in sources:
                fit = sympy.expand(-r.axes[axis].pad_before - r.axes[axis].pad_after)
                out.append(
                    Condition(
                        fit, "nonpositive", f"{layer.name}: the crop fits", layer.name, "crop"
                    )
                )
        elif layer.op == "pixel_unshuffle":
            k = layer.scale[axis]
            rest = sympy.expand(r.input_sizes[0][axis] - k * r.axes[axis].size)
            if rest != 0 and "unshuffle" in sources:
                reason = f"{layer.name}: divisible by {k}"
                out.append(Condition(rest, "zero", reason, layer.name, "unshuffle"))
        elif "drop" in sources:
            lost = lost_pixels(r, axis, r.input_sizes[0][axis])
            if lost is not None and not (lost.is_Integer and int(lost) <= 0):
                reason = f"{layer.name}: its windows tile its input"
                out.append(Condition(lost, "nonpositive", reason, layer.name, "drop"))
    return out


def solve_axis(
    ctx: Context, axis: int, exprs: Sequence[Any], test: Callable[[list[Any]], bool]
) -> Residues | None:
    """Residues of the input on ``axis`` for which ``test`` holds of the values of
    ``exprs`` (expressions in the free analysis's symbols), from the smallest valid input."""
    sym = ctx.free.input_size[axis]
    funcs = [compile_expr(e) for e in exprs]
    others = {s: 1 << 12 for s in ctx.free.symbols if s != sym}
    start = ctx.min_valid_input(axis)
    if start is None:
        return None

    def holds(n: int) -> bool:
        env = {**others, sym: n}
        try:
            return test([f(env) for f in funcs])
        except (ZeroDivisionError, ValueError):
            return False

    return solve_condition(holds, exprs, sym, others, start)


def per_axis(
    ctx: Context, source: str, test: Callable[[list[Any]], bool]
) -> list[tuple[Residues | None, list[str]]]:
    """For each axis, the inputs meeting every ``source`` condition (``test`` of their
    values; None when there is none, or it cannot be decided) and the layers that set
    them, each named once."""
    out: list[tuple[Residues | None, list[str]]] = []
    for axis in range(ctx.network.ndim):
        found = size_conditions(ctx.free, axis, (source,))
        exprs = [c.expr for c in found]
        res = solve_axis(ctx, axis, exprs, test) if exprs else None
        out.append((res, list(dict.fromkeys(c.layer for c in found))))
    return out


def nearest_text(res: Residues, value: int) -> str:
    below, above = res.nearest(value)
    found = sorted({v for v in (below, above) if v is not None and v != value})
    return " and ".join(str(v) for v in found) if found else "none"


def first_valid_text(res: Residues, count: int = 4) -> str:
    out: list[int] = []
    v = res.first(res.start)
    while v is not None and len(out) < count:
        out.append(v)
        v = res.first(v + 1)
    return ", ".join(map(str, out)) + ", ..."
