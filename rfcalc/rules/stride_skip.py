"""A window smaller than its stride: the layer never reads some of its input pixels.

Why: a layer whose taps ``0, d, ..., (k-1)*d`` miss some positions modulo its stride
never reads those pixels: a kernel smaller than the stride, or a dilation sharing a
factor with the stride.  The 1x1 stride-2 projection in ResNet shortcuts ignores 3
of every 4 input pixels; pooling with kernel 1 and stride 2 is plain subsampling.  It
may be intended (the main branch sees them), but it is worth knowing.

Bad::

    rfcalc: 1
    input: {size: [56, 56]}
    layers:
      - {op: conv, kernel: 1, stride: 2}  # expect: RF202

Good::

    rfcalc: 1
    input: {size: [56, 56]}
    layers:
      - {op: conv, kernel: 3, stride: 2, padding: 1}

Fix: a kernel at least as large as the stride, or pool (average) before the projection,
as ResNet-D does.
"""

from __future__ import annotations

from collections.abc import Iterator
from math import gcd

from ..model import WINDOWS, Severity
from .base import Context, Report, Rule


def check(ctx: Context) -> Iterator[Report]:
    for layer in ctx.network.layers:
        if layer.op not in WINDOWS:
            continue
        seen, every = 1, 1
        for axis in range(ctx.network.ndim):
            window = layer.int_window(axis)
            if window is None:
                break
            k, s, d = window
            seen *= covered_residues(k, d, s)
            every *= s
        if seen < every:
            yield Report(
                layer.loc,
                f"{layer.name} ignores {every - seen} of every {every} input pixels: "
                "its taps miss some positions between strides",
                layer.name,
            )


def covered_residues(k: int, d: int, s: int) -> int:
    """How many of the ``s`` positions between strides the taps ``m*d`` (``m < k``) read."""
    # the taps' residues are the multiples of g = gcd(d, s), s/g of them, met in turn
    return min(k, s // gcd(d, s))


RULE = Rule(
    id="RF202",
    name="stride-skip",
    severity=Severity.WARNING,
    summary="a window smaller than its stride skips input pixels",
    check=check,
    doc=__doc__ or "",
)
