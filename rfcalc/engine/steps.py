"""One small function per op: its output size, its padding, and what one unit reads.

A layer's step on one axis is a :class:`Step`: the output size and padding (sympy
expressions, exact for symbolic inputs), and ``read``, which, given the field below
(its period ``Q`` and advance ``A``), says how output unit ``phi`` reads the units
below as arithmetic progressions (:class:`~.field.Taps`) in a :class:`Reading`.
:data:`STEPS` maps every op to its function; a new op adds one function and one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from math import ceil, gcd

import sympy

from ..model import Expr, Layer, Op, Padding
from . import shapes
from .field import Taps
from .notes import NotExact, Quantity, Why
from .sizes import ceil_div, floor_div, is_concrete
from .torch_index import map_indices

#: output size of another layer on this axis (``resize: to:``, ``crop: to:``)
SizeOf = Callable[[str], Expr]


@dataclass(frozen=True)
class Reading:
    """How a layer's units read the layer below: unit ``phi + t*period`` reads the taps
    of unit ``phi`` (``0 <= phi < period``) moved by ``t*advance`` input pixels."""

    period: int
    advance: Expr
    taps: Callable[[int], Sequence[Taps]]
    #: the pattern is that of maps of these concrete sizes only (an adaptive pool, a
    #: resampling by the ratio of two sizes): its phases beyond the real map are on paper
    bounded: bool = False


@dataclass(frozen=True)
class Step:
    """One layer on one axis."""

    size: Expr
    pad_before: Expr = sympy.S.Zero
    pad_after: Expr = sympy.S.Zero
    #: ``read(Q, A)``: the reading over a field below of period Q and advance A; None
    #: when each unit reads the unit below it (the field passes through)
    read: Callable[[int, Expr], Reading] | None = None


def _num(x: Expr) -> Expr:
    return sympy.sympify(x)


def _padding(layer: Layer, axis: int) -> Padding:
    return layer.padding[axis] if layer.padding else Padding()


def window(layer: Layer, axis: int, n: Expr, size_of: SizeOf) -> Step:
    """conv, max_pool, avg_pool: a window of ``k`` taps ``d`` apart every ``s`` units."""
    k, s, d = (_num(v) for v in layer.window(axis))
    ke = shapes.effective_kernel(k, d)
    pad = _padding(layer, axis)
    pb, pa = shapes.resolve_padding(pad, n, ke, s)
    if pad.mode in ("same", "same_lower"):
        size = ceil_div(n, s)  # the definition of same; equal to the window formula
    else:
        size = shapes.window_output(n, ke, s, pb, pa, layer.ceil_mode and layer.op != Op.CONV)
    return Step(size, pb, pa, lambda q, a: forward(q, a, k, s, d, pb))


def conv_transpose(layer: Layer, axis: int, n: Expr, size_of: SizeOf) -> Step:
    k, s, d = (_num(v) for v in layer.window(axis))
    opad = _num(layer.param("output_padding", axis))
    ke = shapes.effective_kernel(k, d)
    pad = _padding(layer, axis)
    if pad.mode == "same":
        pb, pa = shapes.transposed_same_padding(ke, s, opad)
    elif pad.mode in (None, "valid"):
        pb, pa = _num(pad.before), _num(pad.after)
    else:  # the reader refuses other modes; keep the engine total anyway
        pb = pa = sympy.Integer(0)
    size = shapes.transposed_output(n, ke, s, pb, pa, opad)
    return Step(size, pb, pa, lambda q, a: transposed(q, a, k, s, d, pb))


def upsample(layer: Layer, axis: int, n: Expr, size_of: SizeOf) -> Step:
    """upsample by a scale (``floor(n * scale)`` units) and pixel_shuffle (every unit
    below becomes ``f`` units)."""
    f = _num(layer.param("scale", axis))
    if layer.op == Op.PIXEL_SHUFFLE:
        return Step(sympy.expand(n * f), read=lambda q, a: scaled(q, a, f, Interp()))
    size = sympy.expand(n * f) if f.is_Integer else floor_div(n * f.p, f.q)
    scale = None if layer.recompute_scale_factor else f
    how = Interp(layer.mode, layer.align_corners, scale, len(layer.scale))
    return Step(size, read=lambda q, a: resample(q, a, n, size, how))


def pixel_unshuffle(layer: Layer, axis: int, n: Expr, size_of: SizeOf) -> Step:
    r = _num(layer.param("scale", axis))
    return Step(floor_div(n, r), read=lambda q, a: forward(q, a, r, r, 1, 0))


def global_pool(layer: Layer, axis: int, n: Expr, size_of: SizeOf) -> Step:
    return Step(sympy.Integer(1), read=lambda q, a: adaptive(q, a, n, 1))


def adaptive_pool(layer: Layer, axis: int, n: Expr, size_of: SizeOf) -> Step:
    out = _num(layer.param("output_size", axis))
    return Step(out, read=lambda q, a: adaptive(q, a, n, out))


def resize(layer: Layer, axis: int, n: Expr, size_of: SizeOf) -> Step:
    """Interpolate to another layer's size (``to:``) or to a fixed ``size:``."""
    target = size_of(layer.target) if layer.target else _num(layer.param("output_size", axis))
    how = Interp(layer.mode, layer.align_corners)  # by sizes: the kernels agree
    return Step(target, read=lambda q, a: resample(q, a, n, target, how))


def pad(layer: Layer, axis: int, n: Expr, size_of: SizeOf) -> Step:
    p = _padding(layer, axis)
    pb, pa = _num(p.before), _num(p.after)
    return Step(sympy.expand(n + pb + pa), pb, pa, lambda q, a: shift(q, a, -pb))


def crop(layer: Layer, axis: int, n: Expr, size_of: SizeOf) -> Step:
    if layer.target is not None:  # centred on the target's size, the extra pixel after
        total = sympy.expand(n - size_of(layer.target))
        pb = floor_div(total, 2)
        pa = sympy.expand(total - pb)
    else:
        p = _padding(layer, axis)
        pb, pa = _num(p.before), _num(p.after)
    return Step(sympy.expand(n - pb - pa), pb, pa, lambda q, a: shift(q, a, pb))


def identity(layer: Layer, axis: int, n: Expr, size_of: SizeOf) -> Step:
    return Step(n)


#: every op that is not a merge, to its step (merges unite their branches' fields)
STEPS: Mapping[Op, Callable[[Layer, int, Expr, SizeOf], Step]] = {
    Op.CONV: window,
    Op.MAX_POOL: window,
    Op.AVG_POOL: window,
    Op.CONV_TRANSPOSE: conv_transpose,
    Op.UPSAMPLE: upsample,
    Op.PIXEL_SHUFFLE: upsample,
    Op.PIXEL_UNSHUFFLE: pixel_unshuffle,
    Op.GLOBAL_POOL: global_pool,
    Op.ADAPTIVE_POOL: adaptive_pool,
    Op.RESIZE: resize,
    Op.PAD: pad,
    Op.CROP: crop,
    Op.IDENTITY: identity,
}


# -- readings: unit phi of the layer reads these taps below ---------------------------


def _c(x: Expr) -> Expr:
    """A plain int when concrete (the fast path), else the sympy value."""
    if type(x) is int:
        return x
    x = sympy.sympify(x)
    return int(x) if x.is_Integer else x


def _need_int(x: Expr, what: Quantity) -> int:
    x = sympy.sympify(x)
    if not x.is_Integer:
        raise NotExact(Why.NEEDS_NUMBER, x, quantity=what)
    return int(x)


def forward(q: int, a: Expr, k: Expr, s: Expr, d: Expr, pb: Expr) -> Reading:
    """conv / pool: unit ``u`` reads ``u*s - pb + m*d`` for ``m < k``."""
    k, s, d, pb = _c(k), _c(s), _c(d), _c(pb)
    if q == 1:
        advance = a * s if type(a) is int and type(s) is int else _c(sympy.expand(a * s))
        return Reading(1, advance, lambda phi: [Taps(phi * s - pb, d, k)])
    si = _need_int(s, Quantity.STRIDE_AFTER_UPSAMPLING)
    di = _need_int(d, Quantity.DILATION)
    period = q // gcd(q, si)
    return Reading(period, _c(a * period * si // q), lambda phi: [Taps(phi * si - pb, di, k)])


def transposed(q: int, a: Expr, k: Expr, s: Expr, d: Expr, pb: Expr) -> Reading:
    """Transposed conv: unit ``o`` reads ``i`` wherever ``o = i*s - pb + m*d``, ``m < k``."""
    k = _need_int(k, Quantity.TCONV_KERNEL)
    s = _need_int(s, Quantity.TCONV_STRIDE)
    d = _need_int(d, Quantity.TCONV_DILATION)
    pb = _need_int(pb, Quantity.TCONV_PADDING)
    g = gcd(d, s)
    sg, dg = s // g, d // g

    def taps(phi: int) -> list[Taps]:
        m0, count = phase_taps(k, s, d, pb, phi)
        if not count:
            return []
        m_last = m0 + (count - 1) * sg
        return [Taps((phi + pb - m_last * d) // s, dg, count)]

    return Reading(q * s, a, taps)


def phase_taps(k: int, s: int, d: int, pb: int, phi: int) -> tuple[int, int]:
    """The kernel taps ``m < k`` of a transposed conv that land on output phase ``phi``
    (``m*d ≡ phi + pb (mod s)``): the first and how many (every ``s/gcd(d, s)``-th tap
    from it), in closed form (kernels reach 2^24)."""
    g = gcd(d, s)
    x = phi + pb
    if x % g:
        return 0, 0
    q = s // g
    m0 = ((x // g) * pow(d // g, -1, q)) % q if q > 1 else 0
    return (m0, 0) if m0 >= k else (m0, (k - 1 - m0) // q + 1)


@dataclass(frozen=True)
class Interp:
    """How a resampling layer reads: its mode (as written), ``align_corners``, and the
    scale factor the source index divides by (None: the sizes' ratio, as PyTorch does
    for ``size=`` and for ``recompute_scale_factor=True``)."""

    mode: str = "nearest"
    align_corners: bool = False
    scale: Expr | None = None
    #: the spatial axes of the tensor (PyTorch's nearest kernels differ in 2-D)
    ndim: int = 2

    @property
    def kind(self) -> str:
        """nearest, nearest-exact, linear (linear, bilinear, trilinear) or cubic."""
        return _KINDS.get(self.mode, self.mode)


_KINDS = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}


def scaled(q: int, a: Expr, f: Expr, how: Interp) -> Reading:
    """Upsampling by a whole factor ``f`` with the source index ``(u + 1/2)/f - 1/2``
    (or ``u/f`` for nearest): exact for a symbolic input too."""
    fi = _need_int(f, Quantity.UPSAMPLE_FACTOR)
    if how.kind in ("nearest", "nearest-exact"):  # (u + 1/2)/f is never whole: one rule
        return Reading(q * fi, a, lambda phi: [Taps(phi // fi, 1, 1)])
    return Reading(q * fi, a, lambda phi: _weighed_at(2 * phi + 1 - fi, 2 * fi, how))


def _weighed(src: Fraction, how: Interp) -> list[Taps]:
    """The units a linear (2 neighbours) or cubic (4) interpolation at ``src`` weighs,
    before any clamp at the borders; one unit when ``src`` is whole (the others weigh 0)."""
    return _weighed_at(src.numerator, src.denominator, how)


def _weighed_at(num: int, den: int, how: Interp) -> list[Taps]:
    """:func:`_weighed` at ``num / den`` (``den > 0``), in integers: a resize asks it for
    every phase, thousands at a large input."""
    lo, rest = divmod(num, den)
    if not rest:
        return [Taps(lo, 1, 1)]
    if how.kind == "cubic":
        return [Taps(lo - 1, 1, 4)]
    return [Taps(lo, 1, 2)]


def adaptive(q: int, a: Expr, n: Expr, out: Expr) -> Reading:
    """PyTorch adaptive pooling: unit ``o`` reads ``floor(o*n/out) .. ceil((o+1)*n/out) - 1``."""
    out = _need_int(out, Quantity.ADAPTIVE_OUTPUT)
    nn = sympy.sympify(n)
    if out == 1:
        if q == 1:
            advance = _c(sympy.expand(a * nn))
        else:
            ni = _need_int(n, Quantity.GLOBAL_INPUT_AFTER_UPSAMPLING)
            if ni % q:
                raise NotExact(Why.PARTIAL_PERIODS)
            advance = _c(a * ni // q)
        return Reading(1, advance, lambda phi: [Taps(phi * _c(nn), 1, _c(nn))], bounded=True)
    ni = _need_int(n, Quantity.ADAPTIVE_INPUT)
    if ni % out == 0:
        return replace(forward(q, a, ni // out, ni // out, 1, 0), bounded=True)

    def window(b: int) -> list[Taps]:
        lo = (b * ni) // out
        return [Taps(lo, 1, ceil(Fraction((b + 1) * ni, out)) - lo)]

    return _periodic(q, a, ni, out, window, bounded=True)


def resample(q: int, a: Expr, n: Expr, m: Expr, how: Interp) -> Reading:
    """Interpolate from ``n`` to ``m`` units as PyTorch's ``F.interpolate`` does.

    The source coordinate of output unit ``u`` is ``s*(u + 1/2) - 1/2`` (linear, cubic;
    ``s*u`` with ``align_corners``), ``floor(s*u)`` (nearest) or ``floor(s*(u + 1/2))``
    (nearest-exact), with ``s`` the inverse scale factor, or ``n/m``, or ``(n-1)/(m-1)``
    with ``align_corners``.  With ``s = p_in/p_out`` the pattern repeats every ``p_out``
    units, ``p_in`` units further.  The nearest modes compute the index in single
    precision: emulated exactly, and where that breaks the pattern, one phase per unit.
    """
    for size, why in ((n, Why.EMPTY_INPUT), (m, Why.EMPTY_OUTPUT)):
        if is_concrete(size) and int(size) < 1:
            raise NotExact(why)
    if how.kind == "linear" and sympy.sympify(n) == sympy.sympify(m):
        return shift(q, a, 0)  # PyTorch copies a map to its own size, whatever the scale
    if how.align_corners:
        ni = _need_int(n, Quantity.ALIGN_CORNERS_SIZE)
        mi = _need_int(m, Quantity.ALIGN_CORNERS_SIZE)
        s = Fraction(ni - 1, mi - 1) if mi > 1 else Fraction(0)
        return _periodic(
            q, a, s.numerator, s.denominator, lambda u: _weighed(s * u, how), bounded=True
        )
    inverse = (1 / sympy.sympify(how.scale)) if how.scale is not None else sympy.sympify(n) / m
    inverse = sympy.simplify(inverse)
    if how.kind in ("nearest", "nearest-exact"):
        if (1 / inverse).is_Integer:  # a whole factor: the single-precision index agrees
            return scaled(q, a, 1 / inverse, how)
        ni = _need_int(n, Quantity.RESIZE_INPUT)
        mi = _need_int(m, Quantity.RESIZE_OUTPUT)
        scale = None if how.scale is None else Fraction(str(how.scale))
        exact = how.kind == "nearest-exact"
        index = map_indices(ni, mi, scale, exact, how.ndim)
        s = _rational(inverse)
        p_in, p_out, bounded = s.numerator, s.denominator, how.scale is None
        # the pattern holds over the map (single precision can break it), else the
        # map is one period and the pattern beyond it is on paper only
        if p_out > mi or any(index[u + p_out] != index[u] + p_in for u in range(mi - p_out)):
            p_in, p_out, bounded = ni, mi, True
        return _periodic(
            q, a, p_in, p_out, lambda u: [Taps(index[u], 1, 1)], bounded=bounded, lazy=True
        )
    if not inverse.is_Rational:
        _need_int(n, Quantity.RESIZE_INPUT)  # the ratio of sizes needs numbers
        _need_int(m, Quantity.RESIZE_OUTPUT)
    s = _rational(inverse)
    if (1 / s).denominator == 1:
        return scaled(q, a, int(1 / s), how)
    p, r = s.numerator, s.denominator  # s*(u + 1/2) - 1/2 = (p*(2u + 1) - r) / 2r
    return _periodic(
        q,
        a,
        s.numerator,
        s.denominator,
        lambda u: _weighed_at(p * (2 * u + 1) - r, 2 * r, how),
        bounded=how.scale is None,
    )


def _rational(x: Expr) -> Fraction:
    x = sympy.sympify(x)
    if not x.is_Rational:
        raise NotExact(Why.NEEDS_NUMBER, x, quantity=Quantity.RESIZE_INPUT)
    return Fraction(int(x.p), int(x.q))


def _periodic(
    q: int,
    a: Expr,
    p_in: int,
    p_out: int,
    taps_of: Callable[[int], list[Taps]],
    m: int | None = None,
    n: int | None = None,
    bounded: bool = False,
    lazy: bool = False,
) -> Reading:
    """The reading of a layer whose unit ``u + p_out`` reads the taps of unit ``u`` moved
    by ``p_in`` units below (a resampling by ``p_in/p_out``, an adaptive pool), over a
    field below of period ``q`` and advance ``a``.  ``taps_of`` may be a table over a map
    of ``m`` units from ``n``: then the pattern is checked over the map, and where it does
    not hold the map is one period (the pattern beyond it is on paper only), and the
    reading is ``bounded`` (as it is when the ratio is one of concrete sizes).
    ``lazy``: ``taps_of`` is a cheap lookup, called per phase rather than tabled (a
    period can be a million units)."""
    if m is not None and n is not None:
        holds = all(
            taps_of(u + p_out) == [Taps(t.first + p_in, t.step, t.count) for t in taps_of(u)]
            for u in range(m - p_out)
        )
        if not holds or p_out > m:
            p_out, p_in, bounded = m, n, True
    of = taps_of if lazy else [taps_of(b) for b in range(p_out)].__getitem__
    c = q // gcd(p_in, q) if p_in else 1

    def taps(phi: int) -> list[Taps]:
        t, b = divmod(phi, p_out)
        return [Taps(x.first + t * p_in, x.step, x.count) for x in of(b)]

    return Reading(p_out * c, _c(a * p_in * c // q), taps, bounded)


def shift(q: int, a: Expr, by: Expr) -> Reading:
    """pad and crop: unit ``u`` reads unit ``u + by`` below."""
    by = _c(by)
    if q == 1:
        return Reading(1, a, lambda phi: [Taps(phi + by, 1, 1)])
    bi = _need_int(by, Quantity.PAD_AFTER_UPSAMPLING)
    return Reading(q, a, lambda phi: [Taps(phi + bi, 1, 1)])
