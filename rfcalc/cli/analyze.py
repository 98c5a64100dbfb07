"""``rfcalc analyze``: per layer and axis the size, field, jump and padding, as a table
or JSON, with the ERF or one unit's picture on request."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from ..model import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Refused, SpecError
from .args import TableFormat, parse_input, parse_repeats, parse_unit
from .output import console, open_source, refuse_output, say, spec_error, write_output


@dataclass(frozen=True)
class _Shown:
    """What the user asked to see of each network."""

    fmt: TableFormat
    cost: bool
    support: str | None
    svg: str | None
    unit: str | None
    erf: bool
    several: bool


def analyze(
    specs: Annotated[list[str], typer.Argument(help="Spec files (YAML).", show_default=False)],
    input_size: Annotated[
        str | None,
        typer.Option("--input", "-i", help="Override the input size: 224x224, HxW or H,W."),
    ] = None,
    fmt: Annotated[
        TableFormat, typer.Option("--format", "-f", help="table (rich) or json (schema 3).")
    ] = TableFormat.table,
    cost: Annotated[
        bool, typer.Option("--cost", help="Table: add parameters and multiply-accumulates.")
    ] = False,
    show_support: Annotated[
        str | None,
        typer.Option("--show-support", help="Picture one unit's exact input support of LAYER."),
    ] = None,
    svg_path: Annotated[
        str | None, typer.Option("--svg", help="With --show-support: also write it as SVG.")
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            help="With --show-support: this output unit (0,0; -1,-1 counts from the end), "
            "borders included (padding fills, clamps); needs a concrete input.",
        ),
    ] = None,
    repeats: Annotated[
        list[str] | None,
        typer.Option(
            "--repeat",
            help="ITEM=N: repeat a top-level layer or block N times (explore depth "
            "without editing the spec; may be given several times).",
        ),
    ] = None,
    erf: Annotated[
        bool,
        typer.Option(
            "--erf",
            help="Also the exact effective receptive field of each layer's central unit "
            "(every weight 1: the path counts); needs a concrete input.",
        ),
    ] = False,
) -> int:
    """Per layer and axis: output size, receptive field, jump and effective padding."""
    from ..render.progress import progress

    override = parse_input(input_size) if input_size is not None else None
    counts = parse_repeats(repeats or [])
    if refuse_output("--svg", svg_path, specs):
        return EXIT_USAGE
    shown = _Shown(fmt, cost, show_support, svg_path, unit, erf, len(specs) > 1)
    with progress() as bar:
        status, documents = EXIT_OK, list[Any]()
        try:
            for path in specs:
                status = max(status, _one(path, override, counts, shown, bar, documents))
        except Refused as exc:  # --repeat names no item: nothing more is analysed
            say(str(exc))
            return EXIT_USAGE
        bar.close()
    if fmt is TableFormat.json and (documents or shown.several):
        out: Any = documents[0] if not shown.several else documents
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    return status


def _one(
    path: str,
    override: list[Any] | None,
    counts: dict[str, int],
    shown: _Shown,
    bar: Any,
    documents: list[Any],
) -> int:
    """One spec or model: its table, document or picture; the exit status it gives."""
    from ..engine import analyze_network
    from ..render.analysis_json import error_document
    from ..spec import input_sizes

    try:
        bar.stage(f"reading {path}", None)
        network = open_source(path, counts).network
        sizes = None if override is None else input_sizes(network, override)
        tick = bar.stage(f"analysing {path}", len(network.layers))
        result = analyze_network(network, sizes, progress=tick)
    except SpecError as exc:
        spec_error(exc)
        if shown.fmt is TableFormat.json and shown.several:  # in its place, never dropped
            documents.append(error_document(path, exc.message, exc.loc.text_line, exc.loc.text_col))
        return EXIT_FINDINGS
    if shown.support is not None:
        bar.close()
        return _support(path, result, sizes, shown)
    try:
        erfs = _erfs(path, result, bar) if shown.erf else None
    except Refused as exc:
        say(str(exc))
        return EXIT_USAGE
    bar.close()  # the results, never mixed with the bar
    if shown.fmt is TableFormat.json:
        from ..design import annotate
        from ..render.analysis_json import analysis_document

        shown_json = annotate(result, cost=True, constants=False)
        documents.append(analysis_document(result, path, shown_json, erfs))
    else:
        _tables(result, erfs, f"{network.name}  ({path})", shown.cost)
    return EXIT_OK


def _erfs(path: str, result: Any, bar: Any) -> Any:
    from ..engine.erf import every_erf
    from ..render.needs import concrete_input

    concrete_input(result, path, "--erf")
    tick = bar.stage(f"ERF of {path}", len(result.layers))
    return every_erf(result, progress=tick)


def _tables(result: Any, erfs: Any, title: str, cost: bool) -> None:
    from ..design import annotate
    from ..render.table import analysis_table

    console().print(analysis_table(result, title, annotate(result, cost=cost)))
    if erfs is not None:
        from ..render.erf_table import erf_table

        heading = "effective receptive field of each central unit (every weight 1)"
        console().print(erf_table(result, erfs, heading))


def _support(path: str, analysed: Any, sizes: Any, shown: _Shown) -> int:
    """``--show-support LAYER``: one unit's exact input support, as text and SVG."""
    from ..engine import analyze_network
    from ..render.support_picture import svg, svg_grid
    from ..render.unit_support import NoSuchUnit, NoSupport, one_unit_picture, unit_picture

    name, network = str(shown.support), analysed.network
    if name not in {r.name for r in analysed.layers}:
        say(f"{path}: no layer named {name!r}")
        return EXIT_USAGE
    where = None if shown.unit is None else parse_unit(shown.unit, network.ndim)
    result = analyze_network(network, sizes, paths=where is None)
    try:
        picture = (
            unit_picture(result, name) if where is None else one_unit_picture(result, name, where)
        )
    except NoSupport as exc:
        say(f"rfcalc: {exc}")
        return EXIT_USAGE if isinstance(exc, NoSuchUnit) else EXIT_OK
    sys.stdout.write(picture.text)
    if shown.svg is not None:
        if picture.grid is not None:
            write_output(shown.svg, svg_grid(picture.grid, picture.title))
        else:
            write_output(shown.svg, svg(picture.axes, picture.title))
    return EXIT_OK
