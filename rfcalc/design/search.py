"""``solve --rf``: the smallest hyperparameter values, or the fewest repetitions of an
item, for which a layer sees a given receptive field (exact searches: a bisection where
the fields are proved monotone, by increasing sum otherwise)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import sympy

from ..answers import HyperSearch
from ..engine import Analysis, analyze_network
from ..engine.solve import compile_expr, smallest
from ..model import Network
from ..sources import Source

#: the most hyperparameter combinations searched
MAX_SEARCH = 200_000


def _rf_values(analysis: Analysis, layer: str | None) -> list[Any]:
    result = analysis[layer] if layer else analysis.layers[-1]
    return [a.receptive_field for a in result.axes]


def _monotone(exprs: list[Any], bounds: dict[Any, tuple[int, int]]) -> bool:
    """Every expression is a polynomial with no negative coefficient once each symbol is
    written as its lower bound plus a non-negative offset: non-decreasing on the box."""
    offsets = {s: sympy.Symbol(f"_t{i}", nonnegative=True) for i, s in enumerate(bounds)}
    for e in exprs:
        shifted = sympy.expand(
            sympy.sympify(e).subs({s: bounds[s][0] + t for s, t in offsets.items()})
        )
        try:
            poly = sympy.Poly(shifted, *offsets.values())
        except sympy.PolynomialError:
            return False
        if any(c < 0 or not c.is_Rational for c in poly.coeffs()):
            return False
    return True


def _by_sum(ranges: list[tuple[int, int]]) -> Any:
    """Every combination within ``ranges``, by increasing sum, then in order."""
    lo_sum, hi_sum = sum(lo for lo, _ in ranges), sum(hi for _, hi in ranges)

    def fill(i: int, left: int) -> Any:
        if i == len(ranges):
            if left == 0:
                yield ()
            return
        lo, hi = ranges[i]
        rest_lo = sum(r[0] for r in ranges[i + 1 :])
        rest_hi = sum(r[1] for r in ranges[i + 1 :])
        for v in range(max(lo, left - rest_hi), min(hi, left - rest_lo) + 1):
            for tail in fill(i + 1, left - v):
                yield (v, *tail)

    for total in range(lo_sum, hi_sum + 1):
        yield from fill(0, total)


def _bisect_box(
    ranges: list[tuple[int, int]], reaches: Callable[[tuple[int, ...]], bool]
) -> tuple[tuple[int, ...] | None, bool, int] | None:
    """For a ``reaches`` that is monotone in every value: the smallest combination (by
    sum, then in order) of the box, by a bisection on the last value for every prefix of
    the others; None when that is more than ``MAX_SEARCH`` evaluations."""
    *head, last = ranges
    prefixes = 1
    for lo, hi in head:
        prefixes *= hi - lo + 1
    if prefixes * max(1, (last[1] - last[0] + 1).bit_length()) > MAX_SEARCH:
        return None
    best: tuple[int, ...] | None = None
    searched = 0
    for prefix in itertools.product(*(range(lo, hi + 1) for lo, hi in head)):
        searched += 1
        if not reaches((*prefix, last[1])):
            continue
        a, b = last  # the least last value that reaches: bisection
        while a < b:
            mid = (a + b) // 2
            if reaches((*prefix, mid)):
                b = mid
            else:
                a = mid + 1
        combo = (*prefix, a)
        if best is None or (sum(combo), combo) < (sum(best), best):
            best = combo
    return best, True, searched


def smallest_hyperparameters(
    network: Network, rf: int, layer: str | None = None
) -> HyperSearch | None:
    """The smallest values (by their sum, then in order) of the spec's ``symbols`` for
    which ``layer`` (default: the last) sees at least ``rf`` input pixels on every axis.
    None when the receptive field is not stated there.

    When the fields are non-decreasing in every symbol (proved from their polynomial
    form), the box is searched exactly with a bisection on the last symbol; otherwise
    combinations are tried by increasing sum, at most ``MAX_SEARCH``, and the answer
    says when the search stopped before the end."""
    analysis = analyze_network(network)
    values = _rf_values(analysis, layer)
    symbols = sorted(network.bounds, key=str)
    if any(v is None or not sympy.sympify(v).free_symbols <= set(symbols) for v in values):
        return None
    bounds = {s: network.bounds[s] for s in symbols}
    funcs = [compile_expr(v) for v in values]
    total = 1
    for lo, hi in bounds.values():
        total *= hi - lo + 1

    def fields(combo: tuple[int, ...]) -> list[int]:
        env = dict(zip(symbols, combo, strict=True))
        return [int(f(env)) for f in funcs]

    def reaches(combo: tuple[int, ...]) -> bool:
        return all(g >= rf for g in fields(combo))

    def answer(combo: tuple[int, ...] | None, complete: bool, searched: int) -> HyperSearch:
        if combo is None:
            return HyperSearch(None, None, complete, searched, total)
        shown = {str(s): v for s, v in zip(symbols, combo, strict=True)}
        return HyperSearch(shown, fields(combo), complete, searched, total)

    ranges = [bounds[s] for s in symbols]
    if _monotone(values, bounds):
        if not reaches(tuple(hi for _, hi in ranges)):
            return answer(None, True, 1)
        found = _bisect_box(ranges, reaches)
        if found is not None:
            return answer(*found)
    searched = 0
    for combo in _by_sum(ranges):
        searched += 1
        if reaches(combo):
            return answer(combo, True, searched)
        if searched >= MAX_SEARCH:
            return answer(None, False, searched)
    return answer(None, True, searched)


def smallest_repeat(
    source: Source, name: str, rf: int, layer: str | None = None
) -> tuple[int, list[Any], str] | None:
    """The fewest repetitions of the top-level item ``name`` of the spec ``source`` for
    which the last layer (or ``layer``) sees at least ``rf`` input pixels on every axis
    (receptive fields grow with the count, so a doubling then bisecting search is exact).
    Each count builds the network again from the spec's parsed YAML, never its text."""
    from ..model import SpecError

    def rf_at(count: int) -> tuple[list[Any], str]:
        analysis = analyze_network(source.with_repeats({name: count}))
        return _rf_values(analysis, layer), layer or analysis.layers[-1].name

    def enough(count: int) -> bool:
        try:
            got, _ = rf_at(count)
        except SpecError:
            return True  # past what the spec allows: the search ends here, checked below
        return all(g is not None and sympy.sympify(g).is_Integer and int(g) >= rf for g in got)

    count = smallest(enough, cap=10_000)
    if count is None:
        return None
    try:
        got, where = rf_at(count)
    except SpecError:
        return None
    if not all(g is not None and sympy.sympify(g).is_Integer and int(g) >= rf for g in got):
        return None
    return count, [int(g) for g in got], where
