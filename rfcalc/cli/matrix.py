"""``rfcalc matrix``: a convolution as its sparse matrix, and its product, exactly."""

from __future__ import annotations

import itertools
import sys
from typing import Annotated, Any

import typer

from ..model import EXIT_OK, EXIT_USAGE
from .args import TableFormat, parse_array, parse_input
from .output import say


def matrix(
    input_size: Annotated[
        str | None, typer.Option("--input", "-i", help="Input size, e.g. 4x4 (default 4x4).")
    ] = None,
    kernel: Annotated[int | None, typer.Option("--kernel", "-k", help="Default 3.")] = None,
    stride: Annotated[int, typer.Option("--stride", "-s")] = 1,
    padding: Annotated[int, typer.Option("--padding", "-p")] = 0,
    dilation: Annotated[int, typer.Option("--dilation", "-d")] = 1,
    transposed: Annotated[
        bool, typer.Option("--transposed", help="Print C^T: the transposed convolution.")
    ] = False,
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights",
            help="The kernel's values ('0 1; 2 3' or '[[0,1],[2,3]]'; integers, 1/2, 0.5): "
            "sets the kernel size and prints the product.",
        ),
    ] = None,
    values: Annotated[
        str | None,
        typer.Option("--values", help="The input's values, likewise: sets the input size."),
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
) -> int:
    """The convolution as its sparse matrix C (y = C x), or C^T for the transposed conv;
    with --weights and --values, also the product, exactly."""
    from ..engine.convmatrix import layer_matrix
    from ..render.matrix_text import matrix_json, matrix_text

    try:
        w_shape, w_flat = parse_array(weights, "--weights") if weights else ((), [])
        v_shape, v_flat = parse_array(values, "--values") if values else ((), [])
        sizes, ks = _geometry(input_size, kernel, weights, w_shape, values, v_shape)
        concrete = all(isinstance(v, int) for v in sizes)
        if not concrete or min(*ks, stride, dilation) < 1 or padding < 0:
            raise ValueError("matrix needs a concrete --input, and kernel, stride, dilation >= 1")
        m = layer_matrix([int(v) for v in sizes], ks, stride, padding, dilation, transposed)
        result = _product(m, w_shape, w_flat, v_flat) if weights or values else None
    except ValueError as exc:
        say(f"rfcalc: {exc}")
        return EXIT_USAGE
    shown = matrix_json(m, result) if fmt is TableFormat.json else matrix_text(m, result)
    sys.stdout.write(shown)
    return EXIT_OK


def _geometry(
    input_size: str | None,
    kernel: int | None,
    weights: str | None,
    w_shape: tuple[int, ...],
    values: str | None,
    v_shape: tuple[int, ...],
) -> tuple[list[Any], list[int]]:
    """The input sizes and kernel sizes, from the options or from the arrays given."""
    sizes = list(v_shape) if values else parse_input(input_size or "4x4")
    clash = (values and input_size and parse_input(input_size) != sizes) or (
        weights and kernel is not None and set(w_shape) != {kernel}
    )
    if clash or (weights and values and len(w_shape) != len(v_shape)):
        raise ValueError("--weights and --values set the kernel and input sizes; they must agree")
    return sizes, list(w_shape) if weights else [kernel or 3] * len(sizes)


def _product(m: Any, w_shape: tuple[int, ...], w_flat: list[Any], v_flat: list[Any]) -> Any:
    from ..engine.convmatrix import product

    if not (w_shape and v_flat):
        raise ValueError("the product needs both --weights and --values")
    taps = itertools.product(*(range(k) for k in w_shape))
    return product(m, dict(zip(taps, w_flat, strict=True)), v_flat)
