"""A spec that cannot be read: bad YAML, an unknown key or op, a wrong type, a bad reference.

Why: a file rfcalc cannot read describes no network; analysing what it could guess
would report numbers for a network nobody wrote.  The finding sits on the offending
line and column.

Bad::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {op: conv, kernel: 3, dialation: 2}  # expect: RF001

Good::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {op: conv, kernel: 3, dilation: 2}

Fix: what the message says; unknown keys come with a "did you mean".
"""

from __future__ import annotations

from ..model import Severity
from .base import Rule

RULE = Rule(
    id="RF001",
    name="spec-error",
    severity=Severity.ERROR,
    summary="the spec cannot be read (YAML, keys, types, references)",
    check=None,
    doc=__doc__ or "",
)
