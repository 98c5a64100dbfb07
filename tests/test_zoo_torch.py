"""Every shipped spec, every layer, every axis: rfcalc against PyTorch.

Each spec in ``specs/`` and ``specs/zoo/`` is run as a PyTorch network with one channel
and averaging weights (pools as averages, so every tap reaches the gradient).  At every
layer the output shape must match, and for central output units (one of each output
phase, and the next period's unit so the advance is seen) the gradient support, projected
on each axis, must be the input region rfcalc states: its first and last pixel (so the
receptive field, the effective stride and the effective padding) and, where the unit
lies inside the input, its exact support, holes included.  This is the per-stage check
behind the published figures in ``test_zoo.py``, which name only a few stages.

The PyTorch side is written from the spec alone: padding modes are resolved here by
their definitions (REFERENCE.md), not by rfcalc.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import rfcalc
from rfcalc.engine.field import is_broadcast
from rfcalc.model import Layer, Network

torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0); CI installs it"
)
F = torch.nn.functional

SPECS = Path(__file__).parents[1] / "specs"

#: the input each spec is run at: large enough on the first axis that central units of
#: the last layers lie inside the input (receptive field + a few strides), valid for the
#: spec, and small on the other axis where that keeps the run cheap
SIZES: dict[str, list[int]] = {
    "dilated_1_2_4": [64, 64],
    "resnet_stage": [56, 56],
    "seed_conv_4x4": [4, 4],
    "seed_conv_tconv_16": [16, 16],
    "seed_transposed_2x2": [2, 2],
    "transposed_phases": [64],
    "unet_small": [192, 192],
    "vgg16": [352, 64],
    "wavenet": [4200],
    "alexnet_v2": [352, 96],
    "deeplabv3_aspp": [1409, 65],
    "hdc_sawtooth": [544, 64],
    "inception_v3": [1603, 107],
    "mobilenet_v1": [480, 64],
    "resnet50_v1": [672, 64],
    "tcn": [256],
    "unet_original": [572, 188],
}

ALL = sorted([*SPECS.glob("*.yaml"), *(SPECS / "zoo").glob("*.yaml")], key=lambda p: p.stem)


def _padding(layer: Layer, axis: int, n: int, ke: int, s: int) -> tuple[int, int]:
    """Padding before / after of a forward window op, from the mode's definition."""
    if not layer.padding:
        return 0, 0
    pad = layer.padding[axis]
    mode = pad.mode
    if mode is None:
        return int(pad.before), int(pad.after)
    if mode == "valid":
        return 0, 0
    if mode in ("same", "same_lower"):
        total = max((-(-n // s) - 1) * s + ke - n, 0)
        small, big = total // 2, total - total // 2
        return (small, big) if mode == "same" else (big, small)
    if mode == "full":
        return ke - 1, ke - 1
    if mode == "half":
        return ke // 2, ke // 2
    if mode == "causal":
        return ke - 1, 0
    raise AssertionError(f"unknown padding mode {mode}")


def _pad(x: Any, pads: list[tuple[int, int]]) -> Any:
    """Zero padding (negative amounts crop), axis 0 first."""
    flat: list[int] = []
    for before, after in reversed(pads):
        flat += [before, after]
    return F.pad(x, flat)


def _nd(name: str, ndim: int) -> Any:
    return getattr(F, f"{name}{ndim}d")


def _window(layer: Layer, x: Any) -> Any:
    """conv / pools as a strided, dilated average over the (explicitly padded) window."""
    ndim = x.dim() - 2
    ks, ss, ds, pads = [], [], [], []
    for axis in range(ndim):
        k, s, d = (int(v) for v in layer.window(axis))
        ke = d * (k - 1) + 1
        ks.append(k)
        ss.append(s)
        ds.append(d)
        pads.append(_padding(layer, axis, x.shape[2 + axis], ke, s))
    assert not layer.ceil_mode, "ceil_mode: extend this oracle (torch's rule on the last window)"
    weight = torch.ones(1, 1, *ks, dtype=x.dtype) / float(torch.tensor(ks).prod())
    return _nd("conv", ndim)(_pad(x, pads), weight, stride=ss, dilation=ds)


def _transposed(layer: Layer, x: Any) -> Any:
    ndim = x.dim() - 2
    ks, ss, ds, crops = [], [], [], []
    for axis in range(ndim):
        k, s, d = (int(v) for v in layer.window(axis))
        op = int(layer.output_padding[axis]) if layer.output_padding else 0
        ke = d * (k - 1) + 1
        pad = layer.padding[axis] if layer.padding else None
        if pad is None or pad.mode in (None, "valid"):
            pb, pa = (0, 0) if pad is None or pad.mode else (int(pad.before), int(pad.after))
        else:
            assert pad.mode == "same", pad.mode  # the output is n*s: pb + pa = ke - s + op
            total = ke - s + op
            pb, pa = total // 2, total - total // 2
        ks.append(k)
        ss.append(s)
        ds.append(d)
        # the full output (n-1)*s + ke, output_padding more at the end, then cropped
        crops.append((-pb, op - pa))
    weight = torch.ones(1, 1, *ks, dtype=x.dtype) / float(torch.tensor(ks).prod())
    full = _nd("conv_transpose", ndim)(x, weight, stride=ss, dilation=ds)
    return _pad(full, crops)


def _interpolate(x: Any, size: list[int], mode: str) -> Any:
    if mode == "nearest":
        return F.interpolate(x, size=size, mode="nearest")
    linear = {1: "linear", 2: "bilinear", 3: "trilinear"}[x.dim() - 2]
    return F.interpolate(x, size=size, mode=linear, align_corners=False)


def _run(layer: Layer, t: dict[str, Any]) -> Any:
    x = t[layer.inputs[0]]
    ndim = x.dim() - 2
    spatial = list(x.shape[2:])
    op = layer.op
    if op in ("conv", "max_pool", "avg_pool"):
        return _window(layer, x)
    if op == "conv_transpose":
        return _transposed(layer, x)
    if op in ("add", "concat"):  # one channel: a concat is, for the support, a sum
        out = t[layer.inputs[0]]
        for name in layer.inputs[1:]:
            out = out + t[name]
        return out
    if op == "identity":
        return x
    if op == "global_pool":
        return x.mean(dim=tuple(range(2, 2 + ndim)), keepdim=True)
    if op == "adaptive_pool":
        return _nd("adaptive_avg_pool", ndim)(x, [int(v) for v in layer.output_size])
    if op in ("upsample", "pixel_shuffle"):  # a shuffled unit reads one input unit
        factors = [int(v) for v in layer.scale] if layer.scale else [2] * ndim
        mode = layer.mode if op == "upsample" else "nearest"
        return _interpolate(x, [n * f for n, f in zip(spatial, factors, strict=True)], mode)
    if op == "pixel_unshuffle":  # r x r blocks: a window of r at stride r
        r = [int(v) for v in layer.scale] if layer.scale else [2] * ndim
        weight = torch.ones(1, 1, *r, dtype=x.dtype)
        return _nd("conv", ndim)(x, weight, stride=r)
    if op == "resize":
        size = list(t[layer.target].shape[2:]) if layer.target else spatial
        return _interpolate(x, size, layer.mode)
    if op == "pad":
        return _pad(x, [(int(p.before), int(p.after)) for p in layer.padding])
    if op == "crop":
        if layer.target is not None:
            want = t[layer.target].shape[2:]
            gaps = [n - m for n, m in zip(spatial, want, strict=True)]
            pads = [(gap // 2, gap - gap // 2) for gap in gaps]
        else:
            pads = [(int(p.before), int(p.after)) for p in layer.padding]
        return _pad(x, [(-b, -a) for b, a in pads])
    raise AssertionError(f"op {op}: extend this oracle")


def _forward(network: Network, x: Any) -> dict[str, Any]:
    t = {"input": x}
    for layer in network.layers:
        t[layer.name] = _run(layer, t)
    return t


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_every_layer_matches_pytorch(path: Path) -> None:
    _check(rfcalc.load(str(path)), SIZES[path.stem], path.stem)


#: image pooling whose window lies inside the input (valid convs): every unit of the
#: merge sees pixels 0..62 through the broadcast, and its own moving window
BROADCAST = """
rfcalc: 1
input: {size: [L]}
layers:
  - {name: a, op: conv, kernel: 3, stride: 2}
  - {name: b, op: conv, kernel: 3, dilation: 2}
  - {name: pooled, op: global_pool, inputs: [a]}
  - {name: image, op: resize, to: b, mode: bilinear}
  - {name: m, op: add, inputs: [b, image]}
  - {name: c, op: conv, kernel: 3, stride: 2}
  - {name: d, op: conv, kernel: 2}
"""


@pytest.mark.parametrize("size", [64, 65, 97])
def test_broadcast_branch_is_a_fixed_region(size: int) -> None:
    network = rfcalc.load("broadcast.yaml", BROADCAST)
    _check(network, [size], "broadcast")
    m = rfcalc.analyze(network, [size])["m"].axes[0]
    assert m.receptive_field is None and m.jump == 2
    assert m.note is not None and "no single receptive field" in m.note
    assert m.field is not None and m.field.fixed is not None
    assert (m.field.fixed.start, m.field.fixed.end) == (0, (size - 3) // 2 * 2 + 2)


def test_branches_of_different_jumps_have_no_field() -> None:
    text = """
rfcalc: 1
input: {size: [64]}
layers:
  - {name: a, op: conv, kernel: 4, stride: 4}
  - {name: a2, op: pad, padding: [0, 16]}
  - {name: b, op: conv, kernel: 2, stride: 2, inputs: [input]}
  - {name: m, op: add, inputs: [a2, b]}
"""
    result = rfcalc.analyze(rfcalc.load("misaligned.yaml", text))["m"]
    assert not result.aligned
    (axis,) = result.axes
    assert axis.receptive_field is None and axis.field is None
    assert axis.note is not None and "different jumps" in axis.note


def _check(network: Network, size: list[int], label: str) -> None:
    analysis = rfcalc.analyze(network, size)
    x = torch.zeros(1, 1, *size, dtype=torch.float64, requires_grad=True)
    t = _forward(network, x)
    unchecked = []
    for result in analysis.layers:
        y = t[result.name]
        assert tuple(y.shape[2:]) == tuple(int(a.size) for a in result.axes), result.name
        fields = [a.field for a in result.axes]
        if any(f is None for f in fields):
            continue
        period = max(f.period for f in fields if f is not None)
        mids = [n // 2 for n in y.shape[2:]]
        exact = 0
        for k in range(min(period, 4) + 1):
            unit = [m + k for m in mids]
            if any(u >= n for u, n in zip(unit, y.shape[2:], strict=True)):
                continue
            (g,) = torch.autograd.grad(y[(0, 0, *unit)], x, retain_graph=True)
            g = g[0, 0].abs()
            for axis, f in enumerate(fields):
                assert f is not None
                proj = g
                for other in sorted((i for i in range(len(size)) if i != axis), reverse=True):
                    proj = proj.sum(other)
                got = {i for i, v in enumerate(proj.tolist()) if v != 0}
                region = f.region(unit[axis])
                where = (result.name, axis, unit[axis])
                if region is None:
                    assert not got, where
                    continue
                start, end, n = int(region.start), int(region.end), size[axis]
                if region.support is None:
                    want = set(range(start, end + 1))
                else:
                    want = {start + i for i in range(end - start + 1) if region.support >> i & 1}
                if start >= 0 and end < n:
                    # inside the input: the gradient support is the region, holes and all
                    if region.support is None:
                        assert (min(got), max(got)) == (start, end), where
                    else:
                        assert got == want, (*where, sorted(want ^ got)[:10])
                    exact += 1
                else:
                    # at a border, padding and dropped pixels only take pixels away
                    assert got <= want, (*where, sorted(got - want)[:10])
        # a global pooling (one unit) and its broadcast see every unit below, padding
        # included: never inside the input
        pooled = all(int(a.size) == 1 for a in result.axes) or any(
            f is not None and (f.fixed or is_broadcast(f)) for f in fields
        )
        if not exact and not pooled:
            unchecked.append(result.name)
    # every layer was checked exactly at one unit at least (SIZES are large enough)
    assert not unchecked, f"grow SIZES[{label!r}]: {unchecked}"
