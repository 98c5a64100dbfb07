"""``analyze --erf``: the exact uniform-weight ERF of each layer's central unit, as a table.

Laid out for the width it is printed at, as the ``analyze`` table is: every column at its
natural width when that fits; else layer names broken at separators; else one line per
axis; else a block of lines per layer.  A number is never cut."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.text import Text

from ..engine import Analysis
from ..engine.erf import SHARES, THRESHOLDS, Erf
from ..wording import ERF_REASONS
from .grid import Grid
from .table import fit_columns, wrap_at_separators
from .values import per_axis, root_float

#: the shares of the paths whose widths the table shows (of :data:`SHARES`)
_SHOWN = (0, 2, 3)


def _percent(x: Fraction) -> str:
    return f"{float(x) * 100:.1f}%"


def erf_table(result: Analysis, erfs: dict[str, Erf | str], title: str) -> RenderableType:
    """The table of every layer's ERF, and under it why a layer has none."""
    return _ErfLayout(result, erfs, title)


class _ErfLayout:
    def __init__(self, result: Analysis, erfs: dict[str, Erf | str], title: str) -> None:
        self.title = title
        self.ndim = len(result.input_size)
        self.headers = ["layer", "unit"]
        self.headers += [f"ERF {float(SHARES[k]) * 100:.0f}%" for k in _SHOWN]
        self.headers += ["std", "95%/RF"]
        self.area_headers = (
            [f">{float(t) * 100:.0f}% max" for t in THRESHOLDS] if self.ndim > 1 else []
        )
        #: per layer with an ERF: its name, per axis the cells, and the areas
        self.rows: list[tuple[str, list[list[str]], list[str]]] = []
        self.reasons: list[tuple[str, str]] = []
        for r in result.layers:
            erf = erfs.get(r.name)
            if erf is None:
                continue
            if isinstance(erf, str):
                self.reasons.append((r.name, ERF_REASONS[erf]))
                continue
            axes = [
                [
                    str(u),
                    *(str(a.widths[k]) for k in _SHOWN),
                    f"{root_float(a.variance):.1f}",
                    "" if a.ratio95 is None else _percent(a.ratio95),
                ]
                for u, a in zip(erf.unit, erf.axes, strict=True)
            ]
            self.rows.append((r.name, axes, [_percent(v) for v in erf.areas]))

    def _joined(self, axes: list[list[str]], k: int) -> str:
        sep = "," if k == 0 else "×"
        values = [a[k] for a in axes]
        return sep.join(values) if k == 0 else per_axis(values, sep)

    def _body(self, per_axis_lines: bool, areas: bool) -> tuple[list[str], list[list[str]]]:
        headers = list(self.headers)
        if per_axis_lines:
            headers.insert(1, "axis")
        shown = self.area_headers if areas else []
        headers += shown
        body = []
        for name, axes, values in self.rows:
            tail = values if shown else []
            if not per_axis_lines:
                body.append([name, *(self._joined(axes, k) for k in range(6)), *tail])
                continue
            for i, cells in enumerate(axes):
                lead = [name if i == 0 else "", "HWD"[i]]
                body.append([*lead, *cells, *(tail if i == 0 else [""] * len(tail))])
        return headers, body

    def _areas_table(self, width: int) -> RenderableType:
        """The areas above shares of the largest count, in a table of their own."""
        headers = ["layer", *self.area_headers]
        body = [[name, *values] for name, _, values in self.rows]
        widths = fit_columns(headers, body, ["layer"], width)
        if widths is None:
            return Text(
                "\n".join(
                    f"{name}: "
                    + ", ".join(f"{h} {v}" for h, v in zip(self.area_headers, values, strict=True))
                    for name, _, values in self.rows
                )
            )
        return self._rich(headers, body, widths, "")

    def _table(self, width: int, per_axis_lines: bool, areas: bool) -> Grid | None:
        headers, body = self._body(per_axis_lines, areas)
        widths = fit_columns(headers, body, ["layer"], width)
        if widths is None:
            return None
        return self._rich(headers, body, widths, self.title)

    def _rich(
        self, headers: list[str], body: list[list[str]], widths: list[int], title: str
    ) -> Grid:
        right = [h not in ("layer", "axis", "unit") for h in headers]
        table = Grid(headers, widths, right, title=title or None)
        for cells in body:
            table.add_row([wrap_at_separators(cells[0], widths[0]), *cells[1:]])
        return table

    def _records(self, width: int) -> Iterator[Text]:
        """The last resort: a layer per block of lines, every value in full."""
        yield Text(self.title)
        labels = ["unit", *self.headers[2:]]
        for name, axes, areas in self.rows:
            yield Text(wrap_at_separators(name, width), style="bold")
            for k, label in enumerate(labels):
                yield Text(f"  {label}: {self._joined(axes, k)}")
            for label, value in zip(self.area_headers, areas, strict=True):
                yield Text(f"  {label}: {value}")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        attempts = [(False, True), (True, True), (False, False), (True, False)]
        for per_axis_lines, areas in attempts if self.ndim > 1 else [(False, True)]:
            table = self._table(width, per_axis_lines, areas)
            if table is not None:
                yield table
                if not areas:  # the areas under it, in a table of their own
                    yield self._areas_table(width)
                break
        else:
            yield from self._records(width)
        for name, reason in self.reasons:
            yield Text(f"{name}: {reason}", style="dim")
