"""A command run in the test's own process, through ``rfcalc.cli.main``."""

from __future__ import annotations

import pytest

from rfcalc.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The exit code, standard output and standard error of ``rfcalc ARGS``."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_merged(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The exit code and everything ``rfcalc ARGS`` printed (output, then errors)."""
    code, out, err = run(capsys, *args)
    return code, out + err


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``rfcalc check --isolated ARGS``: no configuration file of the checkout applies."""
    return run(capsys, "check", "--isolated", *args)
