"""Push a :class:`~rfcalc.model.Network` through the engine, layer by layer, axis by axis."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property, partial
from math import ceil, floor, gcd
from typing import Any

import sympy

from ..model import INPUT, Layer, Network, Padding
from . import shapes
from .field import Field, NotExact, Region, Taps, apply, merge
from .field import aligned as field_aligned
from .printing import short
from .sizes import ceil_div, floor_div, is_concrete, same
from .torch_index import torch_nearest

Expr = Any
#: units of a map as sorted, disjoint, inclusive ranges
Interior = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class AxisResult:
    """One axis of one layer's output."""

    size: Expr
    #: padding before / after as resolved for this input (explicit amounts or a mode)
    pad_before: Expr = 0
    pad_after: Expr = 0
    receptive_field: Expr | None = None
    #: smallest receptive field over the phases that see input, when phases differ
    receptive_field_min: Expr | None = None
    jump: Expr | None = None
    effective_padding: Expr | None = None
    field: Field | None = None
    #: why the receptive field is not stated, when it is not
    note: str | None = None
    #: phases of the output (out of ``field.period``) that see no input pixel at all
    blind_phases: int = 0
    #: the units computed from the maps alone (no padding, no unit beyond a map on the
    #: way), as sorted disjoint ranges ``(lo, hi)``, for a concrete input; None when the
    #: sizes are symbolic
    interior: Interior | None = None


@dataclass(frozen=True)
class LayerResult:
    layer: Layer
    axes: tuple[AxisResult, ...]
    #: output sizes of each input, per axis (for merges and the linter)
    input_sizes: tuple[tuple[Expr, ...], ...] = ()
    #: axes on which the branches of a merge differ (True) or may differ (None)
    mismatched_axes: Mapping[int, bool | None] = field(default_factory=dict)
    #: False when a merge joins branches of different jump (Distill's misalignment)
    aligned: bool = True

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def output_size(self) -> tuple[Expr, ...]:
        return tuple(a.size for a in self.axes)


@dataclass(frozen=True)
class Analysis:
    network: Network
    input_size: tuple[Expr, ...]
    layers: tuple[LayerResult, ...]

    @cached_property
    def _by_name(self) -> dict[str, LayerResult]:
        return {r.name: r for r in self.layers}

    def __getitem__(self, name: str) -> LayerResult:
        return self._by_name[name]

    @property
    def symbols(self) -> tuple[Any, ...]:
        found: set[Any] = set()
        for s in self.input_size:
            found |= sympy.sympify(s).free_symbols
        return tuple(sorted(found, key=str))


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
        if layer.op in ("add", "concat"):
            result = _merge(layer, below, ndim)
        else:
            axes_list: list[AxisResult] = []
            for i in range(ndim):
                if (
                    i
                    and _same_params(layer, i)
                    and layer.target is None
                    and _same_input(below[0], i)
                ):
                    axes_list.append(axes_list[0])  # square input, square layer: no new work
                elif i in mirror:
                    axes_list.append(_rename(axes_list[0], renames[i]))
                else:
                    axes_list.append(_one_axis(layer, i, below[0][i], done))
            axes = tuple(axes_list)
            result = LayerResult(layer, axes, tuple(tuple(a.size for a in b) for b in below))
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
    note = f"the network's exact supports exceed {SUPPORT_TOTAL_CAP} bits in all"
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

    def text(self, note: str | None) -> str | None:
        """A note with the symbol renamed where it stands as a word."""
        if note is None:
            return None
        return re.sub(rf"\b{re.escape(str(self.old))}\b", str(self.new), note)

    def _walk(self, x: Any) -> Any:
        if x == self.old:
            return self.new
        if not x.args:
            return x
        args = [self(a) for a in x.args]
        if isinstance(x, (sympy.Mod, sympy.floor, sympy.ceiling)):
            return x.func(*args, evaluate=False)
        return x.func(*args)


def _rename(a: AxisResult, r: _Renamer) -> AxisResult:
    """``a`` with one input symbol renamed (every value is a number or a sympy expression)."""

    f = a.field
    if f is not None:
        phases = tuple(
            None if p is None else Region(r(p.start), r(p.end), p.support, p.paths)
            for p in f.phases
        )
        fixed = f.fixed
        if fixed is not None:
            fixed = Region(r(fixed.start), r(fixed.end), fixed.support, fixed.paths)
        f = replace(f, advance=r(f.advance), phases=phases, fixed=fixed)
    return AxisResult(
        r(a.size),
        r(a.pad_before),
        r(a.pad_after),
        r(a.receptive_field),
        r(a.receptive_field_min),
        r(a.jump),
        r(a.effective_padding),
        f,
        r.text(a.note),
        a.blind_phases,
        a.interior,
    )


_PER_AXIS = ("kernel", "stride", "dilation", "padding", "output_padding", "scale", "output_size")


def _same_params(layer: Layer, axis: int) -> bool:
    """The layer's parameters on ``axis`` are those of axis 0."""
    for key in _PER_AXIS:
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
        interior = _common_interior([p.interior for p in parts])
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
            merged = merge(branch_fields)
        except NotExact as exc:
            axes.append(AxisResult(size=parts[0].size, note=str(exc)))
            continue
        axes.append(_with_field(AxisResult(size=parts[0].size), merged, interior))
    sizes = tuple(tuple(a.size for a in b) for b in below)
    return LayerResult(layer, tuple(axes), sizes, mismatched, aligned)


def _common_interior(parts: Sequence[Interior | None]) -> Interior | None:
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


def _phases_of(interior: Interior, period: int) -> frozenset[int]:
    """The phases (units mod ``period``) that interior units have."""
    found: set[int] = set()
    for lo, hi in interior:
        if hi - lo + 1 >= period:
            return frozenset(range(period))
        found |= {u % period for u in range(lo, hi + 1)}
    return frozenset(found)


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
            present = _phases_of(interior, f.period)
        if present:
            f = replace(f, present=present)
    rf = f.receptive_field()
    blind = f.blind()
    note = None
    if rf is None:
        note = "no output unit sees any input pixel"
    elif f.fixed is not None:
        fixed = f.fixed
        note = (
            "no single receptive field: every unit sees a fixed region of "
            f"{short(sympy.expand(fixed.end - fixed.start + 1))} input pixels "
            f"({short(fixed.start)} to {short(fixed.end)}) through a pooled, broadcast "
            f"branch, plus a window of {short(rf[0])} that moves {short(f.jump)} per unit"
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
        blind_phases=blind,
        interior=interior,
    )


def _param(values: tuple[Expr, ...], axis: int, default: Expr) -> Expr:
    if not values:
        return sympy.sympify(default)
    return sympy.sympify(values[axis])


def _one_axis(
    layer: Layer, axis: int, below: AxisResult, done: Mapping[str, tuple[AxisResult, ...]]
) -> AxisResult:
    n = below.size
    op = layer.op
    pb: Expr = sympy.Integer(0)
    pa: Expr = sympy.Integer(0)
    make: Any = None  # (period, advance, taps) for field.apply, or a Field-producing function
    Q = below.field.period if below.field is not None else 1
    A = below.field.advance if below.field is not None else 1

    if op in ("conv", "max_pool", "avg_pool"):
        k, s, d = (sympy.sympify(v) for v in layer.window(axis))  # a pool strides by its kernel
        ke = shapes.effective_kernel(k, d)
        pad = layer.padding[axis] if layer.padding else Padding(before=0, after=0)
        pb, pa = shapes.resolve_padding(pad, n, ke, s)
        if pad.mode in ("same", "same_lower"):
            size = ceil_div(n, s)  # the definition of same; equal to the window formula
        else:
            size = shapes.window_output(n, ke, s, pb, pa, layer.ceil_mode and op != "conv")
        make = partial(_forward, Q, A, k, s, d, pb)
    elif op == "conv_transpose":
        k, s, d = (sympy.sympify(v) for v in layer.window(axis))
        opad = _param(layer.output_padding, axis, 0)
        ke = shapes.effective_kernel(k, d)
        pad = layer.padding[axis] if layer.padding else Padding(before=0, after=0)
        if pad.mode == "same":
            pb, pa = shapes.transposed_same_padding(ke, s, opad)
        elif pad.mode in (None, "valid"):
            pb, pa = sympy.sympify(pad.before), sympy.sympify(pad.after)
        else:  # the reader refuses other modes; keep the engine total anyway
            pb = pa = sympy.Integer(0)
        size = shapes.transposed_output(n, ke, s, pb, pa, opad)
        make = partial(_transposed, Q, A, k, s, d, pb)
    elif op in ("upsample", "pixel_shuffle"):
        f = _param(layer.scale, axis, 2)
        size = sympy.expand(n * f)
        make = partial(_upsample, Q, A, f, layer.mode if op == "upsample" else "nearest")
    elif op == "pixel_unshuffle":
        r = _param(layer.scale, axis, 2)
        size = floor_div(n, r)
        make = partial(_forward, Q, A, r, r, 1, 0)
    elif op == "global_pool":
        size = sympy.Integer(1)
        make = partial(_adaptive, Q, A, n, 1)
    elif op == "adaptive_pool":
        out = _param(layer.output_size, axis, 1)
        size = out
        make = partial(_adaptive, Q, A, n, out)
    elif op == "resize":
        target = done[layer.target or ""][axis].size if layer.target else n
        size = target
        make = partial(_resize, Q, A, n, target, layer.mode)
    elif op == "pad":
        pad = layer.padding[axis] if layer.padding else Padding()
        pb, pa = sympy.sympify(pad.before), sympy.sympify(pad.after)
        size = sympy.expand(n + pb + pa)
        make = partial(_shift, Q, A, -pb)
    elif op == "crop":
        if layer.target is not None:
            total = sympy.expand(n - done[layer.target][axis].size)
            pb = floor_div(total, 2)
            pa = sympy.expand(total - pb)
        else:
            pad = layer.padding[axis] if layer.padding else Padding()
            pb, pa = sympy.sympify(pad.before), sympy.sympify(pad.after)
        size = sympy.expand(n - pb - pa)
        make = partial(_shift, Q, A, pb)
    else:  # identity
        size = n
        make = None

    base = AxisResult(size=size, pad_before=pb, pad_after=pa)
    if below.field is None:
        return AxisResult(size, pb, pa, note=below.note)
    if op in ("resize", "adaptive_pool", "global_pool") and is_concrete(n) and int(n) < 1:
        return AxisResult(size, pb, pa, note="it reads an empty map")
    if make is None:
        return _with_field(base, below.field, below.interior)
    try:
        period, advance, taps = make()
        f = apply(below.field, period, advance, taps)
    except NotExact as exc:
        return AxisResult(size, pb, pa, note=str(exc))
    interior, present = _interior(below.interior, size, period, taps)
    return _with_field(base, f, interior, present)


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
            raise NotExact("symbolic taps")
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


def _interior(
    below: Interior | None, size: Expr, period: int, taps: Any
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
        if m > EXACT_UNITS:
            widest = max(below, key=lambda r: r[1] - r[0])
            return _interior_by_phase(widest, m, period, taps)
        inside = [_reads_inside(below, taps(u)) for u in range(m)]
    except NotExact:
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


def _interior_by_phase(
    below: tuple[int, int], m: int, period: int, taps: Any
) -> tuple[Interior | None, frozenset[int] | None]:
    """:func:`_interior` with one range below, in closed form per phase: unit
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


def _c(x: Expr) -> Expr:
    """A plain int when concrete (the fast path), else the sympy value."""
    x = sympy.sympify(x)
    return int(x) if x.is_Integer else x


def _need_int(x: Expr, what: str) -> int:
    x = sympy.sympify(x)
    if not x.is_Integer:
        raise NotExact(f"{what} must be a number here, not {x}")
    return int(x)


def _forward(Q: int, A: Expr, k: Expr, s: Expr, d: Expr, pb: Expr) -> Any:
    """conv / pool: unit ``u`` reads ``u*s - pb + m*d`` for ``m < k``."""
    k, s, d, pb = _c(k), _c(s), _c(d), _c(pb)
    if Q == 1:
        return 1, _c(sympy.expand(A * s)), lambda phi: [Taps(phi * s - pb, d, k)]
    si = _need_int(s, "the stride after an upsampling")
    period = Q // gcd(Q, si)
    return (
        period,
        _c(A * period * si // Q),
        lambda phi: [Taps(phi * si - pb, _need_int(d, "dilation"), k)],
    )


def _transposed(Q: int, A: Expr, k: Expr, s: Expr, d: Expr, pb: Expr) -> Any:
    """Transposed conv: unit ``o`` reads ``i`` wherever ``o = i*s - pb + m*d``, ``m < k``."""
    k = _need_int(k, "the kernel of a transposed conv")
    s = _need_int(s, "the stride of a transposed conv")
    d = _need_int(d, "the dilation of a transposed conv")
    pb = _need_int(pb, "the padding of a transposed conv")
    g = gcd(d, s)
    sg, dg = s // g, d // g
    inv = pow(dg, -1, sg) if sg > 1 else 0

    def taps(phi: int) -> list[Taps]:
        x = phi + pb
        if x % g:
            return []
        m0 = ((x // g) * inv) % sg if sg > 1 else 0
        if m0 >= k:
            return []
        count = (k - 1 - m0) // sg + 1
        m_last = m0 + (count - 1) * sg
        return [Taps((x - m_last * d) // s, dg, count)]

    return Q * s, A, taps


def _upsample(Q: int, A: Expr, f: Expr, mode: str) -> Any:
    fi = _need_int(f, "an upsampling factor")
    if mode == "nearest":
        return Q * fi, A, lambda phi: [Taps(phi // fi, 1, 1)]

    def taps(phi: int) -> list[Taps]:
        # align_corners=False: src = (phi + 1/2)/f - 1/2; interior units (no clamping)
        src = Fraction(2 * phi + 1 - fi, 2 * fi)
        lo = floor(src)
        return [Taps(lo, 1, 1 if src == lo else 2)]

    return Q * fi, A, taps


def _adaptive(Q: int, A: Expr, n: Expr, out: Expr) -> Any:
    """PyTorch adaptive pooling: unit ``o`` reads ``floor(o*n/out) .. ceil((o+1)*n/out) - 1``."""
    out = _need_int(out, "an adaptive pool's output size")
    nn = sympy.sympify(n)
    if out == 1:
        return (
            1,
            _c(sympy.expand(A * nn)) if Q == 1 else _adv(A, nn, Q),
            lambda phi: [Taps(phi * _c(nn), 1, _c(nn))],
        )
    ni = _need_int(n, "the input of an adaptive pool")
    if ni % out == 0:
        return _forward(Q, A, ni // out, ni // out, 1, 0)
    c = Q // gcd(ni, Q)

    def taps(phi: int) -> list[Taps]:
        t, b = divmod(phi, out)
        lo = (b * ni) // out
        hi = ceil(Fraction((b + 1) * ni, out))
        return [Taps(lo + t * ni, 1, hi - lo)]

    return out * c, _c(A * ni * c // Q), taps


def _adv(A: Expr, n: Expr, Q: int) -> Expr:
    ni = _need_int(n, "the input of a global pool after an upsampling")
    return (
        _c(A * ni // Q) if (ni % Q == 0) else _raise("the global pool's input is not whole periods")
    )


def _raise(msg: str) -> Any:
    raise NotExact(msg)


def _resize(Q: int, A: Expr, n: Expr, m: Expr, mode: str) -> Any:
    """Interpolate from ``n`` to ``m`` units (PyTorch ``size=``, align_corners=False)."""
    if sympy.sympify(n) == 1:
        # one unit (after global or adaptive pooling to 1) broadcast: every output unit
        # reads it, whatever the output size
        return 1, 0, lambda phi: [Taps(0, 1, 1)]
    ratio = sympy.simplify(sympy.sympify(m) / n)
    if ratio.is_Integer:
        return _upsample(Q, A, ratio, mode)
    ni = _need_int(n, "a resize's input size when the scale is not a whole number")
    mi = _need_int(m, "a resize's output size when the scale is not a whole number")
    g = gcd(ni, mi)
    p_out, p_in = mi // g, ni // g
    nearest = [(b * ni) // mi for b in range(p_out)]
    if mode == "nearest":
        as_torch = torch_nearest(ni, mi)
        if any(as_torch[b] != nearest[b % p_out] + (b // p_out) * p_in for b in range(mi)):
            # PyTorch's float arithmetic breaks the exact pattern: one phase per unit
            p_out, p_in, nearest = mi, ni, as_torch
    c = Q // gcd(p_in, Q)

    def taps(phi: int) -> list[Taps]:
        t, b = divmod(phi, p_out)
        if mode == "nearest":
            return [Taps(nearest[b] + t * p_in, 1, 1)]
        src = Fraction((2 * b + 1) * ni - mi, 2 * mi)
        lo = floor(src)
        return [Taps(lo + t * p_in, 1, 1 if src == lo else 2)]

    return p_out * c, _c(A * p_in * c // Q), taps


def _shift(Q: int, A: Expr, by: Expr) -> Any:
    by = _c(by)
    if Q == 1:
        return 1, A, lambda phi: [Taps(phi + by, 1, 1)]
    bi = _need_int(by, "a padding after an upsampling")
    return Q, A, lambda phi: [Taps(phi + bi, 1, 1)]
