"""What the commands print and write: messages on standard error, results on standard
output or in a file (never over a file being read), rich renderables as plain text in a
file."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from .._version import __version__


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def say(message: str) -> None:
    """A message on standard error; what it quotes (a path, a name) cannot start a line
    of its own or reach the terminal as a control sequence."""
    from ..model import visible

    typer.echo("\n".join(visible(line) for line in message.split("\n")), err=True)


def spec_error(exc: Any) -> None:
    """A spec that cannot be read: ``file:line:col: error: ...``, and the line with a
    caret under the column where the reader knows it."""
    say(f"{exc.loc}: error: {exc.message}")
    if exc.excerpt:
        say(exc.excerpt)


def output_problem(target: str | None, inputs: Sequence[str], keep: bool = False) -> str | None:
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


def refuse_output(
    option: str, target: str | None, inputs: Sequence[str], keep: bool = False
) -> bool:
    """Whether ``target`` must not be written (:func:`output_problem`), said on stderr."""
    problem = output_problem(target, inputs, keep)
    if problem is not None:
        say(f"rfcalc: {option}: {problem}")
    return problem is not None


def write_output(target: str, text: str) -> None:
    """``text`` to ``target`` as UTF-8, or to standard output for ``-``."""
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    Path(target).write_text(text, encoding="utf-8")


def emit(shown: Any, output_file: str | None) -> None:
    """Text or a rich renderable to stdout, or to ``output_file`` as plain text."""
    if output_file is None or (output_file == "-" and not isinstance(shown, str)):
        if isinstance(shown, str):
            sys.stdout.write(shown)
        else:
            console().print(shown)
        return
    if not isinstance(shown, str):  # no colours, no terminal width in a file
        from rich.console import Console

        buffer = io.StringIO()
        Console(file=buffer, color_system=None, width=100).print(shown, soft_wrap=True)
        shown = buffer.getvalue()
    write_output(output_file, shown)


def stdin_bytes(limit: int) -> bytes:
    """At most ``limit`` bytes of standard input, as bytes: decoded as a file is."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return bytes(buffer.read(limit))
    return sys.stdin.read(limit).encode("utf-8", "surrogateescape")  # a text stream


def crashes(results: Sequence[Any]) -> None:
    """Say which files rfcalc failed on (a bug: the others were still checked)."""
    for r in results:
        if r.crashed:
            say(f"rfcalc {__version__}: internal error on {r.path}: {r.crashed}")
            if os.environ.get("RFCALC_DEBUG") and r.trace:
                sys.stderr.write(r.trace)


def open_source(path: str, repeats: dict[str, int] | None = None) -> Any:
    """:func:`rfcalc.sources.open_source`, its import report said on standard error, then
    the repeat counts checked against it (:class:`~rfcalc.model.Refused`)."""
    from ..sources import open_source as opened

    source = opened(path, repeats)
    for line in source.messages():
        say(line)
    source.require_items(repeats or {})
    return source
