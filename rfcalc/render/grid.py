"""A table drawn line by line: what ``rich.table.Table`` draws for rfcalc's tables, at a
small fraction of its cost.

rfcalc lays its tables out itself (``table.fit_columns``: every column a fixed width,
every cell already broken into lines that fit), so rich's measuring, wrapping and
per-cell rendering buy nothing, and they cost about half a millisecond a row: the
table of a 50,000-layer network took most of a minute.  :class:`Grid` draws the same
characters in the same styles (``tests/render/test_grid.py`` holds it equal to rich's
``Table`` with ``box.HEAVY_HEAD``, ``no_wrap`` columns of fixed widths, a bold header,
row styles and sections, character by character and style by style), one segment a
cell line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text


@dataclass
class _Row:
    cells: list[list[str]]  # per column, its lines
    style: str | None
    end_section: bool = False


@dataclass
class Grid:
    """A table with ``headers`` over columns of ``widths`` (the text of each, without
    its one space of padding either side); ``right``: the columns justified right;
    ``title`` above it, justified left (wrapped at the table's width as rich does)."""

    headers: Sequence[str]
    widths: Sequence[int]
    right: Sequence[bool]
    title: str | None = None
    header_style: str = "bold"
    rows: list[_Row] = field(default_factory=list)

    def add_row(self, cells: Sequence[str], style: str | None = None) -> None:
        self.rows.append(_Row([c.split("\n") for c in cells], style))

    def add_section(self) -> None:
        """A rule under the last row added (none under the header or the last row)."""
        if self.rows:
            self.rows[-1].end_section = True

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = [w + 2 for w in self.widths]  # one space of padding either side
        table_width = sum(widths) + len(widths) + 1
        if self.title:
            title_options = options.update(
                width=table_width, highlight=False, height=None, justify="left"
            )
            yield from console.render(Text(self.title), title_options)
        drawn = box.HEAVY_HEAD.substitute(options, safe=console.safe_box)
        new_line = Segment.line()
        yield Segment(drawn.get_top(widths))
        yield new_line
        header = _Row([h.split("\n") for h in self.headers], None)
        yield from self._lines(
            header,
            console.get_style(self.header_style),
            drawn.head_left,
            drawn.head_vertical,
            drawn.head_right,
            "bottom",
        )
        yield Segment(drawn.get_row(widths, "head"))
        yield new_line
        rule = drawn.get_row(widths, "row")
        last = len(self.rows) - 1
        for i, row in enumerate(self.rows):
            edges = (
                (drawn.foot_left, drawn.foot_vertical, drawn.foot_right)
                if i == last
                else (drawn.mid_left, drawn.mid_vertical, drawn.mid_right)
            )
            style = console.get_style(row.style) if row.style else Style.null()
            yield from self._lines(row, style, *edges, "top")
            if row.end_section and i != last:
                yield Segment(rule)
                yield new_line
        yield Segment(drawn.get_bottom(widths))
        yield new_line

    def _lines(
        self,
        row: _Row,
        style: Style,
        left: str,
        divider: str,
        right: str,
        vertical: str,
    ) -> RenderResult:
        """One row's lines: every cell justified in its width, padded, in ``style``;
        a cell shorter than the row blank below its text (above it in the header)."""
        height = max(len(lines) for lines in row.cells)
        cells = []
        for lines, width, to_right in zip(row.cells, self.widths, self.right, strict=True):
            shown = [_justify(line, width, to_right) for line in lines]
            blank = [" " * (width + 2)] * (height - len(shown))
            cells.append(blank + shown if vertical == "bottom" else shown + blank)
        for k in range(height):
            if not style:  # borders and cells alike unstyled: the line is one segment
                yield Segment(left + divider.join(lines[k] for lines in cells) + right + "\n")
                continue
            yield Segment(left)
            for c, lines in enumerate(cells):
                if c:
                    yield Segment(divider)
                yield Segment(lines[k], style)
            yield Segment(right)
            yield Segment.line()


def _justify(line: str, width: int, to_right: bool) -> str:
    """``line`` in ``width`` cells as rich justifies a no-wrap cell (cut with an
    ellipsis when longer), with the cell's space either side."""
    if "\t" in line or cell_len(line) > width:
        text = Text(line)
        text.expand_tabs()
        if to_right:
            text.rstrip()
        text.truncate(width, overflow="ellipsis", pad=not to_right)
        line = text.plain
    elif to_right:
        line = line.rstrip()
    size = cell_len(line)
    if to_right:
        return " " + " " * (width - size) + line + " "
    return " " + line + " " * (width - size) + " "
