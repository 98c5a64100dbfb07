"""HDC rule 3: the M_i recurrence of a group of dilation rates fails ``M_2 <= K``.

Why: ``M_i`` is the largest distance between two nonzero inputs the first ``i`` layers
leave; Wang et al. (2018) require ``M_2 <= K`` so the second layer's kernel closes the
gaps.  ``[1, 2, 5]`` with K=3 passes (M_2 = 2); ``[1, 2, 9]`` fails (M_2 = 5).  It is a
heuristic: when the exact support of the group has no holes anyway (kernel-2 WaveNet
stacks), the finding is only informational.

Bad::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {op: conv, kernel: 3, dilation: 1, padding: same}  # expect: RF204
      - {op: conv, kernel: 3, dilation: 2, padding: same}
      - {op: conv, kernel: 3, dilation: 9, padding: same}

Good::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {op: conv, kernel: 3, dilation: 1, padding: same}
      - {op: conv, kernel: 3, dilation: 2, padding: same}
      - {op: conv, kernel: 3, dilation: 5, padding: same}

Fix: smaller jumps between rates (the ``M`` values show where the gap opens).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.hdc import m_values, meets_m2, sawtooth_groups
from ..engine.support import dilated_support, hole_count
from ..model import Severity
from ..wording import plural
from .base import Context, Report, Rule
from .dilation_runs import dense_in_context, dilation_runs, rates_text, same_on_every_axis


def check(ctx: Context) -> Iterator[Report]:
    for run in dilation_runs(ctx):
        if run.axis > 0 and same_on_every_axis(ctx, run):
            continue
        where = "" if same_on_every_axis(ctx, run) else f" on axis {ctx.axis_name(run.axis)}"
        start = 0
        for group in sawtooth_groups(run.rates):
            first = run.layers[start]
            start += len(group)
            if len(group) < 2 or meets_m2(group, run.kernel):
                continue
            m = m_values(group)
            gaps = hole_count(dilated_support(run.kernel, group))
            if gaps and dense_in_context(ctx, run):
                gaps = 0
                verdict = "in this network the layers before fill the gaps (no holes)"
            elif gaps:
                verdict = f"the exact support has {plural(gaps, 'hole')}"
            else:
                verdict = "the exact support has no holes, so this is only the heuristic"
            yield Report(
                first.loc,
                f"dilation rates {rates_text(group)}{where} with kernel {run.kernel}: "
                f"M = {rates_text(m)}, M_2 = {m[1]} > K = {run.kernel}; {verdict}",
                first.name,
                severity=None if gaps else Severity.INFO,
            )


RULE = Rule(
    id="RF204",
    name="hdc-recurrence",
    severity=Severity.WARNING,
    summary="HDC: the M_i recurrence fails M_2 <= K",
    check=check,
    doc=__doc__ or "",
)
