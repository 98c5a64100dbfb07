"""Push a :class:`~rfcalc.model.Network` through the engine, layer by layer, axis by axis.

The walk: each layer's axes come from its op's step (:mod:`.steps`) applied to the field
below (:mod:`.field`), or, for a merge, from the union of its branches' fields; the
results are the records of :mod:`.results`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import sympy

from ..model import GLOBAL_READS, INPUT, MERGES, PER_AXIS, Expr, Layer, Network, Op
from .field import Field, Region, Taps, apply, broadcast_field, is_broadcast, merge
from .field import aligned as field_aligned
from .interior import common, interior_of, phases_of
from .notes import Note, NotExact, Why
from .results import Analysis, AxisResult, Interior, LayerResult
from .sizes import is_concrete, same
from .steps import STEPS, Reading


def analyze_network(
    network: Network,
    input_size: Sequence[Expr] | None = None,
    paths: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Analysis:
    """Sizes and fields of every layer; ``input_size`` overrides the network's input.

    ``paths`` also counts, for every pixel of every exact support, the paths that reach
    the unit (the gradient with all weights 1): for pictures, not needed otherwise.
    ``progress`` is called with the number of layers done, after each layer.
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
    # per layer and axis: the size is 1 for every input (a global read, what follows it
    # while it stays one unit): such a branch is broadcast where it meets a map
    ones: dict[str, tuple[bool, ...]] = {INPUT: (False,) * ndim}
    # axes whose whole history is axis 0's with its input symbol renamed (H -> W): their
    # results are axis 0's renamed, not computed again (square networks, symbolic input)
    renames = {
        i: _Renamer(sizes[0], sizes[i])
        for i in range(1, ndim)
        if sizes[0].is_Symbol and sizes[i].is_Symbol and sizes[i] != sizes[0]
    }
    mirrored: dict[str, set[int]] = {INPUT: set(renames)}
    through: dict[str, tuple[str, ...]] = {INPUT: ()}
    results: list[LayerResult] = []
    kept = 0  # support bits held by the results so far
    counted = 0  # and path-count bits
    for layer in network.layers:
        below = [done[name] for name in layer.inputs]
        mirror = set.intersection(*(mirrored[name] for name in layer.inputs))
        if layer.target is not None:  # a crop or resize to a layer mirrored as well
            mirror &= mirrored.get(layer.target, set())
        mirror = {i for i in mirror if _same_params(layer, i)}
        if layer.op in MERGES:
            result = _merge(layer, below, [ones[name] for name in layer.inputs], sizes)
            one = tuple(all(ones[name][i] for name in layer.inputs) for i in range(ndim))
        else:
            one_below = ones[layer.inputs[0]]
            axes: list[AxisResult] = []
            for i in range(ndim):
                if (
                    i
                    and _same_params(layer, i)
                    and layer.target is None
                    and _same_input(below[0], i)
                    and one_below[i] == one_below[0]
                ):
                    axes.append(axes[0])  # square input, square layer: no new work
                elif i in mirror:
                    axes.append(axes[0].renamed(renames[i]))
                else:
                    axes.append(_one_axis(layer, i, below[0][i], done, one_below[i]))
            result = LayerResult(layer, tuple(axes), tuple(tuple(a.size for a in b) for b in below))
            one = tuple(_stays_one(layer, i, one_below[i], ones, done) for i in range(ndim))
        result = _with_context(result, through)
        kept = _support_bits(result, kept)
        if kept > SUPPORT_TOTAL_CAP:
            result = _without_supports(result)
        if paths:
            counted = _path_bits(result, counted)
            if counted > PATHS_TOTAL_CAP:
                result = _without_paths(result)
        done[layer.name] = result.axes
        ones[layer.name] = one
        through[layer.name] = result.context_through
        mirrored[layer.name] = mirror
        results.append(result)
        if progress is not None:
            progress(len(results))
    if all(is_concrete(n) for n in sizes) and any(r.context_through for r in results):
        results = _exact_contexts(results)
    return Analysis(network, sizes, tuple(results))


#: the most support bits the results of one analysis hold (every layer keeps its exact
#: support for the rules and pictures); past it, later layers say their support was not
#: computed (a 50,000-layer dilated chain held a gigabyte of bitsets)
SUPPORT_TOTAL_CAP = 1 << 28
#: the most path-count bits the results of one analysis hold (``paths=True``, for
#: pictures); past it, later layers keep their supports without counts (the counts of a
#: 4,000-layer dilated chain grow a bit or more per layer: they held gigabytes)
PATHS_TOTAL_CAP = 1 << 26


def _regions(result: LayerResult) -> Iterator[Region]:
    """The regions of each distinct field of ``result`` (square axes share a field)."""
    seen: set[int] = set()
    for a in result.axes:
        if a.field is not None and id(a.field) not in seen:
            seen.add(id(a.field))
            yield from (r for r in a.field.phases if r is not None)


def _support_bits(result: LayerResult, kept: int) -> int:
    return kept + sum(r.support.bit_length() for r in _regions(result) if r.support is not None)


def _path_bits(result: LayerResult, kept: int) -> int:
    return kept + sum(
        sum(c.bit_length() for c in r.paths) + len(r.paths)
        for r in _regions(result)
        if r.paths is not None
    )


def _without_supports(result: LayerResult) -> LayerResult:
    note = Note(Why.SUPPORTS_OVER_TOTAL, (SUPPORT_TOTAL_CAP,))
    return _stripped(
        result, lambda r: r.support is not None, lambda r: Region(r.start, r.end), note
    )


def _without_paths(result: LayerResult) -> LayerResult:
    return _stripped(
        result, lambda r: r.paths is not None, lambda r: Region(r.start, r.end, r.support)
    )


def _stripped(
    result: LayerResult,
    holds: Callable[[Region], bool],
    kept: Callable[[Region], Region],
    note: Note | None = None,
) -> LayerResult:
    """``result`` with each region that ``holds`` what is dropped rebuilt as ``kept``
    makes it, and the field saying why (``note``) when it says nothing yet."""
    axes = []
    for a in result.axes:
        f = a.field
        if f is not None and any(r is not None and holds(r) for r in f.phases):
            phases = tuple(None if r is None else kept(r) for r in f.phases)
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


def _merge(
    layer: Layer,
    below: list[tuple[AxisResult, ...]],
    ones: list[tuple[bool, ...]],
    inputs: Sequence[Expr],
) -> LayerResult:
    axes: list[AxisResult] = []
    mismatched: dict[int, bool | None] = {}
    broadcast: list[frozenset[int]] = []
    aligned = True
    joins = False  # a broadcast branch joins moving ones: the global context enters here
    for i in range(len(inputs)):
        wide = [b for b in range(len(below)) if not ones[b][i]]
        # a branch of one unit for every input meets a map: PyTorch broadcasts it
        spread = frozenset(
            b for b in range(len(below)) if ones[b][i] and wide and layer.op in BROADCASTING
        )
        broadcast.append(spread)
        parts = [b[i] for b in below]
        moving = [parts[b] for b in range(len(parts)) if b not in spread]
        size = moving[0].size
        # the units whose moving window reads the maps alone (a broadcast branch's
        # padding is the global context's, not the window's)
        windows = [
            p
            for b, p in enumerate(parts)
            if b not in spread and not (p.field is not None and is_broadcast(p.field))
        ]
        interior = common([p.interior for p in windows or moving])
        verdicts = [same(size, p.size) for p in moving[1:]]
        if any(v is False for v in verdicts):
            mismatched[i] = True
        elif any(v is None for v in verdicts):
            mismatched[i] = None
        fields = [p.field for p in parts]
        if any(f is None for f in fields):
            note = next(p.note for p in parts if p.field is None)
            axes.append(AxisResult(size=size, note=note))
            continue
        branch_fields = [
            broadcast_field(f) if b in spread else f for b, f in enumerate(fields) if f is not None
        ]
        aligned = aligned and field_aligned(branch_fields)
        moving_count = sum(1 for f in branch_fields if not is_broadcast(f))
        joins = joins or (0 < moving_count < len(branch_fields))
        try:
            merged = merge(branch_fields, size if is_concrete(size) else None)
        except NotExact as exc:
            axes.append(AxisResult(size=size, note=exc.note))
            continue
        if merged.fixed is not None:  # the global context: the input pixels it holds
            merged = replace(merged, fixed=merged.fixed.clipped(inputs[i]))
        axes.append(_with_field(AxisResult(size=size), merged, interior))
    sizes = tuple(tuple(a.size for a in b) for b in below)
    return LayerResult(
        layer,
        tuple(axes),
        sizes,
        mismatched,
        aligned,
        tuple(broadcast),
        (layer.name,) if joins else (),
    )


#: ops that resample a map to another size: from a map of one unit for every input (a
#: global read), every output unit reads that unit (the importers' broadcast of a pooled
#: branch back to the map)
RESAMPLING = frozenset({Op.UPSAMPLE, Op.RESIZE})
_BROADCAST = Reading(1, 0, lambda _phi: [Taps(0, 1, 1)])

#: merges that broadcast a branch of one unit over a map (``concat`` does not: PyTorch's
#: ``cat`` needs equal sizes)
BROADCASTING = frozenset({Op.ADD, Op.MUL})


def _stays_one(
    layer: Layer,
    axis: int,
    one_below: bool,
    ones: Mapping[str, tuple[bool, ...]],
    done: Mapping[str, tuple[AxisResult, ...]],
) -> bool:
    """The layer's output on ``axis`` is one unit for every input: a global read, or a
    layer that keeps a map that is always one unit at one unit."""
    op = layer.op
    if op == Op.GLOBAL_POOL:
        return True
    if op == Op.ADAPTIVE_POOL:
        return bool(sympy.sympify(layer.param("output_size", axis)) == 1)
    if op == Op.RESIZE:
        if layer.target is not None:
            return ones[layer.target][axis]
        return bool(sympy.sympify(layer.param("output_size", axis)) == 1)
    if not one_below:
        return False

    def size_of(name: str) -> Expr:
        return sympy.Integer(1) if ones[name][axis] else done[name][axis].size

    try:
        size = STEPS[op](layer, axis, sympy.Integer(1), size_of).size
    except (ValueError, ZeroDivisionError, TypeError):
        return False
    return bool(sympy.sympify(size) == 1)


def _with_context(result: LayerResult, through: Mapping[str, tuple[str, ...]]) -> LayerResult:
    """``result`` with its global context: per axis the fixed region of its field (clipped
    to the input where it entered), and the merges it came through (those of its inputs,
    and this layer's own when :func:`_merge` marked a broadcast branch joining here)."""
    axes = []
    for a in result.axes:
        f = a.field
        if f is None or f.fixed is None:
            axes.append(a)
            continue
        axes.append(replace(a, context=(f.fixed.start, f.fixed.end)))
    if all(a.context is None for a in axes):
        return replace(result, context_through=()) if result.context_through else result
    came = [n for name in result.layer.inputs for n in through[name]]
    came += result.context_through
    return replace(result, axes=tuple(axes), context_through=tuple(dict.fromkeys(came)))


def _exact_contexts(results: list[LayerResult]) -> list[LayerResult]:
    """At a concrete input, each layer's global context from the pixels its broadcast
    branches really read (each layer's border rule: a pixel a crop removed and a padding
    put back is no pixel of it), not the padded coordinates of the fields."""
    from .unit import NotConcrete, TooLarge, reached

    by_name = {r.name: r for r in results}
    entries: dict[str, list[tuple[int, int] | None]] = {}
    out = []
    for r in results:
        if r.name in r.context_through and r.name not in entries:
            entries[r.name] = []
            for i in range(len(r.axes)):
                branches = [
                    src
                    for b, src in enumerate(r.layer.inputs)
                    if b in (r.broadcast[i] if r.broadcast else ())
                    or (src in by_name and _global_axis(by_name[src], i))
                ]
                try:
                    pixels = set().union(*(reached(results, src, i, {0}) for src in branches))
                except (TooLarge, NotConcrete):  # a window left open, or too much to walk
                    return results  # as the fields say: clipped to the input
                entries[r.name].append((min(pixels), max(pixels)) if pixels else None)
        if not r.context_through:
            out.append(r)
            continue
        axes = []
        for i, a in enumerate(r.axes):
            spans = [span for m in r.context_through if (span := entries[m][i]) is not None]
            if a.context is None or not spans:
                axes.append(a)
                continue
            axes.append(replace(a, context=(min(s[0] for s in spans), max(s[1] for s in spans))))
        out.append(replace(r, axes=tuple(axes)))
    return out


def _global_axis(r: LayerResult, axis: int) -> bool:
    f = r.axes[axis].field
    return f is not None and is_broadcast(f)


def _with_field(
    axis: AxisResult,
    f: Field,
    interior: Interior | None = None,
    present: frozenset[int] | None = None,
) -> AxisResult:
    """``axis`` with the field ``f`` and what it says (receptive field, jump, padding) of
    its moving window (a fixed region seen through a broadcast branch is the global
    context, stated apart): over every phase of its pattern, or, where the pattern is
    that of the analysed sizes only (:attr:`Field.bounded`, per-unit fields), over the
    phases that interior units of the real map have (``present``, else those of
    ``interior``); with no interior unit at all, over every phase."""
    if f.period > 1 and (f.bounded or f.per_unit):
        if present is None and interior:
            present = phases_of(interior, f.period)
        if present:
            f = replace(f, present=present)
    try:
        rf = f.receptive_field()
        padding = f.effective_padding()
    except NotExact as exc:
        return AxisResult(axis.size, axis.pad_before, axis.pad_after, note=exc.note)
    blind = f.blind()
    if rf is None:
        return AxisResult(
            axis.size,
            axis.pad_before,
            axis.pad_after,
            field=f,
            jump=f.jump,
            note=Note(Why.BLIND),
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
        effective_padding=padding,
        field=f,
        # ranges over the real map's units: stated, with the note that says so
        note=Note(Why.PER_UNIT, f.per_unit) if f.per_unit else None,
        blind_phases=blind,
        interior=interior,
    )


def _one_axis(
    layer: Layer,
    axis: int,
    below: AxisResult,
    done: Mapping[str, tuple[AxisResult, ...]],
    one_below: bool = False,
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
        reading = (
            _BROADCAST
            if one_below and layer.op in RESAMPLING
            else step.read(below.field.period, below.field.advance)
        )
        f = apply(below.field, reading.period, reading.advance, reading.taps, reading.bounded)
    except NotExact as exc:
        return AxisResult(size, pb, pa, note=exc.note)
    interior, present = interior_of(below.interior, size, reading.period, reading.taps)
    return _with_field(base, f, interior, present)
