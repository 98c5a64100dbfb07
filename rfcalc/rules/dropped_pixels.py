"""A strided layer whose windows do not tile its input: trailing rows never reach the output.

Why: with stride ``s`` a window layer covers ``(out - 1)*s + ke`` pixels of its padded
input; the rest at the end is silently dropped.  Segmentation models whose input is not
a multiple of the total stride lose their last rows and columns this way (the familiar
"input size must be divisible by 32").  At a concrete input rfcalc names the dropped
rows; for a symbolic input it states the condition on the input, derived from the
actual strides and paddings, and the valid sizes.

Bad::

    rfcalc: 1
    input: {size: [225]}
    layers:
      - {op: max_pool, kernel: 2}  # expect: RF102

Good::

    rfcalc: 1
    input: {size: [224]}
    layers:
      - {op: max_pool, kernel: 2}

Fix: an input that meets the condition (pad it, or crop it), ``ceil_mode`` on pools,
or ``same`` padding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine import LayerResult
from ..engine.conditions import Source, lost_pixels
from ..engine.sizes import is_concrete
from ..model import Severity
from ..wording import residues_text
from .base import Context, Report, Rule
from .solving import first_valid_text, nearest_text, per_axis


def check(ctx: Context) -> Iterator[Report]:
    conditions = per_axis(ctx, Source.DROP, lambda values: all(v <= 0 for v in values))
    for run in ctx.concrete_runs():
        for r in run.analysis.layers:
            yield from _dropped(ctx, run, r, conditions)
    if not all(is_concrete(s) for s in ctx.network.input_size):
        yield from _input_conditions(ctx, conditions)


def _dropped(ctx: Context, run: Any, r: LayerResult, conditions: Any) -> Iterator[Report]:
    """What layer ``r`` drops at one concrete input, axes alike said together."""
    a = run.analysis
    # what a finding says, axis names aside (rows, count, size, hint) -> its axes
    said: dict[tuple[str, int, int, str], list[int]] = {}
    for axis in range(ctx.network.ndim):
        if int(r.input_sizes[0][axis]) < 1 or int(r.axes[axis].size) < 1:
            continue  # an empty map is RF101's finding
        dropped = lost_pixels(r, axis, r.input_sizes[0][axis])
        if dropped is None or int(dropped) <= 0:
            continue
        n, k = int(r.input_sizes[0][axis]), int(dropped)
        end = n - _gap(r, axis)  # the skipped gap after the last window is RF202's
        which = f"{end - 1}" if k == 1 else f"{end - k}-{end - 1}"
        res, _ = conditions[axis]
        hint = ""
        if res is not None and not res.never:
            inp = int(a.input_size[axis])
            hint = (
                f"; inputs with {residues_text(res, '{axis}')} keep every pixel "
                f"(nearest: {nearest_text(res, inp)})"
            )
        said.setdefault((which, k, n, hint), []).append(axis)
    for (which, count, size, tail), axes in said.items():
        shown = [ctx.axis_name(i) for i in axes]
        words = " and ".join(ctx.unit_word(i, count) for i in axes)
        on = f"on axis {shown[0]}" if len(axes) == 1 else f"on axes {' and '.join(shown)}"
        yield Report(
            r.layer.loc,
            f"{r.name} drops {words} {which} of its {size}-pixel input {on} "
            f"at input {run.label}: no window reaches them"
            + tail.replace("{axis}", ", ".join(shown)),
            r.name,
        )


def _input_conditions(ctx: Context, conditions: Any) -> Iterator[Report]:
    """What a symbolic input must satisfy for no layer to drop pixels."""
    loc = ctx.network.key_locs.get("input", ctx.network.loc)
    alike: dict[tuple[str, str, str], list[int]] = {}  # the same condition on several axes
    for axis, (res, layers) in enumerate(conditions):
        if res is None or res.always or is_concrete(ctx.network.input_size[axis]):
            continue
        key = (residues_text(res, "{axis}"), ", ".join(layers), first_valid_text(res))
        alike.setdefault(key, []).append(axis)
    for (condition, droppers, valid), axes in alike.items():
        labels = [ctx.axis_name(i) for i in axes]
        must = condition.replace("{axis}", ", ".join(labels))
        yield Report(
            loc,
            f"input {' and '.join(labels)} must satisfy {must}"
            f" or {droppers} {'drop' if ',' in droppers else 'drops'} trailing pixels"
            f" (valid: {valid})",
            severity=Severity.INFO,
        )


def _gap(r: LayerResult, axis: int) -> int:
    """Pixels a window smaller than its stride skips after the last window anyway."""
    window = r.layer.int_window(axis)
    if window is None:
        return 0
    k, s, d = window
    return max(0, s - (d * (k - 1) + 1))


RULE = Rule(
    id="RF102",
    name="dropped-pixels",
    severity=Severity.WARNING,
    summary="strided windows that do not tile their input drop trailing pixels",
    check=check,
    doc=__doc__ or "",
)
