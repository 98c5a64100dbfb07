"""Cost of a network: channels, parameters and multiply-accumulates (MACs) per layer.

Counted as PyTorch builds the layers (weights and one bias per output channel):

- conv: weight ``c_out * c_in/groups * prod(k)``; MACs ``prod(out) * c_out * c_in/groups *
  prod(k)`` (one per weight per output position).
- transposed conv: the same weight count (PyTorch's weight is ``c_in x c_out/groups x k``),
  but the MACs follow the *input*: every input position multiplies the whole kernel
  once, ``prod(in) * c_in * c_out/groups * prod(k)``.  Counting output positions instead,
  as several FLOP counters have done, overcounts by about ``stride**ndim``.
- pools, resampling, merges, padding and cropping: no parameters and no MACs.

MACs are exact expressions in the input symbols when the input is symbolic.
"""

from __future__ import annotations

from typing import Any

import sympy

from ..model import CONVS, INPUT, Expr, Layer, Op
from .results import Analysis, LayerCost, NetworkCost


def _prod(values: Any) -> Expr:
    """The product, kept factored: ``(floor((H - 1)/2) + 1)*(floor((W - 1)/2) + 1)``."""
    out = sympy.Integer(1)
    for v in values:
        out *= v
    return out


def _plain(x: Expr) -> Expr:
    """A plain int when concrete."""
    return int(x) if getattr(x, "is_Integer", False) or isinstance(x, int) else x


def _channels(layer: Layer, below: list[int | None]) -> int | None:
    c_in = below[0]
    if layer.op in CONVS:
        return layer.channels if layer.channels is not None else c_in
    if layer.op == Op.CONCAT:
        return None if any(c is None for c in below) else sum(c for c in below if c is not None)
    if layer.op == Op.MUL:  # a one-channel gate broadcasts over the channels
        return None if any(c is None for c in below) else max(c for c in below if c is not None)
    if c_in is None:
        return layer.channels
    r = _prod(layer.scale) if layer.scale else 1
    if layer.op == Op.PIXEL_SHUFFLE:
        return int(c_in // r)
    if layer.op == Op.PIXEL_UNSHUFFLE:
        return int(c_in * r)
    return c_in


def network_cost(analysis: Analysis) -> NetworkCost:
    net = analysis.network
    channels: dict[str, int | None] = {INPUT: net.input_channels}
    sizes: dict[str, tuple[Expr, ...]] = {INPUT: analysis.input_size}
    out: dict[str, LayerCost] = {}
    total_params: Expr | None = 0
    terms: list[Expr] | None = []  # summed once at the end: repeated + is quadratic
    positions_of: dict[tuple[Expr, ...], Expr] = {}
    for r in analysis.layers:
        layer = r.layer
        below = [channels[name] for name in layer.inputs]
        c_out = _channels(layer, below)
        params: Expr | None = 0
        macs: Expr | None = sympy.Integer(0)
        if layer.op in CONVS:
            c_in = below[0]
            if c_in is None or c_out is None:
                params = macs = None
            else:
                k = _prod(layer.kernel)
                weights = c_out * (c_in // layer.groups) * k
                params = _plain(sympy.expand(weights + (c_out if layer.bias else 0)))
                where = r.output_size if layer.op == Op.CONV else sizes[layer.inputs[0]]
                if where not in positions_of:
                    positions_of[where] = _prod(where)
                macs = positions_of[where] * weights
        channels[layer.name] = c_out
        sizes[layer.name] = r.output_size
        out[layer.name] = LayerCost(c_out, params, macs)
        total_params = (
            None if params is None or total_params is None else _plain(total_params + params)
        )
        if macs is None:
            terms = None
        elif terms is not None and macs != 0:
            terms.append(macs)
    return NetworkCost(out, total_params, None if terms is None else sympy.Add(*terms))
