"""Exact integer arithmetic on sizes that may be symbolic.

Sizes are sympy expressions in positive integer symbols.  Divisions by strides are
kept in one canonical form, ``floor((a*H + b)/c) + d`` with ``-c < b <= 0``, and nested
floors are collapsed as they are made, so a chain of downsampling layers stays a
single floor instead of a tower (``floor((floor(x/a) + b)/c) = floor((x + a*b)/(a*c))``
for integer ``x`` and ``b`` and positive integers ``a`` and ``c``).
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache, lru_cache
from math import gcd
from typing import Any

import sympy

from ..model import Expr

ZERO = sympy.Integer(0)
ONE = sympy.Integer(1)


@cache
def size_symbol(name: str) -> Any:
    """The one factory for size symbols: integer and positive, so sympy can reason."""
    return sympy.Symbol(name, integer=True, positive=True)


def is_concrete(value: Expr) -> bool:
    """A concrete size: a Python int or a sympy Integer (not a symbol)."""
    if isinstance(value, int):
        return True
    if hasattr(value, "is_Integer"):
        return bool(value.is_Integer)
    return bool(sympy.sympify(value).is_Integer)


def _split_floor(x: Expr) -> tuple[Expr, Expr, Expr] | None:
    """Write ``x`` as ``m*floor(y) + rest`` with one floor term, or None."""
    m = None
    inner = None
    rest = ZERO
    for term in sympy.Add.make_args(x):
        coeff, factor = term.as_coeff_Mul()
        if isinstance(factor, sympy.floor) and inner is None and coeff.is_Integer:
            m, inner = coeff, factor.args[0]
        else:
            rest += term
    if inner is None:
        return None
    return m, inner, rest


def _linear_floor(x: Expr, d: int) -> Expr:
    """``floor(x/d)`` for ``x`` free of floors, in canonical form."""
    const, rest = x.as_coeff_Add()
    const = sympy.Integer(const)
    if rest == 0:
        return sympy.Integer(int(const) // d)
    # divide out the common factor of the variable coefficients and d
    coeffs = [t.as_coeff_Mul()[0] for t in sympy.Add.make_args(rest)]
    if all(c.is_Integer for c in coeffs):
        g = d
        for c in coeffs:
            g = gcd(g, int(c))
        if g > 1:
            # floor((g*L + c)/(g*d')) = floor((L + floor(c/g))/d')
            rest = sympy.expand(rest / g)
            const = sympy.Integer(int(const) // g)
            d //= g
        if d == 1:
            return rest + const
    q, r = divmod(int(const), d)
    if r > 0:  # keep the constant inside the floor in (-d, 0]
        q, r = q + 1, r - d
    return (
        sympy.floor((rest + r) / d, evaluate=False) + q
        if r
        else (sympy.floor(rest / d, evaluate=False) + q)
    )


@lru_cache(maxsize=4096)
def floor_div(x: Expr, d: Expr) -> Expr:  # noqa: C901 (one case per canonical form)
    """``floor(x / d)`` for integer-valued ``x`` and a positive integer ``d``."""
    x = sympy.expand(sympy.sympify(x))
    d = sympy.sympify(d)
    if not d.is_Integer:
        return sympy.floor(x / d)
    dd = int(d)
    if dd == 1:
        return x
    if x.is_Integer:
        return sympy.Integer(int(x) // dd)
    if not x.has(sympy.floor, sympy.ceiling, sympy.Min, sympy.Max, sympy.Mod, sympy.Piecewise):
        return _linear_floor(x, dd)
    by_mod = _floor_over_mods(x, dd)
    if by_mod is not None:
        return by_mod
    # whole multiples of d leave the floor: floor((q*d*T + y)/d) = q*T + floor(y/d) for an
    # integer T; what stays inside is -1, 0 or 1 times T where possible, so that a single
    # floor left inside collapses below
    whole, rest_terms = [], []
    for term in sympy.Add.make_args(x):
        coeff, factor = term.as_coeff_Mul()
        if factor.is_Number or not coeff.is_Integer or not _integer_valued(factor):
            rest_terms.append(term)
            continue
        q, r = divmod(int(coeff), dd)
        if r == dd - 1 and dd > 2:
            q, r = q + 1, -1
        if q:
            whole.append(q * factor)
        if r:
            rest_terms.append(r * factor)
    if whole:
        return sympy.expand(sympy.Add(*whole) + floor_div(sympy.Add(*rest_terms), dd))
    split = _split_floor(x)
    if split is not None:
        m, inner, rest = split
        if not rest.has(sympy.floor, sympy.Min, sympy.Max, sympy.Mod, sympy.Piecewise):
            num, den = sympy.fraction(sympy.together(inner))
            if den.is_Integer and int(den) > 0 and _integer_linear(num):
                a = int(den)
                if m == -1:
                    # -floor(num/a) = floor((a - 1 - num)/a) for integer num
                    num, m = sympy.expand(a - 1 - num), 1
                if m == 1:
                    # floor((floor(num/a) + rest)/d) = floor((num + a*rest)/(a*d))
                    return _linear_floor(sympy.expand(num + a * rest), a * dd)
                if int(m) % dd == 0:
                    return (m // dd) * sympy.floor(inner) + floor_div(rest, dd)
    return sympy.floor(x / dd)


#: the largest number of remainder combinations enumerated to decide a question exactly
MOD_CASES = 4096


def _mod_cases(x: Expr) -> tuple[list[Any], list[dict[Any, int]]] | None:
    """The Mod atoms of ``x`` and every combination of their values, when ``x`` is
    an integer combination of them (plus a constant) and there are few combinations."""
    mods = sorted(x.atoms(sympy.Mod), key=str)
    if not mods or not all(m.args[1].is_Integer for m in mods):
        return None
    rest = sympy.expand(x - sum(sympy.expand(x).coeff(m) * m for m in mods))
    if not rest.is_Integer or any(not sympy.expand(x).coeff(m).is_Integer for m in mods):
        return None
    total = 1
    for m in mods:
        total *= int(m.args[1])
    if total > MOD_CASES:
        return None
    cases: list[dict[Any, int]] = [{}]
    for m in mods:
        cases = [{**c, m: v} for c in cases for v in range(int(m.args[1]))]
    return mods, cases


def _floor_over_mods(x: Expr, d: int) -> Expr | None:
    """``floor((c + a*Mod(y, s))/d)`` as a constant or ``c' + a'*Mod(y, s)`` when it is one."""
    found = _mod_cases(x)
    if found is None:
        return None
    mods, cases = found
    if len(mods) != 1:
        return None
    (m,) = mods
    values = [int(x.subs(c)) // d for c in cases]
    step = values[1] - values[0] if len(values) > 1 else 0
    if all(v == values[0] + i * step for i, v in enumerate(values)):
        return sympy.Integer(values[0]) + step * m
    return None


#: expressions larger than this are not handed to sympy's assumption system (it can
#: take exponential time on nested Min/Max); their sign is "unknown"
ASSUME_OPS = 40


#: :func:`_quasi_affine_sign`'s answer when the sign is decided to change with the input
VARIES = 2


def _quasi_affine_sign(x: Expr) -> int | None:
    """The sign of a function of one positive integer symbol built from ``+``, constant
    ``*``, floor, ceiling and Mod: such a function satisfies ``f(n + P) = f(n) + c*P``
    for a period ``P``, so its values on ``1..P`` and the slope ``c`` decide its sign
    for every ``n >= 1`` exactly: -1, 0 or 1, :data:`VARIES` when it changes with the
    input, None when ``x`` is not of that kind.

    The constant term is split off: many comparisons differ only in it (region bounds
    of the branches of a merge), and the range of the rest is computed once."""
    const, rest = x.as_coeff_Add()
    if not const.is_Rational:
        return None
    return _sign_plus(rest, Fraction(int(const.p), int(const.q)))


def _sign_plus(rest: Expr, c: Fraction) -> int | None:
    """:func:`_quasi_affine_sign` of ``rest + c``, from the cached range of ``rest``."""
    found = _range_over_period(rest)
    if found is None:
        return None
    lo, hi, slope = found
    if lo + c > 0:
        sign = 1
    elif hi + c < 0:
        sign = -1
    elif lo + c == 0 and hi + c == 0:
        sign = 0
    else:
        return VARIES  # both signs (or zero and not) within one period
    # a constant sign over one period persists when the slope does not work against it
    if slope == 0 or (sign > 0 and slope > 0) or (sign < 0 and slope < 0):
        return sign
    return VARIES


@lru_cache(maxsize=4096)
def _range_over_period(x: Expr) -> tuple[Fraction, Fraction, Fraction] | None:
    """Smallest and largest value of ``x`` over its first period, and its drift per
    period (see :func:`_quasi_affine_sign`); None when ``x`` is not of that kind."""
    from .solve import SCAN_PERIOD_CAP, compile_expr, period

    symbols = list(x.free_symbols)
    if len(symbols) != 1 or x.has(sympy.Min, sympy.Max, sympy.Piecewise, sympy.Pow):
        return None
    (sym,) = symbols
    if not (sym.is_integer and sym.is_positive):
        return None
    p = period([x], sym)
    if p > SCAN_PERIOD_CAP:
        return None
    f = compile_expr(x)
    values = [f({sym: n}) for n in range(1, p + 1)]
    slope = f({sym: p + 1}) - values[0]  # f(n + P) - f(n), the same for every n
    return min(values), max(values), slope


def sign_known(x: Expr) -> int | None:
    """-1, 0 or 1 when ``x`` has that sign for every input, else None."""
    x = sympy.expand(sympy.sympify(x))
    if x.is_Integer:
        return (int(x) > 0) - (int(x) < 0)
    decided = _quasi_affine_sign(x)
    if decided == VARIES:
        return None  # decided exactly: no single sign (sympy's assumptions cannot do better)
    if decided is not None:
        return decided
    if sympy.count_ops(x) > ASSUME_OPS:
        return None
    if x.is_nonnegative and x.is_nonpositive:
        return 0
    if x.is_positive:
        return 1
    if x.is_negative:
        return -1
    found = _mod_cases(x)
    if found is not None:
        values = {int(x.subs(c)) for c in found[1]}
        signs = {(v > 0) - (v < 0) for v in values}
        if len(signs) == 1:
            return signs.pop()
    return None


def _integer_linear(x: Expr) -> bool:
    return all(t.as_coeff_Mul()[0].is_Integer for t in sympy.Add.make_args(sympy.expand(x)))


def ceil_div(x: Expr, d: Expr) -> Expr:
    """``ceil(x / d)`` in the same canonical floor form."""
    d = sympy.sympify(d)
    if not d.is_Integer:
        return sympy.ceiling(sympy.sympify(x) / d)
    return floor_div(sympy.sympify(x) + d - 1, d)


def mod(x: Expr, d: Expr) -> Expr:
    """``x mod d`` (in ``[0, d)``) written as ``x - d*floor(x/d)`` when symbolic."""
    x = sympy.sympify(x)
    d = sympy.sympify(d)
    if not d.is_Integer or int(d) <= 0:
        return sympy.Mod(x, d)
    dd = int(d)
    if x.is_Integer:
        return sympy.Integer(int(x) % dd)
    return _mod_canonical(sympy.expand(x), dd)


@cache
def _mod_canonical(x: Expr, d: int) -> Expr:
    """``Mod(x, d)`` built directly: integer coefficients and the constant reduced
    modulo ``d`` (sympy's own ``Mod`` evaluation costs ~10 ms a call and gives the
    same form on the sizes made here)."""
    const, rest = x.as_coeff_Add()
    terms = []
    for term in sympy.Add.make_args(rest):
        coeff, factor = term.as_coeff_Mul()
        if not (coeff.is_Integer and _integer_valued(factor)):
            return sympy.Mod(x, d)
        c = int(coeff) % d
        if c:  # the representative nearest zero, positive on a tie: Mod(1 - H, 3)
            terms.append((c if 2 * c <= d else c - d) * factor)
    if not const.is_Integer:
        return sympy.Mod(x, d)
    c0 = int(const) % d
    if not terms:
        return sympy.Integer(c0)
    return sympy.Mod(sympy.Add(*terms) + c0, d, evaluate=False)


def _integer_valued(x: Expr) -> bool:
    """Built from integer symbols, integers, floors and Mods only (so integer-valued)."""
    if x.is_Integer or (x.is_Symbol and x.is_integer):
        return True
    if isinstance(x, (sympy.floor, sympy.ceiling, sympy.Mod)):
        return True
    if isinstance(x, (sympy.Add, sympy.Mul)):
        return all(_integer_valued(a) if not a.is_Number else a.is_Integer for a in x.args)
    return False


def _parts(x: Expr) -> tuple[Fraction | None, Expr]:
    """``x`` as (its number, the rest); None for a number that is not rational."""
    if isinstance(x, int):
        return Fraction(x), ZERO
    c, rest = sympy.sympify(x).as_coeff_Add()
    return (Fraction(int(c.p), int(c.q)) if c.is_Rational else None), rest


def compare(a: Expr, b: Expr) -> int | None:
    """The sign of ``a - b`` when it is the same for every input, else None.

    Bounds of regions and sizes often share their symbolic part, or one is a number:
    then the cached range of that part decides without building ``a - b``."""
    ca, ra = _parts(a)
    cb, rb = _parts(b)
    if ca is not None and cb is not None:
        diff = ca - cb
        if ra == rb:
            return (diff > 0) - (diff < 0)
        if rb == 0 or ra == 0:
            sign = _sign_plus(ra, diff) if rb == 0 else _sign_plus(rb, -diff)
            if sign == VARIES:
                return None
            if sign is not None:
                return sign if rb == 0 else -sign
    return sign_known(sympy.sympify(a) - b)


def smin(a: Expr, b: Expr) -> Expr:
    """The smaller of two sizes, decided exactly when their difference has a sign."""
    sign = compare(a, b)
    if sign is not None:
        return a if sign <= 0 else b
    return sympy.Min(a, b)


def smax(a: Expr, b: Expr) -> Expr:
    sign = compare(a, b)
    if sign is not None:
        return a if sign >= 0 else b
    return sympy.Max(a, b)


def same(a: Expr, b: Expr) -> bool | None:
    """True if equal for every input, False if they differ for some, None if unknown."""
    if is_concrete(a) and is_concrete(b):
        return int(a) == int(b)
    diff = sympy.expand(sympy.sympify(a) - b)
    if diff == 0:
        return True
    if diff.is_zero is False or diff.is_Number:
        return False
    return None
