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
    """One finding per layer and input size: the first layer whose field exceeds the
    input on an axis, with every axis where it does."""
    for run in ctx.concrete_runs():
        first: dict[str, list[tuple[int, int, int]]] = {}  # layer -> (axis, rf, n)
        for axis in range(ctx.network.ndim):
            n = int(run.analysis.input_size[axis])
            for r in run.analysis.layers:
                rf = r.axes[axis].receptive_field
                if rf is None or not getattr(sympy.sympify(rf), "is_Integer", False):
                    continue
                if int(rf) > n and r.layer.op not in {Op.GLOBAL_POOL, Op.ADAPTIVE_POOL}:
                    first.setdefault(r.name, []).append((axis, int(rf), n))
                    break
        for name, axes in first.items():
            if len(axes) == ctx.network.ndim > 1 and len({(f, n) for _, f, n in axes}) == 1:
                _, rf, n = axes[0]
                sizes = f"({rf}) exceeds the input ({n} on every axis"
            else:
                parts = [f"{rf} > {n} on axis {ctx.axis_name(axis)}" for axis, rf, n in axes]
                sizes = f"exceeds the input ({', '.join(parts)}"
                if len(axes) == 1:
                    axis, rf, n = axes[0]
                    sizes = f"({rf}) exceeds the input ({n} on axis {ctx.axis_name(axis)}"
            layer = ctx.layers[name]
            yield Report(
                layer.loc,
                f"from {name} on, the receptive field {sizes} at input {run.label}): "
                "later layers see more padding, not more input",
                name,
            )


RULE = Rule(
    id="RF502",
    name="receptive-field-input",
    severity=Severity.INFO,
    summary="receptive field exceeds the input",
    check=check,
    doc=__doc__ or "",
)
