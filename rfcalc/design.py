"""Design questions answered exactly: which inputs are valid, which give an output size,
which output_padding brings an encoder-decoder back to its input size.

Everything here works on the network analysed with a symbol per axis and decides
conditions by exact evaluation over one period of the input (see engine/solve.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from math import lcm
from typing import Any

import sympy

from .engine import INPUT, Analysis, analyze_network, size_symbol
from .engine.conditions import ALL_SOURCES, Condition, Source, size_conditions
from .engine.hyper import combinations, instances, involves
from .engine.sizes import is_concrete
from .engine.solve import (
    Residues,
    compile_expr,
    min_input,
    period,
    settle,
    smallest,
    solve_condition,
)
from .model import AXIS_NAMES, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Network, Op
from .sources import Source as Opened

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
    """The valid inputs of one axis: from ``minimum`` (None: no input up to 2^24 gives
    every layer an output), those of ``valid`` (None: undecided), and the conditions
    that rule some input out."""

    name: str
    minimum: int | None
    valid: Residues | None
    binding: tuple[Condition, ...]


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
    binding: list[Condition] = []
    for f, c in funcs:
        for n in range(start, start + 2 * p if p <= 4096 else start + 8192):
            v = f({**others, sym: n})
            if not c.holds(v):
                binding.append(c)
                break
    return AxisSolution(name, start, res, tuple(dict.fromkeys(binding)))


#: the most inputs evaluated to decide that a value is constant on the valid ones
CONSTANT_CAP = 1 << 14


def constant_when_valid(analysis: Analysis, axis: int, expr: Any, valid: Residues) -> Any:
    """The one value ``expr`` (an expression in the input symbol of ``axis``) takes on
    every input of ``valid``, or None when it takes several (or that is not decided).

    Exact: ``expr`` is quasi-affine from the point where its Min / Max settle
    (``e(n + P) = e(n) + c`` along each residue class), so equal values over two periods
    of every valid class past that point, and at every valid input before it, are the
    values everywhere."""
    sym, others = _env(analysis, axis)
    free: set[Any] = getattr(sympy.sympify(expr), "free_symbols", set())
    if free != {sym} or valid.never:
        return None
    try:
        p = period([expr], sym)
        span = 2 * lcm(p, valid.modulus)
        base = max(valid.start, settle(sympy.sympify(expr), sym, others, valid.start))
        if base + span - valid.start > CONSTANT_CAP:
            return None
        f = compile_expr(expr)
        seen = {f({**others, sym: n}) for n in valid.sporadic}
        for n in range(valid.start, base + span):
            if valid.holds(n):
                seen.add(f({**others, sym: n}))
                if len(seen) > 1:
                    return None
    except (ZeroDivisionError, ValueError, KeyError):
        return None
    if len(seen) != 1:
        return None
    (value,) = seen
    return sympy.Rational(value.numerator, value.denominator)


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


@dataclass(frozen=True)
class SizeCheck:
    """``--size``: is ``value`` valid (None: undecided), and the nearest valid sizes."""

    value: int
    valid: bool | None
    below: int | None
    above: int | None


@dataclass(frozen=True)
class OutputCheck:
    """``--output``: the inputs for which ``layer`` has ``output`` units, as an interval
    (upper None: every larger input; ``found`` None: none), and whether that size does
    not depend on the input at all (an adaptive or global pool)."""

    layer: str
    output: int
    found: tuple[int, int | None] | None
    constant: bool


@dataclass(frozen=True)
class AxisAnswer:
    solution: AxisSolution
    size: SizeCheck | None = None
    output: OutputCheck | None = None


def answer_axis(
    analysis: Analysis,
    axis: int,
    drops: bool = True,
    size: int | None = None,
    output: int | None = None,
    layer: str | None = None,
) -> AxisAnswer:
    """What ``rfcalc solve`` answers of one axis: its valid sizes, and, when asked, whether
    ``size`` is valid and which inputs give ``layer`` (default: the last) ``output`` units."""
    sol = solve_axis(analysis, axis, drops)
    checked = None
    if size is not None:
        below, above = nearest_valid(sol, size)
        valid: bool | None
        if sol.valid is not None and sol.minimum is not None and sol.valid.holds(size):
            valid = True
        elif sol.valid is None and sol.minimum is not None and size >= sol.minimum:
            valid = None
        else:
            valid = False
        checked = SizeCheck(size, valid, below, above)
    wanted = None
    if output is not None:
        target = layer or analysis.layers[-1].name
        found = inputs_for_output(analysis, axis, output, layer)
        constant = (
            found is not None
            and found[1] is None
            and analysis.input_size[axis]
            not in sympy.sympify(analysis[target].axes[axis].size).free_symbols
        )
        wanted = OutputCheck(target, output, found, constant)
    return AxisAnswer(sol, checked, wanted)


def nearest_valid(solution: AxisSolution, size: int) -> tuple[int | None, int | None]:
    if solution.valid is None:
        return None, None
    below, above = solution.valid.nearest(size)
    if below is not None and solution.minimum is not None and below < solution.minimum:
        below = None
    return below, above


@dataclass(frozen=True)
class RoundTrip:
    """The ``output_padding`` combinations that return the input size on input axis
    ``axis`` (named ``name``) at ``inputs`` (None: undecided), among inputs from
    ``start``; no combination at all when ``combos`` is empty."""

    axis: int
    name: str
    start: int
    inputs: Residues | None
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
    tconvs = [i for i, layer in enumerate(network.layers) if layer.op == Op.CONV_TRANSPOSE]
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
        found: dict[Residues | None, list[tuple[int, ...]]] = {}
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
            found.setdefault(res, []).append(combo)
        if not found:
            answers.append(RoundTrip(axis, name, start, Residues(1, (), start), ()))

        def order(item: tuple[Residues | None, list[tuple[int, ...]]]) -> Any:
            res = item[0]  # residue classes in order, then sporadic values, then unknown
            return (1,) if res is None else (0, res.residues, res.sporadic)

        for res, ok in sorted(found.items(), key=order):
            answers.append(RoundTrip(axis, name, start, res, tuple(ok)))
    return answers


def _zero_at(f: Callable[[Any], Any], others: dict[Any, int], sym: Any) -> Callable[[int], bool]:
    return lambda n: bool(f({**others, sym: n}) == 0)


def tconv_names(network: Network) -> list[str]:
    return [layer.name for layer in network.layers if layer.op == Op.CONV_TRANSPOSE]


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
    source: Opened, name: str, rf: int, layer: str | None = None
) -> tuple[int, list[Any], str] | None:
    """The fewest repetitions of the top-level item ``name`` of the spec ``source`` for
    which the last layer (or ``layer``) sees at least ``rf`` input pixels on every axis
    (receptive fields grow with the count, so a doubling then bisecting search is exact).
    Each count builds the network again from the spec's parsed YAML, never its text."""
    from .model import SpecError

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


class DesignError(Exception):
    """A question ``rfcalc solve`` cannot ask of this spec (a usage error): the message
    says why."""


@dataclass(frozen=True)
class SolveRequest:
    """What ``rfcalc solve`` is asked besides the valid sizes."""

    drops: bool = True
    #: ``--size``: one integer per axis (anything else is a :class:`DesignError`)
    size: tuple[int | str, ...] | None = None
    output: int | None = None
    layer: str | None = None
    rf: int | None = None
    repeat: str | None = None
    roundtrip: bool = False


@dataclass(frozen=True)
class SolveGroup:
    """The answers per axis, for the hyperparameter values ``labels`` (``()``: the sizes
    do not depend on any)."""

    labels: tuple[str, ...]
    axes: tuple[AxisAnswer, ...]


@dataclass(frozen=True)
class RepeatAnswer:
    """``--rf N --repeat ITEM``: the fewest repetitions reaching ``rf`` (None: none does),
    with the fields they give at ``layer``."""

    item: str
    rf: int
    count: int | None
    fields: tuple[int, ...] = ()
    layer: str = ""


@dataclass(frozen=True)
class HyperAnswer:
    """``--rf N`` with ``symbols:``: the search (None: the field is not a number for
    given values of the symbols at ``layer``)."""

    rf: int
    layer: str
    search: HyperSearch | None


@dataclass(frozen=True)
class NeedsSymbols:
    """``--rf N`` on a spec without ``symbols:`` and without ``--repeat``."""

    rf: int


@dataclass(frozen=True)
class RoundTripCase:
    """``--roundtrip`` for the hyperparameter values ``label`` ("": none); ``trips`` None:
    the network has no conv_transpose."""

    label: str
    trips: tuple[RoundTrip, ...] | None


@dataclass(frozen=True)
class SolveReport:
    network: Network
    path: str
    groups: tuple[SolveGroup, ...]
    #: the sizes depend on the hyperparameters and only the corners of their bounds were
    #: answered (of ``combinations``)
    corners_only: bool
    combinations: int
    rf: RepeatAnswer | HyperAnswer | NeedsSymbols | None
    roundtrip: tuple[RoundTripCase, ...]
    tconvs: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        """0: every answer given; 1: a size is not valid or a field is not reached;
        2: ``--rf`` asked of a spec without symbols."""
        code = EXIT_OK
        if any(a.size is not None and a.size.valid is False for g in self.groups for a in g.axes):
            code = EXIT_FINDINGS
        rf = self.rf
        if isinstance(rf, NeedsSymbols):
            code = max(code, EXIT_USAGE)
        elif (isinstance(rf, RepeatAnswer) and rf.count is None) or (
            isinstance(rf, HyperAnswer) and (rf.search is None or rf.search.values is None)
        ):
            code = max(code, EXIT_FINDINGS)
        return code


def solve(source: Opened, ask: SolveRequest) -> SolveReport:
    """Everything ``rfcalc solve`` answers of the spec or model ``source``.

    Raises :class:`~rfcalc.model.SpecError` for a repeat count the spec cannot take, and
    :class:`DesignError` for a question that does not fit the spec."""
    from .spec import has_item

    network, path = source.network, source.path
    if source.imported is not None and ask.repeat is not None:
        raise DesignError("--repeat needs a spec; a model has no repeat counts")
    analysis = free_analysis(network)
    if ask.layer is not None and ask.layer not in [r.name for r in analysis.layers]:
        raise DesignError(f"no layer named {ask.layer!r} in {path}")
    if ask.size is not None and (
        len(ask.size) != network.ndim or not all(isinstance(v, int) for v in ask.size)
    ):
        raise DesignError(f"--size needs {network.ndim} integers, like 500x500")
    wants_repeat = ask.repeat is not None and ask.rf is not None
    if wants_repeat and not has_item(source.with_repeats({str(ask.repeat): 1}), str(ask.repeat)):
        raise DesignError(f"no top-level layer or block instance named {ask.repeat!r}")

    def answers(a: Analysis) -> tuple[AxisAnswer, ...]:
        return tuple(
            answer_axis(
                a,
                axis,
                ask.drops,
                None if ask.size is None else int(ask.size[axis]),
                ask.output,
                ask.layer,
            )
            for axis in range(network.ndim)
        )

    sizes_of = [a.size for r in analysis.layers for a in r.axes]
    corners_only = False
    if network.bounds and involves(network, sizes_of):
        # the sizes depend on hyperparameters: answer per value, alike answers together
        cases, complete = instances(network)
        corners_only = not complete
        grouped: dict[Any, tuple[tuple[AxisAnswer, ...], list[str]]] = {}
        for case in cases:
            got = answers(free_analysis(case.network))
            grouped.setdefault(_shown(got), (got, []))[1].append(case.label())
        groups = tuple(SolveGroup(tuple(labels), got) for got, labels in grouped.values())
    else:
        groups = (SolveGroup((), answers(analysis)),)
    return SolveReport(
        network,
        path,
        groups,
        corners_only,
        combinations(network),
        _rf_answer(source, ask),
        _roundtrip_cases(network) if ask.roundtrip else (),
        tuple(tconv_names(network)),
    )


def _shown(answers: tuple[AxisAnswer, ...]) -> Any:
    """What the answers say to a person (conditions by the layers that set them, not by
    their expressions): cases alike in this are answered together."""
    return tuple(
        (
            a.solution.name,
            a.solution.minimum,
            a.solution.valid,
            tuple(
                (c.layer, c.source, c.first, c.other, str(c.divisor)) for c in a.solution.binding
            ),
            a.size,
            a.output,
        )
        for a in answers
    )


def _rf_answer(
    source: Opened, ask: SolveRequest
) -> RepeatAnswer | HyperAnswer | NeedsSymbols | None:
    network = source.network
    if ask.rf is None:
        return None
    if ask.repeat is not None:
        found = smallest_repeat(source, ask.repeat, ask.rf, ask.layer)
        if found is None:
            return RepeatAnswer(ask.repeat, ask.rf, None)
        count, got, where = found
        return RepeatAnswer(ask.repeat, ask.rf, count, tuple(got), where)
    if not network.bounds:
        return NeedsSymbols(ask.rf)
    target = ask.layer or network.layers[-1].name
    return HyperAnswer(ask.rf, target, smallest_hyperparameters(network, ask.rf, ask.layer))


def _roundtrip_cases(network: Network) -> tuple[RoundTripCase, ...]:
    cases = instances(network)[0] if network.bounds else []
    out: list[RoundTripCase] = []
    for label, net in [(c.label(), c.network) for c in cases] or [("", network)]:
        trips = roundtrip_output_padding(net, net.ndim)
        out.append(RoundTripCase(label, None if trips is None else tuple(trips)))
        if trips is None:
            break
    return tuple(out)


@dataclass(frozen=True)
class InputCheck:
    """Whether an input size runs the network as designed (truthy when it does): every
    layer has an output, merges agree, crops fit, pixel_unshuffle divides, padding fits,
    and (``drops``) strided windows tile their input.  Per axis, the layers with an empty
    output, the conditions that fail, and the nearest valid sizes below and above."""

    size: tuple[int, ...]
    names: tuple[str, ...]
    empty: tuple[tuple[str, ...], ...]
    failed: tuple[tuple[Condition, ...], ...]
    nearest: tuple[tuple[int | None, int | None], ...]

    @property
    def valid(self) -> bool:
        return not any(self.empty) and not any(self.failed)

    def __bool__(self) -> bool:
        return self.valid

    def explain(self) -> str:
        """One line per axis that fails: why, and how far the nearest valid sizes are."""
        from .wording import condition_text, padding_fix

        shown = "x".join(map(str, self.size))
        if self.valid:
            return f"input {shown} is valid"
        lines = [f"input {shown} is not valid:"]
        for axis, name in enumerate(self.names):
            lost = self.empty[axis]
            why = []
            if lost:
                after = f" (nor the {len(lost) - 1} after it)" if len(lost) > 1 else ""
                why.append(f"{lost[0]} has no output{after}")
            why += list(dict.fromkeys(condition_text(c) for c in self.failed[axis]))
            if not why:
                continue
            n = self.size[axis]
            fix = padding_fix(n, *self.nearest[axis])
            lines.append(f"  {name} = {n}: {'; '.join(why)}" + (f" ({fix})" if fix else ""))
        return "\n".join(lines)


def check_input(network: Network, size: tuple[int, ...], drops: bool = True) -> InputCheck:
    """:class:`InputCheck` of ``network`` at the concrete ``size`` (exact: each condition
    evaluated at that size, not solved)."""
    if len(size) != network.ndim:
        raise DesignError(f"the input has {network.ndim} axes; {len(size)} sizes given")
    if network.bounds:
        open_ = ", ".join(sorted(map(str, network.bounds)))
        raise DesignError(f"the sizes depend on {open_}: give them values in the spec first")
    analysis = free_analysis(network)
    env = dict(zip(analysis.input_size, size, strict=True))
    empty, failed, nearest = [], [], []
    for axis in range(network.ndim):
        lost = tuple(
            r.name for r in analysis.layers if int(sympy.sympify(r.axes[axis].size).subs(env)) < 1
        )
        bad: tuple[Condition, ...] = ()
        if not lost:
            bad = tuple(
                c for c in conditions(analysis, axis, drops) if not c.holds(c.expr.subs(env))
            )
        empty.append(lost)
        failed.append(bad)
        near: tuple[int | None, int | None] = (None, None)
        if lost or bad:
            near = nearest_valid(solve_axis(analysis, axis, drops), size[axis])
        nearest.append(near)
    names = tuple(str(s) for s in analysis.input_size)
    return InputCheck(tuple(size), names, tuple(empty), tuple(failed), tuple(nearest))
