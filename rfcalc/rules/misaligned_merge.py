"""``add`` / ``concat`` branches whose units look at different places of the input.

Why: a merge adds feature maps unit by unit; if one branch's unit ``u`` is centred on
another input pixel than the other branch's unit ``u`` (different jump, or different
receptive-field centre), the sum mixes features of different places (Araujo et al.,
Distill 2019, "Arbitrary computation graphs").  Typical causes: a ``valid`` conv in one
branch and ``same`` in the other, or asymmetric padding on one side only.

Bad::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {name: a, op: conv, kernel: 3, padding: [2, 0]}
      - {name: b, op: conv, kernel: 3, padding: 1, inputs: [input]}
      - {op: add, inputs: [a, b]}

Good::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {name: a, op: conv, kernel: 3, padding: 1}
      - {name: b, op: conv, kernel: 5, padding: 2, inputs: [input]}
      - {op: add, inputs: [a, b]}

Fix: pad the branches symmetrically and alike, so their centres coincide.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy

from ..engine import INPUT, Analysis, AxisResult
from ..engine.field import Field
from ..engine.sizes import sign_known
from ..model import Severity
from ..render.values import short
from .base import Context, Report, Rule

MERGES = ("add", "concat")


def check(ctx: Context) -> Iterator[Report]:
    a = ctx.main
    for r in a.layers:
        if r.layer.op not in MERGES:
            continue
        problems = []
        for axis in range(len(r.axes)):
            fields = []
            for name in r.layer.inputs:
                axis_result = _axis(a, name, axis)
                if axis_result is None or axis_result.field is None:
                    break
                fields.append((name, axis_result.field))
            else:
                jumps = {name: f.jump for name, f in fields}
                if len({str(j) for j in jumps.values()}) > 1:
                    problems.append(
                        "jumps differ on axis "
                        f"{ctx.axis_name(axis)} ("
                        + ", ".join(f"{n} {short(j)}" for n, j in jumps.items())
                        + ")"
                    )
                    continue
                centres = []
                for name, f in fields:
                    region = f.region(0)
                    if region is not None:
                        centres.append((name, sympy.Rational(1, 2) * (region.start + region.end)))
                if any(sign_known(c - centres[0][1]) not in (0, None) for _, c in centres[1:]):
                    problems.append(
                        f"receptive-field centres of unit 0 differ on axis {ctx.axis_name(axis)} ("
                        + ", ".join(f"{n} at {short(c)}" for n, c in centres)
                        + ")"
                    )
        if problems:
            yield Report(
                r.layer.loc,
                f"{r.layer.op} {r.name} merges misaligned branches: " + "; ".join(problems),
                r.name,
            )


def _axis(a: Analysis, name: str, axis: int) -> AxisResult:
    if name == INPUT:
        return AxisResult(size=a.input_size[axis], field=Field.identity())
    return a[name].axes[axis]


RULE = Rule(
    id="RF104",
    name="misaligned-merge",
    severity=Severity.WARNING,
    summary="merged branches with different jump or receptive-field centre",
    check=check,
    doc=__doc__ or "",
)
