"""Which units of a map are computed from the maps alone (no padding, no unit beyond a
map on the way): the interior, exact, as sorted ranges of units.

The receptive field of a layer is taken over the phases its interior units have (an
adaptive pool's short map need not have every phase of its period), and the rules ask
whether a unit is affected by padding.  Concrete sizes only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from ..model import Expr
from .field import Taps
from .notes import NotExact
from .results import Interior

TapsOf = Callable[[int], Sequence[Taps]]


class _Symbolic(Exception):
    """A tap is symbolic: the interior is not stated."""


def common(parts: Sequence[Interior | None]) -> Interior | None:
    """The units that are interior in every branch of a merge."""
    if any(p is None for p in parts):
        return None
    out: Interior | None = None
    for p in parts:
        assert p is not None
        out = p if out is None else _intersect(out, p)
    return out


def _intersect(a: Interior, b: Interior) -> Interior:
    out = []
    for lo, hi in a:
        for lo2, hi2 in b:
            x, y = max(lo, lo2), min(hi, hi2)
            if x <= y:
                out.append((x, y))
    return tuple(sorted(out))


def phases_of(interior: Interior, period: int) -> frozenset[int]:
    """The phases (units mod ``period``) that interior units have."""
    found: set[int] = set()
    for lo, hi in interior:
        if hi - lo + 1 >= period:
            return frozenset(range(period))
        found |= {u % period for u in range(lo, hi + 1)}
    return frozenset(found)


def _as_int(x: Expr) -> int | None:
    if isinstance(x, int):
        return x
    return int(x) if getattr(x, "is_Integer", False) else None


def _spans(taps: Sequence[Taps]) -> Iterator[tuple[Taps, int, int]]:
    """Each non-empty progression of ``taps`` with its lowest and highest unit below
    (concrete only: :class:`NotExact` when a tap is symbolic)."""
    for t in taps:
        first, count = _as_int(t.first), _as_int(t.count)
        if first is None or count is None:
            raise _Symbolic
        if count > 0:
            last = first + (count - 1) * t.step
            yield t, min(first, last), max(first, last)


def _tap_range(taps: Sequence[Taps]) -> tuple[int, int] | None:
    """The lowest and highest unit below that ``taps`` read (None: none)."""
    spans = [(lo, hi) for _, lo, hi in _spans(taps)]
    if not spans:
        return None
    return min(lo for lo, _ in spans), max(hi for _, hi in spans)


#: the largest map whose interior units are found one by one (past it, per phase)
EXACT_UNITS = 1 << 14


def interior_of(
    below: Interior | None, size: Expr, period: int, taps: TapsOf
) -> tuple[Interior | None, frozenset[int] | None]:
    """The units of a layer that read only interior units ``below`` (no padding, no unit
    beyond the map), and, when only known per phase, the phases that have one.

    A chain of windows keeps one range, in closed form.  Otherwise (upsampling, transposed
    convs, adaptive pools, or a map whose interior is several ranges) each unit is
    checked, every tap of it (a dilated kernel can step over a border unit between two
    interior ones); a map larger than ``EXACT_UNITS`` is done per phase on the largest
    range below, which is conservative."""
    m = _as_int(size)
    if below is None or m is None:
        return None, None
    if not below or m < 1:
        return (), None
    try:
        if period == 1 and len(below) == 1:
            return _interior_by_phase(below[0], m, period, taps)
        if len(below) == 1 and m <= EXACT_UNITS:
            found = _interior_of_phases(below[0], m, period, taps)
            if found is not None:
                return found, None
        if m > EXACT_UNITS:
            widest = max(below, key=lambda r: r[1] - r[0])
            return _interior_by_phase(widest, m, period, taps)
        inside = [_reads_inside(below, taps(u)) for u in range(m)]
    except (NotExact, _Symbolic):
        return None, None
    ranges: list[tuple[int, int]] = []
    for u, ok in enumerate(inside):
        if not ok:
            continue
        if ranges and ranges[-1][1] == u - 1:
            ranges[-1] = (ranges[-1][0], u)
        else:
            ranges.append((u, u))
    return tuple(ranges), None


def _reads_inside(below: Interior, taps: Sequence[Taps]) -> bool:
    """Every unit ``taps`` read lies in one of the ranges ``below``."""
    for t, lo, hi in _spans(taps):
        if any(a <= lo and hi <= b for a, b in below):
            continue  # all in one range
        first, count = int(t.first), int(t.count)
        if count > 64 or not all(
            any(a <= first + i * t.step <= b for a, b in below) for i in range(count)
        ):
            return False
    return True


def _interior_of_phases(
    below: tuple[int, int], m: int, period: int, taps: TapsOf
) -> Interior | None:
    """The interior units exactly, from one range below: a unit reads only units of one
    range exactly when its lowest and highest taps lie in it, and unit ``phi +
    t*period`` reads phase ``phi``'s taps moved by ``t*delta`` (checked on the next
    period), so each phase's interior units are a range of ``t``; their union, found
    with slices instead of a unit at a time (a map of 4,096 units in a dilated
    network).  None where a phase moves otherwise (the caller goes unit by unit)."""
    lb, hb = below
    mask = bytearray(m)
    for phi in range(min(period, m)):
        here, nxt = _tap_range(taps(phi)), _tap_range(taps(phi + period))
        last_t = (m - 1 - phi) // period
        if here is None:  # a blind phase reads nothing: no border to meet
            if last_t >= 1 and nxt is not None:
                return None
            mask[phi::period] = b"\x01" * (last_t + 1)
            continue
        if last_t == 0:
            if lb <= here[0] and here[1] <= hb:
                mask[phi] = 1
            continue
        if nxt is None or nxt[0] - here[0] != nxt[1] - here[1] or nxt[0] < here[0]:
            return None
        delta = nxt[0] - here[0]
        first, last = here
        if delta == 0:
            t_lo, t_hi = (0, last_t) if lb <= first and last <= hb else (1, 0)
        else:  # first + t*delta >= lb and last + t*delta <= hb
            t_lo = max(0, -((first - lb) // delta))
            t_hi = min(last_t, (hb - last) // delta)
        if t_lo <= t_hi:
            start = phi + t_lo * period
            mask[start : phi + t_hi * period + 1 : period] = b"\x01" * (t_hi - t_lo + 1)
    return tuple((r.start(), r.end() - 1) for r in re.finditer(b"\x01+", bytes(mask)))


def _interior_by_phase(
    below: tuple[int, int], m: int, period: int, taps: TapsOf
) -> tuple[Interior | None, frozenset[int] | None]:
    """:func:`interior_of` with one range below, in closed form per phase: unit
    ``phi + t*period`` reads the taps of unit ``phi`` moved by ``t*delta`` units below,
    so on each phase the interior units are a range of ``t``."""
    lb, hb = below
    extremes: dict[int, tuple[int, int]] = {}
    delta: int | None = None
    for phi in range(period):
        here = _tap_range(taps(phi))
        if here is None:
            continue  # a blind phase reads nothing: no border to meet
        if delta is None:
            nxt = _tap_range(taps(phi + period))
            if nxt is None:
                return None, None
            delta = nxt[0] - here[0]
        extremes[phi] = here
    if delta is None:
        return ((0, m - 1),), None
    if delta < 0:
        return None, None
    ranges: dict[int, tuple[int, int]] = {}  # phase -> its first and last interior unit
    for phi in range(min(period, m)):
        t_lo, t_hi = 0, (m - 1 - phi) // period
        if phi in extremes:
            first, last = extremes[phi]
            if delta == 0:
                if first < lb or last > hb:
                    continue
            else:  # first + t*delta >= lb and last + t*delta <= hb
                t_lo = max(t_lo, -((first - lb) // delta))
                t_hi = min(t_hi, (hb - last) // delta)
        if t_lo <= t_hi:
            ranges[phi] = (phi + t_lo * period, phi + t_hi * period)
    if not ranges:
        return (), None
    if len(ranges) == period:
        lo = max(0, max(a for a, _ in ranges.values()) - period + 1)
        hi = min(m - 1, min(b for _, b in ranges.values()) + period - 1)
        return (((lo, hi),) if lo <= hi else ()), frozenset(ranges)
    # some phase has no interior unit: the longest run among the first few periods
    units = sorted(
        u for a, b in ranges.values() for u in range(a, min(b, a + 4 * period) + 1, period)
    )
    best = run = (units[0], units[0])
    for u in units[1:]:
        run = (run[0], u) if u == run[1] + 1 else (u, u)
        if run[1] - run[0] > best[1] - best[0]:
            best = run
    return (best,), frozenset(ranges)
