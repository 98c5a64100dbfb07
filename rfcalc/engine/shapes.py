"""Output sizes and padding modes, one axis of one layer (README, "The spec format")."""

from __future__ import annotations

from functools import lru_cache

import sympy

from ..model import Expr, Padding
from .sizes import ceil_div, floor_div, mod, smax, smin


def effective_kernel(k: Expr, d: Expr) -> Expr:
    """``ke = d*(k-1) + 1``: the span one window covers."""
    fast = _ints(k, d)
    if fast is not None:
        return sympy.Integer(fast[1] * (fast[0] - 1) + 1)
    return sympy.expand(d * (k - 1) + 1)


def split_same(total: int, mode: str) -> tuple[int, int]:
    """A whole ``same`` padding split before/after: the odd pixel after for ``same``
    (TensorFlow's SAME, ONNX's SAME_UPPER, PyTorch's ``padding="same"``), before for
    ``same_lower``.  The one home of that rule, for the engine and the importers."""
    small, big = total // 2, total - total // 2
    return (small, big) if mode == "same" else (big, small)


def resolve_padding(pad: Padding, n: Expr, ke: Expr, s: Expr) -> tuple[Expr, Expr]:
    """Padding before and after for a forward window op on an input of size ``n``."""
    mode = pad.mode
    if mode is None:
        return sympy.sympify(pad.before), sympy.sympify(pad.after)
    fast = _ints(n, ke, s)
    if fast is not None and mode in ("same", "same_lower"):
        ni, kei, si = fast
        before, after = split_same(max((-(-ni // si) - 1) * si + kei - ni, 0), mode)
        return sympy.Integer(before), sympy.Integer(after)
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


def _ints(*values: Expr) -> list[int] | None:
    """Plain ints when every value is a number (the fast path), else None."""
    out = []
    for v in values:
        if isinstance(v, int):
            out.append(v)
        elif getattr(v, "is_Integer", False):
            out.append(int(v))
        else:
            return None
    return out


@lru_cache(maxsize=4096)
def window_output(n: Expr, ke: Expr, s: Expr, pb: Expr, pa: Expr, ceil_mode: bool = False) -> Expr:
    """Output size of conv / pool: ``floor((n + pb + pa - ke)/s) + 1`` (ceil for pools)."""
    fast = _ints(n, ke, s, pb, pa)
    if fast is not None:
        ni, kei, si, pbi, pai = fast
        span_i = ni + pbi + pai - kei
        if not ceil_mode:
            return sympy.Integer(span_i // si + 1)
        out_i = -(-span_i // si) + 1
        return sympy.Integer(min(out_i, -(-(ni + pbi) // si)))
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
    """``same`` for a transposed conv: the output is ``n*s``, so ``pb + pa = ke - s + op``.

    As TensorFlow's ``conv2d_transpose`` (the gradient of a SAME conv on ``n*s``
    inputs): ``pb`` is the smaller half of that conv's padding ``max(ke - s, 0)``, and
    ``output_padding`` only lengthens the end; when the kernel is shorter than the
    stride, the missing outputs are zeros at the end (a 1x1 kernel at stride 2 fills
    the even outputs)."""
    total = sympy.expand(ke - s + op)
    forward = smax(sympy.expand(ke - s), 0)  # the SAME conv's padding on n*s inputs
    before = floor_div(forward, 2)
    return before, sympy.expand(total - before)
