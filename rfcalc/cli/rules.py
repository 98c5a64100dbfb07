"""``rfcalc rules``: the lint rules listed, or one documented."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..model import EXIT_OK, EXIT_USAGE
from .output import console, say


def rules(
    rule: Annotated[
        str | None, typer.Argument(help="A rule id or name: print its documentation.")
    ] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="The rule table as Markdown (README).")
    ] = False,
) -> int:
    """List the lint rules, or document one."""
    from ..render.findings import rules_markdown
    from ..render.findings_rich import rules_table
    from ..rules import RULES

    if markdown:
        sys.stdout.write(rules_markdown())
        return EXIT_OK
    if rule is None:
        console().print(rules_table())
        return EXIT_OK
    found = [r for r in RULES if rule in (r.id, r.name)]
    if not found:
        say(f"rfcalc: {rule!r} is no rule id or name (see rfcalc rules)")
        return EXIT_USAGE
    r = found[0]
    sys.stdout.write(f"{r.id} {r.name} ({r.severity})\n\n{r.doc.strip()}\n")
    return EXIT_OK
