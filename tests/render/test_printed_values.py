"""Values as renderers print them: the ERF's standard deviation from its exact variance."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from support.scale import examples

from rfcalc.render.values import root_float

fractions = st.fractions(min_value=0, max_value=10**40, max_denominator=10**30)
squares = st.fractions(min_value=0, max_value=10**6, max_denominator=10**4).map(lambda q: q * q)


@settings(max_examples=examples(600))
@given(st.one_of(fractions, squares))
def test_root_float_is_the_float_nearest_the_root(value: Fraction) -> None:
    """Exactly: the true root lies between the midpoints to the neighbouring floats."""
    f = root_float(value)
    assert f >= 0
    below = Fraction(math.nextafter(f, -math.inf)) if f > 0 else Fraction(0)
    above = Fraction(math.nextafter(f, math.inf))
    low = (below + Fraction(f)) / 2 if f > 0 else Fraction(0)
    high = (Fraction(f) + above) / 2
    assert low * low <= value <= high * high


def test_exact_roots_print_as_themselves() -> None:
    assert root_float(Fraction(49, 4)) == 3.5
    assert root_float(Fraction(9, 400)) == 0.15
    assert root_float(Fraction(0)) == 0.0
    assert f"{root_float(Fraction(2)):.2f}" == "1.41"
