"""HDC rule 1: dilation rates of a group sharing a common factor > 1.

Why: if every rate in a group of stacked dilated convolutions is a multiple of ``g``,
every offset the output reaches is a multiple of ``g``: it sees one input in ``g``
per axis, whatever the kernels (Wang et al. 2018).

Bad::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {op: conv, kernel: 3, dilation: 2, padding: same}  # expect: RF203
      - {op: conv, kernel: 3, dilation: 4, padding: same}
      - {op: conv, kernel: 3, dilation: 8, padding: same}

Good::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {op: conv, kernel: 3, dilation: 1, padding: same}
      - {op: conv, kernel: 3, dilation: 2, padding: same}
      - {op: conv, kernel: 3, dilation: 5, padding: same}

Fix: make the rates coprime, e.g. start the group with rate 1.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.hdc import common_factor, sawtooth_groups
from ..model import Severity
from .base import Context, Report, Rule
from .dilation_runs import dense_in_context, dilation_runs, rates_text, same_on_every_axis


def check(ctx: Context) -> Iterator[Report]:
    for run in dilation_runs(ctx):
        if run.axis > 0 and same_on_every_axis(ctx, run):
            continue
        where = "" if same_on_every_axis(ctx, run) else f" on axis {ctx.axis_name(run.axis)}"
        start = 0
        for group in sawtooth_groups(run.rates):
            g = common_factor(group)
            if len(group) >= 2 and g > 1:
                first = run.layers[start]
                dense = dense_in_context(ctx, run)
                tail = (
                    " on its own; in this network the layers before fill the gaps" if dense else ""
                )
                yield Report(
                    first.loc,
                    f"dilation rates {rates_text(group)}{where} share the factor {g}: the output "
                    f"sees 1 input in {g}{tail}",
                    first.name,
                    severity=Severity.INFO if dense else None,
                )
            start += len(group)


RULE = Rule(
    id="RF203",
    name="dilation-common-factor",
    severity=Severity.WARNING,
    summary="HDC: stacked dilation rates share a factor > 1",
    check=check,
    doc=__doc__ or "",
)
