"""RF502: one finding per layer and input size, naming every axis where it holds."""

from __future__ import annotations

from rfcalc.config import Config
from rfcalc.lint import lint_text

SPEC = """rfcalc: 1
input: {size: [32, 32], sizes: [[16, 16], [32, 20]]}
layers:
  - {op: conv, kernel: 7, stride: 2, padding: 3}
  - {op: conv, kernel: 7, stride: 2, padding: 3}
  - {op: conv, kernel: 7, stride: 2, padding: 3}
"""


def test_one_finding_per_layer_and_size() -> None:
    found = [f for f in lint_text(SPEC, "t.yaml", Config()).findings if f.rule == "RF502"]
    messages = sorted(f.message for f in found)
    assert len(messages) == 3  # 16x16 at conv2; 32x32 and 32x20 at conv3: not one per axis
    assert any("(19) exceeds the input (16 on every axis at input 16x16)" in m for m in messages)
    assert any("(43 > 32 on axis H, 43 > 20 on axis W at input 32x20)" in m for m in messages)
