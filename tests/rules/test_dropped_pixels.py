"""RF102 says each dropped run once, on every axis it holds, in the axis's own words."""

from __future__ import annotations

from rfcalc.config import Config
from rfcalc.lint import lint_text


def _rf102(text: str) -> list[str]:
    found = lint_text(text, "t.yaml", Config(select=("RF102",))).findings
    return [f.message for f in found]


def test_a_square_map_is_one_finding_for_both_axes() -> None:
    text = "rfcalc: 1\ninput: {size: [33, 33]}\nlayers:\n  - {op: max_pool, kernel: 2}\n"
    (message,) = _rf102(text)
    assert "drops row and column 32 of its 33-pixel input on axes H and W" in message
    assert "inputs with H, W ≡ 0 (mod 2) keep every pixel" in message


def test_a_symbolic_condition_alike_on_every_axis_is_said_once() -> None:
    text = "rfcalc: 1\ninput: {size: [H, W]}\nlayers:\n  - {op: max_pool, kernel: 4}\n"
    (message,) = _rf102(text)
    assert message.startswith("input H and W must satisfy H, W ≡ 0 (mod 4)")


def test_a_one_dimensional_axis_drops_steps() -> None:
    text = "rfcalc: 1\ninput: {size: [36]}\nlayers:\n  - {op: conv, kernel: 3, stride: 2}\n"
    (message,) = _rf102(text)
    assert "conv1 drops step 35 of its 36-pixel input on axis H" in message
