"""``rfcalc import``: a reviewable spec of an ONNX model or a PyTorch module."""

from __future__ import annotations

from typing import Annotated

import typer

from ..model import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, SpecError
from .args import parse_input, parse_torch_shape
from .output import refuse_output, say, spec_error, write_output


def import_model(
    model: Annotated[
        str | None, typer.Argument(help="An ONNX model (.onnx).", show_default=False)
    ] = None,
    torch_factory: Annotated[
        str | None,
        typer.Option(
            "--torch",
            help="A PyTorch model instead: package.module:factory (a module, or a class or "
            "function that makes one); needs --input N x C x spatial.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the spec here (default: stdout).")
    ] = None,
    input_size: Annotated[
        str | None,
        typer.Option(
            "--input",
            "-i",
            help="ONNX: the spatial input, 224x224 or HxW (default: the model's). "
            "--torch: the example input's shape, 1x3x224x224.",
        ),
    ] = None,
    fixed: Annotated[
        bool,
        typer.Option("--fixed", help="--torch: keep the example's sizes (default: symbols H, W)."),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) on an op rfcalc cannot express.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --output file if it exists.")
    ] = False,
) -> int:
    """Write a reviewable spec of a model: one layer per node, folded nodes listed."""
    from ..imports.write import spec_text

    if (model is None) == (torch_factory is None):
        say("give an ONNX model or --torch package.module:factory (one of them)")
        return EXIT_USAGE
    if refuse_output("--output", output, [model] if model else [], keep=not force):
        return EXIT_USAGE
    try:
        if torch_factory is not None:
            from ..imports import read_torch_factory

            shape = parse_torch_shape(input_size)
            imported = read_torch_factory(torch_factory, shape, not fixed, strict)
        else:
            from ..imports import read_onnx

            size = None if input_size is None else parse_input(input_size)
            imported = read_onnx(str(model), size, strict)
    except SpecError as exc:
        spec_error(exc)
        return EXIT_FINDINGS
    text = spec_text(imported, torch_factory or str(model))
    write_output("-" if output is None else output, text)
    return EXIT_OK
