"""Shared test settings: hypothesis profiles, and what the generated suites counted.

``pytest`` runs the ``default`` profile everywhere (derandomized: the same examples on
every machine, so a red run reproduces; example counts sized for a few minutes, see
``scale.py``).  ``HYPOTHESIS_PROFILE=long`` is the opt-in deep run: random, 25 times the
examples (README, Development).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    derandomize=True,
    deadline=None,
    print_blob=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("ci", parent=settings.get_profile("default"))
settings.register_profile(
    "long", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_terminal_summary(terminalreporter: object) -> None:
    """How many networks the generated-network suites built (issue #10: printed in CI)."""
    import sys

    module = sys.modules.get("test_commands_generated")
    counts = getattr(module, "COUNTS", None)
    if not counts:
        return
    write = terminalreporter.write_line  # type: ignore[attr-defined]
    write("generated-network suites:")
    for what, n in sorted(counts.items()):
        write(f"  {n:6d}  {what}")
