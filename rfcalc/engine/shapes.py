"""Output sizes and padding modes, one axis of one layer (REFERENCE.md, "Per axis")."""

from __future__ import annotations

from typing import Any

import sympy

from ..model import Padding
from .sizes import ceil_div, floor_div, mod, smax, smin

Expr = Any


def effective_kernel(k: Expr, d: Expr) -> Expr:
    """``ke = d*(k-1) + 1``: the span one window covers."""
    return sympy.expand(d * (k - 1) + 1)


def resolve_padding(pad: Padding, n: Expr, ke: Expr, s: Expr) -> tuple[Expr, Expr]:
    """Padding before and after for a forward window op on an input of size ``n``."""
    mode = pad.mode
    if mode is None:
        return sympy.sympify(pad.before), sympy.sympify(pad.after)
    if mode == "valid":
        return sympy.Integer(0), sympy.Integer(0)
    if mode == "full":
        return ke - 1, ke - 1
    if mode == "half":
        return floor_div(ke, 2), floor_div(ke, 2)
    if mode == "causal":
        return ke - 1, sympy.Integer(0)
    # same / same_lower: output ceil(n/s), total = max((ceil(n/s) - 1)*s + ke - n, 0)
    total = same_total(n, ke, s)
    small = floor_div(total, 2)
    big = sympy.expand(total - small)
    return (small, big) if mode == "same" else (big, small)


def same_total(n: Expr, ke: Expr, s: Expr) -> Expr:
    """Total ``same`` padding; ``ke - s + ((-n) mod s)`` clipped at 0."""
    s = sympy.sympify(s)
    if s == 1:
        return smax(ke - 1, 0)
    total = sympy.expand(ke - s + mod(-n, s))
    low = sympy.expand(ke - s)  # the remainder lies in [0, s-1]
    if low.is_nonnegative:
        return total
    if sympy.expand(low + s - 1).is_nonpositive:
        return sympy.Integer(0)
    return smax(total, 0)


def window_output(n: Expr, ke: Expr, s: Expr, pb: Expr, pa: Expr, ceil_mode: bool = False) -> Expr:
    """Output size of conv / pool: ``floor((n + pb + pa - ke)/s) + 1`` (ceil for pools)."""
    span = sympy.expand(n + pb + pa - ke)
    if not ceil_mode:
        return sympy.expand(floor_div(span, s) + 1)
    out = sympy.expand(ceil_div(span, s) + 1)
    # PyTorch: the last window must start inside the input or the left padding
    return smin(out, ceil_div(sympy.expand(n + pb), s))


def transposed_output(n: Expr, ke: Expr, s: Expr, pb: Expr, pa: Expr, op: Expr) -> Expr:
    """``(n - 1)*s - pb - pa + ke + op``."""
    return sympy.expand((n - 1) * s - pb - pa + ke + op)


def transposed_same_padding(ke: Expr, s: Expr, op: Expr) -> tuple[Expr, Expr]:
    """``same`` for a transposed conv: the output is ``n*s``, so ``pb + pa = ke - s + op``."""
    total = sympy.expand(ke - s + op)
    small = floor_div(total, 2)
    return small, sympy.expand(total - small)
