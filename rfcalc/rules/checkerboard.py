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
from math import gcd

from ..engine.sizes import is_concrete
from ..engine.steps import phase_taps
from ..model import Op, Severity
from .base import Context, Report, Rule


def taps_per_phase(k: int, s: int, d: int, pb: int) -> list[int]:
    """How many kernel taps land on output phase ``0..s-1``."""
    return [phase_taps(k, s, d, pb, phi)[1] for phi in range(s)]


def phase_counts(k: int, s: int, d: int) -> dict[int, int]:
    """How many of the ``s`` phases get each number of taps (the multiset of
    :func:`taps_per_phase`, whatever the padding): ``k`` taps spread over ``s / g``
    phases (``g = gcd(d, s)``), ``k mod (s/g)`` of them one more; the others none."""
    g = gcd(d, s)
    q = s // g
    out: dict[int, int] = {}
    for count, phases in ((k // q + 1, k % q), (k // q, q - k % q), (0, s - q)):
        if phases:
            out[count] = out.get(count, 0) + phases
    return out


def check(ctx: Context) -> Iterator[Report]:
    for r in ctx.main.layers:
        layer = r.layer
        if layer.op != Op.CONV_TRANSPOSE:
            continue
        per_axis: dict[int, str] = {}
        for axis, a in enumerate(r.axes):
            window = layer.int_window(axis)
            if window is None or not is_concrete(a.pad_before):
                continue
            k, s, d = window
            counts = phase_counts(k, s, d)
            if s > 1 and len(counts) > 1:
                if s <= 16:
                    shown = ", ".join(map(str, taps_per_phase(k, s, d, int(a.pad_before))))
                else:
                    shown = " or ".join(
                        f"{c} ({n} of {s})" for c, n in sorted(counts.items(), reverse=True)
                    )
                per_axis[axis] = f"kernel {k} with stride {s}: phases get {shown} taps"
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
