"""Canonical symbolic sizes: checked against integer brute force over many inputs."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st
from support.scale import examples

from rfcalc.engine.shapes import resolve_padding, same_total, window_output
from rfcalc.engine.sizes import ceil_div, compare, floor_div, sign_known, size_symbol
from rfcalc.engine.solve import compile_expr
from rfcalc.model import Padding
from rfcalc.render.values import json_value

H = size_symbol("H")
VALUES = range(1, 70)


def _at(expr: object, h: int) -> int:
    return int(sympy.sympify(expr).subs(H, h))


def _floors(expr: object) -> int:
    return len(sympy.sympify(expr).atoms(sympy.floor))


def test_symbols_are_positive_integers() -> None:
    assert H.is_integer
    assert H.is_positive
    assert size_symbol("H") is H


@given(st.integers(-40, 40), st.integers(1, 9), st.integers(-20, 20), st.integers(1, 9))
@example(a=0, b=2, c=0, d=2)
def test_nested_floor_collapses(a: int, b: int, c: int, d: int) -> None:
    inner = floor_div(H + a, b) + c
    outer = floor_div(inner, d)
    assert _floors(outer) <= 1
    for h in VALUES:
        assert _at(outer, h) == ((h + a) // b + c) // d


@given(st.integers(-40, 40), st.integers(1, 12))
def test_ceil_div_matches_integer_ceil(a: int, d: int) -> None:
    expr = ceil_div(H + a, d)
    for h in VALUES:
        assert _at(expr, h) == -((-(h + a)) // d)


def test_canonical_form_reads_like_a_person_writes_it() -> None:
    # seven stride-2 layers: one floor, constant kept in (-b, 0]
    n = H
    for _ in range(5):
        n = floor_div(n + 2 * 1 - 3, 2) + 1  # conv k=3, p=1, s=2
    assert _floors(n) == 1
    # floor((H - 1)/32) + 1, written as a person writes it
    assert json_value(n) == "ceiling(H/32)"
    assert json_value(ceil_div(H, 32)) == "ceiling(H/32)"
    assert json_value(floor_div(floor_div(H, 2), 16)) == "floor(H/32)"
    for h in VALUES:
        m = h
        for _ in range(5):
            m = (m + 2 - 3) // 2 + 1
        assert _at(n, h) == m


@given(
    st.lists(
        st.tuples(st.integers(1, 7), st.integers(1, 3), st.integers(0, 3), st.integers(1, 3)),
        min_size=1,
        max_size=6,
    )
)
def test_chain_of_windows_is_one_floor(layers: list[tuple[int, int, int, int]]) -> None:
    """Conv/pool chains stay a single floor and agree with the formula at every size."""
    n = H
    for k, s, p, d in layers:
        ke = d * (k - 1) + 1
        n = window_output(n, ke, s, p, p)
    assert _floors(n) <= 1
    for h in VALUES:
        m = h
        for k, s, p, d in layers:
            m = (m + 2 * p - (d * (k - 1) + 1)) // s + 1
        assert _at(n, h) == m


@given(st.integers(1, 9), st.integers(1, 4), st.sampled_from(["same", "same_lower"]))
def test_same_padding_matches_the_tf_formula(ke: int, s: int, mode: str) -> None:
    pb, pa = resolve_padding(Padding(mode=mode), H, ke, s)
    for h in VALUES:
        out = -(-h // s)
        total = max((out - 1) * s + ke - h, 0)
        small, big = total // 2, total - total // 2
        want = (small, big) if mode == "same" else (big, small)
        assert (_at(pb, h), _at(pa, h)) == want
        assert _at(window_output(H, ke, s, pb, pa), h) == out


def test_same_total_is_free_of_max_when_the_sign_is_known() -> None:
    assert not same_total(H, 3, 2).has(sympy.Max)  # 3 - 2 + (-H mod 2) >= 0
    assert same_total(H, 1, 2) == 0  # ke = 1 never pads
    assert same_total(H, 3, 1) == 2


@given(st.integers(1, 7), st.integers(1, 4), st.integers(0, 3))
def test_ceil_mode_matches_pytorch_rule(k: int, s: int, p: int) -> None:
    p = min(p, k // 2)
    expr = window_output(H, k, s, p, p, ceil_mode=True)
    for h in VALUES:
        if h + 2 * p < k:
            continue
        out = -(-(h + 2 * p - k) // s) + 1
        if (out - 1) * s >= h + p:
            out -= 1
        assert _at(expr, h) == out


def test_sign_known_decides_through_remainders() -> None:
    m = sympy.Mod(H, 2)
    assert sign_known(m + 1) == 1
    assert sign_known(-m - 1) == -1
    assert sign_known(m - 1) is None
    assert sign_known(H) == 1


@given(st.integers(-20, 20), st.integers(1, 6), st.integers(-3, 3), st.integers(-10, 10))
def test_sign_of_quasi_affine_functions_is_exact(a: int, b: int, m: int, c: int) -> None:
    expr = m * floor_div(H + a, b) + c + sympy.Mod(H, 3)
    sign = sign_known(expr)
    values = [_at(expr, h) for h in range(1, 400)]
    signs = {(v > 0) - (v < 0) for v in values}
    if sign is not None:
        assert signs == {sign}


@st.composite
def floor_sums(draw: Any) -> Any:
    """Sums of integer multiples of canonical floors of H, as merges and crops make."""
    x: Any = draw(st.integers(-30, 30))
    for _ in range(draw(st.integers(1, 3))):
        inner = H + draw(st.integers(-20, 20))
        x = x + draw(st.integers(-8, 8)) * floor_div(inner, draw(st.integers(1, 16)))
    return x


@settings(max_examples=examples(300), deadline=None)
@given(floor_sums(), st.integers(1, 8))
def test_floor_of_sums_of_floors_is_exact_and_flat(x: Any, d: int) -> None:
    got = floor_div(x, d)
    f, g = compile_expr(x), compile_expr(got)
    for n in range(1, 200):
        assert g({H: n}) == f({H: n}) // d, (x, d, got, n)
    # whole multiples of d leave the floor; a single floor left inside with coefficient
    # +-1 collapses into it
    left = []
    for t in sympy.Add.make_args(sympy.expand(x)):
        c = int(t.as_coeff_Mul()[0]) % d
        if t.has(sympy.floor) and c:
            left.append(-1 if c == d - 1 and d > 2 else c)
    if len(left) <= 1 and all(c in (1, -1) for c in left):
        assert not any(a.args[0].has(sympy.floor) for a in got.atoms(sympy.floor)), (x, d, got)


def test_unet_crop_offset_is_a_constant() -> None:
    # the U-Net's dec4 crop: half the gap between the skip (floor((H - 4)/8) + 7 after
    # the floors collapse) and the up-convolution; 4 at every input
    half = floor_div(floor_div(H - 4, 8) + 7, 2)
    assert half == floor_div(H - 12, 16) + 4
    gap = floor_div(H - 4, 8) + 7 - 2 * floor_div(H - 12, 16)
    assert floor_div(gap, 2) == 4


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None)
@given(floor_sums(), floor_sums(), st.booleans())
def test_compare_is_exact(a: Any, b: Any, number: bool) -> None:
    # region bounds: two symbolic values, or one against a number; the answer is the
    # sign of a - b for every input, and None only when that sign really changes
    if number:
        b = sympy.Integer(int(compile_expr(b)({H: 7})))
    sign = compare(a, b)
    fa, fb = compile_expr(a), compile_expr(b)
    signs = {(d > 0) - (d < 0) for n in range(1, 1500) for d in [fa({H: n}) - fb({H: n})]}
    if sign is None:
        from rfcalc.engine.solve import SCAN_PERIOD_CAP, period

        if period([a - b], H) > SCAN_PERIOD_CAP:
            return  # beyond what is scanned: unknown is the honest answer
        # a slow drift may flip the sign only far out: look until it does
        n = 1500
        while len(signs) == 1 and n < 1_000_000:
            d = fa({H: n}) - fb({H: n})
            signs.add((d > 0) - (d < 0))
            n += 97
        assert len(signs) > 1, (a, b, signs)
    else:
        assert signs == {sign}, (a, b, sign, signs)


@settings(max_examples=examples(300), deadline=None)
@given(st.integers(1, 1 << 24), st.integers(1, 1 << 24))
def test_round_f32_is_ieee_single_rounding(a: int, b: int) -> None:
    # the exact fraction rounded to single precision, as C's float division does
    import struct
    from fractions import Fraction

    from rfcalc.engine.torch_index import round_f32

    exact = Fraction(a, b)
    got = round_f32(exact)
    # a single: an odd significand of at most 24 bits times a power of two
    assert got.denominator & (got.denominator - 1) == 0
    k = got.numerator
    while k % 2 == 0:
        k //= 2
    assert k.bit_length() <= 24
    # the nearest such value: struct's double-then-single agrees except at double ties
    single = Fraction(struct.unpack("f", struct.pack("f", a / b))[0])
    assert abs(got - exact) <= abs(single - exact)


@settings(max_examples=examples(200), deadline=None)
@given(floor_sums(), st.integers(1, 3))
def test_printing_reads_back_as_the_same_function(x: Any, k: int) -> None:
    # what the JSON says (ceilings where a person writes them) is the value computed
    from rfcalc.engine.printing import short

    for value in (x, k * (x + 1)):
        text = json_value(value)
        assert isinstance(text, (int, str))
        back = sympy.sympify(text, locals={"H": H})
        f, g = compile_expr(value), compile_expr(back)
        assert all(f({H: n}) == g({H: n}) for n in range(1, 120)), (value, text)
        assert "*⌈" not in short(value)


def _round_reference(q: Fraction, bits: int) -> Fraction:
    """The rounding to ``bits`` significant bits written with fractions alone."""
    if q == 0:
        return Fraction(0)
    sign = 1 if q > 0 else -1
    q = abs(q)
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if q < Fraction(2) ** e:
        e -= 1
    elif q >= Fraction(2) ** (e + 1):
        e += 1
    unit = Fraction(2) ** (e - bits + 1)
    return sign * round(q / unit) * unit


@given(
    st.fractions(max_denominator=1 << 40).filter(lambda q: abs(q) < 1 << 60),
    st.sampled_from([24, 53]),
)
def test_single_and_double_rounding_in_integers(q: Fraction, bits: int) -> None:
    """PyTorch's float steps, emulated in integers, round as the fractions do (and, for
    doubles, as Python's own correctly rounded float division)."""
    from rfcalc.engine.torch_index import _round

    assert _round(q, bits) == _round_reference(q, bits)
    if bits == 53:
        assert _round(q, bits) == Fraction(q.numerator / q.denominator)


@given(st.integers(min_value=0, max_value=(1 << 300) - 1), st.integers(0, 12))
def test_the_first_holes_and_their_count_are_the_holes(bits: int, first: int) -> None:
    from rfcalc.engine.support import hole_count, holes

    every = holes(bits)
    assert holes(bits, first) == every[:first]
    assert hole_count(bits) == len(every)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.integers(1, 1 << 20),
    st.integers(1, 1 << 20),
    st.one_of(st.none(), st.fractions(min_value=Fraction(1, 64), max_value=64)),
    st.booleans(),
    st.sampled_from([1, 2, 3]),
    st.integers(0, 1 << 20),
)
def test_nearest_indices_in_integers_are_the_fraction_roundings(
    n: int, m: int, scale: Fraction | None, exact: bool, ndim: int, start: int
) -> None:
    """The integer form of PyTorch's single-precision nearest index (a resize to a
    million units computes a million) is the exact-fraction emulation it replaced,
    which ``test_torch_index_torch.py`` holds against PyTorch itself."""
    from math import floor

    from rfcalc.engine.torch_index import float_scale, nearest_indices, round_f32, round_f64

    start = start % m
    stop = min(m, start + 64)
    got = nearest_indices(n, m, scale, exact, ndim, start, stop)
    s = float_scale(n, m, scale)
    want = []
    for dst in range(start, stop):
        if not exact and ndim == 2 and m == n:
            want.append(dst)
        elif not exact and ndim == 2 and m == 2 * n:
            want.append(dst >> 1)
        elif exact:
            want.append(floor(round_f32(round_f64((dst + Fraction(1, 2)) * s))))
        else:
            want.append(floor(round_f32(dst * s)))
    assert got == want
