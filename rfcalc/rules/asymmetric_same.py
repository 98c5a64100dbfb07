"""``same`` padding that has to pad one side more than the other.

Why: with an even effective kernel (or a stride that leaves an odd total), ``same``
pads one pixel more on one side: TensorFlow and ONNX ``SAME_UPPER`` put it after, ONNX
``SAME_LOWER`` before, and a symmetric PyTorch padding cannot express it at all.
Outputs shift by half a pixel, and ported weights stop matching.

Bad::

    rfcalc: 1
    input: {size: [32]}
    layers:
      - {op: conv, kernel: 4, padding: same}  # expect: RF303

Good::

    rfcalc: 1
    input: {size: [32]}
    layers:
      - {op: conv, kernel: 3, padding: same}

Fix: an odd kernel, or explicit ``[before, after]`` padding that says which side.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy

from ..engine.printing import short
from ..engine.sizes import sign_known
from ..model import Severity
from .base import Context, Report, Rule, at_every_input


def check(ctx: Context) -> Iterator[Report]:
    for r in ctx.main.layers:
        layer = r.layer
        if not layer.padding:
            continue
        for axis, pad in enumerate(layer.padding):
            if pad.mode not in ("same", "same_lower"):
                continue
            a = r.axes[axis]
            diff = sympy.sympify(a.pad_after) - a.pad_before
            if sign_known(diff) == 0:
                continue
            k = layer.window(axis)[0]
            when = "" if sign_known(diff) is not None else " for some input sizes"
            yield Report(
                layer.at("padding"),
                f"{layer.name}: {pad.mode} padding with kernel {k} pads "
                f"{short(a.pad_before)} before and {short(a.pad_after)} after{when}: "
                "frameworks disagree on the extra pixel",
                layer.name,
            )
            break


RULE = Rule(
    id="RF303",
    name="asymmetric-same",
    severity=Severity.INFO,
    summary="same padding that pads one side more than the other",
    check=at_every_input(check),
    doc=__doc__ or "",
)
