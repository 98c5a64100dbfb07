"""Push a :class:`~rfcalc.model.Network` through the engine, layer by layer, axis by axis.

The walk: each layer's axes come from its op's step (:mod:`.steps`) applied to the field
below (:mod:`.field`), or, for a merge, from the union of its branches' fields; the
results are the records of :mod:`.results`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import sympy

from ..model import GLOBAL_READS, INPUT, MERGES, PER_AXIS, Expr, Layer, Network
from .field import Field, Region, apply, merge
from .field import aligned as field_aligned
from .interior import common, interior_of, phases_of
from .notes import Note, NotExact, Why
from .results import Analysis, AxisResult, Interior, LayerResult
from .sizes import is_concrete, same
from .steps import STEPS


def analyze_network(
    network: Network, input_size: Sequence[Expr] | None = None, paths: bool = False
) -> Analysis:
    """Sizes and fields of every layer; ``input_size`` overrides the network's input.

    ``paths`` also counts, for every pixel of every exact support, the paths that reach
    the unit (the gradient with all weights 1): for pictures, not needed otherwise.
    """
    sizes = tuple(sympy.sympify(s) for s in (input_size or network.input_size))
    if len(sizes) != network.ndim:
        raise ValueError(f"the input has {len(sizes)} axes but the network {network.ndim}")
    ndim = len(sizes)
    start = tuple(
        AxisResult(
            size=s,
            receptive_field=1,
            jump=1,
            effective_padding=0,
            field=Field.identity(paths),
            interior=((0, int(s) - 1),) if s.is_Integer else None,
        )
        for s in sizes
    )
    done: dict[str, tuple[AxisResult, ...]] = {INPUT: start}
    # axes whose whole history is axis 0's with its input symbol renamed (H -> W): their
    # results are axis 0's renamed, not computed again (square networks, symbolic input)
    renames = {
        i: _Renamer(sizes[0], sizes[i])
        for i in range(1, ndim)
        if sizes[0].is_Symbol and sizes[i].is_Symbol and sizes[i] != sizes[0]
    }
    mirrored: dict[str, set[int]] = {INPUT: set(renames)}
    results: list[LayerResult] = []
    kept = 0  # support bits held by the results so far
    for layer in network.layers:
        below = [done[name] for name in layer.inputs]
        mirror = set.intersection(*(mirrored[name] for name in layer.inputs))
        if layer.target is not None:  # a crop or resize to a layer mirrored as well
            mirror &= mirrored.get(layer.target, set())
        mirror = {i for i in mirror if _same_params(layer, i)}
        if layer.op in MERGES:
            result = _merge(layer, below, ndim)
        else:
            axes: list[AxisResult] = []
            for i in range(ndim):
                if (
                    i
                    and _same_params(layer, i)
                    and layer.target is None
                    and _same_input(below[0], i)
                ):
                    axes.append(axes[0])  # square input, square layer: no new work
                elif i in mirror:
                    axes.append(axes[0].renamed(renames[i]))
                else:
                    axes.append(_one_axis(layer, i, below[0][i], done))
            result = LayerResult(layer, tuple(axes), tuple(tuple(a.size for a in b) for b in below))
        kept = _support_bits(result, kept)
        if kept > SUPPORT_TOTAL_CAP:
            result = _without_supports(result)
        done[layer.name] = result.axes
        mirrored[layer.name] = mirror
        results.append(result)
    return Analysis(network, sizes, tuple(results))


#: the most support bits the results of one analysis hold (every layer keeps its exact
#: support for the rules and pictures); past it, later layers say their support was not
#: computed (a 50,000-layer dilated chain held a gigabyte of bitsets)
SUPPORT_TOTAL_CAP = 1 << 28


def _support_bits(result: LayerResult, kept: int) -> int:
    seen: set[int] = set()
    for a in result.axes:
        if a.field is not None and id(a.field) not in seen:  # square axes share a field
            seen.add(id(a.field))
            for region in a.field.phases:
                if region is not None and region.support is not None:
                    kept += region.support.bit_length()
    return kept


def _without_supports(result: LayerResult) -> LayerResult:
    note = Note(Why.SUPPORTS_OVER_TOTAL, (SUPPORT_TOTAL_CAP,))
    axes = []
    for a in result.axes:
        f = a.field
        if f is not None and any(r is not None and r.support is not None for r in f.phases):
            phases = tuple(None if r is None else Region(r.start, r.end) for r in f.phases)
            f = replace(f, phases=phases, support_note=f.support_note or note)
            a = replace(a, field=f)
        axes.append(a)
    return replace(result, axes=tuple(axes))


class _Renamer:
    """Rename one input symbol in results (H -> W), each distinct expression once.

    The expressions are already in canonical form, so floors and Mods are rebuilt as
    they are, without sympy evaluating them again (a Mod costs ~10 ms to evaluate).
    """

    def __init__(self, old: Any, new: Any) -> None:
        self.old, self.new = old, new
        self.memo: dict[Any, Any] = {}

    def __call__(self, x: Any) -> Any:
        if not hasattr(x, "free_symbols") or isinstance(x, int):
            return x
        try:
            return self.memo[x]
        except KeyError:
            pass
        out = self._walk(x) if self.old in x.free_symbols else x
        self.memo[x] = out
        return out

    def _walk(self, x: Any) -> Any:
        if x == self.old:
            return self.new
        if not x.args:
            return x
        args = [self(a) for a in x.args]
        if isinstance(x, (sympy.Mod, sympy.floor, sympy.ceiling)):
            return x.func(*args, evaluate=False)
        return x.func(*args)


def _same_params(layer: Layer, axis: int) -> bool:
    """The layer's parameters on ``axis`` are those of axis 0."""
    for key in PER_AXIS:
        values = getattr(layer, key)
        if values and values[axis] != values[0]:
            return False
    return True


def _same_input(below: tuple[AxisResult, ...], axis: int) -> bool:
    return below[axis] is below[0] or below[axis] == below[0]


def _merge(layer: Layer, below: list[tuple[AxisResult, ...]], ndim: int) -> LayerResult:
    axes: list[AxisResult] = []
    mismatched: dict[int, bool | None] = {}
    aligned = True
    for i in range(ndim):
        parts = [b[i] for b in below]
        interior = common([p.interior for p in parts])
        verdicts = [same(parts[0].size, p.size) for p in parts[1:]]
        if any(v is False for v in verdicts):
            mismatched[i] = True
        elif any(v is None for v in verdicts):
            mismatched[i] = None
        fields = [p.field for p in parts]
        if any(f is None for f in fields):
            note = next(p.note for p in parts if p.field is None)
            axes.append(AxisResult(size=parts[0].size, note=note))
            continue
        branch_fields = [f for f in fields if f is not None]
        aligned = aligned and field_aligned(branch_fields)
        try:
            merged = merge(branch_fields, parts[0].size if is_concrete(parts[0].size) else None)
        except NotExact as exc:
            axes.append(AxisResult(size=parts[0].size, note=exc.note))
            continue
        axes.append(_with_field(AxisResult(size=parts[0].size), merged, interior))
    sizes = tuple(tuple(a.size for a in b) for b in below)
    return LayerResult(layer, tuple(axes), sizes, mismatched, aligned)


def _with_field(
    axis: AxisResult,
    f: Field,
    interior: Interior | None = None,
    present: frozenset[int] | None = None,
) -> AxisResult:
    """``axis`` with the field ``f`` and what it says (receptive field, jump, padding),
    taken over the phases that interior units of the real map have (``present``, else
    those of ``interior``); with no interior unit at all, over every phase."""
    if f.period > 1:
        if present is None and interior:
            present = phases_of(interior, f.period)
        if present:
            f = replace(f, present=present)
    rf = f.receptive_field()
    blind = f.blind()
    note = None
    # ranges over the real map's units: stated, with the note that says so
    info = Note(Why.PER_UNIT, f.per_unit) if f.per_unit else None
    if rf is None:
        note = Note(Why.BLIND)
    elif f.fixed is not None:
        fixed = f.fixed
        extent = sympy.expand(fixed.end - fixed.start + 1)
        note = Note(Why.FIXED_AND_MOVING, (extent, fixed.start, fixed.end, rf[0], f.jump))
    if note is not None and rf is not None:
        stated = _over_units(f, _units(interior, axis.size))
        if stated is not None:
            hi, lo, pad = stated
            return AxisResult(
                size=axis.size,
                pad_before=axis.pad_before,
                pad_after=axis.pad_after,
                receptive_field=hi,
                receptive_field_min=None if hi == lo else lo,
                jump=f.jump,
                effective_padding=pad,
                field=f,
                note=Note(Why.FIXED_OVER_UNITS, note.values),
                blind_phases=blind,
                interior=interior,
            )
    if rf is None or note is not None:
        return AxisResult(
            axis.size,
            axis.pad_before,
            axis.pad_after,
            field=f,
            jump=f.jump,
            note=note,
            blind_phases=blind,
            interior=interior,
        )
    hi, lo = rf
    return AxisResult(
        size=axis.size,
        pad_before=axis.pad_before,
        pad_after=axis.pad_after,
        receptive_field=hi,
        receptive_field_min=None if same(hi, lo) else lo,
        jump=f.jump,
        effective_padding=f.effective_padding(),
        field=f,
        note=info,
        blind_phases=blind,
        interior=interior,
    )


#: the most units whose regions are united one by one (a fixed part and a moving one)
UNITS_CAP = 1 << 16


def _units(interior: Interior | None, size: Expr) -> list[int] | None:
    """The units a statement over units covers: those computed from the maps alone, or
    with none, every unit of the map (as the fields of a padded map are stated); None
    when the map is symbolic or too long to go through."""
    if interior is None or not is_concrete(size):
        return None
    ranges = interior or ((0, int(size) - 1),)
    if sum(hi - lo + 1 for lo, hi in ranges) > UNITS_CAP:
        return None
    return [u for lo, hi in ranges for u in range(lo, hi + 1)]


def _over_units(f: Field, units: list[int] | None) -> tuple[Expr, Expr, Expr] | None:
    """Largest and smallest extent of the units' regions (a fixed part and a moving
    window united), and the largest ``u*jump - start``: the field of a broadcast branch
    merged with moving ones, stated over the real map's units."""
    if (
        not units
        or f.fixed is None
        or not (is_concrete(f.fixed.start) and is_concrete(f.fixed.end))
    ):
        return None
    extents, pads = [], []
    for u in units:
        region = f.region(u)
        if region is None or not is_concrete(region.start):
            return None
        extents.append(sympy.Integer(region.end - region.start + 1))
        pads.append(sympy.sympify(u * f.jump - region.start))
    return max(extents), min(extents), max(pads)


def _one_axis(
    layer: Layer, axis: int, below: AxisResult, done: Mapping[str, tuple[AxisResult, ...]]
) -> AxisResult:
    n = below.size
    step = STEPS[layer.op](layer, axis, n, lambda name: done[name][axis].size)
    size, pb, pa = step.size, step.pad_before, step.pad_after
    base = AxisResult(size=size, pad_before=pb, pad_after=pa)
    if below.field is None:
        return AxisResult(size, pb, pa, note=below.note)
    if layer.op in GLOBAL_READS and is_concrete(n) and int(n) < 1:
        return AxisResult(size, pb, pa, note=Note(Why.EMPTY_INPUT))
    if step.read is None:
        return _with_field(base, below.field, below.interior)
    try:
        reading = step.read(below.field.period, below.field.advance)
        f = apply(below.field, reading.period, reading.advance, reading.taps)
    except NotExact as exc:
        return AxisResult(size, pb, pa, note=exc.note)
    interior, present = interior_of(below.interior, size, reading.period, reading.taps)
    return _with_field(base, f, interior, present)
