"""PyTorch's single-precision source index for ``nearest`` and ``nearest-exact``, emulated
exactly: every single-precision step is an exact fraction rounded as IEEE 754 rounds,
so the engine stays free of floats and still reads the unit PyTorch reads."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from math import floor


def round_f32(q: Fraction) -> Fraction:
    """``q`` rounded to the nearest IEEE single (ties to even), as an exact fraction:
    what a C ``float`` holds after an operation whose exact result is ``q``."""
    return _round(q, 24)


def round_f64(q: Fraction) -> Fraction:
    """Likewise for an IEEE double (53 significant bits)."""
    return _round(q, 53)


def _round(q: Fraction, bits: int) -> Fraction:
    """``q`` to ``bits`` significant bits, ties to even, in integers (no Fraction
    arithmetic: a resize reads this for every unit of the map)."""
    a, b = q.numerator, q.denominator
    if a == 0:
        return Fraction(0)
    sign = -1 if a < 0 else 1
    a = abs(a)
    e = a.bit_length() - b.bit_length()  # 2^(e-1) < a/b < 2^(e+1)
    if (a << max(0, -e)) < (b << max(0, e)):
        e -= 1  # now 2^e <= a/b < 2^(e+1)
    k = bits - 1 - e  # a unit in the last place is 2^-k
    num, den = (a << k, b) if k >= 0 else (a, b << -k)
    n, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and n & 1):
        n += 1
    return Fraction(sign * n, 1 << k) if k >= 0 else Fraction(sign * n << -k)


@cache
def float_scale(n: int, m: int, scale: Fraction | None) -> Fraction:
    """ATen's ``compute_scales_value<float>``: ``(float)(1.0 / scale)`` when a scale
    factor is given (the reciprocal in double, then single), else ``(float)n / m``."""
    if scale is not None:
        return round_f32(round_f64(1 / scale))
    return round_f32(Fraction(n, m))


def torch_nearest_index(
    dst: int, n: int, m: int, scale: Fraction | None, exact: bool, ndim: int = 2
) -> int:
    """The input unit output unit ``dst`` reads in PyTorch's ``nearest``
    (``floorf(dst * scale)``) or ``nearest-exact`` (``floorf((dst + 0.5) * scale)``, the
    sum and product in double, then single for ``floorf``), before the clamp to ``n - 1``.

    PyTorch's 2-D nearest kernel (ATen's ``nearest_idx``) copies when ``m == n`` and
    halves when ``m == 2n``, whatever the scale factor; its 1-D and 3-D kernels do not
    (a 2-unit map upsampled by 1.25 reads unit 1 in 2-D, unit 0 in 1-D): ``ndim`` says
    which kernel.  Checked against PyTorch for every size and several scales."""
    if not exact and ndim == 2 and m == n:
        return dst
    if not exact and ndim == 2 and m == 2 * n:
        return dst >> 1
    s = float_scale(n, m, scale)
    if exact:
        return floor(round_f32(round_f64((dst + Fraction(1, 2)) * s)))
    return floor(round_f32(dst * s))
