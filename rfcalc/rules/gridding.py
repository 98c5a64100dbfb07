"""Holes in the exact input support of an output unit (the gridding problem).

Why: stacked dilated convolutions whose rates share a factor, or whose gaps grow faster
than the kernels fill them, leave input pixels inside the receptive field that never
reach the output: the unit sees a sparse grid, and neighbouring outputs see disjoint
grids (Wang et al. 2018).  rfcalc computes the exact support (which input offsets reach
the unit, per phase) and reports how many pixels inside the receptive field never
reach it, with a picture.  This is the verdict; the HDC rules (RF203-RF205) are the
paper's heuristics for avoiding it.

Bad::

    rfcalc: 1
    input: {size: [64, 64]}
    layers:
      - {op: conv, kernel: 3, dilation: 2, padding: same}  # expect: RF201
      - {op: conv, kernel: 3, dilation: 2, padding: same}
      - {op: conv, kernel: 3, dilation: 2, padding: same}

Good::

    rfcalc: 1
    input: {size: [64, 64]}
    layers:
      - {op: conv, kernel: 3, dilation: 1, padding: same}
      - {op: conv, kernel: 3, dilation: 2, padding: same}
      - {op: conv, kernel: 3, dilation: 5, padding: same}

Fix: dilation rates without a common factor in a sawtooth (``[1, 2, 5]``), so that each
gap is smaller than what the layers before it already cover.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import INPUT
from ..engine.support import count, counts_from_bits, holes, span
from ..model import MERGES, Severity
from ..wording import note_text
from .base import Context, Report, Rule, at_every_input


def _worst(ctx: Context, name: str) -> list[tuple[int, int]] | None:
    """Per axis, the (support, phase) with the most holes; None if no holes or unknown."""
    result = ctx.main[name]
    worst = []
    any_holes = False
    for a in result.axes:
        if a.field is None or a.field.per_unit:
            # after branches of different jumps the gaps between them are RF104's finding
            return None
        best: tuple[int, int] | None = None
        for phi, region in a.field.seen():
            if region.support is None:
                return None
            gaps = span(region.support) - count(region.support)
            if best is None or gaps > span(best[0]) - count(best[0]):
                best = (region.support, phi)
        if best is None:
            return None
        any_holes = any_holes or span(best[0]) > count(best[0])
        worst.append(best)
    return worst if any_holes else None


def check(ctx: Context) -> Iterator[Report]:
    reported: set[str] = set()
    blame = _Blame(ctx)
    for sink in ctx.sinks():
        notes = {
            note_text(a.field.support_note)
            for a in ctx.main[sink].axes
            if a.field is not None and a.field.support_note
        }
        if notes:
            yield Report(
                ctx.layers[sink].loc,
                f"gridding not checked for {sink}: the exact support was not computed "
                f"({'; '.join(sorted(notes))})",
                sink,
                severity=Severity.INFO,
            )
            continue
        worst = blame.worst_at(sink)
        if worst is None:
            continue
        start = blame(sink)
        if start in reported:
            continue
        reported.add(start)
        yield Report(
            ctx.layers[start].loc,
            f"gridding: {'' if start == sink else f'from {start} on, '}an output unit of "
            f"{sink} sees its receptive field "
            f"with holes: {_holes_text(ctx, worst)}",
            start,
            support=tuple(tuple(counts_from_bits(b)) for b, _ in worst),
        )


class _Blame:
    """Where the holes a unit sees start: each layer's worst phase found once, and each
    layer walked once over all sinks (a chain with a sink per layer stays linear)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.worst_of: dict[str, list[tuple[int, int]] | None] = {}
        self.blamed: dict[str, str] = {}

    def worst_at(self, name: str) -> list[tuple[int, int]] | None:
        if name not in self.worst_of:
            self.worst_of[name] = _worst(self.ctx, name)
        return self.worst_of[name]

    def __call__(self, name: str) -> str:
        """The earliest layer on the way in from which the holes persist."""
        blamed, path = self.blamed, []
        while name not in blamed:
            below = self.ctx.layers[name].inputs[0]
            if below == INPUT or self.worst_at(below) is None:
                blamed[name] = name
                break
            path.append(name)
            name = below
        for p in path:
            blamed[p] = blamed[name]
        return blamed[path[0]] if path else blamed[name]


def _holes_text(ctx: Context, worst: list[tuple[int, int]]) -> str:
    """The holes per axis (one sentence when every axis has the same), and on more than
    one axis how many input pixels they are in all."""
    per_axis: dict[int, str] = {}
    seen_total, extent_total = 1, 1
    for axis, (bits, _) in enumerate(worst):
        n, c = span(bits), count(bits)
        seen_total *= c
        extent_total *= n
        if n > c:
            gaps = holes(bits, first=7)
            shown = ", ".join(map(str, gaps[:6])) + (", ..." if n - c > 6 else "")
            per_axis[axis] = f"{n - c} of {n} offsets never reach it ({shown})"
    texts = set(per_axis.values())
    if len(worst) > 1 and len(per_axis) == len(worst) and len(texts) == 1:
        parts = [f"{texts.pop()} on every axis"]
    elif len(worst) > 1:
        parts = [f"axis {ctx.axis_name(i)}: {t}" for i, t in per_axis.items()]
    else:
        parts = list(per_axis.values())
    total = ""
    if len(worst) > 1:
        total = f"; {extent_total - seen_total} of {extent_total} input pixels in all"
        if any(r.layer.op in MERGES for r in ctx.main.layers):
            total += " (per-axis projection: branches may fill more)"
    return "; ".join(parts) + total


RULE = Rule(
    id="RF201",
    name="gridding",
    severity=Severity.ERROR,
    summary="holes in the exact input support of an output unit",
    check=at_every_input(check),
    doc=__doc__ or "",
)
