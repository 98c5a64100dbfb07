"""PyTorch's single-precision source index for ``nearest`` interpolation, emulated
exactly: every single-precision step is an exact fraction rounded as IEEE 754 rounds,
so the engine stays free of floats and still reads the unit PyTorch reads."""

from __future__ import annotations

from fractions import Fraction
from math import floor


def round_f32(q: Fraction) -> Fraction:
    """``q`` rounded to the nearest IEEE single (ties to even), as an exact fraction:
    what a C ``float`` holds after an operation whose exact result is ``q``."""
    if q == 0:
        return Fraction(0)
    sign = 1 if q > 0 else -1
    q = abs(q)
    e = q.numerator.bit_length() - q.denominator.bit_length()  # 2^e <= q < 2^(e+2)
    if q < Fraction(2) ** e:
        e -= 1
    elif q >= Fraction(2) ** (e + 1):
        e += 1
    unit = Fraction(2) ** (e - 23)  # 24 significant bits
    return sign * round(q / unit) * unit


def torch_nearest(n: int, m: int) -> list[int]:
    """The input unit each of ``m`` output units reads in PyTorch's ``nearest``
    interpolation from ``n`` units: ``min(floorf(dst * ((float)n / m)), n - 1)`` in
    single precision (ATen's ``nearest_idx``), which is not always ``floor(dst * n/m)``:
    56 -> 166 units reads unit 27 for output 83, not 28.  Computed exactly: each single-
    precision step is an exact fraction rounded as IEEE 754 rounds."""
    if m == n:
        return list(range(m))
    if m == 2 * n:
        return [dst >> 1 for dst in range(m)]
    scale = round_f32(Fraction(n, m))
    return [min(floor(round_f32(dst * scale)), n - 1) for dst in range(m)]
