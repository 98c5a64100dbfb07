"""``rfcalc report``: one self-contained HTML page of a spec or a model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .._version import __version__
from ..model import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Refused, SpecError
from .args import ConfigOption, IsolatedOption, parse_input, parse_repeats
from .output import open_source, refuse_output, say, spec_error, write_output


def report(
    spec: Annotated[
        str, typer.Argument(help="A spec (YAML) or an ONNX model.", show_default=False)
    ],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="The HTML file to write (default: NAME.html here)."),
    ] = None,
    input_size: Annotated[
        str | None,
        typer.Option("--input", "-i", help="The input size (224x224); needed for a symbolic one."),
    ] = None,
    erf: Annotated[
        bool,
        typer.Option(
            "--erf/--no-erf", help="Each layer's exact ERF (the slowest part on big networks)."
        ),
    ] = True,
    repeats: Annotated[
        list[str] | None,
        typer.Option("--repeat", help="ITEM=N: repeat a top-level layer or block N times."),
    ] = None,
    config_path: ConfigOption = None,
    isolated: IsolatedOption = False,
) -> int:
    """One self-contained HTML page: the network as a graph, the table, the findings,
    and any unit's exact input support (hover, or the keyboard), with ERF contours."""
    from ..config import ConfigError, from_options
    from ..render.progress import progress

    try:
        config = from_options(isolated=isolated, config_path=config_path)
    except ConfigError as exc:
        say(f"rfcalc: {exc}")
        return EXIT_USAGE
    override = parse_input(input_size) if input_size is not None else None
    counts = parse_repeats(repeats or [])
    target = output if output is not None else f"{Path(spec).stem}.html"
    if refuse_output("--output", target, [spec]):
        return EXIT_USAGE
    with progress() as bar:
        try:
            page = _page(spec, override, erf, counts, config, bar)
        except SpecError as exc:
            spec_error(exc)
            return EXIT_FINDINGS
        except Refused as exc:
            say(str(exc))
            return EXIT_USAGE
    write_output(target, page)
    if target != "-":
        say(f"wrote {target} ({len(page.encode()) / 1024:,.0f} KiB)")
    return EXIT_OK


def _page(
    spec: str, override: list[Any] | None, erf: bool, counts: dict[str, int], config: Any, bar: Any
) -> str:
    """The page's HTML; :class:`SpecError` or :class:`Refused` when there is none."""
    from ..design import annotate
    from ..engine import analyze_network
    from ..lint import lint_model, lint_path
    from ..render.needs import page_size, reportable
    from ..render.report import report_html
    from ..spec import input_sizes

    bar.stage(f"reading {spec}", None)
    source = open_source(spec, counts)
    network = source.network
    sizes = None if override is None else input_sizes(network, override)
    tick = bar.stage(f"analysing {spec}", len(network.layers))
    result = analyze_network(network, sizes, progress=tick)
    reportable(network, result, spec)
    erfs = None
    if erf:
        from ..engine.erf import every_erf

        tick = bar.stage("ERF of every layer's central unit", len(result.layers))
        erfs = every_erf(result, progress=tick)
    # what `rfcalc check SPEC` says (of the network as --repeat made it), beside the layers
    bar.stage(f"checking {spec}", None)
    if source.imported is not None:  # the model as read above, not parsed a second time
        checked = lint_model(spec, config, source.imported)
    else:
        checked = lint_path(spec, config, repeats=counts)
    if checked.crashed:
        say(f"rfcalc {__version__}: internal error checking {spec}: {checked.crashed}")
    tick = bar.stage("each unit's reads and field, for the page", len(result.layers))
    shown = annotate(result, cost=True, constants=False)
    page = report_html(result, spec, checked.findings, erfs, progress=tick, shown=shown)
    bar.close()
    page_size(page, spec)
    return page
