"""Padding or strides the target framework refuses (``target:`` in the spec or config).

Why: a spec is framework-free, but it describes a model someone will build.  Under
``pytorch`` (the default): ``padding='same'`` with stride > 1 on a conv ("not supported
for strided convolutions"), named ``same`` padding on a pool, and asymmetric padding on a
transposed conv (its ``padding`` is symmetric).  Under ``tensorflow``: a ``Conv`` with
both stride > 1 and dilation > 1.  Under ``onnx``: nothing beyond the spec format's own
checks.

Bad::

    rfcalc: 1
    input: {size: [H, W]}
    layers:
      - {op: conv, kernel: 3, stride: 2, padding: same}  # expect: RF302

Good::

    rfcalc: 1
    target: tensorflow
    input: {size: [H, W]}
    layers:
      - {op: conv, kernel: 3, stride: 2, padding: same}

Fix: explicit padding amounts (``F.pad`` before the layer), or the target the model is
really built in.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import CONVS, POOLS, Layer, Op, Severity
from .base import Context, Report, Rule


def _problems(layer: Layer, target: str) -> Iterator[str]:
    strides = [int(s) for s in layer.stride] if layer.stride else []
    dilations = [int(d) for d in layer.dilation] if layer.dilation else []
    modes = {p.mode for p in layer.padding if p.mode}
    if target == "pytorch":
        if layer.op == Op.CONV and modes & {"same", "same_lower"} and any(s > 1 for s in strides):
            yield "PyTorch refuses padding='same' with stride > 1"
        if layer.op in POOLS and modes & {"same", "same_lower"}:
            yield "PyTorch pools have no 'same' padding"
        if layer.op == Op.CONV_TRANSPOSE and any(
            p.mode is None and p.before != p.after for p in layer.padding
        ):
            yield "PyTorch's ConvTranspose pads symmetrically; [before, after] pairs need a crop"
    conv = layer.op in CONVS
    strided_dilated = any(s > 1 for s in strides) and any(d > 1 for d in dilations)
    if target == "tensorflow" and conv and strided_dilated:
        yield "TensorFlow refuses stride > 1 together with dilation > 1"


def check(ctx: Context) -> Iterator[Report]:
    for layer in ctx.network.layers:
        for problem in _problems(layer, ctx.target):
            yield Report(layer.loc, f"{layer.name}: {problem} (target {ctx.target})", layer.name)


RULE = Rule(
    id="RF302",
    name="framework-padding",
    severity=Severity.ERROR,
    summary="padding or strides the target framework refuses",
    check=check,
    doc=__doc__ or "",
)
