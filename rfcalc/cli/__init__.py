"""The ``rfcalc`` command line: ``app.py`` the typer application and ``main``, one
module per command (each parses its options, calls the library, prints, returns an exit
code), ``args.py`` the text grammars, ``output.py`` messages and files."""

from .app import app, main

__all__ = ["app", "main"]
