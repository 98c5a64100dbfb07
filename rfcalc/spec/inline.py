"""Inline suppressions: ``# rfcalc: ignore[RF201]: why`` on the line a finding points at.

The comment names rules as ``suppress:`` entries do (an id, a name, or an id prefix,
several separated by commas) and gives its reason after the bracket; the linter drops
the findings of those rules on that line, and reports an ignore without a reason, or one
that names no rule (RF002).  Only a YAML comment counts: ``#`` at the start of the line
or after a space, outside quotes as far as one line tells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IGNORE = re.compile(r"(?:^|\s)#\s*rfcalc:\s*ignore\[(?P<rules>[^\]]*)\](?P<reason>.*)$")


@dataclass(frozen=True)
class InlineIgnore:
    line: int
    col: int
    rules: tuple[str, ...]
    reason: str


def inline_ignores(text: str) -> list[InlineIgnore]:
    """Every ``# rfcalc: ignore[...]`` comment of ``text``, with its place."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _IGNORE.search(line)
        if match is None or _quoted(line[: match.start("rules")]):
            continue
        rules = tuple(r.strip() for r in match.group("rules").split(",") if r.strip())
        reason = match.group("reason").strip().lstrip(":-–—").strip()
        col = line.index("#", match.start()) + 1
        found.append(InlineIgnore(number, col, rules, reason))
    return found


def _quoted(before: str) -> bool:
    """Whether ``before`` (the line up to the comment) leaves a quote open."""
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1
