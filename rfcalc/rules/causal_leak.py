"""Causal padding misused: on every axis of a 2-D/3-D input, or a later layer that pads after.

Why: ``causal`` padding (all of it before) keeps a unit from seeing the future along a
time axis.  On a spatial axis it shifts the receptive field to one side for no reason;
and once a stack is causal, any later layer that pads after (``same``, symmetric
padding) lets units see the future again.

Bad::

    rfcalc: 1
    input: {size: [T]}
    layers:
      - {op: conv, kernel: 2, dilation: 1, padding: causal}
      - {op: conv, kernel: 3, padding: same}  # expect: RF304

Good::

    rfcalc: 1
    input: {size: [T]}
    layers:
      - {op: conv, kernel: 2, dilation: 1, padding: causal}
      - {op: conv, kernel: 2, dilation: 2, padding: causal}

Fix: ``causal`` on the time axis only (``padding: [causal, same]``), and causal (or no)
padding on every later layer.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy

from ..model import Op, Severity
from .base import Context, Report, Rule


def check(ctx: Context) -> Iterator[Report]:
    ndim = ctx.network.ndim
    causal_axes: dict[str, set[int]] = {"input": set()}
    for r in ctx.main.layers:
        layer = r.layer
        inherited: set[int] = set()
        for name in layer.inputs:
            inherited |= causal_axes.get(name, set())
        mine = {i for i, p in enumerate(layer.padding) if p.mode == "causal"}
        if ndim > 1 and len(mine) == ndim:
            yield Report(
                layer.at("padding"),
                f"{layer.name} is causal on every axis of a {ndim}-D input; "
                "only a time axis should be causal",
                layer.name,
            )
        for axis in sorted(inherited - mine):
            after = sympy.sympify(r.axes[axis].pad_after)
            if after != 0 and layer.op in {Op.CONV, Op.MAX_POOL, Op.AVG_POOL, Op.PAD}:
                where = f" on axis {ctx.axis_name(axis)}" if ndim > 1 else ""
                yield Report(
                    layer.at("padding"),
                    f"{layer.name} pads {after} after{where} in a causal stack: "
                    "its units see the future",
                    layer.name,
                )
        causal_axes[layer.name] = inherited | mine


RULE = Rule(
    id="RF304",
    name="causal-leak",
    severity=Severity.WARNING,
    summary="causal padding on a non-time axis, or padding after in a causal stack",
    check=check,
    doc=__doc__ or "",
)
