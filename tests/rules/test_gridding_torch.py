"""The gridding verdict (RF201) against PyTorch: holes exactly where the gradient is zero."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from support.scale import examples

from rfcalc.lint import Config, lint_text
from rfcalc.render.findings import detail

torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0)"
)


def _spec(kernel: int, rates: list[int], n: int) -> str:
    layers = "\n".join(
        f"  - {{name: d{i}, op: conv, kernel: {kernel}, dilation: {r}}}"
        for i, r in enumerate(rates)
    )
    return f"rfcalc: 1\ninput: {{size: [{n}]}}\nlayers:\n{layers}\n"


def _gradient_support(kernel: int, rates: list[int], n: int) -> tuple[int, set[int]]:
    x = torch.zeros(1, 1, n, dtype=torch.float64, requires_grad=True)
    y = x
    for r in rates:
        w = torch.ones(1, 1, kernel, dtype=torch.float64)
        y = torch.nn.functional.conv1d(y, w, dilation=r)
    u = y.shape[-1] // 2
    y[0, 0, u].backward()
    assert x.grad is not None
    return u, {i for i in range(n) if x.grad[0, 0, i] != 0}


@settings(max_examples=examples(150), deadline=None)
@given(
    kernel=st.integers(2, 4),
    rates=st.lists(st.integers(1, 9), min_size=1, max_size=5),
)
@example(kernel=3, rates=[1, 2, 5])
@example(kernel=3, rates=[1, 2, 9])
@example(kernel=3, rates=[2, 4, 8])
@example(kernel=2, rates=[1, 2, 4, 8])
def test_gridding_matches_the_gradient(kernel: int, rates: list[int]) -> None:
    span = sum(r * (kernel - 1) for r in rates) + 1
    n = 2 * span + 5
    _, grad = _gradient_support(kernel, rates, n)
    lo, hi = min(grad), max(grad)
    holes = {i for i in range(lo, hi + 1) if i not in grad}

    result = lint_text(_spec(kernel, rates, n), "t.yaml", Config(select=("RF201",)))
    findings = [f for f in result.findings if f.rule == "RF201"]
    assert bool(findings) == bool(holes)
    if holes:
        (f,) = findings
        assert f"{len(holes)} of {hi - lo + 1} offsets never reach it" in f.message
        (support,) = f.support  # the finding's data: every offset, not a cropped picture
        assert len(support) == hi - lo + 1
        assert {lo + i for i, c in enumerate(support) if c == 0} == holes
        picture = detail(f).rstrip("…")  # and the picture drawn from it, from offset 0
        shown = {lo + i for i, ch in enumerate(picture) if ch == "·"}
        assert shown == {h for h in holes if h - lo < len(picture)}
