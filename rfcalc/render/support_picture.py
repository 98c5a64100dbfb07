"""Pictures of an output unit's exact input support: holes, and how many paths reach
each pixel (as shades).  Pure functions: counts in, text or SVG out.

A 1-D support is a list of path counts per input offset (0 = a hole); a 2-D one is the
outer product of the per-axis lists (exact for chains, where every layer's window is
a rectangle; for merged branches it is the product of the per-axis projections).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ..wording import plural

HOLE = "·"
SHADES = "░▒▓█"
#: the largest picture drawn in a terminal; larger supports are cropped around the centre
MAX_COLS, MAX_ROWS = 64, 32
#: the largest SVG drawn (pixels per side), cropped around the centre likewise
MAX_SVG = 128


def _shade(count: int, top: int) -> str:
    if count == 0:
        return HOLE
    if top <= 1:
        return SHADES[-1]
    level = (count - 1) * len(SHADES) // top
    return SHADES[min(level, len(SHADES) - 1)]


def _crop(values: Sequence[int], limit: int, anchor: str = "centre") -> tuple[list[int], int]:
    """At most ``limit`` values: around the centre, or from the start; and how many
    were skipped before them."""
    if len(values) <= limit:
        return list(values), 0
    start = (len(values) - limit) // 2 if anchor == "centre" else 0
    return list(values[start : start + limit]), start


def text_picture(
    axes: Sequence[Sequence[int]],
    anchor: str = "centre",
    max_cols: int = MAX_COLS,
    max_rows: int = MAX_ROWS,
) -> str:
    """Rows of shades: ``█`` most paths, ``░`` fewest, ``·`` a hole; 1-D is one row.

    A support larger than ``max_cols`` x ``max_rows`` is cropped: around its centre
    (``anchor="centre"``, the unit's own neighbourhood, with a note of the crop), or from
    its first offset (``anchor="start"``, so that offsets in a message count from the
    picture's left edge; ``…`` and ``⋮`` mark what was left out)."""
    if len(axes) == 1:
        cols, _ = _crop(axes[0], max_cols, anchor)
        top = max(cols, default=0)
        row = "".join(_shade(c, top) for c in cols)
        cut = len(cols) < len(axes[0])
        if anchor == "start":
            return row + ("…" if cut else "")
        return ("…" if cut else "") + row + ("…" if cut else "")
    rows, _ = _crop(axes[0], max_rows, anchor)
    cols, _ = _crop(axes[1], max_cols, anchor)
    grid = [[r * c for c in cols] for r in rows]
    return _grid_text(grid, (len(axes[0]), len(axes[1])), anchor)


def grid_picture(
    grid: Sequence[Sequence[int]], max_cols: int = MAX_COLS, max_rows: int = MAX_ROWS
) -> str:
    """Like :func:`text_picture`, for a support that is no product of per-axis lists: a
    grid of path counts, rows of columns (one unit's support, borders included)."""
    rows = _crop(range(len(grid)), max_rows)[0]
    cols = _crop(range(len(grid[0]) if grid else 0), max_cols)[0]
    cropped = [[grid[i][j] for j in cols] for i in rows]
    return _grid_text(cropped, (len(grid), len(grid[0]) if grid else 0), "centre")


def _grid_text(grid: list[list[int]], full: tuple[int, int], anchor: str) -> str:
    """A cropped grid's shades, and what was left out of the ``full`` one."""
    top = max((c for row in grid for c in row), default=0)
    lines = ["".join(_shade(c, top) for c in row) for row in grid]
    rows_cut = len(grid) < full[0]
    cols_cut = bool(grid) and len(grid[0]) < full[1]
    if anchor == "start":
        lines = [line + ("…" if cols_cut else "") for line in lines]
        if rows_cut:
            lines.append("⋮")
    elif rows_cut or cols_cut:
        width = len(grid[0]) if grid else 0
        lines.append(f"(centre {len(grid)}x{width} of {full[0]}x{full[1]})")
    return "\n".join(lines)


def summary(axes: Sequence[Sequence[int]]) -> str:
    """``15 x 15 receptive field, 4 holes per row ...``, for under the picture."""
    parts = []
    for values in axes:
        holes = sum(1 for v in values if v == 0)
        parts.append(f"{len(values)} wide, {plural(holes, 'hole')}")
    top = 1
    for values in axes:
        top *= max(values, default=0)
    reach = "reaches" if top == 1 else "reach"
    return "; ".join(parts) + f"; at most {plural(top, 'path')} {reach} one pixel"


def svg(axes: Sequence[Sequence[int]], title: str = "", cell: int = 12) -> str:
    """A standalone SVG: one square per input pixel, darker for more paths, holes
    outlined; a legend below.  No external resources, text escaped."""
    full_rows = list(axes[0]) if len(axes) > 1 else [1]
    full_cols = list(axes[1] if len(axes) > 1 else axes[0])
    rows, _ = _crop(full_rows, MAX_SVG)
    cols, _ = _crop(full_cols, MAX_SVG)
    grid = [[r * c for c in cols] for r in rows]
    top = max(full_rows) * max(full_cols) if full_rows and full_cols else 1
    if len(rows) < len(full_rows) or len(cols) < len(full_cols):
        # a 4000 x 4000 support would be a 1.6 GB file
        if len(axes) > 1:
            title += f" (centre {len(rows)}x{len(cols)} of {len(full_rows)}x{len(full_cols)})"
        else:
            title += f" (centre {len(cols)} of {len(full_cols)})"
    return _svg(grid, title, top or 1, cell)


def svg_grid(grid: Sequence[Sequence[int]], title: str = "", cell: int = 12) -> str:
    """:func:`svg` of a grid of path counts (rows of columns)."""
    rows = _crop(range(len(grid)), MAX_SVG)[0]
    cols = _crop(range(len(grid[0]) if grid else 0), MAX_SVG)[0]
    cropped = [[grid[i][j] for j in cols] for i in rows]
    top = max((c for row in grid for c in row), default=1)
    if len(rows) < len(grid) or (grid and len(cols) < len(grid[0])):
        title += f" (centre {len(rows)}x{len(cols)} of {len(grid)}x{len(grid[0])})"
    return _svg(cropped, title, top or 1, cell)


def _svg(grid: list[list[int]], title: str, top: int, cell: int) -> str:
    rows = len(grid)
    cols = len(grid[0]) if grid else 0
    width = max(cols * cell + 2 * cell, 260)
    height = rows * cell + 4 * cell + 24
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="{cell}" y="14">{escape(title)}</text>',
    ]
    y0 = 24
    for i, row in enumerate(grid):
        for j, n in enumerate(row):
            x, y = cell + j * cell, y0 + i * cell
            if n == 0:
                out.append(
                    f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                    'fill="#ffffff" stroke="#d04040" stroke-width="1"/>'
                )
            else:
                opacity = 0.25 + 0.75 * n / top
                out.append(
                    f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                    f'fill="#1f4e9a" fill-opacity="{opacity:.3f}"><title>{n} paths</title></rect>'
                )
    ly = y0 + rows * cell + cell
    out.append(
        f'<rect x="{cell}" y="{ly}" width="{cell - 1}" height="{cell - 1}" fill="#ffffff" '
        'stroke="#d04040"/>'
        f'<text x="{2 * cell + 4}" y="{ly + cell - 2}">hole: never reaches the unit</text>'
    )
    out.append(
        f'<rect x="{cell}" y="{ly + cell + 4}" width="{cell - 1}" height="{cell - 1}" '
        f'fill="#1f4e9a"/><text x="{2 * cell + 4}" y="{ly + 2 * cell + 2}">'
        f"darker: more paths (at most {top})</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"
