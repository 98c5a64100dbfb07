"""Which inputs are valid, per axis and exactly: the conditions each layer sets (merges
agree, crops fit, pixel_unshuffle divides, strided windows tile), solved over one period
of the input (see engine/solve.py); the inputs that give an output size; one input
checked with the nearest valid sizes."""

from __future__ import annotations

from dataclasses import dataclass
from math import lcm
from typing import Any

import sympy

from ..answers import AxisAnswer, AxisSolution, OutputCheck, SizeCheck
from ..engine import Analysis, analyze_network, size_symbol
from ..engine.conditions import ALL_SOURCES, Condition, Source, size_conditions
from ..engine.sizes import is_concrete
from ..engine.solve import (
    Residues,
    compile_expr,
    held_others,
    min_input,
    period,
    settle,
    smallest,
    solve_axis_values,
)
from ..model import AXIS_NAMES, Network, Refused


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
    return sym, held_others(analysis.symbols, sym)


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
    p = period([c.expr for c in conds], sym)

    def test(values: list[Any]) -> bool:
        return all(c.holds(v) for c, v in zip(conds, values, strict=True))

    exprs = [c.expr for c in conds]
    res = solve_axis_values(analysis, axis, exprs, test, start, [f for f, _ in funcs])
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


class DesignError(Refused):
    """A question ``rfcalc solve`` cannot ask of this spec (a usage error): the message
    says why."""


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
        from ..wording import condition_text, padding_fix

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
