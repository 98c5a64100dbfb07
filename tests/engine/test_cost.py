"""Parameters and multiply-accumulates, against hand counts and PyTorch's own counters."""

from __future__ import annotations

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
