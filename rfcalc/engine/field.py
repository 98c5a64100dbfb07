"""Receptive field, jump, effective padding and exact support, one axis at a time.

The input region of output unit ``u`` of a layer is periodic in ``u``: there is a
period ``Q`` (in units of the layer) and an integer advance ``A`` (in input pixels)
such that the region of ``u + Q`` is the region of ``u`` moved by ``A``.  For a chain
of ordinary convolutions and pools ``Q = 1`` and ``A`` is the jump (effective stride),
which is the classic Araujo et al. recurrence.  Transposed convolutions, upsampling and
pixel shuffles multiply ``Q``: units of different phases ``u mod Q`` see different
numbers of inputs, which is why a closed formula is wrong there (README, "What rfcalc
computes").

A :class:`Field` keeps, for each phase, the region of one unit of that phase: its first
and last input pixel and, when every number is concrete and small enough, the exact
support as a Python int used as a bitset (bit ``i`` set when pixel ``start + i`` reaches
the unit).  Jump is ``A / Q``.  Nothing here knows about layers: the caller describes
each layer by its taps, arithmetic progressions of units of the layer below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from math import gcd

import sympy

from ..model import Expr
from .notes import Note, NotExact, Why
from .sizes import smax, smin
from .support import spread, spread_paths

#: the exact support is not tracked once one phase spans more input pixels than this
SUPPORT_BITS_CAP = 1 << 20
#: nor when a unit has more taps than this (the extent is still exact)
TAP_CAP = 1 << 14
#: a field's periods beyond this are not represented (many upsamplings without
#: downsampling); not :data:`.solve.SCAN_PERIOD_CAP`, the period of a size condition
PHASE_CAP = 1 << 12
#: the most units of the layer below whose regions one layer's field unites (over all
#: its phases); past it the field is not computed (an upsampling by 4096 and then a
#: kernel of 16384 would be 67 million)
WORK_CAP = 1 << 18


@dataclass(frozen=True)
class Region:
    """Input pixels ``start..end`` seen by one unit; ``support`` bit i is ``start + i``."""

    start: Expr
    end: Expr
    support: int | None = None
    #: paths from pixel ``start + i`` to the unit (the gradient with all weights 1);
    #: tracked only when asked for (``Field.identity(paths=True)``), with the support
    paths: tuple[int, ...] | None = None

    @property
    def extent(self) -> Expr:
        return self.end - self.start + 1

    def shifted(self, by: Expr) -> Region:
        return Region(self.start + by, self.end + by, self.support, self.paths)

    def clipped(self, n: Expr) -> Region | None:
        """The region's pixels inside an input of ``n`` pixels (``0 .. n - 1``): with its
        exact support, from the first pixel that reaches to the last (a hole at the edge
        is no pixel of it); None when none is inside."""
        if self.support is not None and _int(self.start) and _int(n):
            first, top = int(self.start), int(n) - 1
            low = max(first, 0)
            bits = self.support >> (low - first)
            bits &= (1 << max(0, top - low + 1)) - 1
            if not bits:
                return None
            skip = (bits & -bits).bit_length() - 1
            start, end = low + skip, low + bits.bit_length() - 1
            paths = None
            if self.paths is not None:
                paths = self.paths[start - first : end - first + 1]
            return Region(start, end, bits >> skip, paths)
        start = _max(self.start, 0)
        end = _min(self.end, sympy.expand(n - 1))
        if _int(start) and _int(end) and int(start) > int(end):
            return None
        return Region(start, end)


@dataclass(frozen=True)
class Taps:
    """Units ``first, first + step, ..., first + (count-1)*step`` of the layer below."""

    first: Expr
    step: int
    count: Expr

    def last(self) -> Expr:
        return self.first + (self.count - 1) * self.step


@dataclass(frozen=True)
class Field:
    period: int
    advance: Expr
    phases: tuple[Region | None, ...]
    #: why the exact support is not tracked, or None when it is (or cannot be: symbolic)
    support_note: Note | None = None
    #: input pixels that every unit seeing anything also sees, wherever it is: a branch
    #: pooled to one unit and broadcast back (image pooling) merged with moving branches.
    #: ``phases`` then hold the moving part only; no single receptive field holds.
    fixed: Region | None = None
    #: the phases that some unit of the real map has, away from the borders, when that is
    #: not every phase (a map shorter than the period: after an adaptive pool or a resize
    #: between sizes whose ratio is not whole, the pattern repeats beyond the real map only
    #: on paper); None: every phase.  :meth:`seen` and the summaries keep to these.
    present: frozenset[int] | None = None
    #: the jumps of merged branches that move differently (:attr:`Why.PER_UNIT`), at
    #: this layer or below: the phases are then the units of a real map (one period is
    #: the whole map), the jump the coarsest branch's; empty for a repeating pattern
    per_unit: tuple[Expr, ...] = ()
    #: the pattern holds over maps of the analysed sizes only (an adaptive pool, a
    #: resampling by a ratio of sizes, at this layer or below): its phases beyond the
    #: real maps are on paper, so the summaries keep to the phases real units have
    #: (:attr:`present`).  Otherwise the pattern is the network's at every input, and
    #: so is the receptive field stated over all its phases.
    bounded: bool = False

    @classmethod
    def identity(cls, paths: bool = False) -> Field:
        """The input itself: each pixel sees itself (along one path)."""
        return cls(1, 1, (Region(0, 0, 1, (1,) if paths else None),))

    @property
    def jump(self) -> Expr:
        return (
            sympy.Rational(self.advance, self.period)
            if _int(self.advance)
            else (self.advance / self.period)
        )

    def region(self, u: Expr) -> Region | None:
        """The input pixels unit ``u`` sees (None: none at all)."""
        moving = self.moving_region(u)
        if moving is None or self.fixed is None:
            return moving
        return _union(moving, self.fixed)

    def moving_region(self, u: Expr) -> Region | None:
        """:meth:`region` without the :attr:`fixed` part."""
        if self.period == 1:
            base = self.phases[0]
            return None if base is None else base.shifted(u * self.advance)
        if not _int(u):
            raise NotExact(Why.PHASE_DEPENDS_ON_INPUT)
        t, phi = divmod(int(u), self.period)
        base = self.phases[phi]
        return None if base is None else base.shifted(t * self.advance)

    def seen(self) -> list[tuple[int, Region]]:
        """The phases (of :attr:`present`) that see some input, with their regions."""
        return [
            (i, r)
            for i, r in enumerate(self.phases)
            if r is not None and (self.present is None or i in self.present)
        ]

    def blind(self) -> int:
        """How many phases (of :attr:`present`) see no input at all."""
        return sum(
            1
            for i, r in enumerate(self.phases)
            if r is None and (self.present is None or i in self.present)
        )

    def receptive_field(self) -> tuple[Expr, Expr] | None:
        """(max, min) extent over the phases that see any input; None if none does.

        With a :attr:`fixed` part, the extent of the moving part alone.  Raises
        :class:`NotExact` when the extents are more distinct formulas than
        :data:`FORMS_CAP` (a merge of different jumps with a hyperparameter open: one
        formula per unit, whose maximum sympy cannot settle in reasonable time)."""
        sizes = _distinct([_norm(r.extent) for _, r in self.seen()])
        if not sizes:
            return None
        hi, lo = sizes[0], sizes[0]
        for x in sizes[1:]:
            hi, lo = _max(hi, x), _min(lo, x)
        return hi, lo

    def effective_padding(self) -> Expr | None:
        """``max`` over phases of ``u*jump - start``: Distill's P when ``Q == 1``."""
        pads = _distinct(
            [
                _norm(sympy.Rational(phi) * self.jump - r.start) if phi else _norm(-r.start)
                for phi, r in self.seen()
            ]
        )
        best: Expr | None = None
        for p in pads:
            best = p if best is None else _max(best, p)
        return best


def apply(
    below: Field,
    period: int,
    advance: Expr,
    taps: Callable[[int], Sequence[Taps]],
    bounded: bool = False,
) -> Field:
    """The field of a layer whose unit ``phi`` (``0 <= phi < period``) reads ``taps(phi)``."""
    if period > PHASE_CAP:
        raise NotExact(Why.PERIOD_OVER_CAP, period, PHASE_CAP)
    phases: list[Region | None] = []
    note = below.support_note
    budget = [WORK_CAP]
    for phi in range(period):
        region: Region | None = None
        for t in taps(phi):
            part, why = _gather(below, t, budget)
            note = note or why
            region = _union(region, part)
        phases.append(region)
    return Field(
        period,
        advance,
        tuple(phases),
        note,
        below.fixed,
        per_unit=below.per_unit,
        bounded=below.bounded or bounded,
    )


def is_broadcast(f: Field) -> bool:
    """Every unit sees the same pixels (jump 0): one unit broadcast to the whole map, an
    earlier broadcast merge's fixed region included (two squeeze-and-excitation gates in
    a row: the second pools a map that already holds the first's fixed region)."""
    return f.period == 1 and _int(f.advance) and int(f.advance) == 0


def broadcast_field(f: Field) -> Field:
    """The field of a map of one unit (for every input) broadcast over a map: every unit
    sees what that one unit sees."""
    return Field(
        1,
        0,
        (f.moving_region(0),),
        f.support_note,
        f.fixed,
        per_unit=f.per_unit,
        bounded=f.bounded,
    )


def aligned(fields: Sequence[Field]) -> bool:
    """The branches that move with the unit (broadcasts have no place) share one jump."""
    moving = [f for f in fields if not is_broadcast(f)]
    return all(_same_jump(f.jump, moving[0].jump) for f in moving[1:])


def merge(fields: Sequence[Field], size: Expr | None = None) -> Field:
    """The union of branch regions.

    Broadcast branches (jump 0) merged with moving ones become the :attr:`Field.fixed`
    part.  Branches of different non-zero jumps have no common pattern: a unit's region
    is not a shift of another unit's.  On a map of concrete ``size`` the field is then
    one period of every unit (:attr:`Field.per_unit`, the coarsest branch's jump);
    otherwise :class:`NotExact` says why no field holds.
    """
    moving = [f for f in fields if not is_broadcast(f)]
    broadcast = [f for f in fields if is_broadcast(f)]
    if not moving:  # broadcasts only: every unit sees the union of their regions
        moving, broadcast = broadcast, []
    jumps: tuple[Expr, ...] = tuple(j for f in fields for j in f.per_unit)
    if not aligned(moving):
        jumps += tuple(f.jump for f in moving)
        if size is None or not _int(size) or not 1 <= int(size) <= PHASE_CAP:
            raise NotExact(Why.JUMPS_DIFFER, *(f.jump for f in moving))
        if not all(_int(f.advance) for f in moving):
            raise NotExact(Why.JUMPS_DIFFER, *(f.jump for f in moving))
        period = int(size)
        coarsest = max(f.jump for f in moving)
        advance = sympy.expand(coarsest * period)
    else:
        period = moving[0].period
        for f in moving[1:]:
            period = period * f.period // gcd(period, f.period)
        if period > PHASE_CAP:
            raise NotExact(Why.MERGED_PERIOD_OVER_CAP, period)
        advance = sympy.expand(moving[0].jump * period)
    phases: list[Region | None] = []
    for phi in range(period):
        region: Region | None = None
        for f in moving:
            region = _union(region, f.moving_region(phi))
        phases.append(region)
    fixed: Region | None = None
    for f in fields:
        fixed = _union(fixed, f.fixed)
    for f in broadcast:
        fixed = _union(fixed, f.phases[0])
    if fixed is not None and any(p is None for p in phases):
        raise NotExact(Why.BROADCAST_ONLY_UNITS)
    note = next((f.support_note for f in fields if f.support_note), None)
    unique = tuple(dict.fromkeys(jumps))
    bounded = any(f.bounded for f in moving)  # a broadcast branch's is the fixed region's
    return Field(
        period, _norm(advance), tuple(phases), note, fixed, per_unit=unique, bounded=bounded
    )


#: the most distinct formulas a field's maximum or minimum is taken over (each pair is
#: compared symbolically: 66 of them ran for minutes)
FORMS_CAP = 16


def _distinct(values: list[Expr]) -> list[Expr]:
    """``values`` without repeats, the numbers folded to their largest and smallest;
    :class:`NotExact` past :data:`FORMS_CAP` distinct formulas."""
    numbers = [v for v in values if _number(v)]
    forms = list(dict.fromkeys(v for v in values if not _number(v)))
    if len(forms) > FORMS_CAP:
        raise NotExact(Why.FORMS_OVER_CAP, len(forms), FORMS_CAP)
    return [*({min(numbers), max(numbers)} if numbers else ()), *forms]


def _number(x: Expr) -> bool:
    return isinstance(x, int) or bool(getattr(x, "is_Number", False))


def _same_jump(a: Expr, b: Expr) -> bool:
    if a == b:
        return True
    if getattr(a, "is_Rational", False) and getattr(b, "is_Rational", False):
        return False
    return bool(sympy.simplify(a - b) == 0)


def _gather(
    below: Field, taps: Taps, budget: list[int] | None = None
) -> tuple[Region | None, Note | None]:
    """Union of the regions of the units in ``taps``."""
    count = taps.count
    if _int(count) and int(count) <= 0:
        return None, None
    step = taps.step
    if below.period == 1:
        base = below.phases[0]
        if base is None:
            return None, None
        adv = below.advance
        lo = taps.first if step > 0 else taps.last()
        hi = taps.last() if step > 0 else taps.first
        start = _norm(base.start + lo * adv)
        end = _norm(base.end + hi * adv)
        support, note = None, None
        # the support is relative to the start, so a symbolic start (``same`` padding at
        # a stride, on a symbolic input) does not stop it being exact
        width = _norm(end - start)
        if base.support is not None and _int(count) and _int(adv) and _int(width):
            span = int(width) + 1
            if span > SUPPORT_BITS_CAP:
                note = Note(Why.SPAN_OVER_CAP, (span, SUPPORT_BITS_CAP))
            elif int(count) > TAP_CAP:
                note = Note(Why.TAPS_OVER_CAP, (int(count), TAP_CAP))
            else:
                support = spread(base.support, abs(step) * int(adv), int(count))
        paths = None
        if support is not None and base.paths is not None:
            paths = spread_paths(base.paths, abs(step) * int(adv), int(count))
        return Region(start, end, support, paths), note
    if not (_int(taps.first) and _int(count)):
        raise NotExact(Why.PHASE_DEPENDS_ON_INPUT)
    units: Iterable[int]
    n = int(count)
    first = int(taps.first)
    if n <= TAP_CAP:
        units = (first + i * step for i in range(n))
        exact = True
    else:  # the extreme regions of each phase class are at the ends of the progression
        k = min(n, below.period)
        units = [first + i * step for i in range(k)] + [
            first + (n - 1 - i) * step for i in range(k)
        ]
        exact = False
    if budget is not None:
        budget[0] -= min(n, TAP_CAP) if exact else 2 * min(n, below.period)
        if budget[0] < 0:
            raise NotExact(Why.WORK_OVER_CAP, WORK_CAP)
    region: Region | None = None
    for u in units:
        region = _union(region, below.moving_region(u))
    if region is not None and not exact:
        region = Region(region.start, region.end)
        return region, Note(Why.TAPS_OVER_CAP, (n, TAP_CAP))
    width = 0 if region is None else _norm(region.end - region.start)
    too_wide = (
        region is not None
        and region.support is not None
        and (not _int(width) or int(width) + 1 > SUPPORT_BITS_CAP)
    )
    if region is not None and too_wide:
        return Region(region.start, region.end, None), Note(Why.SPAN_TOO_WIDE)
    return region, None


def _union(a: Region | None, b: Region | None) -> Region | None:
    """Both regions' pixels; paths through either add up."""
    if a is None:
        return b
    if b is None:
        return a
    start, end = _min(a.start, b.start), _max(a.end, b.end)
    support = None
    paths = None
    if a.support is not None and b.support is not None:
        da, db = _norm(a.start - start), _norm(b.start - start)
        if _int(da) and _int(db):
            support = (a.support << int(da)) | (b.support << int(db))
            if a.paths is not None and b.paths is not None:
                total = [0] * max(int(da) + len(a.paths), int(db) + len(b.paths))
                for shift, values in ((int(da), a.paths), (int(db), b.paths)):
                    for i, c in enumerate(values):
                        total[shift + i] += c
                paths = tuple(total)
    return Region(start, end, support, paths)


def _int(x: Expr) -> bool:
    return isinstance(x, int) or bool(getattr(x, "is_Integer", False))


def _norm(x: Expr) -> Expr:
    """Plain ints stay ints (fast path); symbolic values are expanded."""
    if isinstance(x, int):
        return x
    if x.is_Integer:
        return int(x)
    if _flat(x):  # sums of canonical terms: expanding would walk them for nothing
        return x
    x = sympy.expand(x)
    return int(x) if x.is_Integer else x


def _flat(x: Expr) -> bool:
    """No product of a sum and a non-number (the one thing sympy does not distribute
    itself), so ``expand`` would return ``x`` unchanged up to the canonical terms."""
    for term in x.args if x.is_Add else (x,):
        if term.is_Pow or (term.is_Mul and any(f.is_Add or f.is_Pow for f in term.args)):
            return False
    return True


def _min(a: Expr, b: Expr) -> Expr:
    if isinstance(a, int) and isinstance(b, int):
        return min(a, b)
    if a == b:
        return a
    return _norm(smin(a, b))


def _max(a: Expr, b: Expr) -> Expr:
    if isinstance(a, int) and isinstance(b, int):
        return max(a, b)
    if a == b:
        return a
    return _norm(smax(a, b))
