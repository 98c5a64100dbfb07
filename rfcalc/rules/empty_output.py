"""A layer whose output is empty (size below 1) at a declared input.

Why: frameworks raise at run time ("Output size is too small"), or worse, a
padding-heavy layer turns an empty map into a map of padding.  The message gives the
smallest input for which every layer has an output.

Bad::

    rfcalc: 1
    input: {size: [8]}
    layers:
      - {op: conv, kernel: 3, stride: 2}
      - {op: conv, kernel: 5}  # expect: RF101

Good::

    rfcalc: 1
    input: {size: [16]}
    layers:
      - {op: conv, kernel: 3, stride: 2}
      - {op: conv, kernel: 5}

Fix: a larger input, or less downsampling (smaller kernels, strides, more padding).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.sizes import is_concrete
from ..engine.solve import SEARCH_CAP
from ..model import Severity
from .base import Context, Report, Rule, size_text


def check(ctx: Context) -> Iterator[Report]:
    for run in ctx.runs:
        # a symbolic input still fixes the axes given as numbers (size: [H, 8])
        if not run.concrete and not any(is_concrete(s) for s in run.analysis.input_size):
            continue
        for r in run.analysis.layers:
            bad = [i for i, a in enumerate(r.axes) if is_concrete(a.size) and int(a.size) < 1]
            if not bad:
                continue
            need = [ctx.min_valid_input(i) for i in range(len(r.axes))]
            fixed = [i for i in bad if not _depends_on_input(ctx, r.name, i)]
            if fixed:
                hint = (
                    "no input size helps: its size on axis "
                    f"{ctx.axis_name(fixed[0])} does not depend on the input (an adaptive "
                    "or global pool before it fixes it)"
                )
            elif any(n is None for n in need):
                hint = f"no input up to {SEARCH_CAP} gives every layer an output"
            else:
                hint = f"the network needs an input of at least {size_text(need)}"
            yield Report(
                r.layer.loc,
                f"{r.name} has an empty output ({size_text(r.output_size)}) at input "
                f"{run.label}; {hint}",
                r.name,
            )
            break  # later layers are empty because of this one


def _depends_on_input(ctx: Context, name: str, axis: int) -> bool:
    size = ctx.free[name].axes[axis].size
    return bool(getattr(size, "free_symbols", None))


RULE = Rule(
    id="RF101",
    name="empty-output",
    severity=Severity.ERROR,
    summary="a layer's output size is below 1 at a declared input",
    check=check,
    doc=__doc__ or "",
)
