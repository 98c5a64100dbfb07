"""Parameters and multiply-accumulates against PyTorch (needs torch)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.scale import examples

import rfcalc
from rfcalc.engine.cost import network_cost

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
