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

#: the head of the comment; the rules run to the next ``]`` (found with ``str.find``: a
#: pattern scanning to it from every head took quadratic time on a line of heads)
_HEAD = re.compile(r"(?:^|(?<=\s))#\s*rfcalc:\s*ignore\[")


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
        if "rfcalc" not in line:
            continue
        head = _HEAD.search(line)
        if head is None:
            continue
        close = line.find("]", head.end())
        if close < 0 or _quoted(line[: head.end()]):
            continue
        rules = tuple(r.strip() for r in line[head.end() : close].split(",") if r.strip())
        reason = line[close + 1 :].strip().lstrip(":-–—").strip()
        found.append(InlineIgnore(number, head.start() + 1, rules, reason))
    return found


def _quoted(before: str) -> bool:
    """Whether ``before`` (the line up to the comment) leaves a quote open."""
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1
