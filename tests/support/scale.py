"""How much the property tests and the real-network oracles run.

Three profiles, chosen with ``HYPOTHESIS_PROFILE``, all derandomized except ``long``:

- ``default`` (the README's ``pytest``): every command, every oracle family and the
  browser, with a third of each property test's examples and the real networks that
  cost seconds, not minutes, in PyTorch: a run of a few minutes on a 2-core machine;
- ``ci`` (what ``.ci/run`` runs): every example count in full and every real network
  against PyTorch at its largest;
- ``long``: the opt-in deep run, random examples, ``LONG_FACTOR`` times the ``ci``
  counts (README, Development).
"""

from __future__ import annotations

import os
from typing import Any

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
LONG = PROFILE == "long"
#: the ci and long profiles: full example counts, the largest networks too
FULL = PROFILE in ("ci", "long")
LONG_FACTOR = 25
#: the share of each count the default profile runs
DEFAULT_SHARE = 3


def examples(n: int) -> int:
    """``n`` examples in the ci profile, ``LONG_FACTOR * n`` in the long one, a third of
    ``n`` (at least 2) by default."""
    if LONG:
        return n * LONG_FACTOR
    return n if FULL else max(2, n // DEFAULT_SHARE)


#: why a case runs in the ci profile only
CI_ONLY = "a real network that costs PyTorch minutes: HYPOTHESIS_PROFILE=ci runs it (.ci/run)"


def sampled(cases: list[Any], ids: list[str], kept: set[str]) -> list[Any]:
    """``cases`` as pytest parameters (named by ``ids``): those named in ``kept`` run in
    every profile, the others in the ci profile only (a representative sample by
    default, every case in CI)."""
    import pytest

    unknown = kept - set(ids)
    assert not unknown, unknown  # a renamed case must not drop out silently
    return [
        pytest.param(
            *(case if isinstance(case, tuple) else (case,)),
            id=name,
            marks=[] if name in kept else [pytest.mark.skipif(not FULL, reason=CI_SAMPLE)],
        )
        for case, name in zip(cases, ids, strict=True)
    ]


#: why a case runs in the ci profile only
CI_SAMPLE = "the default profile runs a sample of these cases: HYPOTHESIS_PROFILE=ci runs all"
