"""The ``rfcalc`` command: a thin typer layer over the engine and the renderers.

Exit codes: 0 clean; 1 a spec could not be read (or, for ``check``, findings at or
above the threshold); 2 usage or configuration error; 3 a bug in rfcalc.
Start-up stays light: sympy and the engine load only when a command needs them.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import re
import sys
from collections.abc import Sequence
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

try:  # typer >= 0.24 vendors click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - older typer on real click
    from click import exceptions as _cx  # type: ignore[no-redef,import-not-found,unused-ignore]

from ._version import __version__
from .model import EXIT_BUG, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    pass


app = typer.Typer(
    name="rfcalc",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    help=(
        "Receptive fields and shapes of convolutional networks, exact and symbolic.\n\n"
        "Exit codes: 0 clean, 1 a spec has errors (check: findings at or above --fail-on), "
        "2 usage or configuration error, 3 internal error."
    ),
    context_settings={"help_option_names": ["-h", "--help"]},
)


class TableFormat(str, Enum):
    table = "table"
    json = "json"


class SolveFormat(str, Enum):
    text = "text"
    json = "json"


class EmitTarget(str, Enum):
    torch = "torch"
    monai = "monai"
    albumentations = "albumentations"
    mmseg = "mmseg"
    detectron2 = "detectron2"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rfcalc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Receptive fields and shapes of convolutional networks."""


_SIZE_ITEM = re.compile(r"^(\d+|[A-Za-z_][A-Za-z0-9_]*)$")


def parse_input(text: str) -> list[int | str]:
    """``224x224``, ``224,224``, ``HxW``, ``H,W`` or ``1024`` to a list of sizes."""
    raw = text.strip()
    parts = [
        p.strip() for p in (raw.split(",") if "," in raw else re.split(r"\s*[x×X]\s*|\s+", raw))
    ]
    if not parts or not all(_SIZE_ITEM.match(p) for p in parts) or not 1 <= len(parts) <= 3:
        raise typer.BadParameter(
            f"{text!r} is not an input size; write 224x224, HxW or H,W (1 to 3 axes)",
            param_hint="--input",
        )
    sizes: list[int | str] = []
    for p in parts:
        if p.isdigit():
            if int(p) < 1:
                raise typer.BadParameter(
                    f"input sizes are at least 1, not {p}", param_hint="--input"
                )
            sizes.append(int(p))
        else:
            sizes.append(p)
    return sizes


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _error(message: str) -> None:
    """A message on standard error; what it quotes (a path, a name) cannot start a line
    of its own or reach the terminal as a control sequence."""
    from .model import visible

    typer.echo("\n".join(visible(line) for line in message.split("\n")), err=True)


def _spec_error(exc: Any) -> None:
    """A spec that cannot be read: ``file:line:col: error: ...``, and the line with a
    caret under the column where the reader knows it."""
    _error(f"{exc.loc}: error: {exc.message}")
    if exc.excerpt:
        _error(exc.excerpt)


def _output_problem(target: str | None, inputs: Sequence[str], keep: bool = False) -> str | None:
    """Why ``target`` must not be written, or None: it is one of the files read (rfcalc
    never writes over what it reads), or (``keep``) it exists and may be the user's own
    work.  ``-`` is standard output."""
    if target is None or target == "-":
        return None
    place = Path(target)
    if not place.exists():
        return None
    for path in inputs:
        if path != "-" and os.path.exists(path) and os.path.samefile(path, place):
            return f"{target} is the file being read ({path}): name another output"
    if place.is_dir():
        return f"{target} is a folder: name a file"
    if keep:
        return f"{target} exists: give --force to replace it, or name another file"
    return None


def _write_output(target: str, text: str) -> None:
    """``text`` to ``target`` as UTF-8, or to standard output for ``-``."""
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    Path(target).write_text(text, encoding="utf-8")


@app.command()
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
    from .render.progress import progress

    override = parse_input(input_size) if input_size is not None else None
    counts = parse_repeats(repeats or [])
    problem = _output_problem(svg_path, specs)
    if problem is not None:
        _error(f"rfcalc: --svg: {problem}")
        return EXIT_USAGE
    with progress() as bar:
        return _analyze(specs, override, counts, fmt, cost, show_support, svg_path, unit, erf, bar)


def _analyze(
    specs: list[str],
    override: list[Any] | None,
    counts: dict[str, int],
    fmt: TableFormat,
    cost: bool,
    show_support: str | None,
    svg_path: str | None,
    unit: str | None,
    erf: bool,
    bar: Any,
) -> int:
    from .engine import analyze_network
    from .model import SpecError
    from .render.analysis_json import analysis_document, error_document
    from .spec import input_sizes

    documents: list[dict[str, Any]] = []
    status = EXIT_OK
    for path in specs:
        try:
            bar.stage(f"reading {path}", None)
            network = _read_network(path, counts)
            if _unknown_repeat(path, network, counts):
                return EXIT_USAGE
            sizes = None if override is None else input_sizes(network, override)
            tick = bar.stage(f"analysing {path}", len(network.layers))
            result = analyze_network(network, sizes, progress=tick)
        except SpecError as exc:
            _spec_error(exc)
            status = EXIT_FINDINGS
            if fmt is TableFormat.json and len(specs) > 1:  # in its place, never dropped
                documents.append(
                    error_document(path, exc.message, exc.loc.text_line, exc.loc.text_col)
                )
            continue
        if show_support is not None:
            bar.close()
            if show_support not in {r.name for r in result.layers}:
                _error(f"{path}: no layer named {show_support!r}")
                status = max(status, EXIT_USAGE)
                continue
            where = None if unit is None else parse_unit(unit, network.ndim)
            shown = _show_support(
                analyze_network(network, sizes, paths=where is None), show_support, svg_path, where
            )
            status = max(status, shown)
        else:
            erfs = None
            if erf:
                from .engine.sizes import is_concrete

                if not all(is_concrete(s) for s in result.input_size):
                    _error(f"{path}: --erf needs a concrete input: give --input, such as 224x224")
                    status = max(status, EXIT_USAGE)
                    continue
                from .engine.erf import every_erf

                tick = bar.stage(f"ERF of {path}", len(result.layers))
                erfs = every_erf(result, progress=tick)
            bar.close()  # the results, never mixed with the bar
            if fmt is TableFormat.table:
                from .render.table import analysis_table

                _console().print(analysis_table(result, f"{network.name}  ({path})", cost=cost))
                if erfs is not None:
                    from .render.erf_table import erf_table

                    title = "effective receptive field of each central unit (every weight 1)"
                    _console().print(erf_table(result, erfs, title))
            else:
                documents.append(analysis_document(result, path, erfs))
    bar.close()
    if fmt is TableFormat.json and documents:
        out: Any = documents[0] if len(specs) == 1 else documents
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    elif fmt is TableFormat.json and len(specs) > 1:
        sys.stdout.write("[]\n")
    return status


@app.command()
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
    config_path: Annotated[
        str | None,
        typer.Option("--config", help="A pyproject.toml to read [tool.rfcalc] from."),
    ] = None,
    isolated: Annotated[
        bool, typer.Option("--isolated", help="Ignore pyproject.toml configuration.")
    ] = False,
) -> int:
    """One self-contained HTML page: the network as a graph, the table, the findings,
    and any unit's exact input support (hover, or the keyboard), with ERF contours."""
    from .config import ConfigError, from_options
    from .render.progress import progress

    try:
        config = from_options(isolated=isolated, config_path=config_path)
    except ConfigError as exc:
        _error(f"rfcalc: {exc}")
        return EXIT_USAGE
    override = parse_input(input_size) if input_size is not None else None
    counts = parse_repeats(repeats or [])
    target = output if output is not None else f"{Path(spec).stem}.html"
    problem = _output_problem(target, [spec])
    if problem is not None:
        _error(f"rfcalc: --output: {problem}")
        return EXIT_USAGE
    with progress() as bar:
        return _report(spec, target, override, erf, counts, config, bar)


def _report(
    spec: str,
    target: str,
    override: list[Any] | None,
    erf: bool,
    counts: dict[str, int],
    config: Any,
    bar: Any,
) -> int:
    from .engine import analyze_network
    from .engine.sizes import is_concrete
    from .imports import is_onnx_path
    from .lint import lint_model, lint_path
    from .model import SpecError
    from .render.report import MAX_PAGE_CHARS, report_html, too_large
    from .spec import input_sizes

    try:
        bar.stage(f"reading {spec}", None)
        imported = _read_model(spec) if is_onnx_path(spec) else None
        network = imported.network if imported is not None else _read_network(spec, counts)
        if _unknown_repeat(spec, network, counts):
            return EXIT_USAGE
        sizes = None if override is None else input_sizes(network, override)
        tick = bar.stage(f"analysing {spec}", len(network.layers))
        result = analyze_network(network, sizes, progress=tick)
    except SpecError as exc:
        _spec_error(exc)
        return EXIT_FINDINGS
    if not all(is_concrete(s) for s in result.input_size):
        _error(f"{spec}: a report needs a concrete input: give --input, such as 224x224")
        return EXIT_USAGE
    if network.bounds or not all(is_concrete(a.size) for r in result.layers for a in r.axes):
        _error(
            f"{spec}: a report needs every size as a number; a hyperparameter is left open "
            "(give it a value in the spec)"
        )
        return EXIT_USAGE
    if any(int(a.size) < 1 for r in result.layers for a in r.axes):
        empty = next(r.name for r in result.layers if any(int(a.size) < 1 for a in r.axes))
        _error(f"{spec}: {empty} has an empty output at this input: choose a larger --input")
        return EXIT_USAGE
    why = too_large(result)
    if why is not None:
        _error(f"{spec}: no report at this input: {why}; give a smaller --input")
        return EXIT_USAGE
    erfs = None
    if erf:
        from .engine.erf import every_erf

        tick = bar.stage("ERF of every layer's central unit", len(result.layers))
        erfs = every_erf(result, progress=tick)
    # what `rfcalc check SPEC` says (of the network as --repeat made it), beside the layers
    bar.stage(f"checking {spec}", None)
    if imported is not None:  # the model as read above, not parsed a second time
        checked = lint_model(spec, config, imported)
    else:
        checked = lint_path(spec, config, repeats=counts)
    if checked.crashed:
        _error(f"rfcalc {__version__}: internal error checking {spec}: {checked.crashed}")
    tick = bar.stage("each unit's reads and field, for the page", len(result.layers))
    page = report_html(result, spec, checked.findings, erfs, progress=tick)
    if len(page) > MAX_PAGE_CHARS:
        bar.close()
        _error(
            f"{spec}: no report at this input: the page would be {len(page) >> 20} MiB, more "
            f"than {MAX_PAGE_CHARS >> 20} MiB; give a smaller --input"
        )
        return EXIT_USAGE
    bar.close()
    _write_output(target, page)
    if target != "-":
        _error(f"wrote {target} ({len(page.encode()) / 1024:,.0f} KiB)")
    return EXIT_OK


def parse_unit(text: str, ndim: int) -> tuple[int, ...]:
    """``--unit 0,0`` (or ``0x0``; negative from the end): one index per axis."""
    parts = text.replace("x", ",").split(",")
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        raise typer.BadParameter(
            f"--unit takes integers, one per axis (0,0), not {text!r}"
        ) from None
    if len(values) == 1:
        values *= ndim
    if len(values) != ndim:
        raise typer.BadParameter(f"--unit lists {len(values)} indices; the spec has {ndim} axes")
    return values


def _read_network(path: str, counts: dict[str, int]) -> Any:
    """A spec, or an ONNX model (its import report on standard error)."""
    from .imports import is_onnx_path
    from .spec import load_spec, read_text

    if not is_onnx_path(path):
        return load_spec(read_text(path), path, counts)
    return _read_model(path).network


def _read_model(path: str) -> Any:
    """An ONNX model as imported, its import report said on standard error."""
    from .imports import read_onnx

    imported = read_onnx(path)
    for note in imported.unsupported:
        _error(f"{note.loc}: {note.op_type}: {note.why}; analysed as if it passed its input on")
    for note in imported.stopped:
        _error(f"{note.loc}: {note.op_type}: {note.why}; stopped there")
    if imported.folded:
        kinds: dict[str, int] = {}
        for note in imported.folded:
            kinds[note.op_type] = kinds.get(note.op_type, 0) + 1
        listed = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in kinds.items())
        _error(f"{path}: folded as spatially the identity: {listed}")
    return imported


def _unknown_repeat(path: str, network: Any, counts: dict[str, int]) -> bool:
    """Whether ``--repeat`` names an item the spec does not have (said on stderr)."""
    from .spec import has_item

    missing = [name for name in counts if not has_item(network, name)]
    if missing:
        _error(f"{path}: no top-level layer or block instance named {missing[0]!r}")
    return bool(missing)


def parse_repeats(items: list[str]) -> dict[str, int]:
    """``--repeat block3_mid=21`` to ``{"block3_mid": 21}``."""
    counts: dict[str, int] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip().isdigit() or int(value) < 1:
            raise typer.BadParameter(
                f"{item!r} is not ITEM=N (a top-level layer or block name and a count >= 1)",
                param_hint="--repeat",
            )
        counts[name.strip()] = int(value)
    return counts


@app.command()
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
    from .design import DesignError, SolveRequest
    from .design import solve as answer
    from .model import SpecError
    from .render.design_text import solve_text
    from .spec import read_text

    ask = SolveRequest(
        drops=drops,
        size=None if size is None else tuple(parse_input(size)),
        output=output,
        layer=layer,
        rf=rf,
        repeat=repeat,
        roundtrip=roundtrip,
    )
    try:
        report = answer("" if spec.lower().endswith(".onnx") else read_text(spec), spec, ask)
    except SpecError as exc:
        _spec_error(exc)
        return EXIT_FINDINGS
    except DesignError as exc:
        _error(f"rfcalc: {exc}")
        return EXIT_USAGE
    if emit_target is not None:
        from .render.emit import CannotEmit, emit

        try:
            sys.stdout.write(emit(report, emit_target.value))
        except CannotEmit as exc:
            _error(f"{spec}: --emit {emit_target.value}: {exc}")
            return EXIT_USAGE
        return EXIT_OK
    if fmt is SolveFormat.json:
        from .render.design_json import solve_document

        sys.stdout.write(json.dumps(solve_document(report), indent=2) + "\n")
    else:
        sys.stdout.write(solve_text(report))
    return report.exit_code


@app.command()
def hdc(
    rates: Annotated[
        list[int] | None, typer.Argument(help="Dilation rates of stacked stride-1 convs.")
    ] = None,
    kernel: Annotated[int, typer.Option("--kernel", "-k", help="The kernel size K.")] = 3,
    design: Annotated[
        bool, typer.Option("--design", help="Propose a sawtooth schedule reaching --rf.")
    ] = False,
    rf: Annotated[
        int | None, typer.Option("--rf", help="With --design: the field to reach.")
    ] = None,
    svg_path: Annotated[
        str | None, typer.Option("--svg", help="Also write the support picture as SVG.")
    ] = None,
) -> int:
    """Check a dilation schedule without a spec (HDC rules, exact coverage), or design one.

    Exit codes: 0 the schedule passes, 1 it grids or breaks an HDC rule, 2 usage error.
    """
    from .engine.hdc import check_schedule, design_schedule
    from .render import hdc_text

    if kernel < 1 or kernel > 64:
        _error("rfcalc: --kernel takes 1 to 64")
        return EXIT_USAGE
    if design:
        if rf is None or rf < 1:
            _error("rfcalc: --design needs --rf N (the receptive field to reach)")
            return EXIT_USAGE
        found = design_schedule(kernel, rf)
        sys.stdout.write(hdc_text.design_text(kernel, rf, found))
        if found is None:
            return EXIT_FINDINGS
        rates = list(found.rates)
    if not rates:
        _error("rfcalc: give dilation rates (e.g. rfcalc hdc 1 2 5) or --design --rf N")
        return EXIT_USAGE
    if any(r < 1 or r > 1 << 16 for r in rates) or len(rates) > 256:
        _error("rfcalc: rates are integers from 1 to 65536, at most 256 of them")
        return EXIT_USAGE
    check = check_schedule(kernel, rates)
    sys.stdout.write(hdc_text.check_text(check))
    if svg_path is not None:
        from .render.support_picture import svg

        counts = hdc_text.support_counts(check)
        _write_output(svg_path, svg([counts, counts], f"rates {rates}, kernel {kernel}"))
    return EXIT_OK if check.ok else EXIT_FINDINGS


@app.command()
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
    from .engine.convmatrix import layer_matrix, product
    from .render.matrix_text import matrix_json, matrix_text

    try:
        w_shape, w_flat = parse_array(weights, "--weights") if weights else ((), [])
        v_shape, v_flat = parse_array(values, "--values") if values else ((), [])
    except ValueError as exc:
        _error(f"rfcalc: {exc}")
        return EXIT_USAGE
    sizes = list(v_shape) if values else parse_input(input_size or "4x4")
    clash = (values and input_size and parse_input(input_size) != sizes) or (
        weights and kernel is not None and set(w_shape) != {kernel}
    )
    if clash or (weights and values and len(w_shape) != len(v_shape)):
        _error("rfcalc: --weights and --values set the kernel and input sizes; they must agree")
        return EXIT_USAGE
    ks = list(w_shape) if weights else [kernel or 3] * len(sizes)
    if not all(isinstance(v, int) for v in sizes) or min(*ks, stride, dilation) < 1 or padding < 0:
        _error("rfcalc: matrix needs a concrete --input, and kernel, stride, dilation >= 1")
        return EXIT_USAGE
    try:
        m = layer_matrix([int(v) for v in sizes], ks, stride, padding, dilation, transposed)
    except ValueError as exc:
        _error(f"rfcalc: {exc}")
        return EXIT_USAGE
    result = None
    if weights and values:
        taps = itertools.product(*(range(k) for k in w_shape))
        result = product(m, dict(zip(taps, w_flat, strict=True)), v_flat)
    elif weights or values:
        _error("rfcalc: the product needs both --weights and --values")
        return EXIT_USAGE
    shown = matrix_json(m, result) if fmt is TableFormat.json else matrix_text(m, result)
    sys.stdout.write(shown)
    return EXIT_OK


def parse_array(text: str, option: str) -> tuple[tuple[int, ...], list[Fraction]]:
    """``'0 1; 2 3'``, ``'[[0, 1], [2, 3]]'`` or ``'1 2 3'`` to its shape and its values
    row by row, exact (``1/2`` and ``0.5`` are one half)."""
    raw = text.strip()
    try:
        if raw.startswith("["):
            nested = json.loads(re.sub(r"(-?\d+/\d+|-?\d*\.\d+)", r'"\1"', raw))
        else:
            nested = [row.replace(",", " ").split() for row in raw.split(";")]
            if len(nested) == 1:
                nested = nested[0]
    except json.JSONDecodeError:
        raise ValueError(f"{option}: {text!r} is not an array of numbers") from None
    shape: list[int] = []
    probe = nested
    while isinstance(probe, list):
        if not probe:
            raise ValueError(f"{option}: an empty row")
        shape.append(len(probe))
        probe = probe[0]

    def flat(x: Any, depth: int) -> list[Fraction]:
        if depth == len(shape):
            if isinstance(x, (list, bool)):
                raise ValueError(f"{option}: rows of different depths")
            try:
                return [Fraction(str(x))]
            except ValueError:
                raise ValueError(f"{option}: {x!r} is not a number") from None
        if not isinstance(x, list) or len(x) != shape[depth]:
            raise ValueError(f"{option}: rows of different lengths")
        return [v for item in x for v in flat(item, depth + 1)]

    values = flat(nested, 0)
    if not 1 <= len(shape) <= 3:
        raise ValueError(f"{option}: 1 to 3 axes, not {len(shape)}")
    return tuple(shape), values


class CheckFormat(str, Enum):
    rich = "rich"
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    gitlab = "gitlab"
    junit = "junit"


@app.command("import")
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
    from .imports.write import spec_text
    from .model import SpecError

    if (model is None) == (torch_factory is None):
        _error("give an ONNX model or --torch package.module:factory (one of them)")
        return EXIT_USAGE
    problem = _output_problem(output, [model] if model else [], keep=not force)
    if problem is not None:
        _error(f"rfcalc: --output: {problem}")
        return EXIT_USAGE
    try:
        if torch_factory is not None:
            imported = _import_torch(torch_factory, input_size, fixed, strict)
            source = torch_factory
        else:
            from .imports import read_onnx

            size = None if input_size is None else parse_input(input_size)
            imported = read_onnx(str(model), size, strict)
            source = str(model)
    except SpecError as exc:
        _spec_error(exc)
        return EXIT_FINDINGS
    text = spec_text(imported, source)
    _write_output("-" if output is None else output, text)
    return EXIT_OK


def _import_torch(factory: str, shape_text: str | None, fixed: bool, strict: bool) -> Any:
    shape = re.split(r"\s*[x×X,]\s*", (shape_text or "").strip())
    if (
        not shape_text
        or not all(p.isdigit() and int(p) > 0 for p in shape)
        or not (3 <= len(shape) <= 5)
    ):
        raise typer.BadParameter(
            "--torch needs the example input's shape: N x C x 1 to 3 spatial sizes (1x3x224x224)",
            param_hint="--input",
        )
    try:
        import torch  # noqa: F401  (only to say so when it is missing)
    except ImportError:
        from .model import Loc, SpecError

        raise SpecError("--torch needs PyTorch installed", Loc(factory)) from None
    from .imports.torch_graph import example, load_factory, read_torch

    module = load_factory(factory)
    path = f"<torch:{factory}>"
    return read_torch(module, example([int(p) for p in shape], path), not fixed, strict, path=path)


@app.command()
def check(
    specs: Annotated[
        list[str],
        typer.Argument(
            help="Spec files or folders (*.yaml, *.yml); - reads a spec from standard input.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        CheckFormat | None,
        typer.Option(
            "--format",
            "--output-format",
            "-f",
            help="rich (default on a terminal), text, json, github, sarif, gitlab, junit.",
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="Exit 1 on findings at or above: error, warning, info."),
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only these rules (ids, names, prefixes).")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Not these rules (ids, names, prefixes).")
    ] = None,
    severity: Annotated[
        list[str] | None,
        typer.Option("--severity", help="RULE=LEVEL (error, warning, info, off); repeatable."),
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="Framework rules: pytorch, tensorflow, onnx.")
    ] = None,
    config_path: Annotated[
        str | None,
        typer.Option("--config", help="A pyproject.toml to read [tool.rfcalc] from."),
    ] = None,
    isolated: Annotated[
        bool, typer.Option("--isolated", help="Ignore pyproject.toml configuration.")
    ] = False,
    details: Annotated[
        bool, typer.Option("--details", help="text format: print pictures under findings.")
    ] = False,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="An ONNX model the specs describe: report where they differ (RF601).",
            show_default=False,
        ),
    ] = None,
    output_file: Annotated[
        str | None,
        typer.Option("--output-file", "-o", help="Write the findings here, not to stdout."),
    ] = None,
    stdin_filename: Annotated[
        str | None,
        typer.Option("--stdin-filename", help="The name of the spec read from standard input."),
    ] = None,
    statistics: Annotated[
        bool,
        typer.Option("--statistics", help="Counts per rule instead of the findings."),
    ] = False,
    exit_zero: Annotated[
        bool,
        typer.Option("--exit-zero", help="Exit 0 even with findings (usage errors still 2)."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="The findings and nothing else (no summary)."),
    ] = False,
) -> int:
    """Lint specs: gridding, HDC, dropped pixels, merges, framework rules, expectations.

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or configuration
    error, 3 internal error.  YAML files without an 'rfcalc:' key are skipped.
    """
    from .config import ConfigError, from_options
    from .lint import exit_code, expand, lint_bytes, lint_path
    from .render.findings import FORMATS
    from .render.findings import statistics as statistics_text
    from .spec.yamlread import MAX_BYTES

    try:
        config = from_options(
            isolated=isolated,
            config_path=config_path,
            select=select or (),
            ignore=ignore or (),
            target=target,
            fail_on=fail_on,
            severity=severity or (),
        )
    except ConfigError as exc:
        _error(f"rfcalc: {exc}")
        return EXIT_USAGE
    reference = None
    if model is not None:
        from .imports import is_onnx_path
        from .model import SpecError

        if not is_onnx_path(model):
            _error(f"rfcalc: --model takes an ONNX model (.onnx), not {model!r}")
            return EXIT_USAGE
        try:
            reference = _read_network(model, {})
        except SpecError as exc:
            _spec_error(exc)
            return EXIT_USAGE
    if specs.count("-") > 1:
        _error("rfcalc: - (standard input) can be given once")
        return EXIT_USAGE
    results = []
    from .render.progress import progress

    with progress() as bar:
        files = [(p, explicit) for path in specs for p, explicit in expand([path])]
        # files done of the files named; one file: what is being checked
        tick = bar.stage("checking files", len(files)) if len(files) > 1 else None
        for path, explicit in files:
            if tick is None:
                bar.stage(f"checking {path}", None)
            if path == "-":
                name = stdin_filename or "<stdin>"
                results.append(lint_bytes(_stdin_bytes(MAX_BYTES + 1), name, config, reference))
            else:
                results.append(lint_path(path, config, explicit, reference))
            if tick is not None:
                tick(len(results))
    to_file = output_file is not None
    chosen = fmt or (CheckFormat.rich if sys.stdout.isatty() and not to_file else CheckFormat.text)
    if statistics:
        shown: Any = statistics_text(results, as_json=chosen is CheckFormat.json)
    elif chosen is CheckFormat.rich and quiet:
        from .render.findings_rich import findings_view

        shown = findings_view(results, summary=False)
    else:
        shown = FORMATS[chosen.value](results, details)
    problem = _output_problem(output_file, [r.path for r in results])
    if problem is not None:
        _error(f"rfcalc: --output-file: {problem}")
        return EXIT_USAGE
    _emit(shown, output_file)
    _crashes(results)
    code = exit_code(results, config.fail_on)
    if exit_zero and code == EXIT_FINDINGS:
        return EXIT_OK
    return code


def _stdin_bytes(limit: int) -> bytes:
    """At most ``limit`` bytes of standard input, as bytes: decoded as a file is."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return bytes(buffer.read(limit))
    return sys.stdin.read(limit).encode("utf-8", "surrogateescape")  # a text stream


def _crashes(results: Sequence[Any]) -> None:
    """Say which files rfcalc failed on (a bug: the others were still checked)."""
    for r in results:
        if r.crashed:
            _error(f"rfcalc {__version__}: internal error on {r.path}: {r.crashed}")
            if os.environ.get("RFCALC_DEBUG") and r.trace:
                sys.stderr.write(r.trace)


def _emit(shown: Any, output_file: str | None) -> None:
    """Text or a rich renderable to stdout, or to ``output_file`` as plain text."""
    if output_file is None or (output_file == "-" and not isinstance(shown, str)):
        if isinstance(shown, str):
            sys.stdout.write(shown)
        else:
            _console().print(shown)
        return
    if not isinstance(shown, str):  # no colours, no terminal width in a file
        from rich.console import Console

        buffer = io.StringIO()
        Console(file=buffer, color_system=None, width=100).print(shown, soft_wrap=True)
        shown = buffer.getvalue()
    _write_output(output_file, shown)


class SchemaName(str, Enum):
    spec = "spec"
    analyze = "analyze"
    check = "check"
    solve = "solve"


@app.command()
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


@app.command()
def rules(
    rule: Annotated[
        str | None, typer.Argument(help="A rule id or name: print its documentation.")
    ] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="The rule table as Markdown (README).")
    ] = False,
) -> int:
    """List the lint rules, or document one."""
    from .rules import RULES

    if markdown:
        from .render.findings import rules_markdown

        sys.stdout.write(rules_markdown())
        return EXIT_OK
    if rule is None:
        from rich.table import Table
        from rich.text import Text

        table = Table(header_style="bold")
        for column in ("id", "name", "severity", "what it catches"):
            table.add_column(column)
        for r in RULES:
            table.add_row(r.id, r.name, str(r.severity), Text(r.summary))
        _console().print(table)
        return EXIT_OK
    found = [r for r in RULES if rule in (r.id, r.name)]
    if not found:
        _error(f"rfcalc: {rule!r} is no rule id or name (see rfcalc rules)")
        return EXIT_USAGE
    r = found[0]
    sys.stdout.write(f"{r.id} {r.name} ({r.severity})\n\n{r.doc.strip()}\n")
    return EXIT_OK


def _show_support(
    result: Any, name: str, svg_path: str | None, unit: tuple[int, ...] | None
) -> int:
    from .render.support_picture import svg, svg_grid
    from .render.unit_support import NoSuchUnit, NoSupport, one_unit_picture, unit_picture

    try:
        picture = (
            unit_picture(result, name) if unit is None else one_unit_picture(result, name, unit)
        )
    except NoSupport as exc:
        _error(f"rfcalc: {exc}")
        return EXIT_USAGE if isinstance(exc, NoSuchUnit) else EXIT_OK
    sys.stdout.write(picture.text)
    if svg_path is not None:
        if picture.grid is not None:
            _write_output(svg_path, svg_grid(picture.grid, picture.title))
        else:
            _write_output(svg_path, svg(picture.axes, picture.title))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    args = sys.argv[1:] if argv is None else argv
    _plain_consoles()
    if hasattr(sys, "set_int_max_str_digits"):
        # a total stride of 2^24 over 600 layers is a 4,335-digit jump: exact, printable
        sys.set_int_max_str_digits(0)
    try:
        rv = app(args=args, prog_name="rfcalc", standalone_mode=False)
        code = rv if isinstance(rv, int) else EXIT_OK
    except typer.Exit as exc:
        code = exc.exit_code
    except _cx.ClickException as exc:
        exc.show()
        code = EXIT_USAGE if isinstance(exc, _cx.UsageError) else exc.exit_code
    except typer.Abort:
        _error("rfcalc: aborted")
        code = EXIT_USAGE
    except BrokenPipeError:
        code = _closed_pipe()
    except KeyboardInterrupt:
        code = 130
    except OSError as exc:  # the machine, not rfcalc: a full disk, a missing folder
        code = _os_error(exc)
    except Exception as exc:  # a bug in rfcalc: say so plainly, with where to report it
        import traceback

        _error(f"rfcalc {__version__}: internal error: {type(exc).__name__}: {exc}")
        if os.environ.get("RFCALC_DEBUG"):
            traceback.print_exc()
        else:
            _error("this is a bug in rfcalc; set RFCALC_DEBUG=1 to see the traceback")
        code = EXIT_BUG
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _closed_pipe()
    except OSError as exc:
        code = _os_error(exc)
    return code


def _os_error(exc: OSError) -> int:
    """Writing an output failed (``--svg`` into a folder that does not exist, ``>
    /dev/full``): a usage error with the reason, not an internal error."""
    where = f"{exc.filename}: " if exc.filename else "writing the output: "
    with contextlib.suppress(OSError):
        sys.stderr.write(f"rfcalc: {where}{exc.strerror or exc}\n")
    return EXIT_USAGE


#: ASCII spellings of what rfcalc prints, for consoles that cannot show them
_ASCII = {
    "≡": "==",
    "⌊": "floor(",
    "⌋": ")",
    "⌈": "ceil(",
    "⌉": ")",
    "×": "x",
    "·": ".",
    "…": "...",
    "→": "->",
    "←": "<-",
    "≤": "<=",
    "≥": ">=",
    "−": "-",
    "█": "#",
    "▓": "%",
    "▒": "+",
    "░": ":",
    "━": "-",
    "─": "-",
    "│": "|",
    "┃": "|",
}


def _ascii_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(_ASCII.get(c, "?") for c in bad), exc.end


def _plain_consoles() -> None:
    """On a console whose encoding lacks ``≡``, ``⌊`` or ``×`` (a Windows console,
    ``PYTHONIOENCODING=cp1252``), print their ASCII spellings instead of failing."""
    import codecs

    codecs.register_error("rfcalc-ascii", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            "≡⌊×█".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="rfcalc-ascii")


def _closed_pipe() -> int:
    """stdout was closed early (``| head``): stop quietly, as Unix tools do."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_OK
