"""The rules' counting in closed form (kernels and strides reach 2^24) against the
definitions they replace, counted tap by tap."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from rfcalc.engine.steps import phase_taps
from rfcalc.engine.support import holes
from rfcalc.rules.checkerboard import phase_counts, taps_per_phase
from rfcalc.rules.stride_skip import covered_residues

small = st.integers(1, 40)


@given(k=small, s=small, d=small, pb=st.integers(0, 40))
def test_taps_per_phase_counts_every_tap(k: int, s: int, d: int, pb: int) -> None:
    want = [sum(1 for m in range(k) if (phi + pb - m * d) % s == 0) for phi in range(s)]
    assert taps_per_phase(k, s, d, pb) == want
    assert phase_counts(k, s, d) == dict(Counter(want))
    for phi in range(s):  # the engine's reading of a transposed conv: first tap and count
        taps = [m for m in range(k) if (phi + pb - m * d) % s == 0]
        first, count = phase_taps(k, s, d, pb, phi)
        assert count == len(taps)
        if taps:
            assert first == taps[0]


@given(k=small, d=small, s=small)
def test_covered_residues_are_the_distinct_tap_positions(k: int, d: int, s: int) -> None:
    assert covered_residues(k, d, s) == len({(m * d) % s for m in range(min(k, s))})


@given(bits=st.integers(1, 2**200))
def test_holes_are_the_unset_bits_below_the_top(bits: int) -> None:
    assert holes(bits) == [i for i in range(bits.bit_length()) if not bits >> i & 1]
