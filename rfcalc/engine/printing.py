"""How one value is written: JSON keeps sympy's printing, tables a compact form (pure)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import sympy
from sympy.printing.str import StrPrinter


def json_value(x: Any) -> int | str | None:
    """Integers stay integers; anything else is sympy's printing (``"1/2"``, ``"floor(H/2)"``)."""
    if x is None:
        return None
    if isinstance(x, int):
        return x
    x = sympy.sympify(x)
    if x.is_Integer:
        return int(x)
    return _plain_text(x)


@lru_cache(maxsize=8192)
def _plain_text(x: Any) -> str:
    """Printing is the slow part of a large document and sizes repeat: once each."""
    return str(_PLAIN.doprint(x))


@lru_cache(maxsize=8192)
def _fraction(arg: Any) -> Any:
    """``H/4 - 1/2`` as ``(H - 2)/4``: one denominator, as a person writes it."""
    return sympy.together(arg)


def _ceiling_form(e: Any) -> Any | None:
    """``k*floor((L - 1)/b) + c`` (``c >= k >= 1``) as ``k*ceiling(L/b) + c - k``: the
    same integer for integer ``L``, and how a person writes a SAME-padded size
    (``ceil(H/32)``).  None when ``e`` has no such term."""
    const, rest = e.as_coeff_Add()
    if not const.is_Integer or const < 1:
        return None
    terms = sympy.Add.make_args(rest)
    for term in terms:
        k, factor = term.as_coeff_Mul()
        if not (isinstance(factor, sympy.floor) and k.is_Integer and 1 <= k <= const):
            continue
        num, den = sympy.fraction(_fraction(factor.args[0]))
        if not (den.is_Integer and den > 1):
            continue
        c0, linear = num.as_coeff_Add()
        if c0 == -1 and linear != 0 and linear.is_integer:
            others = [t for t in terms if t is not term]
            ceiling = sympy.ceiling(linear / den, evaluate=False)
            return sympy.Add(*others, k * ceiling, const - k)
    return None


class _Readable(StrPrinter):  # type: ignore[misc]
    """sympy's printing with ``floor((H - 1)/b) + 1`` written ``ceiling(H/b)``."""

    def _print_Add(self, e: Any, order: Any = None) -> str:  # noqa: N802 (sympy names)
        readable = _ceiling_form(e)
        if readable is not None:
            return str(self._print(readable))
        return str(super()._print_Add(e, order=order))


class _Plain(_Readable):
    """For JSON: floor and ceiling arguments over one denominator."""

    def _print_floor(self, e: Any) -> str:
        return f"floor({self._print(_fraction(e.args[0]))})"

    def _print_ceiling(self, e: Any) -> str:
        return f"ceiling({self._print(_fraction(e.args[0]))})"


class _Compact(_Readable):
    """For tables: ``⌊x⌋``, ``⌈x⌉`` and ``(x mod m)``."""

    def _print_floor(self, e: Any) -> str:
        return f"⌊{self._print(_fraction(e.args[0]))}⌋"

    def _print_ceiling(self, e: Any) -> str:
        return f"⌈{self._print(_fraction(e.args[0]))}⌉"

    def _print_Mod(self, e: Any) -> str:  # noqa: N802 (sympy names)
        a, b = e.args
        return f"({self._print(a)} mod {self._print(b)})"

    def parenthesize(self, item: Any, level: Any, strict: bool = False) -> str:
        if isinstance(item, (sympy.Mod, sympy.floor, sympy.ceiling)):  # bracketed already
            return str(self._print(item))
        if isinstance(item, sympy.Add) and isinstance(_ceiling_form(item), sympy.ceiling):
            return str(self._print(item))  # floor((H - 1)/2) + 1: printed ⌈H/2⌉
        return str(super().parenthesize(item, level, strict))


_PRINTER = _Compact()
_PLAIN = _Plain()
_MUL = re.compile(r"(?<=\d)\*(?=[A-Za-z⌊⌈(])")


def short(x: Any) -> str:
    """A table cell: ``⌈H/32⌉``, ``⌊(H - 2)/4⌋``, ``1/2``, ``212``, ``-`` for unknown."""
    if x is None:
        return "-"
    if isinstance(x, int):
        return str(x)
    return _compact_text(sympy.sympify(x))


@lru_cache(maxsize=8192)
def _compact_text(x: Any) -> str:
    """``9408⌈H/2⌉·⌈W/2⌉``: a coefficient written against its factor, other products
    with a centred dot."""
    return _MUL.sub("", str(_PRINTER.doprint(x))).replace("**", "^").replace("*", "·")


def per_axis(values: list[Any] | tuple[Any, ...], sep: str = " × ", width: int = 24) -> str:
    """One value when every axis agrees, else the values joined (``3 × 1``).

    Values too long to share a line (symbolic sizes) go one axis per line.
    """
    texts = [v if isinstance(v, str) else short(v) for v in values]
    if all(t == texts[0] for t in texts):
        return texts[0]
    joined = sep.join(texts)
    return joined if len(joined) <= width else "\n".join(texts)
