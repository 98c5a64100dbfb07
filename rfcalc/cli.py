"""The ``rfcalc`` command: a thin typer layer over the engine and the renderers.

Exit codes: 0 clean; 1 a spec could not be read (or, for ``check``, findings at or
above the threshold); 2 usage or configuration error; 3 a bug in rfcalc.
Start-up stays light: sympy and the engine load only when a command needs them.
"""

from __future__ import annotations

import json
import os
import re
import sys
from enum import Enum
from typing import Annotated, Any

import typer

try:  # typer >= 0.24 vendors click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - older typer on real click
    from click import exceptions as _cx  # type: ignore[no-redef,import-not-found]

from ._version import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3

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
) -> int:
    """Per layer and axis: output size, receptive field, jump and effective padding."""
    from .engine import analyze_network, size_symbol
    from .model import SpecError
    from .spec import read_spec_file

    override = parse_input(input_size) if input_size is not None else None
    documents: list[dict[str, Any]] = []
    status = EXIT_OK
    console = _console() if fmt is TableFormat.table else None
    for path in specs:
        try:
            network = read_spec_file(path)
            sizes = None
            if override is not None:
                if len(override) != network.ndim:
                    raise SpecError(
                        f"--input gives {len(override)} axes "
                        f"but the spec's input has {network.ndim}",
                        network.loc,
                    )
                sizes = [size_symbol(s) if isinstance(s, str) else s for s in override]
            result = analyze_network(network, sizes)
        except SpecError as exc:
            _error(f"{exc.loc}: error: {exc.message}")
            status = EXIT_FINDINGS
            continue
        if console is not None:
            from .render.table import analysis_table

            title = f"{network.name}  ({path})"
            console.print(analysis_table(result, title))
        else:
            from .render.analysis_json import analysis_document

            documents.append(analysis_document(result, path))
    if fmt is TableFormat.json:
        out: Any = documents[0] if len(specs) == 1 and documents else documents
        if len(specs) == 1 and not documents:
            return status
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    return status


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    args = sys.argv[1:] if argv is None else argv
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
    return code


def _closed_pipe() -> int:
    """stdout was closed early (``| head``): stop quietly, as Unix tools do."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_OK
