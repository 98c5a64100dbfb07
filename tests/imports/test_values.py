"""A model's scale factor as the fraction it stands for: the one shared reading of both
importers (issue #24: they had two algorithms, one with a tolerance that read
``0.3333333333`` as ``1/3``, which PyTorch does not)."""

from __future__ import annotations

import struct
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from support.scale import examples

from rfcalc.imports.values import scale_fraction


def _single(x: float) -> float:
    return float(struct.unpack("f", struct.pack("f", x))[0])


@settings(max_examples=examples(600), deadline=None)
@given(st.integers(1, 4096), st.integers(1, 64))
def test_a_small_fraction_reads_back_as_itself(p: int, q: int) -> None:
    want = Fraction(p, q)
    assert scale_fraction(p / q) == want
    got = scale_fraction(_single(p / q), single=True)
    # single precision may round two small fractions alike: then the one read rounds to
    # the same float, with the smallest denominator
    assert got is not None
    assert _single(float(got)) == _single(p / q)
    assert got.denominator <= want.denominator


def test_what_no_small_fraction_rounds_to_is_not_read() -> None:
    assert scale_fraction(0.3333333333) is None  # PyTorch uses this double, not 1/3
    assert scale_fraction(1 / 3) == Fraction(1, 3)
    assert scale_fraction(_single(1 / 3), single=True) == Fraction(1, 3)
    assert scale_fraction(1 / 67) is None
    for bad in (0.0, -2.0, float("nan"), float("inf")):
        assert scale_fraction(bad) is None
        assert scale_fraction(bad, single=True) is None
