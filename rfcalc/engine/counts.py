"""Exact path counts of one unit as dense integer arrays (numpy): the ERF at the speed of
the field.

The walk is :func:`rfcalc.engine.unit.unit_support`'s, layer by layer back to the input,
one axis at a time, each layer's own border rule included (the same readers), but a
support is a box of the layer's units and an array of counts over it, and a layer's
reads move the whole array at once: a window's taps as strided slices, any other
reading with ``numpy.add.at``.  Counts only add up (a path through a tap is one more
path), so they are exact in int64 as long as no sum of counts can pass 2^62: a bound on
the total (the product of the most reads one unit makes, layer by layer, summed over
branches) decides before the walk.  Past it, the walk runs modulo a few primes below
2^31 whose product exceeds the bound (a proven-exact split, never a float): sums are
taken on the residues and put back together by the Chinese remainder theorem, and
counts are compared in Garner's mixed radix, whose digits order the numbers exactly.

numpy is imported here only: ``rfcalc --help``, ``check`` and ``analyze`` without
``--erf`` never load it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from math import prod
from typing import Any

import numpy as np

from ..model import INPUT, MERGES, POOLS, Op
from .results import Analysis, LayerResult
from .unit import LIMIT, NotConcrete, TooLarge, as_int, is_global_branch, reader

#: counts in int64 while the bound on the total stays below this (additions only)
INT64_BOUND = 1 << 62
#: residues are reduced when the next additions could take an entry past this
ROOM = 1 << 62
#: primes below 2^31 for the exact split: a product of two residues fits int64
PRIMES = (
    2147483647,
    2147483629,
    2147483587,
    2147483579,
    2147483563,
    2147483549,
    2147483543,
    2147483497,
    2147483489,
    2147483477,
    2147483423,
    2147483399,
    2147483353,
    2147483323,
    2147483269,
    2147483249,
)


@dataclass
class Box:
    """Counts over units ``lo[i] .. lo[i] + shape[i] - 1`` of a map (per axis): int64,
    or with a leading axis of one residue array per prime (each entry then below
    ``top``, reduced modulo its prime only when the next addition could pass 2^62)."""

    lo: tuple[int, ...]
    values: Any
    top: int = 1


@dataclass(frozen=True)
class Counts:
    """Exact path counts from the input pixels to one unit, over a box of the input:
    int64 ``values``, or the residues modulo ``moduli`` (one array per prime)."""

    lo: tuple[int, ...]
    values: Any
    moduli: tuple[int, ...] = ()
    ndim: int = field(default=0)

    @property
    def _lead(self) -> int:
        return 1 if self.moduli else 0

    def _exact(self, residues: Any) -> Any:
        """Residues (leading axis) of small arrays put back into Python ints."""
        return _garner(residues, self.moduli, restore=True) if self.moduli else residues

    def _sum(self, axes: tuple[int, ...]) -> Any:
        """Sums over ``axes`` of the box, exact (reduced by each prime when split)."""
        lead = self._lead
        sums = self.values.sum(axis=tuple(lead + a for a in axes)) if axes else self.values
        if self.moduli:
            sums = sums % np.asarray(self.moduli, dtype=np.int64).reshape(
                (-1,) + (1,) * (sums.ndim - 1)
            )
        return self._exact(sums)

    def any(self) -> bool:
        return bool(self.values.size and self.values.any())

    def total(self) -> int:
        return int(self._sum(tuple(range(self.ndim))))

    def marginal(self, axis: int) -> dict[int, int]:
        """Paths per input pixel on ``axis``, summed over the other axes."""
        sums = self._sum(tuple(i for i in range(self.ndim) if i != axis))
        return {self.lo[axis] + k: int(c) for k, c in enumerate(sums.tolist()) if c}

    def rings(self, c: int) -> dict[int, int]:
        """2-D: paths per square ring ``max(|y - c|, |x - c|, 1)`` about ``(c, c)``."""
        lead = self._lead
        shape = self.values.shape[lead:]
        ys = np.abs(np.arange(shape[0]) + self.lo[0] - c)
        xs = np.abs(np.arange(shape[1]) + self.lo[1] - c)
        ring = np.maximum(np.maximum(ys[:, None], xs[None, :]), 1).ravel()
        sums = np.zeros((*self.values.shape[:lead], int(ring.max()) + 1), dtype=np.int64)
        flat = self.values.reshape((*self.values.shape[:lead], -1))
        if lead:
            for k, p in enumerate(self.moduli):
                np.add.at(sums[k], ring, flat[k])
                sums[k] %= p
        else:
            np.add.at(sums, ring, flat)
        return {k: int(v) for k, v in enumerate(self._exact(sums).tolist()) if v}

    @cached_property
    def _digits(self) -> Any:
        """Garner's mixed-radix digits of every count, most significant first: they
        order the counts as the numbers do."""
        return _garner(self.values, self.moduli, restore=False)[::-1]

    def top(self) -> int:
        """The largest count (0 when no pixel reaches the unit)."""
        if not self.values.size:
            return 0
        if not self.moduli:
            return int(self.values.max())
        chosen = np.ones(self.values.shape[1:], dtype=bool)
        for digit in self._digits:
            chosen &= digit == digit[chosen].max()
        where = (slice(None), *np.argwhere(chosen)[0])
        return int(self._exact(self.values[where][..., None])[0])

    def above(self, threshold: int) -> int:
        """How many pixels have more than ``threshold`` paths."""
        if not self.moduli:
            return int((self.values > threshold).sum())
        greater = np.zeros(self.values.shape[1:], dtype=bool)
        equal = np.ones_like(greater)
        for digit, t in zip(self._digits, _radix(threshold, self.moduli)[::-1], strict=True):
            greater |= equal & (digit > t)
            equal &= digit == t
        return int(greater.sum())

    def items(self) -> dict[tuple[int, ...], int]:
        """The pixels that reach the unit, with their counts (the sparse form)."""
        values = self._exact(self.values) if self.moduli else self.values
        found = np.nonzero(values)
        out = {}
        for where in zip(*found, strict=True):
            pixel = tuple(int(w) + lo for w, lo in zip(where, self.lo, strict=True))
            out[pixel] = int(values[where])
        return out


#: a layer's reads on one axis: ``(offsets, below, window, fan)``: unit ``u`` reads
#: ``below[offsets[u]:offsets[u + 1]]``; ``window`` is ``(stride, first, dilation,
#: taps)`` where that is every unit's reading (tap ``j`` of unit ``u`` at
#: ``u*stride + first + j*dilation``, dropped outside the map), else None; ``fan`` the
#: most reads that land on one unit below
Table = tuple[Any, Any, tuple[int, int, int, int] | None, int]
#: the most reads one layer's table holds on one axis (2^24: 128 MiB of indices); past
#: it the walk raises :class:`~.unit.TooLarge` (the ERF says "too large")
TABLE_LIMIT = 1 << 24


class Tables:
    """Every unit's reads of each layer and axis, computed once (with the readers of
    :mod:`.unit`, the one home of each op's border rule) and kept as flat arrays, so
    that every walk over the analysis (one per layer's ERF) moves whole boxes at once."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self._tables: dict[tuple[str, int], Table] = {}

    def get(self, r: LayerResult, axis: int) -> Table:
        key = (r.name, axis)
        if key not in self._tables:
            m = as_int(r.axes[axis].size)
            n = as_int(r.input_sizes[0][axis])
            window = _window(r, axis) if n >= 1 else None
            if window is not None:  # the reader's rule for a window, for every unit at once
                s, first, d, k = window
                if m * k > TABLE_LIMIT:
                    raise TooLarge  # an upsampling by 4096 then a kernel of 16384
                taps = np.arange(m)[:, None] * s + first + np.arange(k)[None, :] * d
                inside = (taps >= 0) & (taps < n)
                below = taps[inside].astype(np.intp)
                offsets = np.zeros(m + 1, dtype=np.intp)
                np.cumsum(inside.sum(axis=1), out=offsets[1:])
            else:
                reads = reader(r, axis)
                found, lengths, held = [], [], 0
                for u in range(m):
                    found.append(reads(u))
                    lengths.append(len(found[-1]))
                    held += lengths[-1]
                    if held > TABLE_LIMIT:
                        raise TooLarge
                offsets = np.zeros(m + 1, dtype=np.intp)
                np.cumsum(lengths, out=offsets[1:])
                below = np.fromiter(
                    (v for vs in found for v in vs), dtype=np.intp, count=offsets[-1]
                )
            fan = int(np.bincount(below).max()) if below.size else 1
            self._tables[key] = (offsets, below, window, fan)
        return self._tables[key]


def _window(r: LayerResult, axis: int) -> tuple[int, int, int, int] | None:
    """``(stride, first, dilation, taps)`` where the layer's reader is a window's with
    zero padding (every tap inside the map read, every tap outside dropped: tap ``j`` of
    unit ``u`` at ``u*stride + first + j*dilation``); None for other readings (other
    fills, transposed convs, resampling), which go unit by unit through the reader.
    ``tests/engine/test_counts.py`` holds every table equal to the reader's."""
    layer = r.layer
    if layer.op in (Op.CONV, *POOLS) and (layer.op != Op.CONV or layer.padding_mode == "zeros"):
        k, s, d = (as_int(v) for v in layer.window(axis))
        return s, -as_int(r.axes[axis].pad_before), d, k
    if layer.op in (Op.PAD, Op.CROP) and layer.padding_mode == "zeros":
        return 1, (-1 if layer.op == Op.PAD else 1) * as_int(r.axes[axis].pad_before), 1, 1
    if layer.op == Op.PIXEL_UNSHUFFLE:
        f = as_int(layer.param("scale", axis))
        return f, 0, 1, f
    if layer.op == Op.IDENTITY:
        return 1, 0, 1, 1
    return None


def path_counts(
    analysis: Analysis,
    name: str,
    unit: Sequence[int],
    limit: int = LIMIT,
    local: bool = False,
    tables: Tables | None = None,
) -> Counts:
    """The input pixels output ``unit`` of layer ``name`` reads, with path counts, as
    :func:`~.unit.unit_support` gives them, dense.  Raises :class:`~.unit.TooLarge` past
    ``limit`` units held at once, :class:`~.unit.NotConcrete` for a symbolic analysis.
    ``tables``: the reads of an earlier walk over the same analysis, reused."""
    tables = tables or Tables(analysis)
    order = list(analysis.layers)
    at = {r.name: i for i, r in enumerate(order)}
    walk = order[: at[name] + 1]
    ndim = len(unit)
    moduli = _moduli(_bound(analysis, walk, name, local))
    first = np.ones((1,) * ndim, dtype=np.int64)
    if moduli is not None:
        first = np.ones((len(moduli), *first.shape), dtype=np.int64)
    pending: dict[str, Box] = {name: Box(tuple(unit), first)}
    for r in reversed(walk):
        here = pending.pop(r.name, None)
        if here is None:
            continue
        if r.layer.op in MERGES:
            for b, src in enumerate(r.layer.inputs):
                spread = [i for i, axes in enumerate(r.broadcast) if b in axes]
                if local and (spread or is_global_branch(analysis, src)):
                    continue
                sizes = [as_int(n) for n in r.input_sizes[b]]
                inside = _inside(here, sizes, spread, moduli)
                if inside is not None:
                    _send(pending, src, _collapse(inside, spread, moduli), moduli, limit)
            continue
        box = here
        for axis in range(ndim):
            box = _move(box, axis, tables.get(r, axis), moduli, limit)
            if not box.values.size:
                break  # every read fell outside the map: no path goes on
        else:
            _send(pending, r.layer.inputs[0], box, moduli, limit)
    found = pending.get(INPUT)
    primes = () if moduli is None else tuple(int(p) for p in moduli)
    if found is None:
        shape = ((len(primes),) if primes else ()) + (0,) * ndim
        return Counts((0,) * ndim, np.zeros(shape, dtype=np.int64), primes, ndim)
    values = found.values
    if moduli is not None:  # the residues themselves, each below its prime
        values = values % moduli.reshape((-1,) + (1,) * ndim)
    return Counts(found.lo, values, primes, ndim)


def _move(box: Box, axis: int, table: Table, moduli: Any, limit: int) -> Box:
    """``box`` on a layer's output moved to its input along ``axis``: each unit's counts
    added to every unit below it reads (repeats are paths)."""
    lead = 0 if moduli is None else 1
    offsets, below, window, fan = table
    if window == (1, 0, 1, 1) and below.size == len(offsets) - 1:
        return box  # each unit reads the unit below it, none dropped (a 1x1 conv, a copy)
    box = _room(box, fan, moduli)
    values = box.values
    length = values.shape[lead + axis]
    first = box.lo[axis]
    starts = offsets[first : first + length + 1]
    dst = below[starts[0] : starts[-1]]
    if not dst.size:
        shape = list(values.shape)
        shape[lead + axis] = 0
        return Box(box.lo, np.zeros(shape, dtype=np.int64), 0)
    lo, hi = int(dst.min()), int(dst.max())
    moved_shape = list(values.shape)
    moved_shape[lead + axis] = hi - lo + 1
    if prod(moved_shape[lead:]) > limit:
        raise TooLarge
    moved = np.zeros(moved_shape, dtype=np.int64)
    front = np.moveaxis(moved, lead + axis, 0)
    rows = np.moveaxis(values, lead + axis, 0)
    if window is not None:  # each tap a strided slice: no scatter
        s, at, d, k = window
        n_below = hi - lo + 1
        for j in range(k):
            # tap j of box unit i lands at p0 + i*s: inside the moved box for the run of
            # i from a to b - 1 (integer bounds, no array scan)
            p0 = first * s + at + j * d - lo
            a = max(0, -(p0 // s))
            b = min(length, (n_below - 1 - p0) // s + 1)
            if a >= b:
                continue
            start = p0 + a * s
            front[start : start + s * (b - a - 1) + 1 : s] += rows[a:b]
    else:
        src = np.repeat(np.arange(length, dtype=np.intp), np.diff(starts))
        np.add.at(front, dst - lo, rows[src])
    lo_all = list(box.lo)
    lo_all[axis] = lo
    return Box(tuple(lo_all), moved, box.top * fan)


def _room(box: Box, fan: int, moduli: Any) -> Box:
    """``box`` reduced modulo its primes when adding ``fan`` of its entries could pass
    2^62 (never in int64 counts: the bound keeps them below)."""
    if moduli is None or box.top * fan < ROOM:
        return box
    values = box.values % moduli.reshape((-1,) + (1,) * (box.values.ndim - 1))
    return Box(box.lo, values, int(moduli.max()) - 1)


def _inside(box: Box, sizes: Sequence[int], spread: Sequence[int], moduli: Any) -> Box | None:
    """The part of ``box`` inside a branch of ``sizes`` units (a branch broadcast on an
    axis, one unit, reads every unit there; a branch that disagrees in size, RF101, has
    nothing past its end); None when nothing is left."""
    lead = 0 if moduli is None else 1
    shape = box.values.shape[lead:]
    keep = [
        slice(None) if i in spread else slice(0, max(0, min(length, n - lo)))
        for i, (lo, length, n) in enumerate(zip(box.lo, shape, sizes, strict=True))
    ]
    if all(k == slice(None) or k.stop == length for k, length in zip(keep, shape, strict=True)):
        return box
    values = box.values[(slice(None),) * lead + tuple(keep)]
    return Box(box.lo, values, box.top) if values.size else None


def _collapse(box: Box, axes: Sequence[int], moduli: Any) -> Box:
    """A merge's counts as a branch broadcast over ``axes`` reads them: every unit's
    counts at that branch's one unit."""
    if not axes:
        return box
    lead = 0 if moduli is None else 1
    fan = prod(box.values.shape[lead + a] for a in axes)
    box = _room(box, fan, moduli)
    values = box.values.sum(axis=tuple(lead + a for a in axes), keepdims=True)
    lo = tuple(0 if i in axes else v for i, v in enumerate(box.lo))
    return Box(lo, values, box.top * fan)


def _send(pending: dict[str, Box], src: str, box: Box, moduli: Any, limit: int) -> None:
    """Add ``box`` into what waits for layer ``src`` (the union of both boxes)."""
    have = pending.get(src)
    if have is None:
        pending[src] = box
        return
    have, box = _room(have, 2, moduli), _room(box, 2, moduli)
    lead = 0 if moduli is None else 1
    ndim = len(box.lo)
    lo = tuple(min(a, b) for a, b in zip(have.lo, box.lo, strict=True))
    hi = tuple(
        max(part.lo[i] + part.values.shape[lead + i] for part in (have, box)) for i in range(ndim)
    )
    shape = tuple(h - lo_i for h, lo_i in zip(hi, lo, strict=True))
    if prod(shape) > limit:
        raise TooLarge
    merged = np.zeros(have.values.shape[:lead] + shape, dtype=np.int64)
    for part in (have, box):
        where = tuple(
            slice(part.lo[i] - lo[i], part.lo[i] - lo[i] + part.values.shape[lead + i])
            for i in range(ndim)
        )
        merged[(slice(None),) * lead + where] += part.values
    pending[src] = Box(lo, merged, have.top + box.top)


def _bound(analysis: Analysis, walk: list[LayerResult], name: str, local: bool) -> int:
    """An upper bound on the total number of paths reaching the unit (and so on every
    count and every sum of counts): per layer the most reads one unit makes on each
    axis, multiplied along a path and summed over the branches of merges."""
    total: dict[str, int] = {name: 1}
    for r in reversed(walk):
        here = total.pop(r.name, 0)
        if not here:
            continue
        if r.layer.op in MERGES:
            for b, src in enumerate(r.layer.inputs):
                spread = [i for i, axes in enumerate(r.broadcast) if b in axes]
                if local and (spread or is_global_branch(analysis, src)):
                    continue
                fan = prod(as_int(r.axes[i].size) for i in spread)  # summed into one unit
                total[src] = total.get(src, 0) + here * fan
            continue
        fan = prod(_most_reads(r, axis) for axis in range(len(r.axes)))
        total[r.layer.inputs[0]] = total.get(r.layer.inputs[0], 0) + here * fan
    return total.get(INPUT, 0)


def _most_reads(r: LayerResult, axis: int) -> int:
    """The most units below one unit of ``r`` reads on ``axis`` (repeats counted): its
    kernel for a window, its whole input for a global pool, and so on; at least 1."""
    layer = r.layer
    n = as_int(r.input_sizes[0][axis])
    m = as_int(r.axes[axis].size)
    if layer.op in (Op.CONV, Op.MAX_POOL, Op.AVG_POOL, Op.CONV_TRANSPOSE):
        return max(1, as_int(layer.param("kernel", axis)))
    if layer.op == Op.PIXEL_UNSHUFFLE:
        return max(1, as_int(layer.param("scale", axis)))
    if layer.op == Op.GLOBAL_POOL:
        return max(1, n)
    if layer.op == Op.ADAPTIVE_POOL:
        return max(1, -(-n // max(m, 1)) + 1)
    if layer.op in (Op.UPSAMPLE, Op.RESIZE):
        return 4  # a cubic interpolation's taps, the most any mode weighs
    return 1


def _moduli(bound: int) -> Any:
    """None while int64 holds every sum; else enough of :data:`PRIMES` that their
    product exceeds ``bound``."""
    if bound < INT64_BOUND:
        return None
    chosen, product = [], 1
    for p in PRIMES:
        chosen.append(p)
        product *= p
        if product > bound:
            return np.asarray(chosen, dtype=np.int64)
    raise TooLarge  # past 2^496 paths: more than the walk would hold anyway


def _garner(residues: Any, moduli: Sequence[int], restore: bool) -> Any:
    """Garner's mixed-radix digits of numbers given by their residues (leading axis),
    least significant first; with ``restore``, the numbers themselves (Python ints)."""
    primes = [int(p) for p in moduli]
    digits = [residues[0]]
    for i in range(1, len(primes)):
        x = residues[i].copy()
        for j in range(i):
            inv = pow(primes[j], -1, primes[i])
            x = ((x - digits[j]) % primes[i]) * inv % primes[i]
        digits.append(x)
    if not restore:
        return np.stack(digits)
    out = np.zeros(residues.shape[1:], dtype=object)
    for i in reversed(range(len(primes))):
        out = out * primes[i] + digits[i].astype(object)
    return out


def _radix(value: int, moduli: Sequence[int]) -> list[int]:
    """``value``'s mixed-radix digits (least significant first)."""
    digits = []
    for p in moduli:
        value, digit = divmod(value, int(p))
        digits.append(digit)
    return digits


__all__ = ["Counts", "NotConcrete", "Tables", "TooLarge", "path_counts"]
