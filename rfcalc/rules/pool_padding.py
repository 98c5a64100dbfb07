"""A pool padded by more than half its (effective) kernel.

Why: PyTorch refuses it ("pad should be at most half of effective kernel size"), and in
any framework such a window can lie entirely in the padding: a max-pool output of
-inf or an average of zeros.

Bad::

    rfcalc: 1
    input: {size: [32]}
    layers:
      - {op: max_pool, kernel: 2, padding: 2}  # expect: RF301

Good::

    rfcalc: 1
    input: {size: [32]}
    layers:
      - {op: max_pool, kernel: 3, stride: 2, padding: 1}

Fix: padding at most ``(dilation*(kernel-1) + 1) // 2``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import POOLS, Severity
from .base import Context, Report, Rule


def check(ctx: Context) -> Iterator[Report]:
    for layer in ctx.network.layers:
        if layer.op not in POOLS or not layer.padding:
            continue
        for axis, pad in enumerate(layer.padding):
            if pad.mode is not None:
                continue
            window = layer.int_window(axis)
            if window is None:
                continue
            k, _, d = window
            half = (d * (k - 1) + 1) // 2
            worst = max(int(pad.before), int(pad.after))
            if worst > half:
                yield Report(
                    layer.at("padding"),
                    f"{layer.name} pads {worst} but its window is {d * (k - 1) + 1}: "
                    f"pool padding must be at most {half}",
                    layer.name,
                )
                break


RULE = Rule(
    id="RF301",
    name="pool-padding",
    severity=Severity.ERROR,
    summary="pool padding over half the kernel",
    check=check,
    doc=__doc__ or "",
)
