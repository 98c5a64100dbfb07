"""Shared test settings: hypothesis profiles, and what the generated suites counted.

``pytest`` runs the ``default`` profile (derandomized: the same examples on every
machine, so a red run reproduces; a third of the ``ci`` profile's examples, see
``support/scale.py``); ``.ci/run`` runs ``HYPOTHESIS_PROFILE=ci``, every count in full and the
largest networks; ``HYPOTHESIS_PROFILE=long`` is the opt-in deep run: random, 25 times
the examples (README, Development).
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings
from support.scale import examples

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# the README's `pytest`: a third of hypothesis's 100 examples where a test names no
# count (those that do scale through ``scale.examples``)
settings.register_profile("default", parent=settings.get_profile("ci"), max_examples=examples(100))
settings.register_profile(
    "long", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# pytest-xdist runs one worker per core: PyTorch's (OpenMP's) thread pool in one worker
# would take a core from the other, its idle threads spinning while it waits (a run
# with a PyTorch oracle beside a command test took 1.4x longer each). One thread per
# worker; set before any test imports torch, inherited by the commands tests start.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# albumentations looks for a newer release over the network when imported: a warning
# (an error here) after a time-out on a machine without internet
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")


#: what a terminal, a user's preferences or the locale tell rich, click and Python; a test
#: that needs one sets it itself (``monkeypatch.setenv("COLUMNS", "80")``)
_ENVIRONMENT = (
    "COLUMNS",
    "LINES",
    "FORCE_COLOR",
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "JUPYTER_COLUMNS",
    "JUPYTER_LINES",
    "PY_COLORS",
    "TERM",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_MESSAGES",
)


@pytest.fixture(autouse=True)
def _hermetic_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees the same terminal (none: 80 columns, no colour) and the same
    locale (C.UTF-8), whatever the shell that runs pytest has set: no test depends on the
    width, the colour settings or the locale (CI runs the suite with COLUMNS=40, a
    colour forced and a long temporary path to show it)."""
    for name in _ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("TERM", "dumb")


def _local_counts() -> dict[str, int]:
    import sys

    module = sys.modules.get("test_commands_generated")
    return dict(getattr(module, "COUNTS", None) or {})


#: what the workers counted (pytest-xdist: each worker sends its counts when it ends)
_GATHERED: Counter[str] = Counter()


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)
    if output is not None:  # an xdist worker: hand the counts to the controller
        output["rfcalc_counts"] = _local_counts()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    _GATHERED.update(getattr(node, "workeroutput", {}).get("rfcalc_counts", {}))


def pytest_terminal_summary(terminalreporter: object) -> None:
    """How many networks the generated-network suites built (issue #10: printed in CI),
    over every worker."""
    counts = _GATHERED + Counter(_local_counts())
    if not counts:
        return
    write = terminalreporter.write_line  # type: ignore[attr-defined]
    write("generated-network suites:")
    for what, n in sorted(counts.items()):
        write(f"  {n:6d}  {what}")
