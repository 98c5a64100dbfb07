"""A broken expectation: what the spec's authors declared they rely on does not hold.

Why: a team pins a design in CI by declaring, on a layer, the receptive field (exactly,
at least or at most), output size, jump or effective padding it relies on, and on the
network the input sizes that must be valid and the context (receptive field) every
output must see.  Any change that breaks them fails the lint.  Values that depend on
a symbolic input are checked at every ``input.sizes``.

Bad::

    rfcalc: 1
    input: {size: [64]}
    layers:
      - {op: conv, kernel: 3, expect: {receptive_field: {min: 5}}}  # expect: RF501

Good::

    rfcalc: 1
    input: {size: [64]}
    expect: {valid_inputs: [[64]]}
    layers:
      - {op: conv, kernel: 5, expect: {receptive_field: {min: 5}, output_size: 60}}

Fix: change the network, or the expectation if the design changed on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import sympy

from ..engine import Analysis, AxisResult, analyze_network
from ..engine.conditions import Source, size_conditions
from ..engine.printing import short
from ..model import MERGES, Expectation, Severity
from .base import Context, Report, Rule, size_text
from .solving import nearest_text, solve_axis

_WORDS = {"==": "", ">=": "at least ", "<=": "at most "}


def _actual(a: AxisResult, what: str) -> Any:
    return {
        "receptive_field": a.receptive_field,
        "output_size": a.size,
        "jump": a.jump,
        "effective_padding": a.effective_padding,
    }[what]


def _holds(actual: Any, op: str, want: int) -> bool | None:
    if actual is None:
        return None
    diff = sympy.sympify(actual) - want
    if not diff.is_number:
        return None
    return bool({"==": diff == 0, ">=": diff >= 0, "<=": diff <= 0}[op])


def _layer_reports(ctx: Context, name: str, e: Expectation) -> Iterator[Report]:
    runs: list[tuple[str, Analysis]] = [(r.label, r.analysis) for r in ctx.runs]
    checked = False
    for label, analysis in runs:
        axes = analysis[name].axes
        bad = []
        unknown = False
        for axis, want in enumerate(e.value):
            if want is None:
                continue
            verdict = _holds(_actual(axes[axis], e.what), e.op, want)
            if verdict is None:
                unknown = True
            elif not verdict:
                bad.append(axis)
        if unknown:
            continue
        checked = True
        if bad:
            got = size_text(short(_actual(axes[i], e.what)) for i in range(len(axes)))
            wanted = size_text("*" if v is None else v for v in e.value)
            yield Report(
                e.loc,
                f"{name}: expected {e.what.replace('_', ' ')} {_WORDS[e.op]}{wanted}, "
                f"got {got} at input {label}",
                name,
            )
            return
    if not checked:
        yield Report(
            e.loc,
            f"{name}: cannot check the expected {e.what.replace('_', ' ')}: it depends on the "
            "input; declare concrete input sizes (input: sizes: [...])",
            name,
            severity=Severity.WARNING,
        )


def invalid_reasons(analysis: Analysis) -> list[str]:
    """Why the network cannot run at this input: empty outputs, merges that disagree."""
    reasons = []
    for r in analysis.layers:
        if any(int(a.size) < 1 for a in r.axes):
            reasons.append(f"{r.name} has an empty output ({size_text(r.output_size)})")
            break
    for r in analysis.layers:
        if r.layer.op in MERGES and r.mismatched_axes:
            sizes = ", ".join(size_text(s) for s in r.input_sizes)
            reasons.append(f"{r.name} joins {sizes}")
    return reasons


def _valid_input(ctx: Context, e: Expectation) -> Iterator[Report]:
    analysis = analyze_network(ctx.network, list(e.value))
    reasons = invalid_reasons(analysis)
    if not reasons:
        return
    hints = []
    for axis, value in enumerate(e.value):
        diffs = [c.expr for c in size_conditions(ctx.free, axis, {Source.MERGE})]
        res = solve_axis(ctx, axis, diffs, lambda v: all(x == 0 for x in v))
        if res is not None and not res.holds(value):
            hints.append(f"nearest valid {ctx.axis_name(axis)}: {nearest_text(res, value)}")
    yield Report(
        e.loc,
        f"input {size_text(e.value)} is expected to be valid but "
        + "; ".join(reasons)
        + (f" ({'; '.join(hints)})" if hints else ""),
    )


def check(ctx: Context) -> Iterator[Report]:
    for layer in ctx.network.layers:
        for e in layer.expect:
            yield from _layer_reports(ctx, layer.name, e)
    for e in ctx.network.expect:
        if e.what == "valid_input":
            yield from _valid_input(ctx, e)
        elif e.what == "context":  # every output sees at least this much
            for sink in ctx.sinks():
                at_least = Expectation("receptive_field", ">=", e.value, e.loc)
                for report in _layer_reports(ctx, sink, at_least):
                    yield replace(report, message=f"{report.message} (the declared context)")


RULE = Rule(
    id="RF501",
    name="expectation",
    severity=Severity.ERROR,
    summary="a declared expectation (expect:) does not hold",
    check=check,
    doc=__doc__ or "",
)
