"""Hybrid Dilated Convolution (Wang et al. 2018): the paper's design heuristics.

For a group of stacked stride-1 dilated convolutions with kernel ``K`` and rates
``r_1..r_n``: the rates must not share a factor > 1; ``M_n = r_n``,
``M_i = max(M_{i+1} - 2 r_i, M_{i+1} - 2 (M_{i+1} - r_i), r_i)`` and the goal is
``M_2 <= K``; a sawtooth (``[1, 2, 5, 1, 2, 5]``) beats one ever-growing run.
They are heuristics: the exact support (``support_1d``) is the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import gcd


def common_factor(rates: Sequence[int]) -> int:
    g = 0
    for r in rates:
        g = gcd(g, r)
    return g


def m_values(rates: Sequence[int]) -> list[int]:
    """``[M_1, ..., M_n]`` by the paper's recurrence."""
    n = len(rates)
    m = [0] * n
    m[-1] = rates[-1]
    for i in range(n - 2, -1, -1):
        nxt, r = m[i + 1], rates[i]
        m[i] = max(nxt - 2 * r, nxt - 2 * (nxt - r), r)
    return m


def meets_m2(rates: Sequence[int], kernel: int) -> bool:
    """The paper's goal ``M_2 <= K`` (trivially true for fewer than two rates)."""
    return len(rates) < 2 or m_values(rates)[1] <= kernel


def sawtooth_groups(rates: Sequence[int]) -> list[list[int]]:
    """Split a run where the rate drops: ``[1, 2, 5, 1, 2, 5]`` -> two groups."""
    groups: list[list[int]] = []
    for r in rates:
        if groups and r >= groups[-1][-1]:
            groups[-1].append(r)
        else:
            groups.append([r])
    return groups


def support_1d(kernel: int, rates: Sequence[int]) -> int:
    """Exact support (bit ``i``: offset ``i`` reaches the unit) of the stacked convs."""
    t = 1
    for r in rates:
        out = 0
        for m in range(kernel):
            out |= t << (m * r)
        t = out
    return t


def holes(bits: int) -> int:
    return bits.bit_length() - bin(bits).count("1")
