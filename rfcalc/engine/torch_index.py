"""PyTorch's single-precision source index for ``nearest`` and ``nearest-exact``, emulated
exactly: every single-precision step is an exact fraction rounded as IEEE 754 rounds,
so the engine stays free of floats and still reads the unit PyTorch reads."""

from __future__ import annotations

from fractions import Fraction
from functools import cache, lru_cache


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
    return nearest_indices(n, m, scale, exact, ndim, dst, dst + 1)[0]


def _round_int(a: int, bits: int) -> int:
    """The non-negative integer ``a`` to ``bits`` significant bits, ties to even."""
    drop = a.bit_length() - bits
    if drop <= 0:
        return a
    q, r = a >> drop, a & ((1 << drop) - 1)
    half = 1 << (drop - 1)
    if r > half or (r == half and q & 1):
        q += 1
    return q << drop


@lru_cache(maxsize=8)
def map_indices(
    n: int, m: int, scale: Fraction | None, exact: bool, ndim: int = 2
) -> tuple[int, ...]:
    """:func:`nearest_indices` of the whole map, kept for the next reader of the same
    resampling (the field, the unit walks and the page each read it)."""
    return tuple(nearest_indices(n, m, scale, exact, ndim))


def nearest_indices(
    n: int,
    m: int,
    scale: Fraction | None,
    exact: bool,
    ndim: int = 2,
    start: int = 0,
    stop: int | None = None,
) -> list[int]:
    """:func:`torch_nearest_index` of every output unit from ``start`` to ``stop``
    (default: the map), in integers: the single-precision scale is ``N / 2^k``, so
    each product is an integer over ``2^k`` and each rounding a shift (a resize to a
    million units is a million of these, not a million fraction products)."""
    stop = m if stop is None else stop
    units = range(start, stop)
    if not exact and ndim == 2 and m == n:
        return list(units)
    if not exact and ndim == 2 and m == 2 * n:
        return [u >> 1 for u in units]
    s = float_scale(n, m, scale)
    num, den = s.numerator, s.denominator
    if den & (den - 1):
        raise AssertionError("a single-precision value has a power-of-two denominator")
    k = den.bit_length() - 1
    if exact:  # (dst + 1/2) * s = (2 dst + 1) N / 2^(k+1), in double, then single
        return [_round_int(_round_int((2 * u + 1) * num, 53), 24) >> (k + 1) for u in units]
    return [_round_int(u * num, 24) >> k for u in units]
