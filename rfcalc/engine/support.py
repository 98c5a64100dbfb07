"""Exact input supports: bitsets, path counts, holes, the worst phase.

A 1-D support is a Python int used as a bitset (bit ``i``: input offset ``i`` reaches
the unit) or, where path counts are kept, a tuple of counts (how many paths reach
offset ``i``: the gradient with all weights 1; 0 is a hole).  The field code builds
them layer by layer with :func:`spread` and :func:`spread_paths`; the HDC checks, the
gridding rule and the pictures read them here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..model import Expr

if TYPE_CHECKING:  # the field code builds supports with the functions here
    from .field import Field, Region


def count(bits: int) -> int:
    """Offsets that reach the unit."""
    return bits.bit_count()


def span(bits: int) -> int:
    """The extent: from the first offset that reaches the unit to the last."""
    return bits.bit_length()


def holes(bits: int, first: int | None = None) -> list[int]:
    """Offsets inside the extent that never reach the unit (the ``first`` few only:
    a support of 2^24 offsets has millions of holes, and a message names six)."""
    if first is None:
        if not bits:
            return []  # an empty support has no extent, so no holes
        digits = bin(bits)[:1:-1]  # bit i at index i: one pass, not a shift per bit
        return [i for i, c in enumerate(digits) if c == "0"]
    missing = ~bits & ((1 << bits.bit_length()) - 1)
    found: list[int] = []
    while missing and len(found) < first:
        lowest = missing & -missing
        found.append(lowest.bit_length() - 1)
        missing ^= lowest
    return found


def hole_count(bits: int) -> int:
    """How many offsets inside the extent never reach the unit."""
    return bits.bit_length() - bits.bit_count()


def counts_from_bits(bits: int) -> list[int]:
    """1 where the bitset has an offset, 0 in the holes."""
    return [1 if c == "1" else 0 for c in bin(bits)[:1:-1]] if bits else []


def spread(bits: int, spacing: int, times: int) -> int:
    """OR of ``bits`` shifted by ``0, spacing, ..., (times-1)*spacing``, by doubling."""
    out, block, have = 0, bits, 1
    shift = 0
    remaining = times
    while remaining:
        if remaining & 1:
            out |= block << shift
            shift += have * spacing
        remaining >>= 1
        if remaining:
            block |= block << (have * spacing)
            have *= 2
    return out


def spread_paths(paths: Sequence[int], spacing: int, times: int) -> tuple[int, ...]:
    """Path counts through ``times`` taps ``spacing`` apart: a sum of shifted copies."""
    out = [0] * (len(paths) + spacing * (times - 1))
    for m in range(times):
        offset = m * spacing
        for i, c in enumerate(paths):
            if c:
                out[offset + i] += c
    return tuple(out)


def dilated_support(kernel: int, rates: Sequence[int]) -> int:
    """The exact support of one unit of stacked stride-1 convs with this kernel and
    these dilation rates: each layer spreads the support below over its taps."""
    bits = 1
    for r in rates:
        bits = spread(bits, r, kernel)
    return bits


def dilated_paths(kernel: int, rates: Sequence[int]) -> tuple[int, ...]:
    """Path counts of the same stack (all weights 1): exact integer convolution."""
    paths: tuple[int, ...] = (1,)
    for r in rates:
        paths = spread_paths(paths, r, kernel)
    return paths


def reads_every_pixel(f: Field | None) -> bool:
    """The units together read every input pixel away from the borders: the pixels their
    exact supports hold meet every residue modulo the field's advance (False when that
    is not known: a support not computed, a symbolic advance, per-unit fields)."""
    if f is None or f.per_unit or not getattr(f.advance, "is_Integer", isinstance(f.advance, int)):
        return False
    advance = int(f.advance)
    if advance <= 0:
        return False
    residues: set[int] = set()
    for _, r in f.seen():
        if r.support is None or not getattr(r.start, "is_Integer", isinstance(r.start, int)):
            return False
        bits, i = r.support, 0
        while bits and len(residues) < advance:
            if bits & 1:
                residues.add((int(r.start) + i) % advance)
            bits >>= 1
            i += 1
    return len(residues) == advance


def worst_phase(f: Field) -> tuple[int, Region] | None:
    """The phase whose exact support has the most holes (then the widest), with its
    region: the one that shows a pattern best.  None: no phase has an exact support."""
    seen = [(p, r) for p, r in f.seen() if r.support is not None]
    if not seen:
        return None
    return max(seen, key=lambda pr: (_holes_in(pr[1]), pr[1].extent))


def _holes_in(r: Region) -> Expr:
    assert r.support is not None
    return r.extent - count(r.support)


def offset_counts(paths: Sequence[int] | None, bits: int) -> list[int]:
    """Per offset, the paths that reach the unit where they were counted, else 1 where
    the support ``bits`` reaches it (0: a hole)."""
    return list(paths) if paths is not None else counts_from_bits(bits)


def region_counts(r: Region) -> list[int]:
    """:func:`offset_counts` of a region's support."""
    return offset_counts(r.paths, r.support or 0)
