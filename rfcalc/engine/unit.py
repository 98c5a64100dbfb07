"""The exact input support of one output unit, borders included, at a concrete input.

The fields of :mod:`.analysis` describe the units computed from the maps alone, where a
layer reads the same pattern at every unit.  At the borders each layer does something of
its own: zero padding reads nothing, reflect padding mirrors the map, replicate repeats
its edge, circular wraps to the other end, interpolation clamps its coordinate, a
transposed conv drops taps beyond its input.  Here one unit is followed back through the
graph, tap by tap, with each layer's own border rule (written from PyTorch's kernels), to
the input pixels it reads and how many paths reach each: the gradient of the unit with
every weight 1 (an interpolation's tap counts once where its weight is not zero).

A unit's support is a set of pixels (sparse, exact in any number of axes, merges
included); its size is bounded by ``limit`` so a global pool over a large map stays an
answer ("too large"), not a memory blow-up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from fractions import Fraction
from math import ceil, gcd
from typing import Any

from ..model import INPUT, MERGES, POOLS, Op
from .field import is_broadcast
from .results import Analysis, LayerResult
from .steps import Interp, phase_taps
from .torch_index import map_indices

#: pixels -> paths reaching each
Support = dict[tuple[int, ...], int]
#: the units of the layer below one unit reads, on one axis (with repeats)
Reads = Callable[[int], Sequence[int]]

#: the largest support followed (pixels held at once)
LIMIT = 1 << 20


class TooLarge(Exception):
    """The support grew past the limit."""


class NotConcrete(Exception):
    """The analysis has a symbol where numbers are needed."""


def unit_support(
    analysis: Analysis,
    name: str,
    unit: Sequence[int],
    limit: int = LIMIT,
    local: bool = False,
) -> Support:
    """The input pixels output unit ``unit`` of layer ``name`` reads, with path counts.

    ``analysis`` must be at a concrete input (every size an integer); ``unit`` has one
    index per axis, inside the layer's output.  A branch broadcast at a merge (one unit
    for every input) is read at its one unit; with ``local`` it is detached (the moving
    window alone, without the global context: the gradient with the gates detached)."""
    order = list(analysis.layers)
    at = {r.name: i for i, r in enumerate(order)}
    pending: dict[str, Support] = {name: {tuple(unit): 1}}
    for r in reversed(order[: at[name] + 1]):
        here = pending.pop(r.name, None)
        if not here:
            continue
        if r.layer.op in MERGES:
            parts = _branches(analysis, r, here, local)
        else:
            parts = [(r.layer.inputs[0], _through(r, here, limit))]
        for src, support in parts:
            into = pending.setdefault(src, {})
            for pixel, count in support.items():
                into[pixel] = into.get(pixel, 0) + count
            if len(into) > limit:
                raise TooLarge
    return pending.get(INPUT, {})


def _branches(
    analysis: Analysis, r: LayerResult, here: Support, local: bool
) -> list[tuple[str, Support]]:
    """What each branch of a merge reads of ``here``: the same units, or on the axes a
    branch is broadcast over, its one unit.  With ``local``, a branch that brings the
    global context (broadcast here, or resampled from one unit) is left out."""
    parts = []
    for b, src in enumerate(r.layer.inputs):
        spread = [i for i, axes in enumerate(r.broadcast) if b in axes]
        if local and (spread or is_global_branch(analysis, src)):
            continue
        sizes = [as_int(n) for n in r.input_sizes[b]]
        moved: defaultdict[tuple[int, ...], int] = defaultdict(int)
        for pixel, count in here.items():
            if all(i in spread or u < n for i, (u, n) in enumerate(zip(pixel, sizes, strict=True))):
                # a unit past a branch that disagrees in size (RF101) has nothing there
                moved[tuple(0 if i in spread else u for i, u in enumerate(pixel))] += count
        parts.append((src, dict(moved)))
    return parts


def is_global_branch(analysis: Analysis, name: str) -> bool:
    """Layer ``name``'s every unit sees the same pixels on some axis (a pooled unit
    resampled back to a map): a broadcast, not a window."""
    if name == INPUT:
        return False
    return any(a.field is not None and is_broadcast(a.field) for a in analysis[name].axes)


def reached(
    layers: Sequence[LayerResult], name: str, axis: int, units: set[int], limit: int = LIMIT
) -> set[int]:
    """The input pixels on ``axis`` that ``units`` of layer ``name`` read, each layer's
    border rule included (a set, per axis: where a box is empty on another axis, the
    projection holds more); every layer up to ``name`` in ``layers`` at a concrete input.
    Raises :class:`TooLarge` past ``limit`` units held."""
    at = {r.name: i for i, r in enumerate(layers)}
    pending: dict[str, set[int]] = {name: set(units)}
    for r in reversed(layers[: at[name] + 1]):
        here = pending.pop(r.name, None)
        if not here:
            continue
        if r.layer.op in MERGES:
            spread = r.broadcast[axis] if r.broadcast else frozenset()
            sizes = [as_int(n[axis]) for n in r.input_sizes]
            parts = [
                (src, {0} if b in spread else {u for u in here if u < sizes[b]})
                for b, src in enumerate(r.layer.inputs)
            ]
        else:
            reads = reader(r, axis)
            parts = [(r.layer.inputs[0], {v for u in here for v in reads(u)})]
        for src, found in parts:
            into = pending.setdefault(src, set())
            into |= found
            if len(into) > limit:
                raise TooLarge
    return pending.get(INPUT, set())


def reads_table(r: LayerResult) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """Per axis, for every output unit of ``r`` (not a merge), the units of the layer
    below it reads, repeats included (a repeat is one more path): the whole layer as
    :func:`unit_support` follows it, for a reader that walks the graph itself (the HTML
    report).  Needs a concrete input (:class:`NotConcrete`)."""
    return tuple(
        tuple(tuple(reads(u)) for u in range(as_int(r.axes[axis].size)))
        for axis, reads in enumerate(reader(r, axis) for axis in range(len(r.axes)))
    )


def _through(r: LayerResult, support: Support, limit: int) -> Support:
    """``support`` on the output of ``r`` moved to its input, one axis at a time (every
    op reads a box: the product of one reading per axis)."""
    for axis in range(len(r.axes)):
        reads = reader(r, axis)
        cache: dict[int, Sequence[int]] = {}
        moved: defaultdict[tuple[int, ...], int] = defaultdict(int)
        for pixel, count in support.items():
            u = pixel[axis]
            if u not in cache:
                cache[u] = reads(u)
            for v in cache[u]:
                key = (*pixel[:axis], v, *pixel[axis + 1 :])
                moved[key] += count
            if len(moved) > limit:
                raise TooLarge
        support = moved
    return dict(support)


def as_int(x: Any) -> int:
    """``x`` as an int; :class:`NotConcrete` when it is a symbol."""
    if not getattr(x, "is_Integer", isinstance(x, int)):
        raise NotConcrete(x)
    return int(x)


def reader(r: LayerResult, axis: int) -> Reads:
    """What one unit of ``r`` reads on ``axis``: the units below, repeats included, with
    the layer's border rule (the one home of it: the walks here, the report's tables
    and the dense counts of :mod:`.counts` all read through it)."""
    layer = r.layer
    n = as_int(r.input_sizes[0][axis])
    m = as_int(r.axes[axis].size)
    pb = as_int(r.axes[axis].pad_before)
    op = layer.op
    if n < 1:
        return lambda _u: []  # an empty map: nothing to read (a resampling would clamp)
    if op in (Op.CONV, *POOLS):
        k, s, d = (as_int(v) for v in layer.window(axis))
        fill = _filler(layer.padding_mode if op == Op.CONV else "zeros", n)
        return lambda u: fill([u * s - pb + j * d for j in range(k)])
    if op == Op.CONV_TRANSPOSE:
        k, s, d = (as_int(v) for v in layer.window(axis))
        return lambda o: _transposed(o, n, k, s, d, pb)
    if op in (Op.UPSAMPLE, Op.RESIZE):
        return _interpolation(r, axis, n, m)
    if op == Op.PIXEL_SHUFFLE:
        f = as_int(layer.param("scale", axis))
        return lambda u: [u // f]
    if op == Op.PIXEL_UNSHUFFLE:
        f = as_int(layer.param("scale", axis))
        return lambda u: [u * f + j for j in range(f)]
    if op == Op.GLOBAL_POOL:
        return lambda _u: range(n)
    if op == Op.ADAPTIVE_POOL:
        return lambda o: range((o * n) // m, ceil(Fraction((o + 1) * n, m)))
    if op == Op.PAD:
        fill = _filler(layer.padding_mode, n)
        return lambda u: fill([u - pb])
    if op == Op.CROP:
        return lambda u: [u + pb]
    return lambda u: [u]  # identity


def _filler(mode: str, n: int) -> Callable[[list[int]], list[int]]:
    """Where a tap at ``i`` lands on a map of ``n`` units padded by ``mode``: zeros drop
    taps beyond the map; reflect mirrors about the end units (``-1`` reads ``1``);
    replicate reads the end unit; circular wraps around."""

    def inside(i: int) -> int | None:
        if 0 <= i < n:
            return i
        if mode == "reflect":
            j = -i if i < 0 else 2 * (n - 1) - i
            return j if 0 <= j < n else None  # wider than the map: PyTorch raises (RF106)
        if mode == "replicate":
            return min(max(i, 0), n - 1)
        if mode == "circular":
            return i % n
        return None

    def fill(taps: list[int]) -> list[int]:
        return [j for j in map(inside, taps) if j is not None]

    return fill


def _transposed(o: int, n: int, k: int, s: int, d: int, pb: int) -> list[int]:
    """Input units ``i`` with ``o = i*s - pb + j*d`` for a tap ``j < k``, inside the map."""
    m0, count = phase_taps(k, s, d, pb, o % s)
    step = s // gcd(d, s)
    out = []
    for t in range(count):
        j = m0 + t * step
        i, rest = divmod(o + pb - j * d, s)
        if rest == 0 and 0 <= i < n:
            out.append(i)
    return out


def _interpolation(r: LayerResult, axis: int, n: int, m: int) -> Reads:
    """``F.interpolate``'s reads, PyTorch's clamps at the borders included."""
    layer = r.layer
    kind = Interp(layer.mode).kind
    scale: Fraction | None = None
    if layer.op == Op.UPSAMPLE and not layer.recompute_scale_factor:
        f = layer.param("scale", axis)
        scale = Fraction(int(f.p), int(f.q)) if hasattr(f, "p") else Fraction(f)
    if n == 1:
        return lambda _u: [0]
    if kind in ("nearest", "nearest-exact"):
        exact = kind == "nearest-exact"
        ndim = len(r.axes)
        index = map_indices(n, m, scale, exact, ndim)
        return lambda u: [min(index[u], n - 1)]
    if kind == "linear" and n == m:
        return lambda u: [u]  # PyTorch copies a map to its own size
    # the source index x(u) = num(u) / den, in integers (a resize is read for every unit
    # of a map: thousands of units in a walk over a large input)
    if layer.align_corners:
        p, den = (n - 1, m - 1) if m > 1 else (0, 1)

        def num(u: int) -> int:
            return p * u

    else:
        inverse = 1 / scale if scale is not None else Fraction(n, m)
        p, q = inverse.numerator, inverse.denominator
        den = 2 * q  # inverse*(u + 1/2) - 1/2 = (p*(2u + 1) - q) / 2q

        def num(u: int) -> int:
            x = p * (2 * u + 1) - q
            return max(x, 0) if kind == "linear" else x

    if kind == "linear":

        def linear(u: int) -> list[int]:
            lo, rest = divmod(num(u), den)
            hi = lo + 1 if lo < n - 1 else lo
            return [lo] if not rest else [lo, hi]

        return linear

    def cubic(u: int) -> list[int]:
        lo, rest = divmod(num(u), den)
        if not rest:  # the weights are 0, 1, 0, 0
            return [min(max(lo, 0), n - 1)]
        return [min(max(lo + j, 0), n - 1) for j in (-1, 0, 1, 2)]

    return cubic
