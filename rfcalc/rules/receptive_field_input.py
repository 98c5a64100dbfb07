"""Receptive field versus input: it outgrows the input.

Why: once a layer's receptive field is larger than the (padded) input, deeper layers
see nothing new, only more padding: depth spent for nothing at that input size.  (A
declared ``expect: {context: N}`` that the outputs fall short of is RF501, an error.)

Bad::

    rfcalc: 1
    input: {size: [4]}
    layers:
      - {op: conv, kernel: 3, padding: 1}
      - {op: conv, kernel: 3, padding: 1}  # expect: RF502

Good::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {op: conv, kernel: 3, padding: 1}
      - {op: conv, kernel: 3, padding: 1}

Fix: fewer layers or a larger input.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy

from ..model import Op, Severity
from .base import Context, Report, Rule


def check(ctx: Context) -> Iterator[Report]:
    for run in ctx.concrete_runs():
        for axis in range(ctx.network.ndim):
            n = int(run.analysis.input_size[axis])
            for r in run.analysis.layers:
                rf = r.axes[axis].receptive_field
                if rf is None or not getattr(sympy.sympify(rf), "is_Integer", False):
                    continue
                if int(rf) > n and r.layer.op not in {Op.GLOBAL_POOL, Op.ADAPTIVE_POOL}:
                    yield Report(
                        r.layer.loc,
                        f"from {r.name} on, the receptive field ({rf}) exceeds the input "
                        f"({n} on axis {ctx.axis_name(axis)} at input {run.label}): "
                        "later layers see more padding, not more input",
                        r.name,
                    )
                    break


RULE = Rule(
    id="RF502",
    name="receptive-field-input",
    severity=Severity.INFO,
    summary="receptive field exceeds the input",
    check=check,
    doc=__doc__ or "",
)
