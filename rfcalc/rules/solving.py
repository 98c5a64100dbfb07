"""Shared by the size rules: for which inputs do the layers' size conditions hold?

The conditions themselves are :mod:`rfcalc.engine.conditions`; here they are solved
from a rule's :class:`~.base.Context` (the smallest valid input, the free analysis).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..engine.conditions import Source, size_conditions
from ..engine.solve import Residues, solve_axis_values
from .base import Context


def solve_axis(
    ctx: Context, axis: int, exprs: Sequence[Any], test: Callable[[list[Any]], bool]
) -> Residues | None:
    """Residues of the input on ``axis`` for which ``test`` holds of the values of
    ``exprs`` (expressions in the free analysis's symbols), from the smallest valid input."""
    start = ctx.min_valid_input(axis)
    if start is None:
        return None
    return solve_axis_values(ctx.free, axis, exprs, test, start)


def per_axis(
    ctx: Context, source: Source, test: Callable[[list[Any]], bool]
) -> list[tuple[Residues | None, list[str]]]:
    """For each axis, the inputs meeting every ``source`` condition (``test`` of their
    values; None when there is none, or it cannot be decided) and the layers that set
    them, each named once."""
    out: list[tuple[Residues | None, list[str]]] = []
    for axis in range(ctx.network.ndim):
        found = size_conditions(ctx.free, axis, {source})
        exprs = [c.expr for c in found]
        res = solve_axis(ctx, axis, exprs, test) if exprs else None
        if res is not None and not res.always and len(found) <= NAMED_CAP:
            # name only the layers whose own condition fails for some valid input
            found = [c for c in found if not _holds_always(ctx, axis, c.expr, test)]
        out.append((res, list(dict.fromkeys(c.layer for c in found))))
    return out


#: the most conditions of one axis solved one by one to name the layers that fail
NAMED_CAP = 64


def _holds_always(ctx: Context, axis: int, expr: Any, test: Callable[[list[Any]], bool]) -> bool:
    res = solve_axis(ctx, axis, [expr], test)
    return res is not None and res.always


def nearest_text(res: Residues, value: int) -> str:
    below, above = res.nearest(value)
    found = sorted({v for v in (below, above) if v is not None and v != value})
    return " and ".join(str(v) for v in found) if found else "none"


def first_valid_text(res: Residues, count: int = 4) -> str:
    out: list[int] = []
    v = res.first(min((*res.sporadic, res.start)))  # sporadic values lie below the start
    while v is not None and len(out) < count:
        out.append(v)
        v = res.first(v + 1)
    more = v is not None  # a finite set (sporadic values only) ends
    return ", ".join(map(str, out)) + (", ..." if more else "")


#: where a network runs at all: its merges agree, its crops fit, its unshuffles divide,
#: its padding fills fit (dropped pixels are a lint finding, not a failure)
RUNS = frozenset({Source.MERGE, Source.CROP, Source.UNSHUFFLE, Source.FILL})


def valid_sizes(ctx: Context, axis: int, near: Sequence[int]) -> list[int]:
    """For each of ``near``, the smallest input on ``axis`` at or above it at which the
    network runs (its size conditions hold); none where the solver cannot say."""
    found = size_conditions(ctx.free, axis, RUNS)
    start = ctx.min_valid_input(axis)
    if start is None:
        return []
    if not found:
        return [max(n, start) for n in near]
    res = solve_axis(
        ctx,
        axis,
        [c.expr for c in found],
        lambda values: all(c.holds(v) for c, v in zip(found, values, strict=True)),
    )
    if res is None:
        return []
    return [v for v in (res.first(max(n, start)) for n in near) if v is not None]
