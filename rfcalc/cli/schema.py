"""``rfcalc schema``: the JSON Schema of the spec format or of a JSON output."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..model import EXIT_OK
from .args import SchemaName


def schema(
    name: Annotated[
        SchemaName,
        typer.Argument(help="spec (the spec format), or a JSON output: analyze, check, solve."),
    ] = SchemaName.spec,
) -> int:
    """Print a JSON Schema: the spec format's (for editors), or an output format's."""
    from importlib import resources

    text = (resources.files("rfcalc") / "schema" / f"{name.value}.schema.json").read_text(
        encoding="utf-8"
    )
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK
