"""``rfcalc check``: lint specs and models, in every CI format, with exit codes."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from ..model import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Network, SpecError
from .args import CheckFormat, ConfigOption, IsolatedOption
from .output import crashes, emit, open_source, refuse_output, say, spec_error, stdin_bytes


class _Usage(Exception):
    """A usage error already said on standard error."""


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
    config_path: ConfigOption = None,
    isolated: IsolatedOption = False,
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
    from ..config import ConfigError, from_options
    from ..lint import exit_code

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
        reference = _reference(model)
        results = _lint(specs, config, reference, stdin_filename)
    except ConfigError as exc:
        say(f"rfcalc: {exc}")
        return EXIT_USAGE
    except _Usage:
        return EXIT_USAGE
    shown = _shown(results, fmt, output_file, statistics, quiet, details)
    if refuse_output("--output-file", output_file, [r.path for r in results]):
        return EXIT_USAGE
    emit(shown, output_file)
    crashes(results)
    code = exit_code(results, config.fail_on)
    return EXIT_OK if exit_zero and code == EXIT_FINDINGS else code


def _reference(model: str | None) -> Network | None:
    """``--model``: the ONNX model the specs are compared with."""
    from ..sources import is_model

    if model is None:
        return None
    if not is_model(model):
        say(f"rfcalc: --model takes an ONNX model (.onnx), not {model!r}")
        raise _Usage
    try:
        network: Network = open_source(model).network
    except SpecError as exc:
        spec_error(exc)
        raise _Usage from None
    return network


def _lint(specs: list[str], config: Any, reference: Network | None, name: str | None) -> list[Any]:
    """Every file named or found in a folder, checked; a progress bar on a terminal."""
    from ..lint import expand, lint_bytes, lint_path
    from ..render.progress import progress
    from ..spec.yamlread import MAX_BYTES

    if specs.count("-") > 1:
        say("rfcalc: - (standard input) can be given once")
        raise _Usage
    results = []
    with progress() as bar:
        files = [(p, explicit) for path in specs for p, explicit in expand([path])]
        # files done of the files named; one file: what is being checked
        tick = bar.stage("checking files", len(files)) if len(files) > 1 else None
        for path, explicit in files:
            if tick is None:
                bar.stage(f"checking {path}", None)
            if path == "-":
                raw = stdin_bytes(MAX_BYTES + 1)
                results.append(lint_bytes(raw, name or "<stdin>", config, reference))
            else:
                results.append(lint_path(path, config, explicit, reference))
            if tick is not None:
                tick(len(results))
    return results


def _shown(
    results: list[Any],
    fmt: CheckFormat | None,
    output_file: str | None,
    statistics: bool,
    quiet: bool,
    details: bool,
) -> Any:
    """The findings as the format chosen (rich on a terminal, else text) shows them."""
    from ..render.findings import FORMATS
    from ..render.findings import statistics as statistics_text

    to_file = output_file is not None
    chosen = fmt or (CheckFormat.rich if sys.stdout.isatty() and not to_file else CheckFormat.text)
    if statistics:
        return statistics_text(results, as_json=chosen is CheckFormat.json)
    if chosen is CheckFormat.rich and quiet:
        from ..render.findings_rich import findings_view

        return findings_view(results, summary=False)
    return FORMATS[chosen.value](results, details)
