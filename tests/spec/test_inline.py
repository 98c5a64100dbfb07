"""Inline ignore comments (``# rfcalc: ignore[RF201]: why``) are found in linear time
(issue #28: the pattern scanned to the next ``]`` from every comment head, quadratic on a
line of heads) and exactly where the first pattern found them."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from support.scale import examples

from rfcalc.spec.inline import InlineIgnore, inline_ignores

#: the pattern as it was: the oracle for where a comment is and what it says
_BEFORE = re.compile(r"(?:^|\s)#\s*rfcalc:\s*ignore\[(?P<rules>[^\]]*)\](?P<reason>.*)$")


def _oracle(text: str) -> list[InlineIgnore]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _BEFORE.search(line)
        before = line[: match.start("rules")] if match else ""
        if match is None or before.count('"') % 2 or before.count("'") % 2:
            continue
        rules = tuple(r.strip() for r in match.group("rules").split(",") if r.strip())
        reason = match.group("reason").strip().lstrip(":-–—").strip()
        found.append(InlineIgnore(number, line.index("#", match.start()) + 1, rules, reason))
    return found


TOKENS = ["#", " ", "\t", "rfcalc:", "ignore[", "]", "RF201", ",", '"', "'", "x", ": why", "\n"]


@settings(max_examples=examples(600), deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_comments_are_found_as_the_first_pattern_found_them(tokens: list[str]) -> None:
    text = "".join(tokens)
    assert inline_ignores(text) == _oracle(text)


def test_a_line_of_a_hundred_thousand_heads_is_read_in_one_pass() -> None:
    """Quadratic before: 320 KB took 21 s.  Here 3 MB (under the 4 MiB file limit) is
    one pass; a hang, not a slow machine, would time the test out."""
    line = "  - {op: conv} " + "# rfcalc: ignore[RF201 " * 140_000 + "] why"
    assert len(line) > 3_000_000
    (found,) = inline_ignores(line + "\n")
    assert found.rules[0].startswith("RF201 # rfcalc: ignore[RF201")
    assert found.col == len("  - {op: conv} ") + 1
    assert found.reason == "why"
    assert inline_ignores(line.replace("]", "") + "\n") == []
