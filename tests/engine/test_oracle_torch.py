"""The PyTorch oracle: hypothesis builds random networks, rfcalc analyses them, PyTorch
runs them.  Every output shape must match exactly, and the receptive field must be the
gradient support of an output unit (all weights 1, pools averaged so every tap
counts), holes included, for one unit of every output phase.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.scale import examples

import rfcalc
from rfcalc.engine import analyze_network

torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0); CI installs it"
)
F = torch.nn.functional

from support.oracle_pads import pad, tf_same, window_padding  # noqa: E402  (after the skip)


@dataclass
class L:
    """One generated layer: its spec text and how PyTorch runs it (ndim-generic)."""

    spec: dict[str, Any]
    run: Any  # callable(tensors: dict[str, Tensor], gradient: bool) -> Tensor


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def spec_text(layers: list[L], size: list[int]) -> str:
    lines = ["rfcalc: 1", f"input: {{size: {_fmt(size)}}}", "layers:"]
    for layer in layers:
        body = ", ".join(f"{k}: {_fmt(v)}" for k, v in layer.spec.items())
        lines.append(f"  - {{{body}}}")
    return "\n".join(lines) + "\n"


def _conv_nd(ndim: int) -> Any:
    return {1: F.conv1d, 2: F.conv2d}[ndim]


def _tconv_nd(ndim: int) -> Any:
    return {1: F.conv_transpose1d, 2: F.conv_transpose2d}[ndim]


@st.composite
def conv_layer(draw: Any, ndim: int, name: str, src: str) -> L:
    ks = [draw(st.integers(1, 5)) for _ in range(ndim)]
    ss = [draw(st.integers(1, 3)) for _ in range(ndim)]
    ds = [draw(st.integers(1, 3)) for _ in range(ndim)]
    modes = [
        draw(
            st.one_of(
                st.sampled_from(["valid", "same", "same_lower", "full", "half", "causal"]),
                st.integers(0, 3),
                st.lists(st.integers(0, 3), min_size=2, max_size=2),
            )
        )
        for _ in range(ndim)
    ]
    spec = {
        "name": name,
        "op": "conv",
        "inputs": [src],
        "kernel": ks,
        "stride": ss,
        "dilation": ds,
        "padding": modes,
    }

    def run(t: dict[str, Any], gradient: bool) -> Any:
        x = t[src]
        pads = [window_padding(m, x.shape[2 + i], ks[i], ss[i], ds[i]) for i, m in enumerate(modes)]
        w = torch.ones(1, 1, *ks, dtype=torch.float64)
        return _conv_nd(ndim)(pad(x, pads), w, stride=ss, dilation=ds)

    return L(spec, run)


@st.composite
def pool_layer(draw: Any, ndim: int, name: str, src: str) -> L:
    op = draw(st.sampled_from(["max_pool", "avg_pool"]))
    ks = [draw(st.integers(1, 4)) for _ in range(ndim)]
    ss = [draw(st.integers(1, 3)) for _ in range(ndim)]
    ps = [draw(st.integers(0, k // 2)) for k in ks]
    ceil = draw(st.booleans())
    spec = {
        "name": name,
        "op": op,
        "inputs": [src],
        "kernel": ks,
        "stride": ss,
        "padding": ps,
        "ceil_mode": ceil,
    }

    def run(t: dict[str, Any], gradient: bool) -> Any:
        x = t[src]
        if op == "max_pool" and not gradient:
            pool = {1: F.max_pool1d, 2: F.max_pool2d}[ndim]
        else:  # average: every tap of the window reaches the gradient
            pool = {1: F.avg_pool1d, 2: F.avg_pool2d}[ndim]
        return pool(x, ks, ss, ps, ceil_mode=ceil)

    return L(spec, run)


@st.composite
def tconv_layer(draw: Any, ndim: int, name: str, src: str) -> L:
    ks = [draw(st.integers(1, 4)) for _ in range(ndim)]
    ss = [draw(st.integers(1, 3)) for _ in range(ndim)]
    ds = [draw(st.integers(1, 2)) for _ in range(ndim)]
    ps = [draw(st.integers(0, (d * (k - 1)) // 2)) for k, d in zip(ks, ds, strict=True)]
    ops = [draw(st.integers(0, max(s, d) - 1)) for s, d in zip(ss, ds, strict=True)]
    spec = {
        "name": name,
        "op": "conv_transpose",
        "inputs": [src],
        "kernel": ks,
        "stride": ss,
        "dilation": ds,
        "padding": ps,
        "output_padding": ops,
    }

    def run(t: dict[str, Any], gradient: bool) -> Any:
        w = torch.ones(1, 1, *ks, dtype=torch.float64)
        return _tconv_nd(ndim)(t[src], w, stride=ss, padding=ps, output_padding=ops, dilation=ds)

    return L(spec, run)


@st.composite
def upsample_layer(draw: Any, ndim: int, name: str, src: str) -> L:
    scale = draw(st.integers(2, 3))
    mode = draw(st.sampled_from(["nearest", "bilinear"]))
    spec = {"name": name, "op": "upsample", "inputs": [src], "scale": scale, "mode": mode}

    def run(t: dict[str, Any], gradient: bool) -> Any:
        torch_mode = mode if mode == "nearest" else {1: "linear", 2: "bilinear"}[ndim]
        kw = {} if mode == "nearest" else {"align_corners": False}
        return F.interpolate(t[src], scale_factor=scale, mode=torch_mode, **kw)

    return L(spec, run)


@st.composite
def pad_crop_layer(draw: Any, ndim: int, name: str, src: str) -> L:
    op = draw(st.sampled_from(["pad", "crop"]))
    amounts = [[draw(st.integers(0, 2)), draw(st.integers(0, 2))] for _ in range(ndim)]
    key = "padding" if op == "pad" else "crop"
    spec = {"name": name, "op": op, "inputs": [src], key: amounts}

    def run(t: dict[str, Any], gradient: bool) -> Any:
        x = t[src]
        if op == "pad":
            return pad(x, [(a, b) for a, b in amounts])
        index = [slice(None), slice(None)] + [
            slice(a, x.shape[2 + i] - b) for i, (a, b) in enumerate(amounts)
        ]
        return x[tuple(index)]

    return L(spec, run)


@st.composite
def residual_block(draw: Any, ndim: int, name: str, src: str) -> list[L]:
    """conv (same, stride 1) then add/concat with the block's input: sizes always agree."""
    ks = [draw(st.integers(1, 5)) for _ in range(ndim)]
    ds = [draw(st.integers(1, 3)) for _ in range(ndim)]
    inner = f"{name}_c"
    conv = {
        "name": inner,
        "op": "conv",
        "inputs": [src],
        "kernel": ks,
        "dilation": ds,
        "padding": "same",
    }

    def run_conv(t: dict[str, Any], gradient: bool) -> Any:
        x = t[src]
        pads = [tf_same(x.shape[2 + i], ks[i], 1, ds[i], False) for i in range(ndim)]
        return _conv_nd(ndim)(pad(x, pads), torch.ones(1, 1, *ks, dtype=torch.float64), dilation=ds)

    merge = draw(st.sampled_from(["add", "concat"]))

    def run_merge(t: dict[str, Any], gradient: bool) -> Any:
        a, b = t[inner], t[src]
        # concat doubles the channels; summing them keeps one channel and every path
        return a + b if merge == "add" else torch.cat([a, b], 1).sum(1, keepdim=True)

    return [L(conv, run_conv), L({"name": name, "op": merge, "inputs": [inner, src]}, run_merge)]


@st.composite
def two_branches(draw: Any, ndim: int, name: str, src: str) -> list[L]:
    """Two strided branches with equal total stride and same padding: sizes agree, fields differ."""
    s = [draw(st.integers(1, 2)) for _ in range(ndim)]
    out = []
    names = []
    for b in ("a", "b"):
        ks = [draw(st.integers(1, 5)) for _ in range(ndim)]
        bname = f"{name}_{b}"
        spec = {
            "name": bname,
            "op": "conv",
            "inputs": [src],
            "kernel": ks,
            "stride": s,
            "padding": "same",
        }

        def run(t: dict[str, Any], gradient: bool, ks: list[int] = ks) -> Any:
            x = t[src]
            pads = [tf_same(x.shape[2 + i], ks[i], s[i], 1, False) for i in range(ndim)]
            w = torch.ones(1, 1, *ks, dtype=torch.float64)
            return _conv_nd(ndim)(pad(x, pads), w, stride=s)

        out.append(L(spec, run))
        names.append(bname)

    def run_add(t: dict[str, Any], gradient: bool) -> Any:
        return t[names[0]] + t[names[1]]

    out.append(L({"name": name, "op": "add", "inputs": names}, run_add))
    return out


@st.composite
def networks(draw: Any, ndim: int, max_layers: int = 5) -> list[L]:
    layers: list[L] = []
    src = "input"
    count = draw(st.integers(1, max_layers))
    for i in range(count):
        name = f"l{i}"
        kind = draw(
            st.sampled_from(
                ["conv", "conv", "pool", "tconv", "upsample", "padcrop", "res", "branch"]
            )
        )
        if kind == "conv":
            new = [draw(conv_layer(ndim, name, src))]
        elif kind == "pool":
            new = [draw(pool_layer(ndim, name, src))]
        elif kind == "tconv":
            new = [draw(tconv_layer(ndim, name, src))]
        elif kind == "upsample":
            new = [draw(upsample_layer(ndim, name, src))]
        elif kind == "padcrop":
            new = [draw(pad_crop_layer(ndim, name, src))]
        elif kind == "res":
            new = draw(residual_block(ndim, name, src))
        else:
            new = draw(two_branches(ndim, name, src))
        layers += new
        src = name
    return layers


def _forward(layers: list[L], x: Any, gradient: bool) -> dict[str, Any]:
    t = {"input": x}
    for layer in layers:
        t[layer.spec["name"]] = layer.run(t, gradient)
    return t


def _check_shapes(layers: list[L], size: list[int]) -> Any:
    analysis = rfcalc.analyze(rfcalc.load("oracle.yaml", spec_text(layers, size)))
    for r in analysis.layers:
        assume(all(int(a.size) >= 1 for a in r.axes))
    x = torch.zeros(1, 1, *size, dtype=torch.float64)
    try:
        t = _forward(layers, x, gradient=False)
    except RuntimeError as exc:  # PyTorch refuses it; rfcalc must have seen it coming
        pytest.fail(f"PyTorch refused a network rfcalc accepted: {exc}\n{spec_text(layers, size)}")
    for r in analysis.layers:
        got = tuple(t[r.name].shape[2:])
        assert got == tuple(int(a.size) for a in r.axes), (r.name, spec_text(layers, size))
    return analysis


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(layers=networks(ndim=2), h=st.integers(8, 40), w=st.integers(8, 40))
def test_shapes_match_pytorch_2d(layers: list[L], h: int, w: int) -> None:
    _check_shapes(layers, [h, w])


def _averaging(layers: list[L]) -> bool:
    """Pools and bilinear upsampling weigh their taps: gradients are not path counts."""
    return any(
        layer.spec["op"] in ("max_pool", "avg_pool")
        or (layer.spec["op"] == "upsample" and layer.spec.get("mode") == "bilinear")
        for layer in layers
    )


def _support_from_gradient(grad: Any) -> set[int]:
    return {i for i, v in enumerate(grad.tolist()) if v != 0}


def _require(condition: bool) -> None:
    assert condition


def _check_field(layers: list[L], need: Any = assume, ndim: int = 1) -> None:
    """For one output unit of every phase (per axis), the gradient support, projected on
    each axis, is the exact support rfcalc computed; the receptive field is its extent.

    ``need`` rejects an unusable example (hypothesis' assume) or, for pinned cases, fails.
    """
    text = spec_text(layers, [64] * ndim)
    first = rfcalc.analyze(rfcalc.load("oracle.yaml", text)).layers[-1]
    fields = [a.field for a in first.axes]
    need(
        all(
            f is not None and all(p is None or p.support is not None for p in f.phases)
            for f in fields
        )
    )
    periods = [f.period for f in fields if f is not None]
    extents = [int(p.extent) for f in fields if f is not None for p in f.phases if p is not None]
    if not extents:  # no unit sees any input: the gradient must be zero everywhere
        x = torch.zeros(1, 1, *([64] * ndim), dtype=torch.float64, requires_grad=True)
        y = _forward(layers, x, gradient=True)[first.name]
        y.sum().backward()
        assert x.grad is not None, text
        assert not x.grad.any(), text
        return
    reach = max(extents)
    margin = reach + 8 * max(periods) + 16
    n = 64
    while True:  # an input large enough that central units never meet a border
        result = analyze_network(rfcalc.load("oracle.yaml", text), [n] * ndim, paths=True)
        if all(int(a.size) >= 1 for r in result.layers for a in r.axes):
            outs = [int(a.size) for a in result.layers[-1].axes]
            if min(outs) >= 4 * max(periods) + 8 and n >= 4 * margin:
                break
        n *= 2
        need(n <= (1 << 14 if ndim == 1 else 1 << 8))
    last = result.layers[-1]
    blind = any(a.blind_phases for r in result.layers for a in r.axes)
    merged = any(r.layer.op in ("add", "mul", "concat") for r in result.layers)
    coupled = ndim > 1 and blind and merged
    x = torch.zeros(1, 1, *([n] * ndim), dtype=torch.float64, requires_grad=True)
    y = _forward(layers, x, gradient=True)[last.name]
    for axis in range(ndim):
        field = last.axes[axis].field
        assert field is not None
        extents = []
        for phase in range(field.period):
            unit = []
            for i in range(ndim):
                f_i = last.axes[i].field
                assert f_i is not None
                seen = [j for j, r in enumerate(f_i.phases) if r is not None]
                need(bool(seen))
                mid = y.shape[2 + i] // 2
                unit.append(mid - mid % f_i.period + (phase if i == axis else seen[0]))
            region = field.region(unit[axis])
            if x.grad is not None:
                x.grad.zero_()
            y[(0, 0, *unit)].backward(retain_graph=True)
            g = x.grad[0, 0].abs()
            for other in sorted((i for i in range(ndim) if i != axis), reverse=True):
                g = g.sum(other)
            got = _support_from_gradient(g)
            if region is None:
                if ndim == 1:
                    assert not got, (phase, text)
                continue
            start = int(region.start)
            assert min(got) >= margin // 2, "unit too near a border"
            assert max(got) < n - margin // 2, "unit too near a border"
            want = {start + i for i in range(int(region.extent)) if region.support >> i & 1}
            if coupled:
                # a branch blind at this unit's phase on another axis adds nothing here:
                # per-axis fields of a merge are the union of the branch projections,
                # an upper bound that the gradient may not fill (README, "Limits")
                assert got, (axis, phase, text)
                assert got <= want, (axis, phase, sorted(got - want), text)
                continue
            assert got == want, (axis, phase, sorted(got - want), sorted(want - got), text)
            if ndim == 1 and region.paths is not None and not _averaging(layers):
                # with every weight 1 the gradient counts the paths from each pixel
                grads = [int(v) for v in g.tolist()[start : start + int(region.extent)]]
                assert grads == list(region.paths), (phase, text)
            extents.append(int(region.extent))
        a = last.axes[axis]
        if extents:
            assert a.receptive_field == max(extents)
            assert (a.receptive_field_min or a.receptive_field) == min(extents)


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(layers=networks(ndim=1))
def test_receptive_field_is_the_gradient_support(layers: list[L]) -> None:
    _check_field(layers)


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(layers=networks(ndim=2, max_layers=4))
def test_anisotropic_2d_field_is_the_gradient_support(layers: list[L]) -> None:
    _check_field(layers, ndim=2)


def _chain(*specs: dict[str, Any]) -> list[L]:
    """Pinned examples, built through the same strategies' runners."""
    out: list[L] = []
    src = "input"
    for i, s in enumerate(specs):
        name = f"l{i}"
        op = s["op"]
        if op == "conv_transpose":
            ks, ss, ds, ps, ops = (
                s["kernel"],
                s["stride"],
                s["dilation"],
                s["padding"],
                s["output_padding"],
            )

            def run(
                t: dict[str, Any],
                g: bool,
                src: str = src,
                ks: Any = ks,
                ss: Any = ss,
                ds: Any = ds,
                ps: Any = ps,
                ops: Any = ops,
            ) -> Any:
                w = torch.ones(1, 1, *ks, dtype=torch.float64)
                return F.conv_transpose1d(
                    t[src], w, stride=ss, padding=ps, output_padding=ops, dilation=ds
                )

            out.append(L({"name": name, "inputs": [src], **s}, run))
        elif op == "upsample":
            scale, mode = s["scale"], s["mode"]

            def run_up(
                t: dict[str, Any], g: bool, src: str = src, scale: int = scale, mode: str = mode
            ) -> Any:
                kw = {} if mode == "nearest" else {"align_corners": False}
                return F.interpolate(
                    t[src], scale_factor=scale, mode="linear" if mode == "bilinear" else mode, **kw
                )

            out.append(L({"name": name, "inputs": [src], **s}, run_up))
        src = name
    return out


@pytest.mark.parametrize(
    ("spec", "taps"),
    [
        pytest.param(
            {
                "op": "conv_transpose",
                "kernel": [3],
                "stride": [2],
                "dilation": [1],
                "padding": [0],
                "output_padding": [0],
            },
            [1, 2],
            id="k3-s2",
        ),
        pytest.param(
            {
                "op": "conv_transpose",
                "kernel": [4],
                "stride": [2],
                "dilation": [1],
                "padding": [0],
                "output_padding": [0],
            },
            [2, 2],
            id="k4-s2",
        ),
        pytest.param(
            {
                "op": "conv_transpose",
                "kernel": [2],
                "stride": [2],
                "dilation": [2],
                "padding": [0],
                "output_padding": [0],
            },
            [0, 2],
            id="k2-d2-s2",
        ),
        pytest.param({"op": "upsample", "scale": 2, "mode": "nearest"}, [1, 1], id="nearest-x2"),
        pytest.param({"op": "upsample", "scale": 2, "mode": "bilinear"}, [2, 2], id="bilinear-x2"),
        pytest.param(
            {"op": "upsample", "scale": 3, "mode": "bilinear"}, [1, 2, 2], id="bilinear-x3"
        ),
    ],
)
def test_reference_tap_counts(spec: dict[str, Any], taps: list[int]) -> None:
    """REFERENCE.md's PyTorch facts: taps per output phase (sorted), and the field agrees."""
    layers = _chain(spec)
    analysis = rfcalc.analyze(rfcalc.load("o.yaml", spec_text(layers, [32])))
    field = analysis.layers[-1].axes[0].field
    assert field is not None
    counts = sorted(0 if p is None else bin(p.support or 0).count("1") for p in field.phases)
    assert counts == taps
    _check_field(layers, need=_require)
