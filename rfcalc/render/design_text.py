"""``rfcalc solve``'s answers as text for people: pure functions of the typed results."""

from __future__ import annotations

from ..answers import (
    AxisAnswer,
    AxisSolution,
    HyperAnswer,
    NeedsSymbols,
    RepeatAnswer,
    RoundTrip,
    SolveReport,
)
from ..engine.solve import SCAN_PERIOD_CAP, SEARCH_CAP, SPORADIC_CAP
from ..wording import condition_text, padding_fix, plural, residues_text


def solution_text(sol: AxisSolution) -> str:
    """``H = 32n for n >= 1 (H ≡ 0 (mod 32), smallest 32)``, ``any H >= 32``..."""
    name = sol.name
    if sol.minimum is None:
        return f"no {name} up to 2^24 gives every layer an output"
    if sol.valid is None:
        return (
            f"{name}: unknown (every layer has an output from {name} = "
            f"{sol.minimum}, but whether the sizes agree could not be decided: "
            f"their period is over {SCAN_PERIOD_CAP} or they do not settle within "
            f"{SPORADIC_CAP} inputs)"
        )
    if sol.valid.never:
        reasons = dict.fromkeys(condition_text(c) for c in sol.binding)
        return f"no valid {name}: " + "; ".join(reasons)
    if sol.valid.always:
        return f"any {name} >= {sol.minimum}"
    first = sol.valid.first(sol.minimum)
    if sol.valid.sporadic:
        return f"{residues_text(sol.valid, name)} (smallest {first})"
    m = sol.valid.modulus
    if len(sol.valid.residues) == 1:
        r = sol.valid.residues[0]
        form = f"{m}n" if r == 0 else f"{m}n + {r}"
        n0 = (first - r) // m if first is not None else 0
        return f"{name} = {form} for n >= {n0} ({name} ≡ {r} (mod {m}), smallest {first})"
    return f"{residues_text(sol.valid, name)}, {name} >= {sol.minimum} (smallest {first})"


def axis_lines(answer: AxisAnswer) -> list[str]:
    sol = answer.solution
    name = sol.name
    lines = [f"  valid {solution_text(sol)}"]
    if sol.binding:
        lines.append("    from: " + "; ".join(dict.fromkeys(map(condition_text, sol.binding))))
    size = answer.size
    if size is not None:
        if size.valid:
            lines.append(f"  {name} = {size.value} is valid")
        elif size.valid is None:
            lines.append(f"  {name} = {size.value}: unknown (see above)")
        else:
            fix = padding_fix(size.value, size.below, size.above)
            lines.append(f"  {name} = {size.value} is not valid: " + (fix or "no valid size"))
    out = answer.output
    if out is not None:
        if out.found is None:
            units = plural(out.output, "unit")
            lines.append(f"  no {name} up to {SEARCH_CAP} gives {out.layer} {units}")
        elif out.found[1] is None:
            lines.append(
                f"  {out.layer} has {plural(out.output, 'unit')} for {name} >= {out.found[0]}"
                + ("" if out.constant else f" (up to {SEARCH_CAP} at least)")
            )
        else:
            lines.append(
                f"  {out.layer} has {plural(out.output, 'unit')} for {name} in "
                f"[{out.found[0]}, {out.found[1]}]"
            )
    return lines


def _rf_lines(rf: RepeatAnswer | HyperAnswer | NeedsSymbols) -> list[str]:
    if isinstance(rf, NeedsSymbols):
        return ["  --rf needs symbols: in the spec, or --repeat ITEM"]
    if isinstance(rf, RepeatAnswer):
        if rf.count is None:
            return [
                f"  no repeat count of {rf.item} reaches {rf.rf} (with numbers for every "
                "symbol, within the spec's limits)"
            ]
        return [
            f"  {rf.count} x {rf.item} reach a receptive field of {rf.rf}: "
            f"{' x '.join(map(str, rf.fields))} at {rf.layer}"
        ]
    search = rf.search
    if search is None:
        return [
            f"  --rf: the receptive field of {rf.layer} is not a number for given values"
            " of the symbols (it is unstated, or depends on the input size: see"
            " analyze, or give the spec a concrete input)"
        ]
    if search.values is not None and search.fields is not None:
        shown = ", ".join(f"{k} = {v}" for k, v in search.values.items())
        return [
            f"  smallest: {shown} (receptive field "
            f"{' x '.join(map(str, search.fields))} at {rf.layer})"
        ]
    if search.complete:
        return [f"  no values within the symbols' bounds reach {rf.rf} at {rf.layer}"]
    return [
        f"  unknown: none of the {search.searched} combinations with the smallest"
        f" sums (of {search.total}) reaches {rf.rf} at {rf.layer}; the search gave up"
        " there"
    ]


def roundtrip_inputs_text(trip: RoundTrip) -> str:
    """The inputs at which a round trip's combinations work: ``any H``, ``H ≡ 1 (mod
    2)``, ``no H >= 5``..."""
    if not trip.combos:
        return f"no {trip.name} >= {trip.start}"
    if trip.inputs is None:
        return f"{trip.name} unknown (not decided)"
    if trip.inputs.always and trip.inputs.start <= trip.start:
        return f"any {trip.name}"
    return residues_text(trip.inputs, trip.name)


def solve_text(report: SolveReport) -> str:
    lines = [f"{report.network.name} ({report.path})"]
    per_value = any(g.labels for g in report.groups)
    if per_value and report.corners_only:
        names = ", ".join(map(str, sorted(report.network.bounds, key=str)))
        lines.append(
            f"  the sizes depend on {names}: {report.combinations} combinations, answered"
            " at the corners of their bounds only"
        )
    for group in report.groups:
        body = [line for a in group.axes for line in axis_lines(a)]
        if per_value:
            lines.append(f"  with {' | '.join(group.labels)}:")
            body = ["  " + line for line in body]
        lines += body
    if report.rf is not None:
        lines += _rf_lines(report.rf)
    names = ", ".join(report.tconvs)
    for case in report.roundtrip:
        if case.trips is None:
            lines.append("  --roundtrip: the network has no conv_transpose")
            break
        with_values = f" with {case.label}" if case.label else ""
        lines.append(f"  output_padding of ({names}) that return the input size{with_values}:")
        for trip in case.trips:  # each names its axis's symbol
            shown = ", ".join(str(c if len(c) > 1 else c[0]) for c in trip.combos)
            lines.append(f"    {roundtrip_inputs_text(trip)}: {shown or 'none'}")
    return "\n".join(lines) + "\n"
