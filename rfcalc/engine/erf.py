"""The effective receptive field, exact: the uniform-weight ERF of Luo et al. (NeurIPS
2016) from path counts.

With every weight 1, every activation linear and every pool an average, the gradient of
one output unit with respect to the input counts, at each input pixel, the paths from
that pixel to the unit (:func:`~rfcalc.engine.unit.unit_support`, N-D, borders
included).  That count is a property of the architecture: the same for every set of
trained weights that are all equal.  From it, per axis (the marginal: the counts summed
over the other axes), the width of the narrowest window centred on the unit's field
that holds a share of the paths, the paths' mean and variance, and the 95 % width over
the receptive field; in 2-D and 3-D, the share of the receptive field's box whose count
exceeds a fraction of the largest; in 2-D, RepLKNet's "high-contribution area ratio"
(Ding et al., CVPR 2022, its ``analyze_erf.py``): the smallest square centred on the
input's middle pixel that holds more than a share of the paths, over the input's area.
Exact: integers and rationals (the standard deviation is the square root of an exact
variance).  Like the receptive field, the ERF is the moving window's: the paths through a
branch that brings the global context (a pooled unit broadcast back: a squeeze-and-
excitation gate, image pooling) are not counted, as the gradient with those branches
detached.  The central unit is ``size // 2`` on each axis, as Luo et al.'s and
RepLKNet's scripts take it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy

from .results import Analysis
from .unit import LIMIT, NotConcrete

if TYPE_CHECKING:
    from .counts import Counts, Tables

#: shares of the path mass whose window widths are reported
SHARES = (Fraction(1, 2), Fraction(9, 10), Fraction(19, 20), Fraction(99, 100))
#: fractions of the largest count above which a pixel is "high-contribution"
THRESHOLDS = (Fraction(1, 5), Fraction(1, 2), Fraction(99, 100))
#: shares of the paths RepLKNet's area ratio is reported at (its script's thresholds)
SQUARE_SHARES = (Fraction(1, 5), Fraction(3, 10), Fraction(1, 2), Fraction(99, 100))


@dataclass(frozen=True)
class AxisErf:
    """One axis of one unit's ERF (pixel coordinates of the input)."""

    #: the centre of the unit's receptive field (a half pixel between two)
    centre: Fraction
    #: per :data:`SHARES`, the narrowest window centred on ``centre`` holding that share
    widths: tuple[int, ...]
    #: the paths' mean pixel and variance
    mean: Fraction
    variance: Fraction
    #: the theoretical receptive field on this axis (None when not stated)
    receptive_field: int | None

    @property
    def std(self) -> Any:
        """The standard deviation, exactly (``sqrt(35)/2``)."""
        return sympy.sqrt(sympy.Rational(self.variance.numerator, self.variance.denominator))

    @property
    def ratio95(self) -> Fraction | None:
        """The 95 % width over the receptive field."""
        if not self.receptive_field:
            return None
        return Fraction(self.widths[SHARES.index(Fraction(19, 20))], self.receptive_field)


@dataclass(frozen=True)
class Erf:
    unit: tuple[int, ...]
    #: paths from the input to the unit (the sum of the counts)
    paths: int
    axes: tuple[AxisErf, ...]
    #: 2-D and 3-D, per :data:`THRESHOLDS`: the share of the receptive field's box whose
    #: count is above that fraction of the largest (empty in 1-D)
    areas: tuple[Fraction, ...]
    #: 2-D on a square input only, per :data:`SQUARE_SHARES`: RepLKNet's smallest square
    #: (side ``2i + 1``, ``i >= 1``) centred on input pixel ``(H // 2, W // 2)`` holding
    #: more than that share of the paths, as (side, its area over ``H * W``); None when
    #: no square up to ``i = H // 2 - 1`` does (its script's range)
    squares: tuple[tuple[int, Fraction] | None, ...] = ()


class NoPaths(Exception):
    """The unit sees no input pixel (or the layer has no unit)."""


def central_unit(analysis: Analysis, name: str) -> tuple[int, ...]:
    """The unit in the middle of the layer's output; :class:`NotConcrete` when a size
    is a formula (a hyperparameter left open)."""
    sizes = [_int(a.size) for a in analysis[name].axes]
    if any(n is None for n in sizes):
        raise NotConcrete(analysis[name].output_size)
    return tuple(n // 2 for n in sizes if n is not None)


def unit_erf(
    analysis: Analysis,
    name: str,
    unit: Sequence[int] | None = None,
    limit: int = LIMIT,
    tables: Any = None,
) -> Erf:
    """The ERF of ``unit`` (default: the central one) of layer ``name``; the analysis is
    at a concrete input.  Raises :class:`~rfcalc.engine.unit.TooLarge` past ``limit``
    pixels, :class:`NoPaths` for a unit that sees nothing.  ``tables``: the reads of
    an earlier call on the same analysis (:class:`~.counts.Tables`), reused."""
    from .counts import path_counts

    r = analysis[name]
    where = tuple(unit) if unit is not None else central_unit(analysis, name)
    if any(u < 0 for u in where):
        raise NoPaths
    counts = path_counts(analysis, name, where, limit, local=True, tables=tables)
    if not counts.any():
        raise NoPaths
    total = counts.total()
    axes = []
    for i, a in enumerate(r.axes):
        marginal = counts.marginal(i)
        first = sum(x * c for x, c in marginal.items())  # the moments, in integers
        second = sum(x * x * c for x, c in marginal.items())
        mean = Fraction(first, total)
        variance = Fraction(second * total - first * first, total * total)
        region = a.field.moving_region(where[i]) if a.field is not None else None
        if region is not None and _int(region.start) is not None and _int(region.end) is not None:
            centre = Fraction(int(region.start) + int(region.end), 2)
        else:
            centre = mean
        rf = _int(a.receptive_field)
        axes.append(AxisErf(centre, _widths(marginal, centre, total), mean, variance, rf))
    areas: tuple[Fraction, ...] = ()
    if len(r.axes) > 1:
        box = 1
        for i, axis in enumerate(axes):
            seen = counts.marginal(i)
            box *= axis.receptive_field or (max(seen) - min(seen) + 1)
        top = counts.top()
        # an integer count c exceeds t * top exactly when it exceeds floor(t * top)
        areas = tuple(
            Fraction(counts.above((t.numerator * top) // t.denominator), box) for t in THRESHOLDS
        )
    square = len(r.axes) == 2 and analysis.input_size[0] == analysis.input_size[1]
    squares = _squares(counts, total, int(analysis.input_size[0])) if square else ()
    return Erf(where, total, tuple(axes), areas, squares)


def _squares(counts: Counts, total: int, n: int) -> tuple[tuple[int, Fraction] | None, ...]:
    """RepLKNet's ``get_rectangle`` on the path counts of an ``n`` by ``n`` input, every
    share at once: the paths inside the square of half-side ``i`` centred on
    ``(n // 2, n // 2)``, for ``i = 1 .. n // 2 - 1``, against ``share * total``."""
    c = n // 2
    by_ring = counts.rings(c)
    out: list[tuple[int, Fraction] | None] = []
    i, held = 1, by_ring.get(1, 0)
    for share in SQUARE_SHARES:
        while held <= share * total and i < c - 1:
            i += 1
            held += by_ring.get(i, 0)
        found = c - 1 >= 1 and held > share * total
        out.append((2 * i + 1, Fraction((2 * i + 1) ** 2, n * n)) if found else None)
    return tuple(out)


def _widths(marginal: dict[int, int], centre: Fraction, total: int) -> tuple[int, ...]:
    """Per share, ``2 * d + 1`` for the smallest distance ``d`` from ``centre`` whose
    window ``[centre - d, centre + d]`` holds that share of the paths (in integers:
    distances times the centre's denominator)."""
    p, q = centre.numerator, centre.denominator
    by_distance: dict[int, int] = {}
    for x, c in marginal.items():
        d = abs(x * q - p)
        by_distance[d] = by_distance.get(d, 0) + c
    out = []
    held, distances = 0, sorted(by_distance)
    k = 0
    for share in SHARES:
        while held * share.denominator < share.numerator * total:
            held += by_distance[distances[k]]
            k += 1
        out.append(2 * distances[k - 1] // q + 1)
    return tuple(out)


def _int(x: Any) -> int | None:
    if isinstance(x, int):
        return x
    return int(x) if getattr(x, "is_Integer", False) else None


#: why a layer's ERF was not computed (the renderers word them)
TOO_LARGE, NO_PATHS, BUDGET, SYMBOLIC = "too_large", "no_paths", "budget", "symbolic"
#: the most pixels the ERFs of one analysis visit (each layer's unit followed back)
ERF_BUDGET = 1 << 24


def every_erf(
    analysis: Analysis,
    budget: int = ERF_BUDGET,
    progress: Callable[[int], None] | None = None,
    tables: Tables | None = None,
) -> dict[str, Erf | str]:
    """The ERF of every layer's central unit, or why it was not computed
    (:data:`TOO_LARGE`, :data:`NO_PATHS`, :data:`BUDGET`: the analysis's work is spent,
    :data:`SYMBOLIC`: a size or a window is a hyperparameter left open).  ``progress``
    is called with the number of layers done; ``tables``: the reads of the analysis
    (:class:`~.counts.Tables`), when the caller keeps them for more walks."""
    from .counts import Tables
    from .unit import TooLarge

    out: dict[str, Erf | str] = {}
    spent = 0
    tables = tables or Tables(analysis)  # each layer's reads, once for every layer's walk
    for i, r in enumerate(analysis.layers):
        if progress is not None:
            progress(i)
        if spent > budget:
            out[r.name] = BUDGET
            continue
        try:
            erf = unit_erf(analysis, r.name, tables=tables)
        except TooLarge:
            out[r.name] = TOO_LARGE
            spent += LIMIT
            continue
        except NoPaths:
            out[r.name] = NO_PATHS
            continue
        except NotConcrete:
            out[r.name] = SYMBOLIC
            continue
        spent += sum(a.widths[-1] for a in erf.axes) * len(analysis.layers)
        out[r.name] = erf
    return out
