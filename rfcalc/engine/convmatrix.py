"""The convolution as a sparse matrix (the worked example the seed articles start from):
``y = C x`` with ``x`` and ``y`` flattened row by row, and the transposed convolution as
``C^T``.

Entry ``C[o][i]`` is the kernel tap (a tuple of per-axis indices) that multiplies input
pixel ``i`` for output ``o``, or None.  A 4x4 input and a 3x3 kernel give a 4x16 matrix.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

Tap = tuple[int, ...]

#: the largest matrix built (rows x columns)
MAX_ENTRIES = 1 << 16


def conv_matrix(
    size: Sequence[int],
    kernel: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
) -> tuple[list[int], list[list[Tap | None]]]:
    """Output size and ``C`` for a cross-correlation (PyTorch's conv) with zero padding."""
    out = [
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, s, p, d in zip(size, kernel, stride, padding, dilation, strict=True)
    ]
    if any(o < 1 for o in out):
        raise ValueError(f"the output would be empty ({'x'.join(map(str, out))})")
    rows_n, cols_n = 1, 1
    for o in out:
        rows_n *= o
    for n in size:
        cols_n *= n
    if rows_n * cols_n > MAX_ENTRIES:
        raise ValueError(f"a {rows_n}x{cols_n} matrix is too large to build here")
    matrix: list[list[Tap | None]] = []
    for o_idx in itertools.product(*(range(o) for o in out)):
        row: list[Tap | None] = [None] * cols_n
        # per axis, only the taps that land inside the input (never the whole kernel:
        # a kernel of 1000 on a 1-pixel input has one such tap, not a billion)
        inside = [
            _taps_inside(o * s - p, d, k, n)
            for o, s, p, d, k, n in zip(o_idx, stride, padding, dilation, kernel, size, strict=True)
        ]
        for tap in itertools.product(*inside):
            flat = 0
            for o, s, p, t, d, n in zip(o_idx, stride, padding, tap, dilation, size, strict=True):
                flat = flat * n + (o * s - p + t * d)
            row[flat] = tap
        matrix.append(row)
    return out, matrix


def _taps_inside(first: int, d: int, k: int, n: int) -> range:
    """The taps ``t < k`` with ``0 <= first + t*d < n``."""
    lo = max(0, -(first // d))  # ceil(-first / d) when first < 0
    hi = min(k - 1, (n - 1 - first) // d) if n - 1 - first >= 0 else -1
    return range(lo, hi + 1)


def transpose(matrix: list[list[Tap | None]]) -> list[list[Tap | None]]:
    return [list(col) for col in zip(*matrix, strict=True)]


@dataclass(frozen=True)
class ConvMatrix:
    """``C`` (or ``C^T`` when ``transposed``) of one layer, applied to an input of
    ``input`` units per axis and giving ``output`` units per axis."""

    input: tuple[int, ...]
    output: tuple[int, ...]
    transposed: bool
    kernel: tuple[int, ...]
    stride: int
    padding: int
    dilation: int
    rows: tuple[tuple[Tap | None, ...], ...]


def layer_matrix(
    size: Sequence[int],
    kernel: int | Sequence[int],
    stride: int,
    padding: int,
    dilation: int,
    transposed: bool,
) -> ConvMatrix:
    """The matrix of a conv over ``size`` (the same parameters on every axis), or, with
    ``transposed``, of the transposed conv whose input is ``size``: the transpose of
    the conv that maps the larger size ``(n - 1)*s - 2p + d*(k - 1) + 1`` onto it."""
    nd = len(size)
    ks = [kernel] * nd if isinstance(kernel, int) else list(kernel)
    conv_in = list(size)
    if transposed:
        conv_in = [
            (n - 1) * stride - 2 * padding + dilation * (k - 1) + 1
            for n, k in zip(size, ks, strict=True)
        ]
    if min(conv_in) < 1:  # the transposed conv's output would be empty
        raise ValueError(f"the output would be empty ({'x'.join(map(str, conv_in))})")
    out, c = conv_matrix(conv_in, ks, [stride] * nd, [padding] * nd, [dilation] * nd)
    rows = transpose(c) if transposed else c
    shown_in, shown_out = (out, conv_in) if transposed else (conv_in, out)
    return ConvMatrix(
        tuple(shown_in),
        tuple(shown_out),
        transposed,
        tuple(ks),
        stride,
        padding,
        dilation,
        tuple(tuple(r) for r in rows),
    )


def product(
    m: ConvMatrix, weights: Mapping[Tap, Fraction], values: Sequence[Fraction]
) -> list[Fraction]:
    """``C x`` (or ``C^T x``): the layer's output, flattened row by row, for the kernel
    ``weights`` (by tap) and the input ``values`` (flattened row by row), exactly."""
    if len(values) != len(m.rows[0]):
        raise ValueError(f"the matrix takes {len(m.rows[0])} input values, not {len(values)}")
    return [
        sum(
            (weights[t] * v for t, v in zip(row, values, strict=True) if t is not None), Fraction(0)
        )
        for row in m.rows
    ]
