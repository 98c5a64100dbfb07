"""Exact questions about symbolic sizes: for which inputs does a condition hold?

Every size rfcalc makes is quasi-affine in each input symbol: built from integers,
``+``, ``*`` by constants, ``floor``, ``ceiling``, ``Mod``, ``Min`` and ``Max``.  Such a
function has a period ``P`` beyond which it repeats up to a linear term, so whether two
sizes agree (or a window tiles its input) depends only on the input modulo ``P``, once
the input is large enough.  Conditions are decided by evaluating the expressions
exactly (compiled to closures over :class:`fractions.Fraction`) over one or two periods.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor, gcd
from typing import Any

import sympy

from ..model import Expr

Env = Mapping[Any, int]

#: the largest period scanned when deciding a condition on sizes (not
#: :data:`.field.PHASE_CAP`, the most phases a field holds)
SCAN_PERIOD_CAP = 1 << 14
#: the largest input tried when searching for the smallest valid one
SEARCH_CAP = 1 << 24
#: the size every other axis's symbol (and any other size symbol) takes while one axis
#: is solved: large enough that its maps are not empty
OTHER_AXIS_SIZE = 1 << 12


def compile_expr(expr: Expr) -> Callable[[Env], Fraction]:
    """An exact evaluator for a quasi-affine sympy expression (values of its symbols)."""
    e = sympy.sympify(expr)
    if e.is_Integer:
        v = Fraction(int(e))
        return lambda _env: v
    if e.is_Rational:
        v = Fraction(int(e.p), int(e.q))
        return lambda _env: v
    if e.is_Symbol:
        return lambda env: Fraction(env[e])
    args = [compile_expr(a) for a in e.args]
    if isinstance(e, sympy.Add):
        return lambda env: sum((f(env) for f in args), Fraction(0))

    if isinstance(e, sympy.Mul):

        def mul(env: Env) -> Fraction:
            out = Fraction(1)
            for f in args:
                out *= f(env)
            return out

        return mul
    if isinstance(e, sympy.floor):
        (f,) = args
        return lambda env: Fraction(floor(f(env)))
    if isinstance(e, sympy.ceiling):
        (f,) = args
        return lambda env: Fraction(ceil(f(env)))
    if isinstance(e, sympy.Mod):
        a, b = args
        return lambda env: a(env) % b(env)
    if isinstance(e, sympy.Min):
        return lambda env: min(f(env) for f in args)
    if isinstance(e, sympy.Max):
        return lambda env: max(f(env) for f in args)
    if isinstance(e, sympy.Pow) and e.args[1].is_Integer:
        base, n = args[0], int(e.args[1])
        return lambda env: base(env) ** n
    raise ValueError(f"cannot evaluate {e}")


def period(exprs: Sequence[Expr], symbol: Any) -> int:
    """A period in ``symbol`` after which every expression repeats up to a linear term."""
    p = 1
    for e in exprs:
        p = _lcm(p, _period(sympy.sympify(e), symbol))
        if p > SCAN_PERIOD_CAP:
            return p
    return p


def _period(e: Expr, symbol: Any) -> int:
    if not e.has(symbol):
        return 1
    if isinstance(e, (sympy.floor, sympy.ceiling)):
        # the argument moves by a constant c every ``inner`` steps; its floor repeats up
        # to a linear term once k*c is an integer: after denominator(c) such steps
        inner = _period(e.args[0], symbol)
        slope = _slope(e.args[0], symbol, inner)
        if slope is not None:
            return inner * slope.denominator
        num, den = sympy.fraction(sympy.together(e.args[0]))
        d = int(den) if den.is_Integer else 1
        return _lcm(inner, d)
    if isinstance(e, sympy.Mod):
        inner = _period(e.args[0], symbol)
        m = e.args[1]
        slope = _slope(e.args[0], symbol, inner)
        if m.is_Integer and slope is not None:
            # x(H + inner) = x(H) + slope: the remainder repeats after m/gcd(slope, m) steps
            num = slope.numerator
            steps = int(m) // gcd(abs(num), int(m)) if num else 1
            return inner * steps * slope.denominator
        return inner * (int(m) if m.is_Integer else 1)
    p = 1
    for a in e.args:
        p = _lcm(p, _period(a, symbol))
    return p


def _slope(e: Expr, symbol: Any, p: int) -> Fraction | None:
    f = compile_expr(e)
    try:
        a, b = f({symbol: 1000 * p}), f({symbol: 1001 * p})
    except (ValueError, KeyError, ZeroDivisionError):
        return None
    return b - a


def _lcm(a: int, b: int) -> int:
    return a * b // gcd(a, b)


@dataclass(frozen=True)
class Residues:
    """``symbol ≡ r (mod modulus)`` for ``r`` in ``residues``, for ``symbol >= start``;
    and, below ``start``, exactly the values in ``sporadic``.

    Sporadic values arise where two sizes grow at different rates (branches of
    different total stride brought to one size by a pad or a crop): they agree at a few
    inputs only, not on a residue class.
    """

    modulus: int
    residues: tuple[int, ...]
    start: int
    sporadic: tuple[int, ...] = ()

    @property
    def always(self) -> bool:
        return len(self.residues) == self.modulus and not self.sporadic

    @property
    def never(self) -> bool:
        return not self.residues and not self.sporadic

    def holds(self, value: int) -> bool:
        if value < self.start:
            return value in self.sporadic
        return value % self.modulus in self.residues

    def nearest(self, value: int) -> tuple[int | None, int | None]:
        """The closest values at or below and at or above ``value`` that satisfy it."""
        if self.never:
            return None, None
        below = max((v for v in self.sporadic if v <= value), default=None)
        above = min((v for v in self.sporadic if v >= value), default=None)
        for r in self.residues:
            lo = value - ((value - r) % self.modulus)
            hi = lo if lo == value else lo + self.modulus
            if lo >= self.start and (below is None or lo > below):
                below = lo
            if hi >= self.start and (above is None or hi < above):
                above = hi
        if above is None:
            above = self.first(self.start)
        return below, above

    def first(self, at_least: int) -> int | None:
        if self.never:
            return None
        best = min((v for v in self.sporadic if v >= at_least), default=None)
        if best is not None:
            return best
        at_least = max(at_least, self.start)
        for r in self.residues:
            v = at_least + ((r - at_least) % self.modulus)
            best = v if best is None else min(best, v)
        return best


def residues(condition: Callable[[int], bool], modulus: int, start: int) -> Residues | None:
    """The residues mod ``modulus`` where ``condition`` holds, checked over two periods.

    None when the two periods disagree (the condition is not periodic from ``start``).
    """
    if modulus > SCAN_PERIOD_CAP:
        return None
    first = [condition(start + i) for i in range(modulus)]
    second = [condition(start + modulus + i) for i in range(modulus)]
    if first != second:
        return None
    found = sorted((start + i) % modulus for i, ok in enumerate(first) if ok)
    return Residues(*smallest_modulus(modulus, found), start)


def smallest_modulus(modulus: int, found: Sequence[int]) -> tuple[int, tuple[int, ...]]:
    """The same residue classes with the smallest modulus that states them (``{0, 4}``
    mod 8 is ``{0}`` mod 4; ``{0, 3, 4, 7}`` mod 8 is ``{0, 3}`` mod 4)."""
    given = set(found)
    for d in range(1, modulus):
        if modulus % d == 0 and all(
            ((r % d) in {x % d for x in given}) == (r in given) for r in range(modulus)
        ):
            return d, tuple(sorted({r % d for r in given}))
    return modulus, tuple(sorted(given))


#: the most inputs enumerated one by one before sizes settle into a periodic pattern
SPORADIC_CAP = 1 << 16


def solve_condition(
    holds: Callable[[int], bool],
    exprs: Sequence[Expr],
    symbol: Any,
    others: Env,
    start: int,
) -> Residues | None:
    """The inputs ``>= start`` for which ``holds``, a test of the signs of ``exprs``
    (zero, positive, negative), is true: exact.

    Each expression is quasi-affine: ``e(n + P) = e(n) + c`` for a period ``P`` and a
    drift ``c``.  With every drift 0 the answer is periodic (:func:`residues`).  A
    drifting expression changes sign at most once along each residue class, at a point
    computed here; past the last such point the answer is periodic again, and the
    inputs before it are enumerated (the sporadic values).
    """
    p = period(exprs, symbol)
    if p > SCAN_PERIOD_CAP:
        return None
    funcs = [compile_expr(e) for e in exprs]

    def value(f: Callable[[Env], Fraction], n: int) -> Fraction:
        return f({**others, symbol: n})

    try:
        # from ``base`` on every Min / Max keeps to one argument along each residue
        # class, so each expression is quasi-affine there: proved, not assumed
        base = start
        for e in exprs:
            base = max(base, settle(sympy.sympify(e), symbol, others, start))
        if base - start > SPORADIC_CAP:
            return None
        drifts = [value(f, base + p) - value(f, base) for f in funcs]
        last = base
        for f, c in zip(funcs, drifts, strict=True):
            if c == 0:
                continue
            for j in range(p):
                # e(base + j + k*P) = e(base + j) + k*c crosses zero at k = -e/c
                k = ceil(-value(f, base + j) / c) + 1
                last = max(last, base + j + max(k, 0) * p)
    except (ZeroDivisionError, ValueError, KeyError):
        return None
    settled = last + p if last > start else start
    if settled - start > SPORADIC_CAP:
        return None
    periodic = residues(holds, p, settled)
    if periodic is None:
        return None
    # walk back while the periodic pattern still tells the truth: the rest is sporadic
    begin = settled
    while begin > start and holds(begin - 1) == (
        (begin - 1) % periodic.modulus in periodic.residues
    ):
        begin -= 1
    sporadic = tuple(n for n in range(start, begin) if holds(n))
    return Residues(periodic.modulus, periodic.residues, begin, sporadic)


def settle(e: Expr, symbol: Any, others: Env, start: int) -> int:
    """An input from which every ``Min`` / ``Max`` in ``e`` picks the same argument along
    each residue class of the period (so ``e`` is quasi-affine from there on).

    Inner ones settle first; then the difference of two arguments moves by a constant
    ``c`` per period along each residue class, and its sign is fixed once it has crossed
    zero: at ``k = -d/c`` periods, computed for each residue."""
    if not e.has(sympy.Min, sympy.Max):
        return start
    point = max(settle(a, symbol, others, start) for a in e.args)
    if not isinstance(e, (sympy.Min, sympy.Max)):
        return point
    p = period(e.args, symbol)
    if p > SCAN_PERIOD_CAP:
        raise ValueError("the period is too long to settle a Min / Max")
    funcs = [compile_expr(a) for a in e.args]
    base = point
    for i, fa in enumerate(funcs):
        for fb in funcs[i + 1 :]:

            def d(n: int, fa: Any = fa, fb: Any = fb) -> Fraction:
                env = {**others, symbol: n}
                return Fraction(fa(env) - fb(env))

            for j in range(p):
                c = d(base + j + p) - d(base + j)
                if c == 0:
                    continue
                k = ceil(-d(base + j) / c) + 1
                point = max(point, base + j + max(k, 0) * p)
    return point


def smallest(condition: Callable[[int], bool], cap: int = SEARCH_CAP) -> int | None:
    """The smallest ``n >= 1`` with ``condition(n)``, for a condition monotone in ``n``."""
    hi = 1
    while not condition(hi):
        hi *= 2
        if hi > cap:
            return None
    lo = hi // 2 + 1 if hi > 1 else 1
    while lo < hi:
        mid = (lo + hi) // 2
        if condition(mid):
            hi = mid
        else:
            lo = mid + 1
    return hi


def min_input(analysis: Any, axis: int) -> int | None:
    """The smallest input on ``axis`` of an analysis with a symbol there for which every
    layer has an output (sizes never shrink as the input grows, so a search is exact);
    the other axes are held large."""
    sym = analysis.input_size[axis]
    others = held_others(analysis.symbols, sym)
    funcs = [compile_expr(r.axes[axis].size) for r in analysis.layers]

    def ok(n: int) -> bool:
        env = {**others, sym: n}
        try:
            return all(f(env) >= 1 for f in funcs)
        except (ZeroDivisionError, ValueError):
            return False

    return smallest(ok)


def held_others(symbols: Any, sym: Any) -> dict[Any, int]:
    """Every symbol but ``sym`` held at :data:`OTHER_AXIS_SIZE`."""
    return {s: OTHER_AXIS_SIZE for s in symbols if s != sym}


def solve_axis_values(
    analysis: Any,
    axis: int,
    exprs: Sequence[Expr],
    test: Callable[[list[Any]], bool],
    start: int,
    compiled: Sequence[Callable[[Env], Fraction]] | None = None,
) -> Residues | None:
    """The inputs ``>= start`` on ``axis`` of an analysis with a symbol there for which
    ``test`` holds of the values of ``exprs`` (:func:`solve_condition`; an input at which
    an expression cannot be evaluated fails).  The one per-axis solver of the rules and
    the design answers; ``compiled``: ``exprs`` already compiled by the caller."""
    sym = analysis.input_size[axis]
    funcs = list(compiled) if compiled is not None else [compile_expr(e) for e in exprs]
    others = held_others(analysis.symbols, sym)

    def holds(n: int) -> bool:
        env = {**others, sym: n}
        try:
            return test([f(env) for f in funcs])
        except (ZeroDivisionError, ValueError):
            return False

    return solve_condition(holds, exprs, sym, others, start)
