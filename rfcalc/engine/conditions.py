"""Conditions the layers put on the input size: for which inputs do the sizes work?

Merged branches agree in size, centre crops fit, pixel_unshuffle divides, strided
windows tile their input, and reflect (circular) padding is narrower than (at most) its
input, as PyTorch requires.  Each is an expression in the input symbol that must be zero
or at most zero; the solver (:mod:`.solve`) turns them into residue classes and the
rules and ``rfcalc solve`` word them (:func:`rfcalc.wording.condition_text`).
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

import sympy

from ..model import MERGES, WINDOWS, Expr, Op
from .results import Analysis, LayerResult
from .shapes import effective_kernel


class Source(enum.Enum):
    """What imposes a condition."""

    MERGE = "merge"
    CROP = "crop"
    UNSHUFFLE = "unshuffle"
    DROP = "drop"
    FILL = "fill"


#: every source; ``rfcalc solve --no-drops`` leaves out DROP
ALL_SOURCES = frozenset(Source)


def lost_pixels(r: LayerResult, axis: int, n: Expr) -> Expr | None:
    """Trailing input pixels of a window layer that no window covers, beyond the gap a
    window smaller than its stride leaves between windows anyway (that is RF202's
    finding); <= 0: none."""
    layer = r.layer
    if layer.op not in WINDOWS:
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
    """``expr == 0`` (``zero``) or ``expr <= 0`` (not ``zero``) on the input of one axis,
    imposed by ``layer`` through ``source``: for a merge, branches ``first`` and ``other``;
    for pixel_unshuffle, its ``divisor``; for reflect or circular padding, ``first`` is
    the fill and ``divisor`` the amount."""

    expr: Expr
    zero: bool
    layer: str
    source: Source
    first: str = ""
    other: str = ""
    divisor: Expr = 1

    def holds(self, value: Expr) -> bool:
        """The condition holds when ``expr`` takes ``value``."""
        return bool(value == 0) if self.zero else bool(value <= 0)


def size_conditions(
    analysis: Analysis, axis: int, sources: Collection[Source] = ALL_SOURCES
) -> list[Condition]:
    """Every condition of ``sources`` the layers put on the input of ``axis``."""
    out: list[Condition] = []
    for r in analysis.layers:
        layer = r.layer
        if layer.op in MERGES:
            if Source.MERGE not in sources:
                continue
            # a branch broadcast over the axis (one unit for every input) puts no condition
            lead, *rest = r.branches(axis)
            first = r.input_sizes[lead][axis]
            for b in rest:
                diff = sympy.expand(r.input_sizes[b][axis] - first)
                if diff != 0:
                    out.append(
                        Condition(
                            diff,
                            True,
                            layer.name,
                            Source.MERGE,
                            layer.inputs[lead],
                            layer.inputs[b],
                        )
                    )
        elif layer.op == Op.CROP and layer.target is not None:
            if Source.CROP in sources:
                fit = sympy.expand(-r.axes[axis].pad_before - r.axes[axis].pad_after)
                out.append(Condition(fit, False, layer.name, Source.CROP))
        elif layer.op == Op.PIXEL_UNSHUFFLE:
            k = layer.param("scale", axis)
            rest = sympy.expand(r.input_sizes[0][axis] - k * r.axes[axis].size)
            if rest != 0 and Source.UNSHUFFLE in sources:
                out.append(Condition(rest, True, layer.name, Source.UNSHUFFLE, divisor=k))
        elif Source.DROP in sources:
            lost = lost_pixels(r, axis, r.input_sizes[0][axis])
            if lost is not None and not (lost.is_Integer and int(lost) <= 0):
                out.append(Condition(lost, False, layer.name, Source.DROP))
        if layer.padding_mode in FILL_MARGIN and Source.FILL in sources:
            out.extend(_fill_conditions(r, axis))
    return out


#: how many more units than it pads a padding fill needs (PyTorch raises otherwise):
#: reflect mirrors without the edge, circular wraps around at most once
FILL_MARGIN = {"reflect": 1, "circular": 0}


def _fill_conditions(r: LayerResult, axis: int) -> list[Condition]:
    n = r.input_sizes[0][axis]
    a = r.axes[axis]
    margin = FILL_MARGIN[r.layer.padding_mode]
    out = []
    for amount in dict.fromkeys((a.pad_before, a.pad_after)):
        expr = sympy.expand(amount + margin - n)
        if not (expr.is_Integer and int(expr) <= 0):
            out.append(
                Condition(
                    expr, False, r.layer.name, Source.FILL, r.layer.padding_mode, divisor=amount
                )
            )
    return out
