"""A transposed conv whose output phases see different numbers of inputs (checkerboard).

Why: when the kernel is not a multiple of the stride, neighbouring outputs of a
transposed convolution sum different numbers of input taps (kernel 3, stride 2: 2, 1,
2, 1, ...), which prints a checkerboard into generated images (Odena et al. 2016,
"Deconvolution and Checkerboard Artifacts").

Bad::

    rfcalc: 1
    input: {size: [16, 16]}
    layers:
      - {op: conv_transpose, kernel: 3, stride: 2, padding: 1, output_padding: 1}  # expect: RF401

Good::

    rfcalc: 1
    input: {size: [16, 16]}
    layers:
      - {op: conv_transpose, kernel: 4, stride: 2, padding: 1}

Fix: a kernel divisible by the stride, or resize-convolution (``upsample`` then
``conv``).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Severity
from .base import Context, Report, Rule, is_int


def taps_per_phase(k: int, s: int, d: int, pb: int) -> list[int]:
    """How many kernel taps land on output phase ``0..s-1``."""
    return [sum(1 for m in range(k) if (phi + pb - m * d) % s == 0) for phi in range(s)]


def check(ctx: Context) -> Iterator[Report]:
    for r in ctx.main.layers:
        layer = r.layer
        if layer.op != "conv_transpose":
            continue
        per_axis: dict[int, str] = {}
        for axis, a in enumerate(r.axes):
            window = layer.int_window(axis)
            if window is None or not is_int(a.pad_before):
                continue
            k, s, d = window
            counts = taps_per_phase(k, s, d, int(a.pad_before))
            if s > 1 and len(set(counts)) > 1:
                per_axis[axis] = (
                    f"kernel {k} with stride {s}: phases get {', '.join(map(str, counts))} taps"
                )
        if len(set(per_axis.values())) == 1 and len(per_axis) == len(r.axes):
            parts = [next(iter(per_axis.values()))]
        else:
            parts = [f"{t} on axis {ctx.axis_name(i)}" for i, t in per_axis.items()]
        if parts:
            yield Report(
                layer.loc,
                f"{layer.name} overlaps unevenly ({'; '.join(parts)}): "
                "checkerboard artifacts; use a kernel divisible by the stride",
                layer.name,
            )


RULE = Rule(
    id="RF401",
    name="checkerboard",
    severity=Severity.WARNING,
    summary="transposed conv with uneven overlap (kernel not a multiple of stride)",
    check=check,
    doc=__doc__ or "",
)
