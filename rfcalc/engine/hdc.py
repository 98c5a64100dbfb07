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


def receptive_field(kernel: int, rates: Sequence[int]) -> int:
    """Stacked stride-1 dilated convs: ``1 + (K - 1) * sum(rates)``."""
    return 1 + (kernel - 1) * sum(rates)


#: candidate groups for a design: short increasing runs starting at 1, largest rate 12
_MAX_RATE = 12


def _groups(kernel: int) -> list[list[int]]:
    out: list[list[int]] = []
    for length in (2, 3, 4):
        stack = [[1]]
        while stack:
            g = stack.pop()
            if len(g) == length:
                out.append(g)
                continue
            for r in range(g[-1] + 1, _MAX_RATE + 1):
                stack.append([*g, r])
    return out


def design_schedule(
    kernel: int, rf: int, max_layers: int = 64
) -> tuple[tuple[list[int], int] | None, list[tuple[list[int], str]]]:
    """The sawtooth schedule (one group repeated) with the fewest layers that meets all
    three HDC rules, has a dense exact support and reaches ``rf``; ties go to the group
    with the smallest largest rate.  Also returns the groups rejected and why."""
    rejected: list[tuple[list[int], str]] = []
    best: tuple[int, int, list[int]] | None = None
    for group in _groups(kernel):
        if common_factor(group) > 1:
            rejected.append((group, f"common factor {common_factor(group)}"))
            continue
        if not meets_m2(group, kernel):
            rejected.append((group, f"M_2 = {m_values(group)[1]} > K = {kernel}"))
            continue
        per = (kernel - 1) * sum(group)
        repeats = max(1, -(-(rf - 1) // per))
        schedule = group * repeats
        if len(schedule) > max_layers:
            continue
        if holes(support_1d(kernel, schedule)):
            rejected.append((group, "the exact support has holes when repeated"))
            continue
        key = (len(schedule), max(group))
        if best is None or key < best[:2]:
            best = (*key, group)
    if best is None:
        return None, rejected
    group = best[2]
    per = (kernel - 1) * sum(group)
    schedule = group * max(1, -(-(rf - 1) // per))
    return (schedule, receptive_field(kernel, schedule)), rejected
