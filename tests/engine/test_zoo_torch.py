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

from dataclasses import replace
from fractions import Fraction
from math import ceil, prod
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scale import examples

import rfcalc
from rfcalc.engine.field import is_broadcast
from rfcalc.model import Layer, Network, SpecError
from rfcalc.wording import note_text

torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0); CI installs it"
)
F = torch.nn.functional

from oracle_pads import pad as padded  # noqa: E402  (after the skip)
from oracle_pads import window_padding  # noqa: E402

SPECS = Path(__file__).parents[2] / "specs"

#: the input each spec is run at: large enough that central units of the last layers
#: lie inside the input on every axis (receptive field + a few strides), and valid
SIZES: dict[str, list[int]] = {
    "dilated_1_2_4": [64, 64],
    "resnet_stage": [56, 56],
    "seed_conv_4x4": [4, 4],
    "seed_conv_tconv_16": [16, 16],
    "seed_transposed_2x2": [2, 2],
    "transposed_phases": [64],
    "unet_small": [192, 192],
    "vgg16": [352, 352],
    "wavenet": [4200],
    "alexnet_v2": [352, 352],
    "deeplabv3_aspp": [1409, 1409],
    "hdc_sawtooth": [544, 544],
    "inception_v3": [1603, 1603],
    "mobilenet_v1": [480, 480],
    "resnet50_v1": [672, 672],
    "tcn": [256],
    "unet_original": [572, 572],
}

#: gradient entries below this fraction of a unit's largest are rounding, not taps
TINY = 1e-9

ALL = sorted([*SPECS.glob("*.yaml"), *(SPECS / "zoo").glob("*.yaml")], key=lambda p: p.stem)


def _padding(layer: Layer, axis: int, n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """Padding before / after of a forward window op, from the mode's definition."""
    if not layer.padding:
        return 0, 0
    p = layer.padding[axis]
    return window_padding(p.mode or [p.before, p.after], n, k, s, d)


def _nd(name: str, ndim: int) -> Any:
    return getattr(F, f"{name}{ndim}d")


def _window(layer: Layer, x: Any, mark: bool) -> Any:
    """conv / pools as a strided, dilated average over the (explicitly padded) window."""
    ndim = x.dim() - 2
    ks, ss, ds, pads = [], [], [], []
    for axis in range(ndim):
        k, s, d = (int(v) for v in layer.window(axis))
        ke = d * (k - 1) + 1
        ks.append(k)
        ss.append(s)
        ds.append(d)
        n = x.shape[2 + axis]
        pb, pa = _padding(layer, axis, n, k, s, d)
        if layer.ceil_mode:
            # PyTorch: ceil((n + pb + pa - ke)/s) + 1 windows, the last starting inside
            # the input or the left padding; the windows past the end read padding
            out = -(-(n + pb + pa - ke) // s) + 1
            if (out - 1) * s >= n + pb:
                out -= 1
            pa += max(0, (out - 1) * s + ke - (n + pb + pa))
        pads.append((pb, pa))
    weight = torch.ones(1, 1, *ks, dtype=x.dtype) / float(torch.tensor(ks).prod())
    return _nd("conv", ndim)(padded(x, pads, mark), weight, stride=ss, dilation=ds)


def _transposed(layer: Layer, x: Any, mark: bool) -> Any:
    ndim = x.dim() - 2
    ks, ss, ds, crops, margins = [], [], [], [], []
    for axis in range(ndim):
        k, s, d = (int(v) for v in layer.window(axis))
        op = int(layer.output_padding[axis]) if layer.output_padding else 0
        ke = d * (k - 1) + 1
        pad = layer.padding[axis] if layer.padding else None
        if pad is None or pad.mode in (None, "valid"):
            pb, pa = (0, 0) if pad is None or pad.mode else (int(pad.before), int(pad.after))
        else:
            # TensorFlow's SAME transposed conv: the gradient of a SAME conv on n*s
            # inputs, whose padding is max(ke - s, 0) split smaller half first; the
            # output is n*s (zeros at the end when the kernel is shorter than the stride)
            assert pad.mode == "same", pad.mode
            forward = max(ke - s, 0)
            pb = forward // 2
            pa = (ke - s + op) - pb
        ks.append(k)
        ss.append(s)
        ds.append(d)
        # the full output (n-1)*s + ke, output_padding more at the end, then cropped
        crops.append((-pb, op - pa))
        # marking: K units beyond each end of the input (NaN), whose contributions reach
        # the outputs that would read there, output_padding's included
        margin = (ke + op) // s + 2 if mark else 0
        margins.append(margin)
        if margin:
            crops[-1] = (-(margin * s + pb), -(margin * s - op + pa))
    weight = torch.ones(1, 1, *ks, dtype=x.dtype) / float(torch.tensor(ks).prod())
    x = padded(x, [(m, m) for m in margins], mark)
    full = _nd("conv_transpose", ndim)(x, weight, stride=ss, dilation=ds)
    return padded(full, crops)


def _interpolate(x: Any, size: list[int], mode: str, mark: bool) -> Any:
    if mode == "nearest":  # reads a unit of the map, never beyond it
        # in single precision, as networks run (and as rfcalc emulates the index): for
        # double tensors PyTorch computes the source index in double, and it can differ
        return F.interpolate(x.float(), size=size, mode="nearest").to(x.dtype)
    ndim = x.dim() - 2
    linear = {1: "linear", 2: "bilinear", 3: "trilinear"}[ndim]
    if not mark:
        return F.interpolate(x, size=size, mode=linear, align_corners=False)
    # whole factor f: one unit more at each end, f outputs cut from each; another
    # ratio: border units clamp, so a margin of them is marked
    spatial = list(x.shape[2:])
    whole = [m % n == 0 for n, m in zip(spatial, size, strict=True)]
    grow = [(1, 1) if w else (0, 0) for w in whole]
    big = [m + 2 * (m // n) if w else m for n, m, w in zip(spatial, size, whole, strict=True)]
    out = F.interpolate(padded(x, grow, True), size=big, mode=linear, align_corners=False)
    cut = [
        (-(m // n), -(m // n)) if w else (0, 0)
        for n, m, w in zip(spatial, size, whole, strict=True)
    ]
    out = padded(out, cut).clone()
    for axis, (n, m, w) in enumerate(zip(spatial, size, whole, strict=True)):
        if not w:
            # the units whose source coordinate PyTorch clamps: before the first unit,
            # or with the upper neighbour beyond the last (exact arithmetic)
            index = [slice(None)] * out.dim()
            for u in range(m):
                src = Fraction((2 * u + 1) * n - m, 2 * m)
                if src < 0 or ceil(src) > n - 1:
                    index[2 + axis] = slice(u, u + 1)
                    out[tuple(index)] = float("nan")
    return out


def _resample(x: Any, layer: Layer, size: list[int] | None, mark: bool) -> Any:
    """upsample / resize as PyTorch runs them: ``F.interpolate`` with the layer's mode,
    ``align_corners``, and its scale factor (``recompute_scale_factor`` as written) or
    size.  The plain nearest and linear modes without those options keep the executor
    the oracles were first written with; the others mark (NaN) every unit whose
    computation clamps at a border, from PyTorch's documented source coordinates."""
    mode = layer.mode
    scales = None if size is not None else [Fraction(str(v)) for v in layer.scale]
    plain = not layer.align_corners and mode in ("nearest", "bilinear") and size is not None
    if plain or (
        scales
        and all(f.denominator == 1 for f in scales)
        and mode in ("nearest", "bilinear")
        and not layer.align_corners
    ):
        spatial = list(x.shape[2:])
        target = size or [n * int(f) for n, f in zip(spatial, scales or [], strict=True)]
        return _interpolate(x, target, mode, mark)
    ndim = x.dim() - 2
    kind = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    torch_mode = {
        "linear": {1: "linear", 2: "bilinear", 3: "trilinear"}[ndim],
        "cubic": "bicubic",
    }.get(kind, kind)
    kw: dict[str, Any] = {"mode": torch_mode}
    if kind in ("linear", "cubic"):
        kw["align_corners"] = layer.align_corners
    if scales is not None:
        kw["scale_factor"] = [float(f) for f in scales]
        kw["recompute_scale_factor"] = layer.recompute_scale_factor
    else:
        kw["size"] = size
    if kind.startswith("nearest"):
        return _nearest(x, kw)
    y = x
    if kind == "cubic" and ndim == 1:  # PyTorch's bicubic is 2-D: a unit-high map
        if scales is not None:
            kw["scale_factor"] = [1.0, *kw["scale_factor"]]
        else:
            kw["size"] = [1, *size]
        out = F.interpolate(y.unsqueeze(2), **kw).squeeze(2)
    else:
        out = F.interpolate(y, **kw)
    out = out.to(x.dtype)
    if not mark:
        return out
    out = out.clone()
    spatial = list(x.shape[2:])
    for axis, n in enumerate(spatial):
        m = out.shape[2 + axis]
        index = [slice(None)] * out.dim()
        for u in range(m):
            if _clamps(
                u,
                n,
                m,
                kind,
                layer.align_corners,
                None if scales is None or layer.recompute_scale_factor else scales[axis],
            ):
                index[2 + axis] = slice(u, u + 1)
                out[tuple(index)] = float("nan")
    return out


def _nearest(x: Any, kw: dict[str, Any]) -> Any:
    """PyTorch's nearest (and nearest-exact) forward, as indexing: each axis's source
    indices are PyTorch's own (``F.interpolate`` of the index map, in single precision,
    through the kernel of the tensor's axis count), gathered with ``index_select`` so
    that the gradient follows the forward.  (PyTorch's 1-D and 3-D nearest backward sends
    an output's gradient elsewhere than its forward reads when the output is as long as
    the input, or twice as long, under a scale factor: a 2-unit map upsampled by 1.25
    reads unit 0 twice, and the gradient of the second output lands on unit 1.)"""
    ndim = x.dim() - 2
    out = x
    for axis in range(ndim):
        n = x.shape[2 + axis]
        shape = [1] * ndim
        shape[axis] = n
        index = torch.arange(n, dtype=torch.float32).reshape(1, 1, *shape)
        one = dict(kw)
        if "scale_factor" in one:
            one["scale_factor"] = [
                f if i == axis else 1.0 for i, f in enumerate(kw["scale_factor"])
            ]
        else:
            one["size"] = [m if i == axis else 1 for i, m in enumerate(kw["size"])]
        read = F.interpolate(index, **one).reshape(-1).long()
        out = out.index_select(2 + axis, read)
    return out


def _clamps(u: int, n: int, m: int, kind: str, align: bool, scale: Fraction | None) -> bool:
    """Output unit ``u`` of an interpolation from ``n`` to ``m`` units reads beyond the
    map (PyTorch then clamps): its source coordinate (PyTorch's documentation of
    ``F.interpolate``; exact arithmetic) with the neighbours its mode weighs."""
    if kind.startswith("nearest"):
        return False  # floor(s*u) and floor(s*(u + 1/2)) stay below n for these sizes
    if align:
        src = Fraction(u * (n - 1), m - 1) if m > 1 else Fraction(0)
    else:
        inverse = 1 / scale if scale is not None else Fraction(n, m)
        src = inverse * (u + Fraction(1, 2)) - Fraction(1, 2)
        if kind == "linear" and src < 0:
            return True  # clamped to 0
    lo = src.numerator // src.denominator
    if src == lo:
        return not 0 <= lo <= n - 1
    if kind == "linear":
        return lo < 0 or lo + 1 > n - 1
    return lo - 1 < 0 or lo + 2 > n - 1


def _run(layer: Layer, t: dict[str, Any], mark: bool) -> Any:
    x = t[layer.inputs[0]]
    ndim = x.dim() - 2
    spatial = list(x.shape[2:])
    op = layer.op
    if op in ("conv", "max_pool", "avg_pool"):
        return _window(layer, x, mark)
    if op == "conv_transpose":
        return _transposed(layer, x, mark)
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
    if op == "pixel_shuffle":  # a shuffled unit reads one input unit
        factors = [int(v) for v in layer.scale] if layer.scale else [2] * ndim
        size = [n * f for n, f in zip(spatial, factors, strict=True)]
        return _interpolate(x, size, "nearest", mark)
    if op == "upsample":
        if not layer.scale:
            layer = replace(layer, scale=(2,) * ndim)
        return _resample(x, layer, None, mark)
    if op == "pixel_unshuffle":  # r x r blocks: a window of r at stride r
        r = [int(v) for v in layer.scale] if layer.scale else [2] * ndim
        weight = torch.ones(1, 1, *r, dtype=x.dtype)
        return _nd("conv", ndim)(x, weight, stride=r)
    if op == "resize":
        size = list(t[layer.target].shape[2:]) if layer.target else list(layer.output_size)
        return _resample(x, layer, [int(v) for v in size], mark)
    if op == "pad":
        return padded(x, [(int(p.before), int(p.after)) for p in layer.padding], mark)
    if op == "crop":
        if layer.target is not None:
            want = t[layer.target].shape[2:]
            gaps = [n - m for n, m in zip(spatial, want, strict=True)]
            pads = [(gap // 2, gap - gap // 2) for gap in gaps]
        else:
            pads = [(int(p.before), int(p.after)) for p in layer.padding]
        return padded(x, [(-b, -a) for b, a in pads])
    raise AssertionError(f"op {op}: extend this oracle")


def _forward(network: Network, x: Any, mark: bool = False) -> dict[str, Any]:
    """Every layer's output.  With ``mark``, everything beyond a map's ends (padding,
    and the units a transposed conv or a linear interpolation would read there) is
    NaN: a unit whose value is not NaN was computed from the maps alone, so its input
    region is exactly the one the translation-invariant model states."""
    t = {"input": x}
    for layer in network.layers:
        t[layer.name] = _run(layer, t, mark)
    return t


@pytest.mark.slow
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
    assert m.receptive_field is None
    assert m.jump == 2
    assert m.note is not None
    assert "no single receptive field" in note_text(m.note)
    assert m.field is not None
    assert m.field.fixed is not None
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
    assert axis.receptive_field is None
    assert axis.field is None
    assert axis.note is not None
    assert "different jumps" in note_text(axis.note)


def _check(network: Network, size: list[int], label: str, every_layer: bool = True) -> int:
    """Compare every layer with PyTorch; returns how many unit regions were checked
    exactly (inside the input).  ``every_layer``: each layer must have one."""
    analysis = rfcalc.analyze(network, size)
    x = torch.zeros(1, 1, *size, dtype=torch.float64, requires_grad=True)
    t = _forward(network, x)
    with torch.no_grad():
        marks = _forward(network, torch.zeros_like(x), mark=True)
    unchecked = []
    exact_total = 0
    # a branch blind at some output phase of one axis empties products on the others:
    # per-axis fields of a merge are then an upper bound (README, "Limits")
    coupled = (
        len(size) > 1
        and any(a.blind_phases for r in analysis.layers for a in r.axes)
        and any(r.layer.op in ("add", "concat") for r in analysis.layers)
    )
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
            blind = [
                f is not None and f.region(u) is None for f, u in zip(fields, unit, strict=True)
            ]
            for axis, f in enumerate(fields):
                assert f is not None
                if any(blind[:axis] + blind[axis + 1 :]):
                    continue  # blind on another axis: the unit sees nothing at all
                proj = g
                for other in sorted((i for i in range(len(size)) if i != axis), reverse=True):
                    proj = proj.sum(other)
                values = proj.tolist()
                got = {i for i, v in enumerate(values) if v != 0}
                # PyTorch computes a linear resize's source coordinate in floating point:
                # where the exact one is a whole number it can leave ~1e-16 on the
                # neighbour, which only the weight tells from a real tap
                top = max(values, default=0.0)
                strong = {i for i in got if values[i] > TINY * top}
                region = f.region(unit[axis])
                where = (result.name, axis, unit[axis])
                if region is None:
                    assert not strong, where
                    continue
                start, end, n = int(region.start), int(region.end), size[axis]
                if region.support is None:
                    want = set(range(start, end + 1))
                else:
                    want = {start + i for i in range(end - start + 1) if region.support >> i & 1}
                # exact only where the unit is computed from the maps alone on every
                # axis: padding on another axis can empty a branch and so shrink the
                # projection on this one
                inside = not torch.isnan(marks[result.name][(0, 0, *unit)])
                if inside:
                    # computed from the maps alone: the gradient support is the region,
                    # holes and all, and it lies inside the input
                    assert start >= 0, where
                    assert end < n, where
                    if coupled:
                        assert strong <= want, (*where, sorted(strong - want)[:10])
                    elif region.support is None:
                        assert (min(got), max(got)) == (start, end), where
                    else:
                        assert want <= got, (*where, sorted(want ^ got)[:9])
                        assert strong <= want, (*where, sorted(want ^ got)[:9])
                    exact += 1
                else:
                    # at a border, padding and dropped pixels only take pixels away
                    assert strong <= want, (*where, sorted(strong - want)[:10])
        # a global pooling (one unit) and its broadcast see every unit below, padding
        # included: never inside the input
        pooled = all(int(a.size) == 1 for a in result.axes) or any(
            f is not None and (f.fixed or is_broadcast(f)) for f in fields
        )
        exact_total += exact
        if not exact and not pooled:
            unchecked.append(result.name)
    # every layer was checked exactly at one unit at least (SIZES are large enough)
    assert not (every_layer and unchecked), f"grow SIZES[{label!r}]: {unchecked}"
    return exact_total


# --- generated networks: every op the spec knows, against the same executor ---------


def _modes(ndim: int) -> list[str]:
    """Every interpolation mode PyTorch runs on ``ndim`` axes (bicubic: 1-D as a
    unit-high 2-D map; PyTorch has no 3-D cubic)."""
    linear = {1: "linear", 2: "bilinear", 3: "trilinear"}[ndim]
    return ["nearest", "nearest-exact", "bilinear", linear, *(["bicubic"] if ndim < 3 else [])]


def _interpolation_options(draw: Any, mode: str) -> str:
    if mode in ("nearest", "nearest-exact") or not draw(st.booleans()):
        return ""
    return ", align_corners: true"


@st.composite
def generated(  # noqa: C901 (one branch per op: the generator is a table)
    draw: Any, ndim: int = 1
) -> tuple[str, list[int]]:
    """A spec of a few items, each an op with random parameters, and its input."""
    size = [draw(st.integers(24, {1: 240, 2: 64}.get(ndim, 32))) for _ in range(ndim)]
    lines = ["rfcalc: 1", f"input: {{size: {size}}}", "layers:"]
    prev = "input"
    for i in range(draw(st.integers(1, 6))):
        name = f"l{i}"
        kind = draw(
            st.sampled_from(
                [
                    "conv",
                    "pool",
                    "tconv",
                    "upsample",
                    "shuffle",
                    "unshuffle",
                    "adaptive",
                    "broadcast",
                    "resize",
                    "resize_fixed",
                    "residual",
                    "pad",
                    "crop",
                    "skip",
                ]
            )
        )
        src = f"inputs: [{prev}]"
        if kind == "conv":
            k, s, d = draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
            pad = draw(
                st.sampled_from(["valid", "same", "same_lower", "causal", "full", "half", "ex"])
            )
            if pad == "ex":
                pad = f"[{draw(st.integers(0, 3))}, {draw(st.integers(0, 3))}]"
            lines.append(
                f"  - {{name: {name}, op: conv, kernel: {k}, stride: {s}, dilation: {d}, "
                f"padding: {pad}, {src}}}"
            )
        elif kind == "pool":
            op = draw(st.sampled_from(["max_pool", "avg_pool"]))
            k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
            pad = draw(st.sampled_from(["valid", "same", "ex"]))
            if pad == "ex":
                p = draw(st.integers(0, k // 2))
                pad = f"[{p}, {p}]"
            ceil = draw(st.booleans())
            lines.append(
                f"  - {{name: {name}, op: {op}, kernel: {k}, stride: {s}, padding: {pad}, "
                f"ceil_mode: {str(ceil).lower()}, {src}}}"
            )
        elif kind == "tconv":
            k, s, d = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
            ke = d * (k - 1) + 1
            pb, pa = draw(st.integers(0, ke - 1)), draw(st.integers(0, ke - 1))
            pad = draw(st.sampled_from([f"[{pb}, {pa}]", "same"]))
            op = draw(st.integers(0, max(s, d) - 1))
            lines.append(
                f"  - {{name: {name}, op: conv_transpose, kernel: {k}, stride: {s}, "
                f"dilation: {d}, padding: {pad}, output_padding: {op}, {src}}}"
            )
        elif kind == "upsample":
            mode = draw(st.sampled_from(_modes(ndim)))
            f = draw(st.sampled_from(["2", "3", "1.5", "2.5", "0.5", "0.75", "1.25", "3/2"]))
            options = _interpolation_options(draw, mode)
            if "/" in f or "." in f:
                options += f", recompute_scale_factor: {str(draw(st.booleans())).lower()}"
            lines.append(
                f"  - {{name: {name}, op: upsample, scale: {f!r}, mode: {mode}{options}, {src}}}"
            )
        elif kind == "resize_fixed":  # to a fixed size, larger or smaller
            mode = draw(st.sampled_from(_modes(ndim)))
            out = [draw(st.integers(3, 40)) for _ in range(ndim)]
            options = _interpolation_options(draw, mode)
            lines.append(
                f"  - {{name: {name}, op: resize, size: {out}, mode: {mode}{options}, {src}}}"
            )
        elif kind == "shuffle":
            lines.append(f"  - {{name: {name}, op: pixel_shuffle, scale: 2, {src}}}")
        elif kind == "unshuffle":
            lines.append(f"  - {{name: {name}, op: pixel_unshuffle, scale: 2, {src}}}")
        elif kind == "adaptive":
            out = draw(st.integers(1, 6))
            lines.append(f"  - {{name: {name}, op: adaptive_pool, output_size: {out}, {src}}}")
        elif kind == "broadcast":  # image pooling: pooled to one unit, resized back, added
            mode = draw(st.sampled_from(["nearest", "bilinear"]))
            lines += [
                f"  - {{name: {name}_g, op: global_pool, {src}}}",
                f"  - {{name: {name}_up, op: resize, to: {prev}, mode: {mode}}}",
                f"  - {{name: {name}, op: add, inputs: [{prev}, {name}_up]}}",
            ]
        elif kind == "resize":  # a strided branch resized back to the map and merged
            k, s = draw(st.integers(1, 3)), draw(st.integers(2, 3))
            mode = draw(st.sampled_from(_modes(ndim)))
            merge = draw(st.sampled_from(["add", "concat"]))
            lines += [
                f"  - {{name: {name}_d, op: conv, kernel: {k}, stride: {s}, {src}}}",
                f"  - {{name: {name}_up, op: resize, to: {prev}, mode: {mode}"
                f"{_interpolation_options(draw, mode)}}}",
                f"  - {{name: {name}, op: {merge}, inputs: [{prev}, {name}_up]}}",
            ]
        elif kind == "residual":
            k = draw(st.sampled_from([1, 3, 5]))
            lines += [
                f"  - {{name: {name}_c, op: conv, kernel: {k}, padding: same, {src}}}",
                f"  - {{name: {name}, op: add, inputs: [{name}_c, {prev}]}}",
            ]
        elif kind == "pad":
            pb, pa = draw(st.integers(0, 4)), draw(st.integers(0, 4))
            lines.append(f"  - {{name: {name}, op: pad, padding: [{pb}, {pa}], {src}}}")
        elif kind == "crop":
            pb, pa = draw(st.integers(0, 3)), draw(st.integers(0, 3))
            lines.append(f"  - {{name: {name}, op: crop, crop: [{pb}, {pa}], {src}}}")
        else:  # copy and crop (U-Net): valid convs shrink a branch, the skip is cropped to it
            k = draw(st.integers(2, 7))
            lines += [
                f"  - {{name: {name}_c, op: conv, kernel: {k}, {src}}}",
                f"  - {{name: {name}_s, op: crop, to: {name}_c, inputs: [{prev}]}}",
                f"  - {{name: {name}, op: concat, inputs: [{name}_c, {name}_s]}}",
            ]
        prev = name
    return "\n".join(lines) + "\n", size


def _generated(case: tuple[str, list[int]]) -> None:
    text, size = case
    try:
        network = rfcalc.load("generated.yaml", text)
    except SpecError:
        assume(False)
        return
    analysis = rfcalc.analyze(network, size)
    assume(all(int(a.size) >= 1 for r in analysis.layers for a in r.axes))
    # keep each map small enough that a backward pass per unit stays cheap
    assume(all(prod(int(a.size) for a in r.axes) <= 200_000 for r in analysis.layers))
    _check(network, size, text, every_layer=False)


@settings(
    max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(generated())
def test_generated_networks_match_pytorch(case: tuple[str, list[int]]) -> None:
    _generated(case)


@settings(
    max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(generated(ndim=2))
def test_generated_2d_networks_match_pytorch(case: tuple[str, list[int]]) -> None:
    _generated(case)


@settings(
    max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(generated(ndim=3))
def test_generated_3d_networks_match_pytorch(case: tuple[str, list[int]]) -> None:
    _generated(case)


def test_transposed_same_with_a_kernel_shorter_than_the_stride() -> None:
    # TensorFlow's SAME conv2d_transpose, 1x1 at stride 2: the even outputs see the
    # input, the odd ones are zeros (nothing is cropped before)
    text = (
        "rfcalc: 1\ninput: {size: [8]}\nlayers:\n"
        "  - {op: conv_transpose, kernel: 1, stride: 2, padding: same}\n"
    )
    network = rfcalc.load("tsame.yaml", text)
    (axis,) = rfcalc.analyze(network).layers[0].axes
    assert axis.size == 16
    assert (axis.pad_before, axis.pad_after) == (0, -1)
    assert axis.field is not None
    assert axis.field.region(4) is not None
    assert axis.field.region(5) is None
    _check(network, [8], "tsame", every_layer=False)


def _every_unit(case: tuple[str, list[int]], need: Any = assume) -> int:
    """Every unit of every layer that the maps alone compute (1-D, all at once: the
    executor is linear, so a batch of one-hot inputs gives the whole Jacobian)."""
    text, size = case
    try:
        network = rfcalc.load("generated.yaml", text)
    except SpecError:
        need(False)
        return 0
    analysis = rfcalc.analyze(network, size)
    need(all(int(a.size) >= 1 for r in analysis.layers for a in r.axes))
    (n,) = size
    eye = torch.eye(n, dtype=torch.float64).reshape(n, 1, n)
    t = _forward(network, eye)
    with torch.no_grad():
        marks = _forward(network, torch.zeros(1, 1, n, dtype=torch.float64), mark=True)
    checked = 0
    for result in analysis.layers:
        (a,) = result.axes
        f = a.field
        if f is None or a.receptive_field is None or f.fixed is not None or is_broadcast(f):
            continue
        jac = t[result.name][:, 0, :].T  # jac[u, i]: unit u's gradient at pixel i
        inside = [u for u in range(jac.shape[0]) if not torch.isnan(marks[result.name][0, 0, u])]
        extents, pads = [], []
        for u in inside:
            row = jac[u].abs().tolist()
            top = max(row)
            got = [i for i, v in enumerate(row) if v > TINY * top]
            if not got:
                continue  # a blind unit
            extents.append(got[-1] - got[0] + 1)
            pads.append(u * a.jump - got[0])
        if not extents:
            continue
        where = (result.name, text)
        rf_min = a.receptive_field_min or a.receptive_field
        assert a.interior is not None
        interior = {u for lo, hi in a.interior for u in range(lo, hi + 1)}
        if interior <= set(inside):
            assert a.receptive_field == max(extents), where
            assert rf_min == min(extents), where
            assert a.effective_padding == max(pads), where
            checked += 1
        else:
            # the marking is conservative (a linear interpolation's weight 0 on a
            # marked neighbour still marks): the units it shows bound the statement
            assert rf_min <= min(extents), where
            assert max(extents) <= a.receptive_field, where
            assert max(pads) <= a.effective_padding, where
    return checked


@settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(generated())
def test_fields_hold_over_every_unit_the_map_has(case: tuple[str, list[int]]) -> None:
    """Receptive field (largest, smallest) and effective padding over all units away from
    the borders, not one central unit per phase: after an adaptive pool or a resize
    between sizes whose ratio is not whole, the phases are units of the real map."""
    _every_unit(case)


@pytest.mark.parametrize(
    ("layers", "size", "want"),
    [
        # issue #10: 28 units, each spans 4 (rfcalc said RF 5, min 4, padding 29/30)
        ("[{op: adaptive_pool, output_size: 30}, {op: conv, kernel: 3}]", 31, (4, 4, "9/10")),
        # a dilated kernel steps over a border unit between two interior ones
        (
            "[{op: adaptive_pool, output_size: 1},"
            " {op: conv_transpose, kernel: 3, stride: 3, dilation: 2},"
            " {op: conv, kernel: 2, dilation: 2}]",
            24,
            (24, 24, "16"),
        ),
        # a one-unit map under a transposed conv: only units 2 and 4 read the map alone
        (
            "[{op: adaptive_pool, output_size: 1},"
            " {op: conv_transpose, kernel: 4, stride: 3, dilation: 2}]",
            24,
            (24, 24, "32"),
        ),
        (
            "[{name: a, op: adaptive_pool, output_size: 9},"
            " {op: resize, to: a, inputs: [input]}, {op: conv, kernel: 5, stride: 4}]",
            28,
            (13, 13, "4/9"),
        ),
    ],
)
def test_fields_after_aperiodic_layers_are_those_of_real_units(
    layers: str, size: int, want: tuple[int, int, str]
) -> None:
    text = f"rfcalc: 1\ninput: {{size: [{size}]}}\nlayers: {layers}\n"
    (a,) = rfcalc.analyze(rfcalc.load("aperiodic.yaml", text)).layers[-1].axes
    rf, rf_min, pad = want
    assert (a.receptive_field, a.receptive_field_min or a.receptive_field) == (rf, rf_min)
    assert str(a.effective_padding) == pad
    assert _every_unit((text, [size]), need=_require) >= 1


def _require(condition: bool) -> None:
    assert condition
