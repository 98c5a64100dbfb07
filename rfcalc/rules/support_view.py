"""Exact-support helpers shared by the gridding rules: hole counts and small pictures."""

from __future__ import annotations

from collections.abc import Sequence

FULL, HOLE = "█", "·"
MAX_COLS, MAX_ROWS = 48, 16


def count(bits: int) -> int:
    return bin(bits).count("1")


def span(bits: int) -> int:
    return bits.bit_length()


def holes(bits: int) -> list[int]:
    """Offsets inside the extent that never reach the unit."""
    digits = bin(bits)[:1:-1]  # bit i at index i: one pass, not a shift per bit
    return [i for i, c in enumerate(digits) if c == "0"]


def row(bits: int, limit: int = MAX_COLS) -> str:
    n = span(bits)
    text = "".join(FULL if bits >> i & 1 else HOLE for i in range(min(n, limit)))
    return text + ("…" if n > limit else "")


def _blank(bits: int) -> str:
    n = span(bits)
    return HOLE * min(n, MAX_COLS) + ("…" if n > MAX_COLS else "")


def picture(axes: Sequence[int]) -> str:
    """The support as text: one row for 1-D, the outer product for 2-D (first two axes)."""
    if len(axes) == 1:
        return row(axes[0])
    rows, cols = axes[0], axes[1]
    lines = []
    for i in range(min(span(rows), MAX_ROWS)):
        lines.append(row(cols) if rows >> i & 1 else _blank(cols))
    if span(rows) > MAX_ROWS:
        lines.append("⋮")
    return "\n".join(lines)
