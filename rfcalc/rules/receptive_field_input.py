"""Receptive field versus input: it outgrows the input, or falls short of the context needed.

Why: once a layer's receptive field is larger than the (padded) input, deeper layers
see nothing new, only more padding: depth spent for nothing at that input size.  And a
network declared to need a context (``expect: {context: N}``) whose outputs see less
cannot model it.

Bad::

    rfcalc: 1
    input: {size: [16]}
    expect: {context: 20}  # expect: RF502
    layers:
      - {op: conv, kernel: 3}
      - {op: conv, kernel: 3}

Good::

    rfcalc: 1
    input: {size: [64]}
    expect: {context: 5}
    layers:
      - {op: conv, kernel: 3}
      - {op: conv, kernel: 3}

Fix: fewer layers or a larger input; for context, more layers, larger strides or
dilation.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy

from ..engine.printing import short
from ..model import Severity
from .base import Context, Report, Rule


def check(ctx: Context) -> Iterator[Report]:
    for e in ctx.network.expect:
        if e.what != "context":
            continue
        for sink in ctx.sinks():
            axes = ctx.main[sink].axes
            short_axes = [
                f"{short(axes[i].receptive_field)} < {want}"
                for i, want in enumerate(e.value)
                if want is not None
                and axes[i].receptive_field is not None
                and (sympy.sympify(axes[i].receptive_field) - want).is_negative
            ]
            if short_axes:
                yield Report(
                    e.loc,
                    f"the output {sink} sees a receptive field of {', '.join(short_axes)} "
                    "(the declared context)",
                    sink,
                    severity=Severity.ERROR,
                )
    for run in ctx.concrete_runs():
        for axis in range(ctx.network.ndim):
            n = int(run.analysis.input_size[axis])
            for r in run.analysis.layers:
                rf = r.axes[axis].receptive_field
                if rf is None or not getattr(sympy.sympify(rf), "is_Integer", False):
                    continue
                if int(rf) > n and r.layer.op not in ("global_pool", "adaptive_pool"):
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
    summary="receptive field exceeds the input, or falls short of the declared context",
    check=check,
    doc=__doc__ or "",
)
