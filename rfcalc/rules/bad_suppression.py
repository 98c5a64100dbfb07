"""A ``suppress:`` entry or an inline ``# rfcalc: ignore[...]`` that names no rule, or an
inline ignore that gives no reason.

Why: a typo in a suppression silently suppresses nothing, and the finding it was
meant for comes back with no explanation; or it hides nothing because the rule id was
retired.  Entries name a rule id (``RF201``), a rule name (``gridding``) or an id
prefix (``RF2``).  A suppression is a decision a reviewer should be able to read:
``suppress:`` entries map each rule to its reason, and an inline ignore on the line a
finding points at gives it after the bracket
(``# rfcalc: ignore[RF201]: the holes are intended``).

Bad::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {op: conv, kernel: 3, suppress: {RF999: "not a rule"}}  # expect: RF002

Good::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {op: conv, kernel: 3, dilation: 2, suppress: {RF201: "holes are intended here"}}

Also bad (the inline ignore still drops RF201 on its line, and says why not)::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {op: conv, kernel: 3, dilation: 2}  # rfcalc: ignore[RF201]

Fix: name an existing rule (``rfcalc rules`` lists them) or delete the entry; give an
inline ignore its reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..model import Severity
from .base import Context, Report, Rule


def names_no_rule(selector: str) -> bool:
    """Whether ``selector`` (an id, a name or an id prefix) matches no rule."""
    from . import RULES

    return not any(rule.matches(selector) for rule in RULES)


def check(ctx: Context) -> Iterator[Report]:
    entries = [(s, None) for s in ctx.network.suppress] + [
        (s, layer.name) for layer in ctx.network.layers for s in layer.suppress
    ]
    for s, layer in entries:
        if names_no_rule(s.rule):
            yield Report(
                s.loc, f"suppress names {s.rule!r}, which is no rule id, name or prefix", layer
            )


def inline_problems(rules: Sequence[str], reason: str) -> list[str]:
    """What this rule says of an inline ``# rfcalc: ignore[...]`` (the rules it names and
    its reason; read from the spec's text by the linter, which has the text)."""
    problems = [f"ignore[{r}] names no rule id, name or prefix" for r in rules if names_no_rule(r)]
    if not rules:
        problems.append("ignore[] names no rule")
    if not reason:
        listed = ", ".join(rules)
        problems.append(
            f"ignore[{listed}] gives no reason: say why after it "
            f"(# rfcalc: ignore[{listed or 'RF201'}]: the holes are intended)"
        )
    return problems


RULE = Rule(
    id="RF002",
    name="bad-suppression",
    severity=Severity.WARNING,
    summary="a suppression names no rule, or an inline ignore gives no reason",
    check=check,
    doc=__doc__ or "",
)
