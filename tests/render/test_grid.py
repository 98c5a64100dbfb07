"""``render.grid.Grid`` draws what rich's ``Table`` draws for rfcalc's tables (fixed
widths, no wrapping, a bold header, row styles, sections, a title), character by
character and style by style, on generated tables and consoles."""

from __future__ import annotations

import io
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import ColorSystem
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rfcalc.render.grid import Grid

WORDS = ["conv", "a.b.c", "224", "-1", "H//2 + 1", "×3", "→7", "floor(H/4)", "all", "中文", ""]
STYLES = [None, None, None, "dim", "bold red", "yellow", "italic on blue"]


class _File(io.StringIO):
    """A file in an encoding (``ascii``: rich draws the box in ASCII)."""

    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


def _drawn(renderable: object, console: Console) -> list[tuple[str, str]]:
    """Every character drawn, with the escape codes of its style."""
    out = []
    for segment in console.render(renderable, console.options):
        codes = segment.style._make_ansi_codes(ColorSystem.TRUECOLOR) if segment.style else ""
        out += [(ch, codes) for ch in segment.text]
    return out


def _cell(rng: random.Random, width: int) -> str:
    lines = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 3)))
        if rng.random() < 0.1:
            line += "  "
        if rng.random() < 0.05:
            line += "\tx"
        lines.append(line if rng.random() < 0.9 else line * 5)  # sometimes too long: cut
    return "\n".join(lines)


@settings(max_examples=150, deadline=None)
@given(rng=st.randoms(use_true_random=False))
def test_a_grid_draws_what_rich_draws(rng: random.Random) -> None:
    ncols = rng.randint(1, 6)
    headers = [rng.choice(["layer", "op", "RF", "eff. pad", "jump", "x"]) for _ in range(ncols)]
    widths = [max(len(h), rng.randint(1, 14)) for h in headers]
    right = [rng.random() < 0.5 for _ in headers]
    title = rng.choice([None, "rfcalc analyze: net", "a title " * rng.randint(1, 12)])
    grid = Grid(headers, widths, right, title=title)
    table = Table(title=Text(title) if title else None, title_justify="left", header_style="bold")
    for h, w, r in zip(headers, widths, right, strict=True):
        table.add_column(h, justify="right" if r else "left", no_wrap=True, width=w)
    for _ in range(rng.randint(0, 8)):
        cells = [_cell(rng, w) for w in widths]
        style = rng.choice(STYLES)
        grid.add_row(cells, style=style)
        table.add_row(*map(Text, cells), style=style)
        if rng.random() < 0.2:
            grid.add_section()
            table.add_section()
    slack = rng.randint(0, 30)
    width = sum(widths) + 3 * len(widths) + 1 + slack
    for colour, encoding in (("truecolor", "utf-8"), (None, "utf-8"), ("standard", "ascii")):
        console = Console(
            file=_File(encoding),
            width=width,
            color_system=colour,  # type: ignore[arg-type]
            force_terminal=colour is not None,
            legacy_windows=False,
        )
        assert _drawn(grid, console) == _drawn(table, console), (colour, encoding)


def test_a_grid_is_a_table_on_screen() -> None:
    grid = Grid(["layer", "RF"], [5, 3], [False, True], title="t")
    grid.add_row(["a", "3"])
    grid.add_row(["total", "7\n9"], style="dim")
    console = Console(file=io.StringIO(), width=40, color_system=None)
    console.print(grid)
    assert console.file.getvalue() == (  # type: ignore[attr-defined]
        "t              \n"  # the title is as wide as the table, as rich draws it
        "┏━━━━━━━┳━━━━━┓\n"
        "┃ layer ┃  RF ┃\n"
        "┡━━━━━━━╇━━━━━┩\n"
        "│ a     │   3 │\n"
        "│ total │   7 │\n"
        "│       │   9 │\n"
        "└───────┴─────┘\n"
    )
