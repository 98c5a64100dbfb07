"""How many examples the property tests generate.

The default (what ``pytest`` runs, locally and in CI) is derandomized and sized for a
run of a few minutes on a loaded 2-core machine: the same examples every time, so a red
run reproduces.  ``HYPOTHESIS_PROFILE=long`` is the opt-in deep run: random examples,
``LONG_FACTOR`` times as many of each (README, Development).
"""

from __future__ import annotations

import os

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
LONG_FACTOR = 25


def examples(n: int) -> int:
    """``n`` examples by default, ``LONG_FACTOR * n`` in the long profile."""
    return n * LONG_FACTOR if LONG else n
