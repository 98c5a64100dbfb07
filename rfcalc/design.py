"""Design questions answered exactly: which inputs are valid, which give an output size,
which output_padding brings an encoder-decoder back to its input size.

Everything here works on the network analysed with a symbol per axis and decides
conditions by exact evaluation over one period of the input (see engine/solve.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import sympy

from .engine import INPUT, Analysis, analyze_network, size_symbol
from .engine.conditions import ALL_SOURCES, Condition, Source, size_conditions
from .engine.sizes import is_concrete
from .engine.solve import (
    PERIOD_CAP,
    SEARCH_CAP,
    SPORADIC_CAP,
    Residues,
    compile_expr,
    min_input,
    period,
    smallest,
    solve_condition,
)
from .model import AXIS_NAMES, Network
from .wording import condition_text

#: the most output_padding combinations tried
MAX_COMBINATIONS = 4096


def free_analysis(network: Network) -> Analysis:
    """The network with a symbol on every axis (the spec's names, else H, W, D)."""
    names = [
        size_symbol(AXIS_NAMES[i] if is_concrete(s) else str(s))
        for i, s in enumerate(network.input_size)
    ]
    return analyze_network(network, names)


def conditions(analysis: Analysis, axis: int, drops: bool = True) -> list[Condition]:
    """What the input on ``axis`` must satisfy: merges agree, crops fit, pixel_unshuffle
    divides, and (``drops``) strided windows tile their input."""
    sources = ALL_SOURCES if drops else ALL_SOURCES - {Source.DROP}
    return size_conditions(analysis, axis, sources)


def _env(analysis: Analysis, axis: int) -> tuple[Any, dict[Any, int]]:
    sym = analysis.input_size[axis]
    return sym, {s: 1 << 12 for s in analysis.symbols if s != sym}


@dataclass(frozen=True)
class AxisSolution:
    name: str
    minimum: int | None
    valid: Residues | None
    reasons: tuple[str, ...]

    def describe(self) -> str:
        if self.minimum is None:
            return f"no {self.name} up to 2^24 gives every layer an output"
        if self.valid is None:
            return (
                f"{self.name}: unknown (every layer has an output from {self.name} = "
                f"{self.minimum}, but whether the sizes agree could not be decided: "
                f"their period is over {PERIOD_CAP} or they do not settle within "
                f"{SPORADIC_CAP} inputs)"
            )
        if self.valid.never:
            return f"no valid {self.name}: " + "; ".join(self.reasons)
        if self.valid.always:
            return f"any {self.name} >= {self.minimum}"
        first = self.valid.first(self.minimum)
        if self.valid.sporadic:
            return f"{self.valid.describe(self.name)} (smallest {first})"
        m = self.valid.modulus
        if len(self.valid.residues) == 1:
            r = self.valid.residues[0]
            form = f"{m}n" if r == 0 else f"{m}n + {r}"
            n0 = (first - r) // m if first is not None else 0
            congruence = f"{self.name} ≡ {r} (mod {m})"
            return f"{self.name} = {form} for n >= {n0} ({congruence}, smallest {first})"
        return f"{self.valid.describe(self.name)}, {self.name} >= {self.minimum} (smallest {first})"


def solve_axis(analysis: Analysis, axis: int, drops: bool = True) -> AxisSolution:
    sym, others = _env(analysis, axis)
    name = str(sym)
    start = min_input(analysis, axis)
    conds = conditions(analysis, axis, drops)
    if start is None:
        return AxisSolution(name, None, None, ())
    if not conds:
        return AxisSolution(name, start, Residues(1, (0,), start), ())
    funcs = [(compile_expr(c.expr), c) for c in conds]

    def holds(n: int) -> bool:
        env = {**others, sym: n}
        try:
            return all(c.holds(f(env)) for f, c in funcs)
        except (ZeroDivisionError, ValueError):
            return False

    p = period([c.expr for c in conds], sym)
    res = solve_condition(holds, [c.expr for c in conds], sym, others, start)
    if res is not None and not res.always and res.residues and not res.sporadic:
        first = res.first(start)
        if first is not None and first != start:
            res = Residues(res.modulus, res.residues, first)
    # name only the conditions that rule some input out
    binding = []
    for f, c in funcs:
        for n in range(start, start + 2 * p if p <= 4096 else start + 8192):
            v = f({**others, sym: n})
            if not c.holds(v):
                binding.append(condition_text(c))
                break
    return AxisSolution(name, start, res, tuple(dict.fromkeys(binding)))


def inputs_for_output(
    analysis: Analysis, axis: int, target: int, layer: str | None = None
) -> tuple[int, int | None] | None:
    """The interval of inputs on ``axis`` for which every layer has an output and
    ``layer`` (default: the last) has ``target`` units, sizes being non-decreasing in the
    input; the upper end is None when every larger input gives ``target`` too (a size
    fixed by an adaptive or global pool).  None: no such input."""
    sym, others = _env(analysis, axis)
    result = analysis[layer] if layer else analysis.layers[-1]
    f = compile_expr(result.axes[axis].size)
    start = min_input(analysis, axis)
    if start is None:
        return None

    def size(n: int) -> int:
        return int(f({**others, sym: max(n, start)}))

    lo = smallest(lambda n: size(n) >= target)
    if lo is None or size(lo) != target:
        return None
    lo = max(lo, start)
    hi = smallest(lambda n: size(n) > target)
    return lo, (hi - 1) if hi is not None else None


def axis_answers(
    analysis: Analysis,
    drops: bool,
    concrete: list[int | str] | None,
    output: int | None,
    layer: str | None,
) -> tuple[list[str], bool]:
    """What ``rfcalc solve`` says of each axis (valid sizes, ``--size``, ``--output``),
    and False when a ``--size`` is not valid."""
    lines: list[str] = []
    ok_all = True
    for axis in range(len(analysis.input_size)):
        sol = solve_axis(analysis, axis, drops)
        lines.append(f"  valid {sol.describe()}")
        if sol.reasons:
            lines.append("    from: " + "; ".join(sol.reasons))
        if concrete is not None:
            value = int(concrete[axis])
            ok = sol.valid is not None and sol.minimum is not None and sol.valid.holds(value)
            below, above = nearest_valid(sol, value)
            if ok:
                lines.append(f"  {sol.name} = {value} is valid")
            elif sol.valid is None and sol.minimum is not None and value >= sol.minimum:
                lines.append(f"  {sol.name} = {value}: unknown (see above)")
            else:
                ok_all = False
                parts = []
                if above is not None:
                    parts.append(f"pad {above - value} to {above}")
                if below is not None:
                    parts.append(f"crop {value - below} to {below}")
                lines.append(
                    f"  {sol.name} = {value} is not valid: "
                    + (" or ".join(parts) or "no valid size")
                )
        if output is not None:
            found = inputs_for_output(analysis, axis, output, layer)
            target = layer or analysis.layers[-1].name
            if found is None:
                lines.append(f"  no {sol.name} up to {SEARCH_CAP} gives {target} {output} units")
            elif found[1] is None:
                constant = (
                    analysis.input_size[axis]
                    not in sympy.sympify((analysis[target]).axes[axis].size).free_symbols
                )
                lines.append(
                    f"  {target} has {output} units for {sol.name} >= {found[0]}"
                    + ("" if constant else f" (up to {SEARCH_CAP} at least)")
                )
            else:
                lines.append(
                    f"  {target} has {output} units for {sol.name} in [{found[0]}, {found[1]}]"
                )
    return lines, ok_all


def nearest_valid(solution: AxisSolution, size: int) -> tuple[int | None, int | None]:
    if solution.valid is None:
        return None, None
    below, above = solution.valid.nearest(size)
    if below is not None and solution.minimum is not None and below < solution.minimum:
        below = None
    return below, above


@dataclass(frozen=True)
class RoundTrip:
    """The ``output_padding`` combinations that return the input size at ``inputs``
    (None: undecided), described by ``text``; ``axis`` is the input axis."""

    axis: int
    inputs: Residues | None
    text: str
    combos: tuple[tuple[int, ...], ...]


def roundtrip_output_padding(network: Network, axis_count: int) -> list[RoundTrip] | None:
    """For an encoder-decoder: the ``output_padding`` of each transposed conv that makes
    the last layer's size equal the input's.

    Returns, per axis and set of inputs (a residue class, a few sporadic values, or
    ``any H``), the combinations (a value per transposed conv) that return it; or None
    when there is no transposed conv.  Decided exactly (``solve_condition``: the
    size difference drifts with the input, so a combination may work at a few inputs
    only), over the inputs where the network runs.
    """
    tconvs = [i for i, layer in enumerate(network.layers) if layer.op == "conv_transpose"]
    if not tconvs:
        return None
    answers: list[RoundTrip] = []
    base = free_analysis(network)
    for axis in range(axis_count):
        # output_padding runs below max(stride, dilation) (PyTorch's rule)
        choices = [range(max(int(v) for v in network.layers[i].window(axis)[1:])) for i in tconvs]
        combos = list(itertools.islice(itertools.product(*choices), MAX_COMBINATIONS))
        sym = base.input_size[axis]
        name = str(sym)
        start = min_input(base, axis) or 1
        # one analysis per combination, with output_padding set on this axis
        found: dict[str, tuple[Residues | None, list[tuple[int, ...]]]] = {}
        for combo in combos:
            layers = list(network.layers)
            for i, value in zip(tconvs, combo, strict=True):
                op = list(layers[i].output_padding or (0,) * network.ndim)
                op[axis] = value
                layers[i] = replace(layers[i], output_padding=tuple(op))
            a = free_analysis(replace(network, layers=tuple(layers)))
            diff = sympy.expand(a.layers[-1].axes[axis].size - a.input_size[axis])
            others = {s: 1 << 12 for s in a.symbols if s != sym}
            f = compile_expr(diff)
            res = solve_condition(_zero_at(f, others, sym), [diff], sym, others, start)
            if res is not None and res.never:
                continue
            text = (
                f"{name} unknown (not decided)" if res is None else _inputs_text(res, name, start)
            )
            found.setdefault(text, (res, []))[1].append(combo)
        if not found:
            answers.append(RoundTrip(axis, Residues(1, (), start), f"no {name} >= {start}", ()))

        def order(item: tuple[str, tuple[Residues | None, list[tuple[int, ...]]]]) -> Any:
            res = item[1][0]  # residue classes in order, then sporadic values, then unknown
            return (1,) if res is None else (0, res.residues, res.sporadic)

        for text, (res, ok) in sorted(found.items(), key=order):
            answers.append(RoundTrip(axis, res, text, tuple(ok)))
    return answers


def _inputs_text(res: Residues, name: str, start: int) -> str:
    if res.always and res.start <= start:
        return f"any {name}"
    return res.describe(name)


def _zero_at(f: Callable[[Any], Any], others: dict[Any, int], sym: Any) -> Callable[[int], bool]:
    return lambda n: bool(f({**others, sym: n}) == 0)


def tconv_names(network: Network) -> list[str]:
    return [layer.name for layer in network.layers if layer.op == "conv_transpose"]


__all__ = [
    "INPUT",
    "AxisSolution",
    "Condition",
    "RoundTrip",
    "conditions",
    "free_analysis",
    "inputs_for_output",
    "min_input",
    "nearest_valid",
    "roundtrip_output_padding",
    "solve_axis",
]


#: the most hyperparameter combinations searched
MAX_SEARCH = 200_000


def _rf_values(analysis: Analysis, layer: str | None) -> list[Any]:
    result = analysis[layer] if layer else analysis.layers[-1]
    return [a.receptive_field for a in result.axes]


@dataclass(frozen=True)
class HyperSearch:
    """The answer of ``solve --rf`` with hyperparameters: the smallest values found (by
    their sum, then in order) and the fields they give, or None; ``complete`` says
    whether the search covered every combination (or proved the rest cannot do better)."""

    values: dict[str, int] | None
    fields: list[int] | None
    complete: bool
    searched: int
    total: int


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
        *head, last = ranges
        prefixes = 1
        for lo, hi in head:
            prefixes *= hi - lo + 1
        if prefixes * max(1, (last[1] - last[0] + 1).bit_length()) <= MAX_SEARCH:
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
            return answer(best, True, searched)
    searched = 0
    for combo in _by_sum(ranges):
        searched += 1
        if reaches(combo):
            return answer(combo, True, searched)
        if searched >= MAX_SEARCH:
            return answer(None, False, searched)
    return answer(None, True, searched)


def smallest_repeat(
    text: str, path: str, name: str, rf: int, layer: str | None = None
) -> tuple[int, list[Any], str] | None:
    """The fewest repetitions of the top-level item ``name`` for which the last layer (or
    ``layer``) sees at least ``rf`` input pixels on every axis (receptive fields grow
    with the count, so a doubling then bisecting search is exact)."""
    from .model import SpecError
    from .spec import load_spec

    def rf_at(count: int) -> tuple[list[Any], str]:
        analysis = analyze_network(load_spec(text, path, {name: count}))
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
