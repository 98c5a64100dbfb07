"""Global context against PyTorch (issue #22): squeeze-and-excitation gates and image
pooling, written in specs and exported from plain PyTorch to ONNX.

Two oracles, two gradients: the moving window (receptive field, jump, effective padding,
each unit's region) is the gradient's support with the branches that bring the global
context detached; the stated global context is what the support adds with them attached
(per axis, the attached support spans the window and the context together)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.scale import examples

import rfcalc
from rfcalc.engine import Analysis
from rfcalc.imports import read_onnx

torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0); CI installs it"
)

from support.oracle_torch import forward, global_branches  # noqa: E402  (after the skip)
from support.torch_nets import (  # noqa: E402
    EfficientNetB0,
    SqueezeExcitation,
    detach_gates,
    positive,
)

nn = torch.nn
F = torch.nn.functional
TINY = 1e-9


@st.composite
def gated(draw: Any, ndim: int = 2) -> tuple[str, list[int]]:
    """Convs and pools with squeeze-and-excitation gates (a map times its pooled self:
    broadcast by the merge, or resized back first) and image pooling (concatenated)."""
    top = {1: 80, 2: 40, 3: 14}[ndim]
    size = [draw(st.integers(9, top)) for _ in range(ndim)]
    lines = ["rfcalc: 1", f"input: {{size: {size}}}", "layers:"]
    prev = "input"
    for i in range(draw(st.integers(2, 6))):
        name = f"l{i}"
        kind = draw(st.sampled_from(["conv", "conv", "pool", "gate", "gate_resized", "image"]))
        if kind == "conv":
            k, s, d = draw(st.integers(1, 5)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
            pad = draw(st.sampled_from(["same", "valid", "2", "[1, 2]" if ndim < 3 else "0"]))
            lines.append(
                f"  - {{name: {name}, op: conv, kernel: {k}, stride: {s}, dilation: {d}, "
                f"padding: {pad}, inputs: [{prev}]}}"
            )
        elif kind == "pool":
            lines.append(f"  - {{name: {name}, op: avg_pool, kernel: 2, inputs: [{prev}]}}")
        elif kind in ("gate", "gate_resized"):
            pool = draw(st.sampled_from(["global_pool", "adaptive_pool, output_size: 1"]))
            gate = f"{name}_g"
            lines.append(f"  - {{name: {gate}, op: {pool}, inputs: [{prev}]}}")
            if draw(st.booleans()):
                lines.append(f"  - {{name: {name}_e, op: conv, kernel: 1, inputs: [{gate}]}}")
                gate = f"{name}_e"
            if kind == "gate_resized":
                mode = draw(st.sampled_from(["nearest", "bilinear" if ndim == 2 else "nearest"]))
                lines.append(
                    f"  - {{name: {name}_r, op: resize, to: {prev}, mode: {mode}, "
                    f"inputs: [{gate}]}}"
                )
                gate = f"{name}_r"
            merge = draw(st.sampled_from(["mul", "add"]))
            order = [prev, gate] if draw(st.booleans()) else [gate, prev]
            lines.append(f"  - {{name: {name}, op: {merge}, inputs: [{', '.join(order)}]}}")
        else:  # DeepLab's image pooling: pooled, a 1x1 conv, resized back, concatenated
            lines += [
                f"  - {{name: {name}_p, op: global_pool, inputs: [{prev}]}}",
                f"  - {{name: {name}_c, op: conv, kernel: 1}}",
                f"  - {{name: {name}_r, op: resize, to: {prev}, mode: nearest}}",
                f"  - {{name: {name}, op: concat, inputs: [{prev}, {name}_r]}}",
            ]
        prev = name
    return "\n".join(lines) + "\n", size


def _bounds(g: Any, axis: int) -> tuple[int, int] | None:
    """First and last pixel on ``axis`` where the gradient ``g`` (one unit's) is not 0."""
    proj = g.abs()
    for other in sorted((i for i in range(g.dim()) if i != axis), reverse=True):
        proj = proj.sum(other)
    values = proj.tolist()
    top = max(values, default=0.0)
    seen = [i for i, v in enumerate(values) if v > TINY * top]
    return (seen[0], seen[-1]) if seen else None


def _units(analysis: Analysis, name: str) -> list[tuple[int, ...]]:
    """The central unit and the next few along every axis (each output phase)."""
    r = analysis[name]
    mids = [int(a.size) // 2 for a in r.axes]
    period = max((a.field.period for a in r.axes if a.field is not None), default=1)
    out = []
    for k in range(min(period, 3) + 1):
        unit = tuple(m + k for m in mids)
        if all(u < int(a.size) for u, a in zip(unit, r.axes, strict=True)):
            out.append(unit)
    return out


def _check(text: str, size: list[int], need: Any = assume) -> int:
    """Every layer, a few units: the window is the detached gradient's (where the maps
    alone compute the unit), the context what the attached gradient adds."""
    network = rfcalc.load("gated.yaml", text)
    analysis = rfcalc.analyze(network, size)
    need(all(int(a.size) >= 1 for r in analysis.layers for a in r.axes))
    x = torch.zeros(1, 1, *size, dtype=torch.float64, requires_grad=True)
    local, whole = forward(network, x, local=True), forward(network, x)
    with torch.no_grad():
        marks = forward(network, torch.zeros_like(x), mark=True, local=True)
    checked = 0
    for r in analysis.layers:
        if any(a.field is None for a in r.axes):
            continue
        for unit in _units(analysis, r.name):
            at = (0, 0, *unit)
            (g_local,) = torch.autograd.grad(local[r.name][at], x, retain_graph=True)
            (g_whole,) = torch.autograd.grad(whole[r.name][at], x, retain_graph=True)
            inside = not torch.isnan(marks[r.name][at])
            for axis, a in enumerate(r.axes):
                assert a.field is not None
                window = _bounds(g_local[0, 0], axis)
                region = a.field.moving_region(unit[axis])
                where = (r.name, axis, unit, text)
                if inside and region is not None and window is not None:
                    assert window == (int(region.start), int(region.end)), where
                    checked += 1
                attached = _bounds(g_whole[0, 0], axis)
                if a.context is None:
                    assert attached == window, where
                    continue
                if attached is None:  # a border unit that reads padding alone sees nothing
                    assert window is None, where
                    continue
                lo, hi = (int(v) for v in a.context)
                if window is not None:
                    lo, hi = min(lo, window[0]), max(hi, window[1])
                assert attached == (lo, hi), where
    return checked


@settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(gated(2))
def test_gates_and_image_pooling_2d(case: tuple[str, list[int]]) -> None:
    _check(*case)


@settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(gated(1))
def test_gates_and_image_pooling_1d(case: tuple[str, list[int]]) -> None:
    _check(*case)


@settings(
    max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(gated(3))
def test_gates_and_image_pooling_3d(case: tuple[str, list[int]]) -> None:
    _check(*case)


def test_the_oracle_detaches_what_the_engine_calls_global() -> None:
    """The oracle's own reading of which branches bring the context (from the spec and
    PyTorch alone) agrees with the engine's broadcasts on the issue's gate."""
    text = (
        "rfcalc: 1\ninput: {size: [32, 32]}\nlayers:\n"
        "  - {name: a, op: conv, kernel: 3, padding: 1}\n"
        "  - {name: p, op: global_pool}\n"
        "  - {name: g, op: conv, kernel: 1}\n"
        "  - {name: m, op: mul, inputs: [a, g]}\n"
        "  - {name: b, op: conv, kernel: 3, padding: 1}\n"
    )
    network = rfcalc.load("se.yaml", text)
    assert global_branches(network) == {"m": frozenset({"g"})}
    m = rfcalc.analyze(network)["m"]
    assert m.broadcast == (frozenset({1}), frozenset({1}))
    assert _check(text, [32, 32], need=_require) > 0


def _require(condition: bool) -> None:
    assert condition


# --- exported from plain PyTorch: the gate as torchvision writes it ----------------------


class Gated(nn.Module):
    """Convs around a squeeze-and-excitation gate, and DeepLab's image pooling."""

    def __init__(self) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, 2, 1)
        self.se = SqueezeExcitation(8, 2)
        self.c2 = nn.Conv2d(8, 8, 5, 1, 2)
        self.pool = nn.Conv2d(8, 4, 1)
        self.out = nn.Conv2d(12, 4, 3, 1, 1)
        self.detach = False

    def forward(self, x: Any) -> Any:
        y = self.c2(self.se(self.c1(x)))
        pooled = self.pool(F.adaptive_avg_pool2d(y, 1))
        image = F.interpolate(pooled, size=y.shape[2:], mode="nearest")
        return self.out(torch.cat([y, image.detach() if self.detach else image], 1))


def _export(model: Any, shape: list[int], path: Path, dynamo: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.ones(*shape),),
            str(path),
            dynamo=dynamo,
            input_names=["x"],
            output_names=["y"],
        )


def _gradients(
    model: Any, shape: list[int], unit: list[int], module: Any = None
) -> tuple[Any, Any]:
    """One unit's gradient with the gates attached and detached (positive input), of the
    model's output or of ``module``'s."""
    out = []
    for detached in (False, True):
        detach_gates(model, detached)
        if isinstance(model, Gated):
            model.detach = detached
        x = torch.rand(*shape, generator=torch.Generator().manual_seed(0)).add_(0.5)
        x.requires_grad_()
        seen: list[Any] = []
        hook = (module or model).register_forward_hook(lambda _m, _i, y, seen=seen: seen.append(y))
        model(x)
        hook.remove()
        (g,) = torch.autograd.grad(seen[-1][(0, 0, *unit)], x)
        out.append(g[0].abs().sum(0))
    detach_gates(model, False)
    return out[0], out[1]


@pytest.mark.parametrize("dynamo", [False, True], ids=["torchscript", "dynamo"])
def test_an_exported_gated_network_states_window_and_context(tmp_path: Path, dynamo: bool) -> None:
    pytest.importorskip("onnx", reason="ONNX import needs onnx: pip install '.[onnx]'")
    model, shape = positive(Gated()), [1, 3, 45, 38]
    path = tmp_path / "gated.onnx"
    _export(model, shape, path, dynamo)
    analysis = rfcalc.analyze(read_onnx(str(path)).network)
    last = analysis.layers[-1]
    unit = [int(a.size) // 2 for a in last.axes]
    whole, local = _gradients(model, shape, unit)
    for axis, a in enumerate(last.axes):
        assert a.field is not None
        region = a.field.moving_region(unit[axis])
        assert region is not None
        assert _bounds(local, axis) == (int(region.start), int(region.end))
        assert a.context == (0, shape[2 + axis] - 1)
        assert _bounds(whole, axis) == (0, shape[2 + axis] - 1)
    assert len(last.context_through) == 2  # the gate and the image pooling


def test_efficientnet_b0_window_and_context(tmp_path: Path) -> None:
    """The README's EfficientNet-B0 numbers: at 224 the last stage's moving window is
    851 pixels, jump 32, effective padding 425, and every unit also sees the whole input
    through the 16 gates.  Checked against the gradient where a window is narrower than
    the input: stage 3's units (window 67, jump 8) with the gates detached, and the whole
    input with them attached."""
    pytest.importorskip("onnx", reason="ONNX import needs onnx: pip install '.[onnx]'")
    model, shape = positive(EfficientNetB0()), [1, 3, 224, 224]
    path = tmp_path / "efficientnet_b0.onnx"
    _export(model, shape, path, dynamo=False)
    analysis = rfcalc.analyze(read_onnx(str(path)).network)
    last = analysis.layers[-1]
    assert [(a.receptive_field, a.jump, a.effective_padding) for a in last.axes] == [
        (851, 32, 425)
    ] * 2
    assert [a.context for a in last.axes] == [(0, 223), (0, 223)]
    assert len(last.context_through) == 16
    # the end of stage 3 (features[3]): a residual add, window 67, jump 8, padding 33
    stage3 = [r for r in analysis.layers if r.axes[0].receptive_field == 67][-1]
    assert [(a.size, a.jump, a.effective_padding) for a in stage3.axes] == [(28, 8, 33)] * 2
    assert len(stage3.context_through) == 5  # stages 1 to 3: 1 + 2 + 2 gates
    unit = [14, 14]
    whole, local = _gradients(model, shape, unit, model.features[3])
    for axis, a in enumerate(stage3.axes):
        assert a.field is not None
        region = a.field.moving_region(unit[axis])
        assert region is not None
        assert (int(region.start), int(region.end)) == (8 * 14 - 33, 8 * 14 - 33 + 66)
        assert _bounds(local, axis) == (int(region.start), int(region.end))
        assert a.context == (0, 223)
        assert _bounds(whole, axis) == (0, 223)
