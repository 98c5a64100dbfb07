"""HDC rule 2: a long, ever-growing run of dilation rates instead of a sawtooth.

Why: with rates that only grow (``[1, 2, 4, 8, 16]``), the top layers sample ever
sparser inputs and lose local detail; Wang et al. (2018) recommend repeating small
coprime groups (``[1, 2, 5, 1, 2, 5]``).  Informational: WaveNet-style doubling stacks
are a deliberate choice.

Bad::

    rfcalc: 1
    input: {size: [256]}
    layers:
      - {op: conv, kernel: 3, dilation: 1, padding: same}  # expect: RF205
      - {op: conv, kernel: 3, dilation: 2, padding: same}
      - {op: conv, kernel: 3, dilation: 3, padding: same}
      - {op: conv, kernel: 3, dilation: 5, padding: same}
      - {op: conv, kernel: 3, dilation: 7, padding: same}

Good::

    rfcalc: 1
    input: {size: [256]}
    layers:
      - {op: conv, kernel: 3, dilation: 1, padding: same}
      - {op: conv, kernel: 3, dilation: 2, padding: same}
      - {op: conv, kernel: 3, dilation: 5, padding: same}
      - {op: conv, kernel: 3, dilation: 1, padding: same}
      - {op: conv, kernel: 3, dilation: 2, padding: same}
      - {op: conv, kernel: 3, dilation: 5, padding: same}

Fix: repeat a short coprime group (sawtooth).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from ..engine.hdc import sawtooth_groups
from ..model import Severity
from .base import Context, Report, Rule
from .dilation_runs import dilation_runs, rates_text, same_on_every_axis

#: a group of this many strictly growing rates is "long"
LONG = 5


def check(ctx: Context) -> Iterator[Report]:
    for run in dilation_runs(ctx):
        if run.axis > 0 and same_on_every_axis(ctx, run):
            continue
        start = 0
        for group in sawtooth_groups(run.rates):
            first = run.layers[start]
            start += len(group)
            growing = all(b > a for a, b in pairwise(group))
            if len(group) >= LONG and growing:
                yield Report(
                    first.loc,
                    f"{len(group)} stacked dilated convs with ever-growing rates "
                    f"{rates_text(group)}: "
                    "a sawtooth of short coprime groups keeps local detail",
                    first.name,
                )


RULE = Rule(
    id="RF205",
    name="dilation-sawtooth",
    severity=Severity.INFO,
    summary="HDC: a long ever-growing run of rates instead of a sawtooth",
    check=check,
    doc=__doc__ or "",
)
