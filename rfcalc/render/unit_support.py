"""``rfcalc analyze --show-support LAYER``: one output unit's exact input support, drawn.

The phase with the most holes is shown (:func:`rfcalc.engine.support.worst_phase`),
shaded by the paths that reach each pixel (the gradient with all weights 1)."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine import Analysis
from ..engine.support import region_counts, worst_phase
from ..model import MERGES
from ..wording import maybe_note_text
from .support_picture import text_picture


@dataclass(frozen=True)
class UnitPicture:
    title: str
    #: per axis, path counts from the first pixel of the support (0: a hole)
    axes: tuple[tuple[int, ...], ...]
    text: str


class NoSupport(Exception):
    """The exact support is not known on some axis; the message says which and why."""


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
