"""Optional dependencies of the tests: a skip with the reason where one is missing, or a
failure where the run requires it (``.ci/run`` sets ``RFCALC_REQUIRE_LIBRARIES`` and
``RFCALC_REQUIRE_BROWSER``; ``CI`` requires the browser too)."""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import NoReturn

import pytest

#: the variable that turns a missing library into a failure
LIBRARIES = "RFCALC_REQUIRE_LIBRARIES"
#: the variables that turn a missing browser into a failure
BROWSER = ("RFCALC_REQUIRE_BROWSER", "CI")


def missing(reason: str, *required_by: str) -> NoReturn:
    """Skip with ``reason``; fail instead when any of ``required_by`` is set."""
    if any(os.environ.get(name) for name in required_by):
        pytest.fail(f"{reason}; this run requires it (.ci/run installs it)")
    pytest.skip(reason)


def library(name: str) -> ModuleType:
    """The library ``name``, or a skip (a failure where ``RFCALC_REQUIRE_LIBRARIES`` is set)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"{name} is not installed (pip install {name})", LIBRARIES)
