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


#: the design search: one group of at most this many rates (rule 2: longer ever-growing
#: runs grid), repeated whole, at most ``MAX_LAYERS`` layers, rates at most ``MAX_RATE``
MAX_GROUP = 4
MAX_LAYERS = 64
MAX_RATE = 1 << 16


def _best_group(kernel: int, length: int, need: int) -> list[int] | None:
    """The group of ``length`` increasing rates starting at 1 whose sum reaches ``need``,
    with a dense exact support (each rate at most the field the group has reached before
    it: a larger one leaves holes that no later, larger rate fills) and ``M_2 <= K``,
    that has the smallest largest rate (then the smallest rates in order).

    Depth-first from the smallest rates, pruned by the largest sum the rest of a prefix
    can still add (each further rate as large as the field allows) and by the best
    largest rate found so far: exact over the space, and quick."""
    best: list[int] | None = None

    def reach(prefix: list[int], total: int) -> int:
        """The largest sum a group with this prefix can have."""
        field = 1 + (kernel - 1) * total
        last = prefix[-1]
        for _ in range(length - len(prefix)):
            r = min(field, MAX_RATE)
            if r <= last:
                return total
            total += r
            last = r
            field = 1 + (kernel - 1) * total
        return total

    def walk(prefix: list[int], total: int) -> None:
        nonlocal best
        if len(prefix) == length:
            better = best is None or (prefix[-1], prefix) < (best[-1], best)
            if total >= need and better and meets_m2(prefix, kernel):
                best = list(prefix)
            return
        if reach(prefix, total) < need:
            return
        field = 1 + (kernel - 1) * total
        for r in range(prefix[-1] + 1, min(field, MAX_RATE) + 1):
            if best is not None and r > best[-1]:
                break
            prefix.append(r)
            walk(prefix, total + r)
            prefix.pop()

    walk([1], 1)
    return best


def design_schedule(
    kernel: int, rf: int, max_layers: int = MAX_LAYERS
) -> tuple[tuple[list[int], int] | None, str]:
    """The schedule with the fewest layers (ties: the smallest largest rate) that reaches
    ``rf``, among one group of 1 to ``MAX_GROUP`` increasing rates starting at 1,
    repeated whole, meeting the three HDC rules with a dense exact support: every group
    of that space is considered (the search is exact, not a sample of groups).  Also
    returns what was searched, for people."""
    searched = (
        f"searched: one group of 1 to {MAX_GROUP} increasing rates from 1 (each at most "
        f"the field reached before it, so the support is dense; M_2 <= K = {kernel}), "
        f"repeated whole, up to {max_layers} layers and rates up to {MAX_RATE}"
    )
    if kernel < 2:
        return None, searched + "; a kernel of 1 has no field to grow"
    for layers in range(1, max_layers + 1):
        found: list[int] | None = None
        for length in range(1, MAX_GROUP + 1):
            if layers % length:
                continue
            reps = layers // length
            need = -(-(rf - 1) // ((kernel - 1) * reps))
            group = _best_group(kernel, length, max(need, length))
            if group is not None and (found is None or (group[-1], group) < (found[-1], found)):
                found = group
        if found is not None:
            schedule = found * (layers // len(found))
            return (schedule, receptive_field(kernel, schedule)), searched
    return None, searched
