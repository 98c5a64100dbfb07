"""A squeeze-and-excitation gate written as a plain ``mul`` (issue #22): PyTorch
broadcasts a branch of one unit, so must the spec; a size that is one at some inputs
only is still a mismatch, and the valid inputs a mismatch needs are listed, never an
empty list."""

from __future__ import annotations

from rfcalc.config import Config
from rfcalc.lint import lint_text

GATE = """rfcalc: 1
input: {{size: [H, W]}}
layers:
  - {{name: a, op: conv, kernel: 3, padding: 1}}
  - {{name: p, op: global_pool}}
  - {{name: g, op: conv, kernel: 1}}
  - {{name: m, op: {merge}, inputs: [a, g]}}
  - {{name: b, op: conv, kernel: 3, padding: 1}}
"""


def _rules(text: str) -> list[tuple[str, str]]:
    return sorted((f.rule, f.message) for f in lint_text(text, "t.yaml", Config()).findings)


def test_a_gate_is_broadcast_not_a_mismatch() -> None:
    for merge in ("mul", "add"):
        assert _rules(GATE.format(merge=merge)) == []


def test_a_concat_does_not_broadcast_and_lists_its_one_valid_size() -> None:
    found = _rules(GATE.format(merge="concat"))
    rf103 = [m for rule, m in found if rule == "RF103"]
    assert "merges m need H = 1 (valid: 1)" in rf103
    assert "merges m need W = 1 (valid: 1)" in rf103


def test_one_unit_at_some_inputs_only_is_a_mismatch() -> None:
    text = """rfcalc: 1
input: {size: [H]}
layers:
  - {name: a, op: conv, kernel: 3, padding: 1}
  - {name: d, op: conv, kernel: 32, stride: 32}
  - {name: m, op: mul, inputs: [a, d]}
"""
    rf103 = [m for rule, m in _rules(text) if rule == "RF103"]
    assert rf103 == ["the branches of m never agree in size on axis H"]
