"""A window smaller than its stride: the layer never reads some of its input pixels.

Why: a layer whose taps ``0, d, ..., (k-1)*d`` miss some positions modulo its stride
never reads those pixels: a kernel smaller than the stride, or a dilation sharing a
factor with the stride.  Pooling with kernel 1 and stride 2 is plain subsampling.
When the layer's branch is merged with another that reads those pixels, so that the
merge's units together read every input pixel, it is a fact about the design, not a
problem: the 1x1
stride-2 projection of ResNet's shortcuts ignores 3 of every 4 pixels the main branch
reads.  That is reported as info, naming the merge.

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

from ..engine.support import reads_every_pixel
from ..model import MERGES, WINDOWS, Severity
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
            merge = _merge_below(ctx, layer.name)
            covered = merge is not None and all(
                reads_every_pixel(a.field) for a in ctx.main[merge].axes
            )
            yield Report(
                layer.loc,
                f"{layer.name} ignores {every - seen} of every {every} input pixels: "
                "its taps miss some positions between strides"
                + (
                    f"; {merge} merges a branch that reads them (together they read every pixel)"
                    if covered
                    else ""
                ),
                layer.name,
                severity=Severity.INFO if covered else None,
            )


def _merge_below(ctx: Context, name: str) -> str | None:
    """The first merge the layer's output flows into (breadth first), or None."""
    seen, todo = {name}, [name]
    while todo:
        for below in ctx.consumers[todo.pop(0)]:
            if ctx.layers[below].op in MERGES:
                return below
            if below not in seen:
                seen.add(below)
                todo.append(below)
    return None


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
