"""Parameters and multiply-accumulates, against hand counts and PyTorch's own counters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scale import examples

import rfcalc
from rfcalc.engine.cost import network_cost
from rfcalc.render.values import json_value


def _cost(text: str, size: list[int | str] | None = None) -> tuple[object, object]:
    c = network_cost(rfcalc.analyze(rfcalc.load("c.yaml", text), size))
    return c.params, c.macs


def test_hand_counted_conv_depthwise_and_transposed() -> None:
    text = (
        "rfcalc: 1\ninput: {size: [32, 32], channels: 16}\nlayers:\n"
        "  - {op: conv, kernel: 3, padding: 1, channels: 32}\n"  # 32*16*9 + 32 = 4640; 1024 pos
        "  - {op: conv, kernel: 3, padding: 1, groups: 32, channels: 32, bias: false}\n"  # 288
        "  - {op: conv_transpose, kernel: 4, stride: 2, padding: 1, channels: 8}\n"  # 32*8*16+8
    )
    params, macs = _cost(text)
    assert params == 4640 + 288 + 4104
    # conv: 1024 positions * 4608; depthwise: 1024 * 288; transposed: 1024 INPUT positions * 4096
    assert macs == 1024 * 4608 + 1024 * 288 + 1024 * 4096


def test_symbolic_macs_stay_factored() -> None:
    text = (
        "rfcalc: 1\ninput: {size: [H, W], channels: 3}\n"
        "layers:\n  - {op: conv, kernel: 3, stride: 2, channels: 8}\n"
    )
    _, macs = _cost(text)
    # k=3, s=2, no padding: floor((H - 3)/2) + 1 = floor((H - 1)/2) output rows
    assert json_value(macs) == "216*floor((H - 1)/2)*floor((W - 1)/2)"


def test_unknown_channels_give_unknown_cost() -> None:
    text = "rfcalc: 1\ninput: {size: [8]}\nlayers:\n  - {op: conv, kernel: 3}\n"
    assert _cost(text) == (None, None)


torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0)"
)


layer_strategy = st.tuples(
    st.sampled_from(["conv", "conv_transpose"]),
    st.integers(1, 4),  # kernel
    st.integers(1, 3),  # stride
    st.sampled_from([1, 2, 4]),  # groups
    st.sampled_from([4, 8, 12]),  # out channels (divisible by every groups value)
    st.booleans(),  # bias
)


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(layer_strategy, min_size=1, max_size=4), st.integers(9, 20))
def test_params_and_macs_match_pytorch(
    layers: list[tuple[str, int, int, int, int, bool]], n: int
) -> None:
    from torch.utils.flop_counter import FlopCounterMode

    lines = ["rfcalc: 1", f"input: {{size: [{n}, {n + 3}], channels: 8}}", "layers:"]
    modules = []
    c_in = 8
    for op, k, s, g, c_out, bias in layers:
        lines.append(
            f"  - {{op: {op}, kernel: {k}, stride: {s}, groups: {g}, channels: {c_out}, "
            f"bias: {str(bias).lower()}}}"
        )
        cls = torch.nn.Conv2d if op == "conv" else torch.nn.ConvTranspose2d
        modules.append(cls(c_in, c_out, k, stride=s, groups=g, bias=bias))
        c_in = c_out
    text = "\n".join(lines) + "\n"
    analysis = rfcalc.analyze(rfcalc.load("c.yaml", text))
    if any(int(a.size) < 1 for r in analysis.layers for a in r.axes):
        return
    cost = network_cost(analysis)
    model = torch.nn.Sequential(*modules)
    assert cost.params == sum(p.numel() for p in model.parameters())
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 8, n, n + 3))
    assert 2 * cost.macs == counter.get_total_flops()
