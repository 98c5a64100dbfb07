"""Hybrid Dilated Convolution (Wang et al. 2018): the paper's design heuristics.

For a group of stacked stride-1 dilated convolutions with kernel ``K`` and rates
``r_1..r_n``: the rates must not share a factor > 1; ``M_n = r_n``,
``M_i = max(M_{i+1} - 2 r_i, M_{i+1} - 2 (M_{i+1} - r_i), r_i)`` and the goal is
``M_2 <= K``; a sawtooth (``[1, 2, 5, 1, 2, 5]``) beats one ever-growing run.
They are heuristics: the exact support (:func:`.support.dilated_support`) is the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import gcd

from .support import dilated_paths, dilated_support


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


def design_schedule(kernel: int, rf: int, max_layers: int = MAX_LAYERS) -> Schedule | None:
    """The schedule with the fewest layers (ties: the smallest largest rate) that reaches
    ``rf``, among one group of 1 to ``MAX_GROUP`` increasing rates starting at 1,
    repeated whole (up to ``max_layers`` layers, rates up to ``MAX_RATE``), meeting the
    three HDC rules with a dense exact support: every group of that space is considered
    (the search is exact, not a sample of groups).  None: none reaches ``rf``."""
    if kernel < 2:
        return None  # a kernel of 1 has no field to grow
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
            return Schedule(tuple(schedule), receptive_field(kernel, schedule))
    return None


@dataclass(frozen=True)
class Schedule:
    rates: tuple[int, ...]
    receptive_field: int


@dataclass(frozen=True)
class GroupCheck:
    """One ever-growing group of a schedule against the HDC rules."""

    rates: tuple[int, ...]
    common_factor: int
    m: tuple[int, ...]
    kernel: int

    @property
    def factor_ok(self) -> bool:
        return self.common_factor == 1 or len(self.rates) < 2

    @property
    def m2_ok(self) -> bool:
        return len(self.m) < 2 or self.m[1] <= self.kernel


@dataclass(frozen=True)
class ScheduleCheck:
    """A dilation schedule checked: the paper's rules per group, a long growing run,
    and the verdict, the exact support (with path counts up to ``MAX_PATH_FIELD``)."""

    kernel: int
    rates: tuple[int, ...]
    groups: tuple[GroupCheck, ...]
    #: the first group that grows for 5 layers or more (a sawtooth is advised)
    long_growth: tuple[int, ...] | None
    support: int
    #: path counts per offset, when the field is at most ``MAX_PATH_FIELD``
    paths: tuple[int, ...] | None

    @property
    def holes(self) -> int:
        return self.support.bit_length() - bin(self.support).count("1")

    @property
    def ok(self) -> bool:
        return not self.holes and all(g.factor_ok and g.m2_ok for g in self.groups)


#: the widest field whose path counts are computed (a pass per tap over the field)
MAX_PATH_FIELD = 1 << 16


def check_schedule(kernel: int, rates: Sequence[int]) -> ScheduleCheck:
    """Check stacked stride-1 convs with this kernel and these dilation rates."""
    groups = tuple(
        GroupCheck(tuple(g), common_factor(g), tuple(m_values(g)), kernel)
        for g in sawtooth_groups(rates)
    )
    long_growth = next((g.rates for g in groups if len(g.rates) >= 5), None)
    bits = dilated_support(kernel, rates)
    paths = dilated_paths(kernel, rates) if bits.bit_length() <= MAX_PATH_FIELD else None
    return ScheduleCheck(kernel, tuple(rates), groups, long_growth, bits, paths)
