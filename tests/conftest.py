"""Shared test settings: hypothesis profiles (``ci`` is derandomized so a red build reproduces)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


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
