"""``rfcalc solve``: valid input sizes in closed form and the design questions around
them, as text, JSON or a paste-ready padding snippet."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ..model import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Refused, SpecError
from .args import EmitTarget, SolveFormat, parse_input
from .output import say, spec_error

if TYPE_CHECKING:
    from ..answers import SolveReport


def solve(
    spec: Annotated[str, typer.Argument(help="A spec file.", show_default=False)],
    output: Annotated[
        int | None, typer.Option("--output", help="Input sizes that give this output size.")
    ] = None,
    layer: Annotated[
        str | None, typer.Option("--layer", help="With --output: this layer (default: last).")
    ] = None,
    size: Annotated[
        str | None,
        typer.Option("--size", help="A concrete input (500x500): nearest valid sizes, padding."),
    ] = None,
    roundtrip: Annotated[
        bool,
        typer.Option("--roundtrip", help="output_padding that returns the input size."),
    ] = False,
    drops: Annotated[
        bool,
        typer.Option(
            "--drops/--no-drops", help="Count dropped trailing pixels as invalid (default)."
        ),
    ] = True,
    rf: Annotated[
        int | None,
        typer.Option(
            "--rf", help="Smallest symbols: values (or --repeat count) reaching this field."
        ),
    ] = None,
    repeat: Annotated[
        str | None,
        typer.Option(
            "--repeat",
            "--layers",
            help="With --rf: how many repetitions of this item (layer or block) are needed.",
        ),
    ] = None,
    fmt: Annotated[
        SolveFormat, typer.Option("--format", "-f", help="text, or json (schema 1).")
    ] = SolveFormat.text,
    emit_target: Annotated[
        EmitTarget | None,
        typer.Option(
            "--emit",
            help="Print a snippet padding inputs to valid sizes: torch, monai, "
            "albumentations, mmseg, detectron2.",
        ),
    ] = None,
) -> int:
    """Valid input sizes in closed form, and the design questions around them."""
    from ..design import SolveRequest
    from ..design import solve as answer
    from ..render.design_text import solve_text
    from ..sources import open_source

    size_asked = None if size is None else tuple(parse_input(size))
    ask = SolveRequest(drops, size_asked, output, layer, rf, repeat, roundtrip)
    try:
        report = answer(open_source(spec), ask)
    except SpecError as exc:
        spec_error(exc)
        return EXIT_FINDINGS
    except Refused as exc:  # DesignError among them: the question does not fit
        say(f"rfcalc: {exc}")
        return EXIT_USAGE
    if emit_target is not None:
        return _emit(report, emit_target, spec)
    if fmt is SolveFormat.json:
        from ..render.design_json import solve_document

        sys.stdout.write(json.dumps(solve_document(report), indent=2) + "\n")
    else:
        sys.stdout.write(solve_text(report))
    return report.exit_code


def _emit(report: SolveReport, target: EmitTarget, spec: str) -> int:
    from ..render.emit import CannotEmit, emit

    try:
        sys.stdout.write(emit(report, target.value))
    except CannotEmit as exc:
        say(f"{spec}: --emit {target.value}: {exc}")
        return EXIT_USAGE
    return EXIT_OK
