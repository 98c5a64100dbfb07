"""The PyTorch side of the oracles: a spec run as a PyTorch network, and generated specs.

Each layer runs with one channel and averaging weights (pools as averages, so every tap
reaches the gradient), or with every weight 1 (``ones``: the gradient then counts the
paths from a pixel to a unit).  Written from the spec and from PyTorch's documented
semantics alone: padding modes are resolved by their definitions (REFERENCE.md), not by
rfcalc.  Import it after ``pytest.importorskip("torch")``.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from math import ceil, prod
from typing import Any

import torch
from hypothesis import assume
from hypothesis import strategies as st

import rfcalc
from rfcalc.engine import Analysis
from rfcalc.model import Layer, Network, SpecError
from support.oracle_pads import pad as padded
from support.oracle_pads import window_padding

F = torch.nn.functional


def _padding(layer: Layer, axis: int, n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """Padding before / after of a forward window op, from the mode's definition."""
    if not layer.padding:
        return 0, 0
    p = layer.padding[axis]
    return window_padding(p.mode or [p.before, p.after], n, k, s, d)


def _nd(name: str, ndim: int) -> Any:
    return getattr(F, f"{name}{ndim}d")


def _window(layer: Layer, x: Any, mark: bool, ones: bool) -> Any:
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
    weight = torch.ones(1, 1, *ks, dtype=x.dtype) / (1.0 if ones else float(prod(ks)))
    fill = layer.padding_mode if layer.op == "conv" else "zeros"
    return _nd("conv", ndim)(padded(x, pads, mark, fill), weight, stride=ss, dilation=ds)


def _transposed(layer: Layer, x: Any, mark: bool, ones: bool) -> Any:
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
    weight = torch.ones(1, 1, *ks, dtype=x.dtype) / (1.0 if ones else float(prod(ks)))
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


def _run(
    layer: Layer, t: dict[str, Any], mark: bool, ones: bool, detached: frozenset[str] = frozenset()
) -> Any:
    x = t[layer.inputs[0]]
    ndim = x.dim() - 2
    spatial = list(x.shape[2:])
    op = layer.op
    if op in ("conv", "max_pool", "avg_pool"):
        return _window(layer, x, mark, ones)
    if op == "conv_transpose":
        return _transposed(layer, x, mark, ones)
    if op in ("add", "mul", "concat"):
        # one channel: a concat is, for the support, a sum; so is a product (rfcalc counts
        # paths, the gradient with every weight 1 and every merge a sum); a branch of one
        # unit meets a map by PyTorch's broadcasting; a detached branch is no path (the
        # executor is linear: a zero map, so that values are the Jacobian too), nor, when
        # marking, a border
        parts = [
            torch.zeros_like(t[name]) if name in detached else t[name] for name in layer.inputs
        ]
        out = parts[0]
        for part in parts[1:]:
            out = out + part
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
        amounts = [(int(p.before), int(p.after)) for p in layer.padding]
        return padded(x, amounts, mark, layer.padding_mode)
    if op == "crop":
        if layer.target is not None:
            want = t[layer.target].shape[2:]
            gaps = [n - m for n, m in zip(spatial, want, strict=True)]
            pads = [(gap // 2, gap - gap // 2) for gap in gaps]
        else:
            pads = [(int(p.before), int(p.after)) for p in layer.padding]
        return padded(x, [(-b, -a) for b, a in pads])
    raise AssertionError(f"op {op}: extend this oracle")


def forward(
    network: Network, x: Any, mark: bool = False, ones: bool = False, local: bool = False
) -> dict[str, Any]:
    """Every layer's output.  With ``mark``, everything beyond a map's ends (padding,
    and the units a transposed conv or a linear interpolation would read there) is
    NaN: a unit whose value is not NaN was computed from the maps alone, so its input
    region is exactly the one the translation-invariant model states.  With ``local``,
    the branches that bring the global context into a merge are detached
    (:func:`global_branches`): the gradient then shows the moving window alone."""
    detached = global_branches(network) if local else {}
    t = {"input": x}
    for layer in network.layers:
        t[layer.name] = _run(layer, t, mark, ones, detached.get(layer.name, frozenset()))
    return t


def global_branches(network: Network) -> dict[str, frozenset[str]]:
    """Per merge, its inputs that carry a global read broadcast over the map: a map of
    one unit for every input (a global or adaptive pool to one unit, and what keeps it
    one unit: PyTorch run on a one-unit map says so) meeting a map, or such a map
    resampled back to a map.  Written from the spec and PyTorch alone."""
    ndim = network.ndim
    one: dict[str, tuple[bool, ...]] = {"input": (False,) * ndim}
    spread: dict[str, bool] = {"input": False}  # resampled from a map of one unit
    out: dict[str, frozenset[str]] = {}
    for layer in network.layers:
        op = str(layer.op)
        below = layer.inputs[0]
        if op in ("add", "mul", "concat"):
            one[layer.name] = tuple(all(one[n][i] for n in layer.inputs) for i in range(ndim))
            wide = [n for n in layer.inputs if not any(one[n]) and not spread[n]]
            out[layer.name] = frozenset(
                n for n in layer.inputs if wide and (spread[n] or any(one[n]))
            )
            spread[layer.name] = not wide and any(spread[n] for n in layer.inputs)
            continue
        if op == "global_pool":
            one[layer.name] = (True,) * ndim
        elif op == "adaptive_pool":
            sizes = [int(v) for v in layer.output_size] or [1] * ndim
            one[layer.name] = tuple(v == 1 for v in sizes)
        elif op == "resize" and layer.target is not None:
            one[layer.name] = one[layer.target]
        elif op == "resize":
            one[layer.name] = tuple(int(v) == 1 for v in layer.output_size)
        else:
            one[layer.name] = _keeps_one(layer, one[below])
        resampled = op in ("resize", "upsample") and any(one[below])
        spread[layer.name] = spread[below] or (resampled and not all(one[layer.name]))
    return out


def _keeps_one(layer: Layer, one_below: tuple[bool, ...]) -> tuple[bool, ...]:
    """Per axis: the layer, run by PyTorch on a map of one unit, gives one unit (where the
    map below is always one unit)."""
    if not any(one_below):
        return one_below
    size = [1] * len(one_below)
    try:
        unit = torch.zeros(1, 1, *size, dtype=torch.float64)
        y = _run(layer, {layer.inputs[0]: unit}, False, False)
    except (RuntimeError, KeyError, ValueError):
        return (False,) * len(one_below)
    return tuple(b and n == 1 for b, n in zip(one_below, y.shape[2:], strict=True))


#: what fills padding besides zeros (PyTorch's ``padding_mode``, F.pad's ``mode``)
FILLS = ("reflect", "replicate", "circular")


def modes(ndim: int) -> list[str]:
    """Every interpolation mode PyTorch runs on ``ndim`` axes (bicubic: 1-D as a
    unit-high 2-D map; PyTorch has no 3-D cubic)."""
    linear = {1: "linear", 2: "bilinear", 3: "trilinear"}[ndim]
    return ["nearest", "nearest-exact", "bilinear", linear, *(["bicubic"] if ndim < 3 else [])]


def _interpolation_options(draw: Any, mode: str) -> str:
    if mode in ("nearest", "nearest-exact") or not draw(st.booleans()):
        return ""
    return ", align_corners: true"


def loaded(case: tuple[str, list[int]]) -> tuple[Network, Analysis]:
    """A :func:`generated` case read and analysed at its input; a case the reader refuses,
    or with an empty map, is rejected (hypothesis draws another)."""
    text, size = case
    try:
        network = rfcalc.load("generated.yaml", text)
    except SpecError:
        assume(False)
        raise
    analysis = rfcalc.analyze(network, size)
    assume(all(int(a.size) >= 1 for r in analysis.layers for a in r.axes))
    return network, analysis


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
                    "gate",
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
            fill = draw(st.sampled_from(["zeros", "zeros", *FILLS]))
            lines.append(
                f"  - {{name: {name}, op: conv, kernel: {k}, stride: {s}, dilation: {d}, "
                f"padding: {pad}, padding_mode: {fill}, {src}}}"
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
            mode = draw(st.sampled_from(modes(ndim)))
            f = draw(st.sampled_from(["2", "3", "1.5", "2.5", "0.5", "0.75", "1.25", "3/2"]))
            options = _interpolation_options(draw, mode)
            if "/" in f or "." in f:
                options += f", recompute_scale_factor: {str(draw(st.booleans())).lower()}"
            lines.append(
                f"  - {{name: {name}, op: upsample, scale: {f!r}, mode: {mode}{options}, {src}}}"
            )
        elif kind == "resize_fixed":  # to a fixed size, larger or smaller
            mode = draw(st.sampled_from(modes(ndim)))
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
                f"  - {{name: {name}, op: {draw(st.sampled_from(['add', 'mul']))}, "
                f"inputs: [{prev}, {name}_up]}}",
            ]
        elif kind == "gate":  # squeeze-and-excitation: the map times its pooled self,
            # broadcast by the merge (no resize), through a 1x1 conv or not
            pool = draw(st.sampled_from(["global_pool", "adaptive_pool, output_size: 1"]))
            gate = f"{name}_g"
            lines.append(f"  - {{name: {gate}, op: {pool}, {src}}}")
            if draw(st.booleans()):
                lines.append(f"  - {{name: {name}_e, op: conv, kernel: 1, inputs: [{gate}]}}")
                gate = f"{name}_e"
            merge = draw(st.sampled_from(["add", "mul"]))
            lines.append(f"  - {{name: {name}, op: {merge}, inputs: [{prev}, {gate}]}}")
        elif kind == "resize":  # a strided branch resized back to the map and merged
            k, s = draw(st.integers(1, 3)), draw(st.integers(2, 3))
            mode = draw(st.sampled_from(modes(ndim)))
            merge = draw(st.sampled_from(["add", "mul", "concat"]))
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
            fill = draw(st.sampled_from(["constant", *FILLS]))
            lines.append(
                f"  - {{name: {name}, op: pad, padding: [{pb}, {pa}], mode: {fill}, {src}}}"
            )
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
