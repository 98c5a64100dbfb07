"""Reflect or circular padding wider than the map it pads, at a declared input or for
some inputs.

Why: PyTorch raises at run time ("Padding size should be less than the corresponding
input dimension"): reflect padding mirrors the map without its edge, so it needs more
units than it pads; circular padding wraps around at most once, so it needs at least as
many.  Deep in an encoder the map is small, and the spec's input decides whether it is
small enough to fail.

Bad::

    rfcalc: 1
    input: {size: [16]}
    layers:
      - {op: max_pool, kernel: 4}
      - {op: conv, kernel: 9, padding: same, padding_mode: reflect}  # expect: RF106

Good::

    rfcalc: 1
    input: {size: [32]}
    layers:
      - {op: max_pool, kernel: 4}
      - {op: conv, kernel: 9, padding: same, padding_mode: reflect}

Fix: a larger input, a smaller kernel or less padding there, or zero (or replicate)
padding, which fits any map.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.conditions import FILL_MARGIN, Source, size_conditions
from ..engine.sizes import is_concrete
from ..model import Severity
from ..wording import plural, residues_text
from .base import Context, Report, Rule
from .solving import first_valid_text, per_axis


def check(ctx: Context) -> Iterator[Report]:
    solved = per_axis(ctx, Source.FILL, lambda values: all(v <= 0 for v in values))
    for run in ctx.concrete_runs():
        for r in run.analysis.layers:
            if r.layer.padding_mode not in FILL_MARGIN:
                continue
            for axis in range(len(r.axes)):
                for c in size_conditions(run.analysis, axis, {Source.FILL}):
                    if c.layer != r.name or int(c.expr) <= 0:
                        continue
                    n = int(r.input_sizes[0][axis])
                    need = "more" if FILL_MARGIN[c.first] else "at least as many"
                    res, _ = solved[axis]
                    name = ctx.axis_name(axis)
                    hint = f"; valid {name}: {residues_text(res, name)}" if res else ""
                    yield Report(
                        r.layer.loc,
                        f"{r.name} {c.first}-pads {c.divisor} on axis {name} but reads "
                        f"{plural(n, ctx.unit_word(axis))} at input {run.label} ({c.first} "
                        f"padding needs {need} {ctx.unit_word(axis, 2)} than it pads; "
                        f"PyTorch raises){hint}",
                        r.name,
                    )
                    break
    loc = ctx.network.key_locs.get("input", ctx.network.loc)
    for axis, (res, names) in enumerate(solved):
        if res is None or is_concrete(ctx.network.input_size[axis]):
            continue
        if res.always and res.start == ctx.min_valid_input(axis):
            continue
        name = ctx.axis_name(axis)
        need = (
            f"needs {name} >= {res.start}"
            if res.always
            else f"fits only for {residues_text(res, name)} (valid: {first_valid_text(res)})"
        )
        yield Report(
            loc,
            f"the padding of {', '.join(names)} {need}",
            severity=Severity.INFO,
        )


RULE = Rule(
    id="RF106",
    name="padding-wider-than-input",
    severity=Severity.ERROR,
    summary="reflect or circular padding wider than the map it pads",
    check=check,
    doc=__doc__ or "",
)
