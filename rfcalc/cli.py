"""The ``rfcalc`` command: a thin typer layer over the engine and the renderers.

Exit codes: 0 clean; 1 a spec could not be read (or, for ``check``, findings at or
above the threshold); 2 usage or configuration error; 3 a bug in rfcalc.
Start-up stays light: sympy and the engine load only when a command needs them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

try:  # typer >= 0.24 vendors click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - older typer on real click
    from click import exceptions as _cx  # type: ignore[no-redef,import-not-found,unused-ignore]

from ._version import __version__
from .model import EXIT_BUG, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from .model import Network


app = typer.Typer(
    name="rfcalc",
    no_args_is_help=True,
    add_completion=False,
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
    typer.echo(message, err=True)


@app.command()
def analyze(
    specs: Annotated[list[str], typer.Argument(help="Spec files (YAML).", show_default=False)],
    input_size: Annotated[
        str | None,
        typer.Option("--input", "-i", help="Override the input size: 224x224, HxW or H,W."),
    ] = None,
    fmt: Annotated[
        TableFormat, typer.Option("--format", "-f", help="table (rich) or json (schema 1).")
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
    repeats: Annotated[
        list[str] | None,
        typer.Option(
            "--repeat",
            help="ITEM=N: repeat a top-level layer or block N times (explore depth "
            "without editing the spec; may be given several times).",
        ),
    ] = None,
) -> int:
    """Per layer and axis: output size, receptive field, jump and effective padding."""
    from .engine import analyze_network, size_symbol
    from .model import SpecError
    from .spec import load_spec, read_text

    override = parse_input(input_size) if input_size is not None else None
    counts = parse_repeats(repeats or [])
    documents: list[dict[str, Any]] = []
    status = EXIT_OK
    console = _console() if fmt is TableFormat.table else None
    for path in specs:
        try:
            network = load_spec(read_text(path), path, counts)
            hyper_names = {str(s) for s in network.bounds}
            for name in counts:
                if not _is_item(network, name):
                    _error(f"{path}: no top-level layer or block instance named {name!r}")
                    return EXIT_USAGE
            sizes = None
            if override is not None:
                if len(override) != network.ndim:
                    raise SpecError(
                        f"--input gives {len(override)} axes "
                        f"but the spec's input has {network.ndim}",
                        network.loc,
                    )
                clash = [s for s in override if isinstance(s, str) and s in hyper_names]
                if clash:
                    raise SpecError(
                        f"--input names {clash[0]}, which the spec declares as a "
                        "hyperparameter (symbols:): an input size needs a name of its own",
                        network.loc,
                    )
                sizes = [size_symbol(s) if isinstance(s, str) else s for s in override]
            result = analyze_network(network, sizes)
        except SpecError as exc:
            _error(f"{exc.loc}: error: {exc.message}")
            status = EXIT_FINDINGS
            if fmt is TableFormat.json and len(specs) > 1:  # in its place, never dropped
                from .render.analysis_json import error_document

                documents.append(error_document(path, exc.message, exc.loc.line, exc.loc.col))
            continue
        if show_support is not None:
            if show_support not in {r.name for r in result.layers}:
                _error(f"{path}: no layer named {show_support!r}")
                status = max(status, EXIT_USAGE)
                continue
            _show_support(analyze_network(network, sizes, paths=True), show_support, svg_path)
            continue
        if console is not None:
            from .render.table import analysis_table

            title = f"{network.name}  ({path})"
            console.print(analysis_table(result, title, cost=cost))
        else:
            from .render.analysis_json import analysis_document

            documents.append(analysis_document(result, path))
    if fmt is TableFormat.json:
        out: Any = documents[0] if len(specs) == 1 and documents else documents
        if len(specs) == 1 and not documents:
            return status
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    return status


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


def _is_item(network: Network, name: str) -> bool:
    """``name`` is a top-level item of the spec (what ``repeat`` counts apply to): read
    with a count for it, the network has its first instance."""
    return any(x.name == f"{name}.0" or x.name.startswith(f"{name}.0.") for x in network.layers)


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
) -> int:
    """Valid input sizes in closed form, and the design questions around them."""
    from .design import axis_answers, free_analysis, roundtrip_output_padding, tconv_names
    from .engine.hyper import combinations, instances, involves
    from .model import SpecError
    from .spec import read_spec_file

    try:
        network = read_spec_file(spec)
    except SpecError as exc:
        _error(f"{exc.loc}: error: {exc.message}")
        return EXIT_FINDINGS
    analysis = free_analysis(network)
    if layer is not None and layer not in [r.name for r in analysis.layers]:
        _error(f"rfcalc: no layer named {layer!r} in {spec}")
        return EXIT_USAGE
    concrete = parse_input(size) if size is not None else None
    if concrete is not None and (
        len(concrete) != network.ndim or not all(isinstance(v, int) for v in concrete)
    ):
        _error(f"rfcalc: --size needs {network.ndim} integers, like 500x500")
        return EXIT_USAGE
    lines = [f"{network.name} ({spec})"]
    status = EXIT_OK
    sizes_of = [a.size for r in analysis.layers for a in r.axes]
    if network.bounds and involves(network, sizes_of):
        # the sizes depend on hyperparameters: answer per value, alike answers together
        cases, complete = instances(network)
        groups: dict[tuple[str, ...], list[str]] = {}
        for case in cases:
            got, ok = axis_answers(free_analysis(case.network), drops, concrete, output, layer)
            status = max(status, EXIT_OK if ok else EXIT_FINDINGS)
            groups.setdefault(tuple(got), []).append(case.label())
        if not complete:
            lines.append(
                f"  the sizes depend on {', '.join(map(str, sorted(network.bounds, key=str)))}:"
                f" {combinations(network)} combinations, answered at the corners of their"
                " bounds only"
            )
        for answer, labels in groups.items():
            lines.append(f"  with {' | '.join(labels)}:")
            lines += ["  " + line for line in answer]
    else:
        got, ok = axis_answers(analysis, drops, concrete, output, layer)
        lines += got
        status = EXIT_OK if ok else EXIT_FINDINGS
    if rf is not None:
        target = layer or network.layers[-1].name
        if repeat is not None:
            from .design import smallest_repeat
            from .spec import load_spec, read_text

            try:
                text = read_text(spec)
                if not _is_item(load_spec(text, spec, {repeat: 1}), repeat):
                    _error(f"rfcalc: no top-level layer or block instance named {repeat!r}")
                    return EXIT_USAGE
                found_repeat = smallest_repeat(text, spec, repeat, rf, layer)
            except SpecError as exc:
                _error(f"{exc.loc}: error: {exc.message}")
                return EXIT_FINDINGS
            if found_repeat is None:
                lines.append(
                    f"  no repeat count of {repeat} reaches {rf} (with numbers for every "
                    "symbol, within the spec's limits)"
                )
                status = EXIT_FINDINGS
            else:
                count, got, where = found_repeat
                lines.append(
                    f"  {count} x {repeat} reach a receptive field of {rf}: "
                    f"{' x '.join(map(str, got))} at {where}"
                )
        elif not network.bounds:
            lines.append("  --rf needs symbols: in the spec, or --repeat ITEM")
            status = EXIT_USAGE
        else:
            from .design import smallest_hyperparameters

            search = smallest_hyperparameters(network, rf, layer)
            if search is None:
                lines.append(
                    f"  --rf: the receptive field of {target} is not a number for given values"
                    " of the symbols (it is unstated, or depends on the input size: see"
                    " analyze, or give the spec a concrete input)"
                )
                status = EXIT_FINDINGS
            elif search.values is not None and search.fields is not None:
                shown = ", ".join(f"{k} = {v}" for k, v in search.values.items())
                lines.append(
                    f"  smallest: {shown} (receptive field "
                    f"{' x '.join(map(str, search.fields))} at {target})"
                )
            elif search.complete:
                lines.append(f"  no values within the symbols' bounds reach {rf} at {target}")
                status = EXIT_FINDINGS
            else:
                lines.append(
                    f"  unknown: none of the {search.searched} combinations with the smallest"
                    f" sums (of {search.total}) reaches {rf} at {target}; the search gave up"
                    " there"
                )
                status = EXIT_FINDINGS
    if roundtrip:
        names = ", ".join(tconv_names(network))
        cases = instances(network)[0] if network.bounds else []
        for label, net in [(c.label(), c.network) for c in cases] or [("", network)]:
            answers = roundtrip_output_padding(net, net.ndim)
            if answers is None:
                lines.append("  --roundtrip: the network has no conv_transpose")
                break
            with_values = f" with {label}" if label else ""
            lines.append(f"  output_padding of ({names}) that return the input size{with_values}:")
            for trip in answers:  # each names its axis's symbol
                shown = ", ".join(str(c if len(c) > 1 else c[0]) for c in trip.combos)
                lines.append(f"    {trip.text}: {shown or 'none'}")
    sys.stdout.write("\n".join(lines) + "\n")
    return status


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
    from .engine.hdc import common_factor, m_values, meets_m2, sawtooth_groups, support_1d
    from .render.support_picture import (
        MAX_PATH_COUNTS,
        counts_from_bits,
        dilated_counts,
        summary,
        svg,
        text_picture,
    )

    if kernel < 1 or kernel > 64:
        _error("rfcalc: --kernel takes 1 to 64")
        return EXIT_USAGE
    if design:
        if rf is None or rf < 1:
            _error("rfcalc: --design needs --rf N (the receptive field to reach)")
            return EXIT_USAGE
        from .engine.hdc import design_schedule

        best, searched = design_schedule(kernel, rf)
        sys.stdout.write(searched + "\n")
        if best is None:
            sys.stdout.write(f"no schedule in that space reaches a receptive field of {rf}\n")
            return EXIT_FINDINGS
        schedule, field = best
        sys.stdout.write(
            f"proposed: {schedule} ({len(schedule)} layers, kernel {kernel}, "
            f"receptive field {field})\n"
        )
        rates = schedule
    if not rates:
        _error("rfcalc: give dilation rates (e.g. rfcalc hdc 1 2 5) or --design --rf N")
        return EXIT_USAGE
    if any(r < 1 or r > 1 << 16 for r in rates) or len(rates) > 256:
        _error("rfcalc: rates are integers from 1 to 65536, at most 256 of them")
        return EXIT_USAGE
    status = EXIT_OK
    lines = [f"rates {rates}, kernel {kernel}"]
    for group in sawtooth_groups(rates):
        g = common_factor(group)
        m = m_values(group)
        ok_factor = g == 1 or len(group) < 2
        ok_m = meets_m2(group, kernel)
        m_text = f"M = {m}" + (
            f", M_2 = {m[1]} {'<=' if ok_m else '>'} K = {kernel}" if len(m) > 1 else ""
        )
        lines.append(
            f"  group {group}: common factor {g} ({'ok' if ok_factor else 'grids'}); {m_text}"
            f" ({'ok' if ok_m else 'fails'})"
        )
        if not (ok_factor and ok_m):
            status = EXIT_FINDINGS
    long_growth = [grp for grp in sawtooth_groups(rates) if len(grp) >= 5]
    if long_growth:
        lines.append(f"  sawtooth: {long_growth[0]} grows for {len(long_growth[0])} layers")
    bits = support_1d(kernel, rates)  # the verdict: exact, a bitset
    holes = bits.bit_length() - bin(bits).count("1")
    lines.append(
        f"  exact coverage: receptive field {bits.bit_length()}, "
        + ("no holes" if not holes else f"{holes} holes (gridding)")
    )
    if holes:
        status = EXIT_FINDINGS
    if bits.bit_length() <= MAX_PATH_COUNTS:
        counts = dilated_counts(kernel, rates)
        lines.append(text_picture([counts, counts]))
        lines.append(summary([counts, counts]))
    else:  # path counts cost a pass per tap over the whole field: holes only
        counts = counts_from_bits(bits)
        lines.append(text_picture([counts, counts]))
        lines.append(f"  (path counts are drawn up to a field of {MAX_PATH_COUNTS})")
    sys.stdout.write("\n".join(lines) + "\n")
    if svg_path is not None:
        from pathlib import Path

        Path(svg_path).write_text(svg([counts, counts], f"rates {rates}, kernel {kernel}"))
    return status


@app.command()
def matrix(
    input_size: Annotated[str, typer.Option("--input", "-i", help="Input size, e.g. 4x4.")] = "4x4",
    kernel: Annotated[int, typer.Option("--kernel", "-k")] = 3,
    stride: Annotated[int, typer.Option("--stride", "-s")] = 1,
    padding: Annotated[int, typer.Option("--padding", "-p")] = 0,
    dilation: Annotated[int, typer.Option("--dilation", "-d")] = 1,
    transposed: Annotated[
        bool, typer.Option("--transposed", help="Print C^T: the transposed convolution.")
    ] = False,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
) -> int:
    """The convolution as its sparse matrix C (y = C x), or C^T for the transposed conv."""
    from .engine.convmatrix import conv_matrix, transpose

    sizes = parse_input(input_size)
    if (
        not all(isinstance(v, int) for v in sizes)
        or min(kernel, stride, dilation) < 1
        or padding < 0
    ):
        _error("rfcalc: matrix needs a concrete --input, and kernel, stride, dilation >= 1")
        return EXIT_USAGE
    nd = len(sizes)
    conv_in = [int(v) for v in sizes]
    if transposed:  # --input is the transposed conv's input: the conv it transposes
        # maps the larger size (n - 1)*s - 2p + d*(k - 1) + 1 onto it
        conv_in = [(int(v) - 1) * stride - 2 * padding + dilation * (kernel - 1) + 1 for v in sizes]
    try:
        out, c = conv_matrix(conv_in, [kernel] * nd, [stride] * nd, [padding] * nd, [dilation] * nd)
    except ValueError as exc:
        _error(f"rfcalc: {exc}")
        return EXIT_USAGE
    m = transpose(c) if transposed else c

    def name(tap: tuple[int, ...] | None) -> str:
        return "0" if tap is None else "w" + "".join(map(str, tap))

    shown_in, shown_out = (out, conv_in) if transposed else (conv_in, out)
    if fmt is TableFormat.json:
        doc = {
            "input": shown_in,
            "output": shown_out,
            "transposed": transposed,
            "rows": [[None if t is None else list(t) for t in row] for row in m],
        }
        sys.stdout.write(json.dumps(doc) + "\n")
        return EXIT_OK
    width = max(len(name(t)) for row in m for t in row)
    label = "C^T" if transposed else "C"
    sys.stdout.write(
        f"{label}: {len(m)}x{len(m[0])} (input {'x'.join(map(str, shown_in))}, output "
        f"{'x'.join(map(str, shown_out))}, kernel {kernel}, stride {stride}, "
        f"padding {padding}, dilation {dilation})\n"
    )
    for row in m:
        sys.stdout.write(" ".join(name(t).rjust(width) for t in row) + "\n")
    return EXIT_OK


class CheckFormat(str, Enum):
    rich = "rich"
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(x.strip() for v in values or [] for x in v.split(",") if x.strip())


@app.command()
def check(
    specs: Annotated[
        list[str], typer.Argument(help="Spec files or folders (*.yaml, *.yml).", show_default=False)
    ],
    fmt: Annotated[
        CheckFormat | None,
        typer.Option(
            "--format", "-f", help="rich (default on a terminal), text, json, github, sarif."
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
) -> int:
    """Lint specs: gridding, HDC, dropped pixels, merges, framework rules, expectations.

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or configuration
    error, 3 internal error.  YAML files without an 'rfcalc:' key are skipped.
    """
    from pathlib import Path

    from .config import ConfigError, apply, find_pyproject, load_config
    from .lint import exit_code, expand, lint_path

    try:
        if isolated:
            config = load_config(None)
        elif config_path is not None:
            if not Path(config_path).is_file():
                raise ConfigError(f"{config_path}: no such configuration file")
            config = load_config(Path(config_path))
        else:
            config = load_config(find_pyproject(Path.cwd()))
        table: dict[str, Any] = {}
        if select:
            table["select"] = list(_split(select))
        if ignore:
            table["ignore"] = list(_split(ignore))
        if target is not None:
            table["target"] = target
        if fail_on is not None:
            table["fail-on"] = fail_on
        if severity:
            levels: dict[str, str] = {}
            for item in _split(severity):
                rule, sep, level = item.partition("=")
                if not sep:
                    raise ConfigError(f"--severity takes RULE=LEVEL, not {item!r}")
                levels[rule.strip()] = level.strip()
            table["severity"] = levels
        config = apply(config, table, "command line")
    except ConfigError as exc:
        _error(f"rfcalc: {exc}")
        return EXIT_USAGE

    results = [lint_path(path, config, explicit) for path, explicit in expand(specs)]
    chosen = fmt or (CheckFormat.rich if sys.stdout.isatty() else CheckFormat.text)
    from .render import findings as out

    if chosen is CheckFormat.rich:
        from .render.findings_rich import findings_view

        _console().print(findings_view(results))
    elif chosen is CheckFormat.text:
        sys.stdout.write(out.text(results, details))
    elif chosen is CheckFormat.json:
        sys.stdout.write(out.as_json(results))
    elif chosen is CheckFormat.github:
        sys.stdout.write(out.github(results))
    else:
        sys.stdout.write(out.sarif(results))
    for r in results:
        if r.crashed:
            _error(f"rfcalc {__version__}: internal error on {r.path}: {r.crashed}")
            if os.environ.get("RFCALC_DEBUG") and r.trace:
                sys.stderr.write(r.trace)
    return exit_code(results, config.fail_on)


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


def _show_support(result: Any, name: str, svg_path: str | None) -> None:
    """The exact input support of one output unit of ``name``, per axis, as a picture
    whose shades count the paths from each pixel (the gradient with all weights 1)."""
    from .render.support_picture import counts_from_bits, svg, text_picture
    from .wording import maybe_note_text

    axes = []
    notes = []
    for i, a in enumerate(result[name].axes):
        seen = (
            [] if a.field is None else [(p, r) for p, r in a.field.seen() if r.support is not None]
        )
        if not seen:
            why = maybe_note_text(a.note or (a.field.support_note if a.field is not None else None))
            _error(f"rfcalc: the exact support of {name} is not known on axis {i} ({why})")
            return
        # the phase with the most holes shows the pattern best
        phase, region = max(
            seen,
            key=lambda pr: (pr[1].extent - bin(pr[1].support).count("1"), pr[1].extent),
        )
        axes.append(list(region.paths) if region.paths else counts_from_bits(region.support))
        if a.field is not None and a.field.period > 1:
            notes.append(f"axis {i}: output phase {phase} of {a.field.period}")
    title = f"{result.network.name}: one unit of {name}"
    lines = [title, text_picture(axes)]
    holes = [sum(1 for c in values if c == 0) for values in axes]
    lines.append(
        " x ".join(str(len(v)) for v in axes)
        + " receptive field; holes per axis: "
        + ", ".join(map(str, holes))
        + ("; " + "; ".join(notes) if notes else "")
    )
    if any(r.layer.op in ("add", "concat") for r in result.layers) and len(axes) > 1:
        lines.append("(2-D: the product of the per-axis supports; branches may fill less)")
    sys.stdout.write("\n".join(lines) + "\n")
    if svg_path is not None:
        from pathlib import Path

        Path(svg_path).write_text(svg(axes, title))


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
