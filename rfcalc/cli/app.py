"""The ``rfcalc`` command: a typer application of thin commands, one module each.

Exit codes: 0 clean; 1 a spec could not be read (or, for ``check``, findings at or
above the threshold); 2 usage or configuration error; 3 a bug in rfcalc.
Start-up stays light: sympy and the engine load only when a command needs them.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import Annotated

import typer

try:  # typer >= 0.24 vendors click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - older typer on real click
    from click import exceptions as _cx  # type: ignore[no-redef,import-not-found,unused-ignore]

from .._version import __version__
from ..model import EXIT_BUG, EXIT_OK, EXIT_USAGE
from .analyze import analyze
from .check import check
from .hdc import hdc
from .importing import import_model
from .matrix import matrix
from .output import say
from .report import report
from .rules import rules
from .schema import schema
from .solve import solve

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

#: the commands in the order ``rfcalc --help`` lists them
COMMANDS: dict[str, Callable[..., int]] = {
    "analyze": analyze,
    "report": report,
    "solve": solve,
    "hdc": hdc,
    "matrix": matrix,
    "import": import_model,
    "check": check,
    "schema": schema,
    "rules": rules,
}
for _name, _command in COMMANDS.items():
    app.command(_name)(_command)


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
        say("rfcalc: aborted")
        code = EXIT_USAGE
    except BrokenPipeError:
        code = _closed_pipe()
    except KeyboardInterrupt:
        code = 130
    except OSError as exc:  # the machine, not rfcalc: a full disk, a missing folder
        code = _ossay(exc)
    except Exception as exc:  # a bug in rfcalc: say so plainly, with where to report it
        import traceback

        say(f"rfcalc {__version__}: internal error: {type(exc).__name__}: {exc}")
        if os.environ.get("RFCALC_DEBUG"):
            traceback.print_exc()
        else:
            say("this is a bug in rfcalc; set RFCALC_DEBUG=1 to see the traceback")
        code = EXIT_BUG
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _closed_pipe()
    except OSError as exc:
        code = _ossay(exc)
    return code


def _ossay(exc: OSError) -> int:
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
