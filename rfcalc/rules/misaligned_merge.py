"""``add`` / ``concat`` branches whose units look at different places of the input.

Why: a merge adds feature maps unit by unit; if one branch's unit ``u`` is centred on
another input pixel than the other branch's unit ``u`` (different jump, or receptive-
field centres offset on average over the output phases), the sum mixes features of
different places (Araujo et al.,
Distill 2019, "Arbitrary computation graphs").  Typical causes: a ``valid`` conv in one
branch and ``same`` in the other, or asymmetric padding on one side only.

Bad::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {name: a, op: conv, kernel: 3, padding: [2, 0]}
      - {name: b, op: conv, kernel: 3, padding: 1, inputs: [input]}
      - {op: add, inputs: [a, b]}  # expect: RF104

Good::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {name: a, op: conv, kernel: 3, padding: 1}
      - {name: b, op: conv, kernel: 5, padding: 2, inputs: [input]}
      - {op: add, inputs: [a, b]}

Fix: pad the branches symmetrically and alike, so their centres coincide.  A broadcast
branch (image pooling resized to the map, jump 0) has no position and is left out; a
branch that already merged one is compared by its moving window.
"""

from __future__ import annotations

from collections.abc import Iterator
from math import gcd
from typing import Any

import sympy

from ..engine import INPUT, Analysis, AxisResult
from ..engine.field import Field
from ..engine.printing import short
from ..engine.sizes import sign_known
from ..model import MERGES, Severity
from .base import Context, Report, Rule, at_every_input


def check(ctx: Context) -> Iterator[Report]:
    a = ctx.main
    for r in a.layers:
        if r.layer.op not in MERGES:
            continue
        problems = []
        for axis in range(len(r.axes)):
            fields = []
            for name in (r.layer.inputs[b] for b in r.branches(axis)):
                axis_result = _axis(a, name, axis)
                if axis_result is None or axis_result.field is None:
                    break
                if axis_result.field.jump != 0:  # a broadcast (image pooling) has no place
                    fields.append((name, axis_result.field))
            else:
                if len(fields) < 2:
                    continue
                jumps = {name: f.jump for name, f in fields}
                if len({str(j) for j in jumps.values()}) > 1:
                    problems.append(
                        "jumps differ on axis "
                        f"{ctx.axis_name(axis)} ("
                        + ", ".join(f"{n} {short(j)}" for n, j in jumps.items())
                        + ")"
                    )
                    continue
                offset = _mean_offset(fields)
                if offset is not None and sign_known(offset) not in (0, None):
                    names = ", ".join(n for n, _ in fields[1:])
                    problems.append(
                        f"on axis {ctx.axis_name(axis)}, units of {names} are centred "
                        f"{short(offset)} input pixels from those of {fields[0][0]}"
                    )
        if problems:
            yield Report(
                r.layer.loc,
                f"{r.layer.op} {r.name} merges misaligned branches: " + "; ".join(problems),
                r.name,
            )


def _mean_offset(fields: list[tuple[str, Field]]) -> Any:
    """Mean over one common period of the centre offset of each branch from the first.

    Up- and downsampling make the offset alternate between phases (a 2x2 pool and a
    2x2 transposed conv put units half a jump to either side); only a mean offset is a
    misalignment.
    """
    period = 1
    for _, f in fields:
        period = period * f.period // gcd(period, f.period)
    worst = None
    for _, f in fields[1:]:
        # centre offsets summed in one go (ints stay ints; one sympy sum at the end)
        whole, parts, count = 0, [], 0
        for u in range(period):
            # the moving windows: a fixed (broadcast) region has no place of its own
            a, b = fields[0][1].moving_region(u), f.moving_region(u)
            if a is None or b is None:
                continue
            for x, sign in ((b.start, 1), (b.end, 1), (a.start, -1), (a.end, -1)):
                if isinstance(x, int):
                    whole += sign * x
                else:
                    parts.append(sign * x)
            count += 1
        if count:
            mean = sympy.expand((sympy.Add(*parts) + whole) / (2 * count))
            if worst is None or sign_known(mean) not in (0, None):
                worst = mean
    return worst


def _axis(a: Analysis, name: str, axis: int) -> AxisResult:
    if name == INPUT:
        return AxisResult(size=a.input_size[axis], field=Field.identity())
    return a[name].axes[axis]


RULE = Rule(
    id="RF104",
    name="misaligned-merge",
    severity=Severity.WARNING,
    summary="merged branches with different jump or receptive-field centre",
    check=at_every_input(check),
    doc=__doc__ or "",
)
