"""``rfcalc analyze --show-support LAYER``: one output unit's exact input support, drawn.

The phase with the most holes is shown (:func:`rfcalc.engine.support.worst_phase`),
shaded by the paths that reach each pixel (the gradient with all weights 1)."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine import Analysis
from ..engine.sizes import is_concrete
from ..engine.support import region_counts, worst_phase
from ..engine.unit import LIMIT, NotConcrete, TooLarge, unit_support
from ..model import MERGES
from ..wording import maybe_note_text, plural
from .support_picture import grid_picture, text_picture


@dataclass(frozen=True)
class UnitPicture:
    title: str
    #: per axis, path counts from the first pixel of the support (0: a hole)
    axes: tuple[tuple[int, ...], ...]
    text: str
    #: rows of columns of path counts, where the support is no product of the axes'
    grid: tuple[tuple[int, ...], ...] | None = None


class NoSupport(Exception):
    """The exact support is not known on some axis; the message says which and why."""


class NoSuchUnit(NoSupport):
    """The unit asked for is not in the layer's output (a usage error)."""


def unit_picture(analysis: Analysis, name: str) -> UnitPicture:
    """The picture of one unit of layer ``name`` (analysed with ``paths=True``)."""
    axes: list[tuple[int, ...]] = []
    notes = []
    for i, a in enumerate(analysis[name].axes):
        worst = None if a.field is None else worst_phase(a.field)
        if worst is None:
            why = maybe_note_text(a.note or (a.field.support_note if a.field else None))
            raise NoSupport(f"the exact support of {name} is not known on axis {i} ({why})")
        phase, region = worst
        axes.append(tuple(region_counts(region)))
        if a.field is not None and a.field.period > 1:
            notes.append(f"axis {i}: output phase {phase} of {a.field.period}")
    title = f"{analysis.network.name}: one unit of {name}"
    holes = [sum(1 for c in values if c == 0) for values in axes]
    lines = [
        title,
        text_picture(axes),
        " x ".join(str(len(v)) for v in axes)
        + " receptive field; holes per axis: "
        + ", ".join(map(str, holes))
        + ("; " + "; ".join(notes) if notes else ""),
    ]
    if any(r.layer.op in MERGES for r in analysis.layers) and len(axes) > 1:
        lines.append("(2-D: the product of the per-axis supports; branches may fill less)")
    return UnitPicture(title, tuple(axes), "\n".join(lines) + "\n")


_AXES = {1: ("steps",), 2: ("rows", "columns"), 3: ("slices", "rows", "columns")}


def one_unit_picture(analysis: Analysis, name: str, unit: tuple[int, ...]) -> UnitPicture:
    """The picture of output unit ``unit`` of layer ``name`` (negative indices count from
    the end), borders included: each layer's padding fill and clamps, tap by tap."""
    where = _unit_at(analysis, name, unit)
    try:
        support = unit_support(analysis, name, where)
    except TooLarge:
        raise NoSupport(
            f"the support of unit {_unit_text(where)} of {name} passes {LIMIT:,} pixels: "
            "not computed"
        ) from None
    except NotConcrete:
        raise NoSuchUnit("a unit's own support needs numbers for every size") from None
    title = f"{analysis.network.name}: unit {_unit_text(where)} of {name}"
    input_text = "x".join(str(s) for s in analysis.input_size)
    if not support:
        text = f"{title}\nreads no input pixel (padding only) at input {input_text}\n"
        return UnitPicture(title, (), text, ())
    ndim = len(where)
    lo = [min(p[i] for p in support) for i in range(ndim)]
    hi = [max(p[i] for p in support) for i in range(ndim)]
    grid = _flat_grid(support, ndim, lo, hi)
    spans = ", ".join(
        f"{word} {a}..{b}"
        for word, a, b in zip(_AXES.get(ndim, ("units",) * ndim), lo, hi, strict=False)
    )
    top = max(support.values())
    reach = "reaches" if top == 1 else "reach"
    lines = [
        title,
        grid_picture(grid),
        f"input {spans} of {input_text}: {plural(len(support), 'pixel')} read, at most "
        f"{plural(top, 'path')} {reach} one",
    ]
    if ndim == 3:
        lines.append("(3-D: the slices summed)")
    return UnitPicture(title, (), "\n".join(lines) + "\n", grid)


def _unit_at(analysis: Analysis, name: str, unit: tuple[int, ...]) -> tuple[int, ...]:
    """``unit`` with negative indices counted from the end; :class:`NoSupport` when the
    layer's output is symbolic, empty or does not hold it."""
    if not all(is_concrete(a.size) for a in analysis[name].axes):
        raise NoSuchUnit(
            "a unit's own support needs numbers: a concrete input (--input 64x64) and "
            "no open hyperparameter"
        )
    sizes = [int(a.size) for a in analysis[name].axes]
    if any(n < 1 for n in sizes):
        shown = "x".join(map(str, sizes))
        raise NoSupport(f"{name} has an empty output ({shown}) at this input: no unit to show")
    where = tuple(u + n if u < 0 else u for u, n in zip(unit, sizes, strict=True))
    if any(not 0 <= u < n for u, n in zip(where, sizes, strict=True)):
        shown = "x".join(map(str, sizes))
        raise NoSuchUnit(f"unit {_unit_text(unit)} is outside {name}'s output ({shown})")
    return where


def _flat_grid(
    support: dict[tuple[int, ...], int], ndim: int, lo: list[int], hi: list[int]
) -> tuple[tuple[int, ...], ...]:
    """The path counts as rows by columns over the support's span (3-D: the slices
    summed; 1-D: one row)."""
    flat: dict[tuple[int, ...], int] = {}
    for p, c in support.items():
        key = p[-2:] if ndim > 1 else (0, p[0])
        flat[key] = flat.get(key, 0) + c
    r0, c0 = (lo[-2], lo[-1]) if ndim > 1 else (0, lo[0])
    r1, c1 = (hi[-2], hi[-1]) if ndim > 1 else (0, hi[0])
    return tuple(tuple(flat.get((r, c), 0) for c in range(c0, c1 + 1)) for r in range(r0, r1 + 1))


def _unit_text(unit: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, unit)) + ")"
