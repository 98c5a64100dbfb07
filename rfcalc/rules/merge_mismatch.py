"""``add`` / ``concat`` branches whose sizes differ, at a declared input or for some inputs.

Why: the framework raises at run time (or a hand-written crop hides it).  U-Net-style
skip connections only line up when the input is a multiple of the total stride; rfcalc
derives the exact condition per axis from the strides and paddings of both branches and
names the nearest valid sizes.  A decoder that resizes to its skip (``resize`` with
``to``) has no such constraint and is not flagged.

Bad::

    rfcalc: 1
    input: {size: [63]}
    layers:
      - {name: a, op: conv, kernel: 3, padding: 1}
      - {name: down, op: max_pool, kernel: 2}
      - {name: up, op: conv_transpose, kernel: 2, stride: 2}
      - {op: concat, inputs: [up, a]}  # expect: RF103

Good::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {name: a, op: conv, kernel: 3, padding: 1}
      - {name: down, op: max_pool, kernel: 2}
      - {name: up, op: conv_transpose, kernel: 2, stride: 2}
      - {op: concat, inputs: [up, a]}

Fix: an input that meets the condition, a ``resize`` to the skip's size, or a ``crop``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine.conditions import Source
from ..engine.sizes import is_concrete
from ..model import MERGES, Severity
from ..wording import residues_text
from .base import Context, Report, Rule, size_text
from .solving import first_valid_text, nearest_text, per_axis


def check(ctx: Context) -> Iterator[Report]:
    conditions = per_axis(ctx, Source.MERGE, lambda values: all(v == 0 for v in values))

    for run in ctx.concrete_runs():
        for r in run.analysis.layers:
            if r.layer.op not in MERGES or not r.mismatched_axes:
                continue
            branches = ", ".join(
                f"{name} {size_text(s)}"
                for name, s in zip(r.layer.inputs, r.input_sizes, strict=True)
            )
            hint = _hint(ctx, run, r, conditions)
            yield Report(
                r.layer.loc,
                f"{r.layer.op} {r.name} joins branches of different sizes at input {run.label} "
                f"({branches}){hint}",
                r.name,
            )

    loc = ctx.network.key_locs.get("input", ctx.network.loc)
    for axis, (res, names) in enumerate(conditions):
        if res is None or res.always:
            continue
        name = ctx.axis_name(axis)
        if res.never:
            yield Report(
                ctx.layers[names[0]].loc,
                f"the branches of {', '.join(names)} never agree in size on axis {name}",
                names[0],
            )
        elif not is_concrete(ctx.network.input_size[axis]):
            yield Report(
                loc,
                f"merges {', '.join(names)} need {residues_text(res, name)} "
                f"(valid: {first_valid_text(res)})",
                severity=Severity.INFO,
            )


def _hint(ctx: Context, run: Any, r: Any, conditions: Any) -> str:
    """The inputs that make the branches of ``r`` agree on each axis where they differ."""
    hints = []
    for axis in sorted(r.mismatched_axes):
        res, _ = conditions[axis]
        if res is not None and not res.never:
            name = ctx.axis_name(axis)
            near = nearest_text(res, int(run.analysis.input_size[axis]))
            hints.append(f"{residues_text(res, name)} makes them agree (nearest {name}: {near})")
    return "; " + "; ".join(hints) if hints else ""


RULE = Rule(
    id="RF103",
    name="merge-mismatch",
    severity=Severity.ERROR,
    summary="add / concat branches whose sizes differ",
    check=check,
    doc=__doc__ or "",
)
