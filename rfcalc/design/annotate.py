"""What a table or page shows beyond the analysis, computed once per command: the cost,
and the cells that are a formula in the input symbol but one number on every valid
input (:class:`~rfcalc.answers.Annotations`).  Renderers only format it."""

from __future__ import annotations

from typing import Any

from ..answers import Annotations, ConstantCell
from ..engine import Analysis
from ..engine.sizes import is_concrete
from .valid import constant_when_valid, solve_axis

#: the most layers for which the valid inputs are solved to find constant values
CONSTANT_LAYERS = 2000

#: the quantities a constant cell may be, as the results name them
QUANTITIES = ("receptive_field", "jump", "effective_padding")


def annotate(result: Analysis, cost: bool = True, constants: bool = True) -> Annotations:
    """The cost (``cost``) and the constant cells (``constants``) of ``result``."""
    found = _constants(result) if constants else {}
    if not cost:
        return Annotations(None, found)
    from ..engine.cost import network_cost

    return Annotations(network_cost(result), found)


def _constants(result: Analysis) -> dict[tuple[str, int, str], ConstantCell]:
    """Every receptive field (where it has no minimum), jump and effective padding that
    is constant on the valid inputs of its axis; the valid inputs of an axis are solved
    once, and only when a formula asks."""
    if len(result.layers) > CONSTANT_LAYERS or result.network.bounds:
        return {}  # open hyperparameters: the valid inputs depend on them
    valid: dict[int, Any] = {}
    out: dict[tuple[str, int, str], ConstantCell] = {}
    for r in result.layers:
        for axis, a in enumerate(r.axes):
            for key in QUANTITIES:
                if key == "receptive_field" and a.receptive_field_min is not None:
                    continue
                value = getattr(a, key)
                if value is None or is_concrete(value):
                    continue
                if not getattr(result.input_size[axis], "is_Symbol", False):
                    continue
                if axis not in valid:
                    solution = solve_axis(result, axis)
                    valid[axis] = solution.valid if solution.minimum is not None else None
                if valid[axis] is None or valid[axis].always:
                    continue
                constant = constant_when_valid(result, axis, value, valid[axis])
                if constant is not None:
                    out[(r.name, axis, key)] = ConstantCell(constant, valid[axis])
    return out
