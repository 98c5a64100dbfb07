"""``analyze --erf``: the exact uniform-weight ERF of each layer's central unit, as a table."""

from __future__ import annotations

from fractions import Fraction

from rich.table import Table
from rich.text import Text

from ..engine import Analysis
from ..engine.erf import SHARES, THRESHOLDS, Erf
from ..wording import ERF_REASONS
from .values import per_axis


def _percent(x: Fraction) -> str:
    return f"{float(x) * 100:.1f}%"


def erf_table(result: Analysis, erfs: dict[str, Erf | str], title: str) -> Table:
    ndim = len(result.input_size)
    table = Table(title=title, header_style="bold", title_justify="left")
    table.add_column("layer", overflow="fold")
    table.add_column("unit")
    for share in (SHARES[0], SHARES[2], SHARES[3]):
        table.add_column(f"ERF {float(share) * 100:.0f}%", justify="right")
    table.add_column("std", justify="right")
    table.add_column("95%/RF", justify="right")
    if ndim > 1:
        for t in THRESHOLDS:
            table.add_column(f">{float(t) * 100:.0f}% max", justify="right")
    for r in result.layers:
        erf = erfs.get(r.name)
        if erf is None:
            continue
        if isinstance(erf, str):
            span = 6 + (len(THRESHOLDS) if ndim > 1 else 0)
            table.add_row(r.name, Text(ERF_REASONS[erf], style="dim"), *([""] * (span - 1)))
            continue
        cells = [r.name, ",".join(map(str, erf.unit))]
        for k in (0, 2, 3):
            cells.append(per_axis([str(a.widths[k]) for a in erf.axes], "×"))
        cells.append(per_axis([f"{float(a.std):.1f}" for a in erf.axes], "×"))
        ratios = ["" if a.ratio95 is None else _percent(a.ratio95) for a in erf.axes]
        cells.append(per_axis(ratios, "×"))
        if ndim > 1:
            cells += [_percent(v) for v in erf.areas]
        table.add_row(*cells)
    return table
