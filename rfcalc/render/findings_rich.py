"""Findings for a terminal: grouped by file, coloured by severity, pictures shown."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from ..lint import FileResult
from ..model import Severity, visible
from .findings import detail

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def findings_view(results: Sequence[FileResult], summary: bool = True) -> RenderableType:
    """The findings, then (``summary``) how many specs were checked and found what."""
    parts: list[RenderableType] = []
    counts = dict.fromkeys(Severity, 0)
    for r in results:
        if r.crashed:
            parts.append(Text(visible(f"{r.path}: internal error: {r.crashed}"), style="bold red"))
        for f in r.findings:
            counts[f.severity] += 1
            line = Text()
            line.append(visible(f"{f.loc}"), style="bold")
            line.append(": ")
            line.append(f"{f.rule} {f.severity}", style=_STYLE[f.severity])
            line.append(": ")
            line.append(visible(f.message))
            line.append(f" [{f.name}]", style="dim")
            parts.append(line)
            if f.support:
                parts.append(
                    Text("\n".join("    " + x for x in detail(f).splitlines()), style="dim")
                )
    if summary:
        checked = sum(1 for r in results if not r.skipped)
        tally = ", ".join(f"{counts[s]} {s}" for s in sorted(Severity, reverse=True))
        parts.append(Text(f"{checked} spec(s) checked: {tally}", style="bold"))
    return Group(*parts)


def rules_table() -> RenderableType:
    """``rfcalc rules``: every rule's id, name, severity and what it catches."""
    from rich.table import Table

    from ..rules import RULES

    table = Table(header_style="bold")
    for column in ("id", "name", "severity", "what it catches"):
        table.add_column(column)
    for r in RULES:
        table.add_row(r.id, r.name, str(r.severity), Text(r.summary))
    return table
