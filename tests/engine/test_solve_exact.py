"""Deciding conditions on symbolic sizes against brute force, drifting sizes included.

Branches of different total stride brought to one size by padding agree at a few
inputs only (their sizes drift apart): those sporadic solutions must be found exactly,
as must the periodic ones, whatever the mix.
"""

from __future__ import annotations

from typing import Any

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from support.scale import examples

from rfcalc.engine.sizes import floor_div, size_symbol
from rfcalc.engine.solve import SPORADIC_CAP, compile_expr, solve_condition
from rfcalc.wording import residues_text

H = size_symbol("H")


@st.composite
def branch(draw: Any) -> Any:
    """A size as a network makes it: strided windows, upsamplings and pads of H."""
    x: Any = H
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["window", "window", "up", "pad"]))
        if kind == "window":
            k, s, p = draw(st.integers(1, 5)), draw(st.integers(1, 4)), draw(st.integers(0, 2))
            x = floor_div(x + 2 * p - k, s) + 1
        elif kind == "up":
            x = x * draw(st.integers(2, 3))
        else:
            x = x + draw(st.integers(-8, 40))
    return x


@settings(max_examples=examples(150), deadline=None)
@given(a=branch(), b=branch(), tile=st.booleans(), s=st.integers(2, 4))
def test_solutions_match_brute_force(a: Any, b: Any, tile: bool, s: int) -> None:
    exprs = [a - b]
    kinds = ["zero"]
    if tile:  # a strided window on branch a: its windows tile their input
        exprs.append(a - s * floor_div(a, s))
        kinds.append("zero")
    funcs = [compile_expr(e) for e in exprs]

    def holds(n: int) -> bool:
        values = [f({H: n}) for f in funcs]
        return all(v == 0 for v, kind in zip(values, kinds, strict=True))

    start = 1
    while compile_expr(a)({H: start}) < 1 or compile_expr(b)({H: start}) < 1:
        start += 1
        if start > 400:
            return
    res = solve_condition(holds, exprs, H, {}, start)
    assert res is not None
    for n in range(start, start + 1500):
        assert res.holds(n) == holds(n), (n, exprs, res)
    # every value the answer names is a solution, and the smallest one is found
    first = res.first(start)
    truth = next((n for n in range(start, start + 1500) if holds(n)), None)
    assert first == truth or (truth is None and first is not None and first >= start + 1500)


def test_branches_that_agree_at_a_few_inputs_only() -> None:
    # stride 4 padded by 16 against stride 2: agree at H = 62 to 65, nowhere else
    a = floor_div(H - 4, 4) + 1 + 16
    b = floor_div(H - 2, 2) + 1
    f = compile_expr(a - b)
    res = solve_condition(lambda n: f({H: n}) == 0, [a - b], H, {}, 4)
    assert res is not None
    assert res.sporadic == (62, 63, 64, 65)
    assert not res.residues
    assert res.sporadic == tuple(n for n in range(1, 10_000) if f({H: n}) == 0)
    assert residues_text(res, "H") == "H in {62, 63, 64, 65}"
    assert res.nearest(70) == (65, None)


@pytest.mark.parametrize("offset", [1000, 5000, 100_000])
def test_min_max_settling_is_proved_not_assumed(offset: int) -> None:
    """Issue #10: a Max of a small period settling far out (Max(H - 1000, 0) == 0 holds
    for H <= 1000 only), checked against every input up to past the settling point."""
    h = sympy.Symbol("H", integer=True, positive=True)
    cases = [
        (sympy.Max(h - offset, 0), lambda v: v == 0),
        (sympy.Min(sympy.floor(h / 3), offset) - offset, lambda v: v < 0),
        (sympy.Max(h - offset, 0) - sympy.floor(h / 2) + sympy.Min(h, 7), lambda v: v <= 0),
    ]
    for expr, test in cases:
        f = compile_expr(expr)
        res = solve_condition(lambda n, f=f, test=test: test(f({h: n})), [expr], h, {}, 1)
        if offset > SPORADIC_CAP:  # past what is enumerated: unknown, never a wrong answer
            assert res is None
            continue
        assert res is not None
        for n in range(1, 3 * offset + 50):
            assert res.holds(n) == test(f({h: n})), (expr, n)
