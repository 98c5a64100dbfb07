"""Output units that see no input pixel at all (after transposed convs or upsampling).

Why: a transposed conv whose taps skip some output phases (kernel 2, dilation 2,
stride 2: half the outputs) produces units that depend on the bias alone: a fixed
pattern stamped over the output.  rfcalc finds them from the exact per-phase field.

Bad::

    rfcalc: 1
    input: {size: [16]}
    layers:
      - {op: conv_transpose, kernel: 2, dilation: 2, stride: 2}  # expect: RF105

Good::

    rfcalc: 1
    input: {size: [16]}
    layers:
      - {op: conv_transpose, kernel: 4, stride: 2, padding: 1}

Fix: a kernel that covers every phase (``dilation*(kernel-1) + 1 >= stride`` and
``dilation`` coprime to ``stride``), or upsampling followed by a conv.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Severity
from .base import Context, Report, Rule, at_every_input


def check(ctx: Context) -> Iterator[Report]:
    seen_blind: set[str] = set()
    for r in ctx.main.layers:
        inherited = any(name in seen_blind for name in r.layer.inputs)
        blind = [(i, a) for i, a in enumerate(r.axes) if a.blind_phases and a.field is not None]
        if not blind:
            continue
        seen_blind.add(r.name)
        if inherited:
            continue
        parts = [
            f"{a.blind_phases} of every {a.field.period} units on axis {ctx.axis_name(i)}"
            for i, a in blind
            if a.field is not None
        ]
        yield Report(
            r.layer.loc,
            f"{r.name}: {' and '.join(parts)} see no input pixel (they depend on the bias alone)",
            r.name,
        )


RULE = Rule(
    id="RF105",
    name="blind-output",
    severity=Severity.ERROR,
    summary="output units that see no input at all",
    check=at_every_input(check),
    doc=__doc__ or "",
)
