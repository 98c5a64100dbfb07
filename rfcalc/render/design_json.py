"""``rfcalc solve --format json``: schema 1, ``rfcalc/schema/solve.schema.json``.

Per axis the valid input sizes in closed form (``modulus``, ``residues``, ``start``,
``sporadic`` values below it, ``minimum``, ``smallest``), or ``status: unknown`` with
the reason; the conditions with their layers; and the answers of ``--size``,
``--output``, ``--roundtrip`` and ``--rf`` (with ``--repeat``), each ``null`` when not
asked.  Pure functions of the typed results."""

from __future__ import annotations

from typing import Any

from .._version import __version__
from ..answers import (
    AxisAnswer,
    AxisSolution,
    HyperAnswer,
    NeedsSymbols,
    RepeatAnswer,
    RoundTrip,
    SolveReport,
)
from ..engine.solve import SCAN_PERIOD_CAP, SPORADIC_CAP, Residues
from ..wording import condition_text
from .values import json_value

SOLVE_SCHEMA_VERSION = 1


def residues_entry(res: Residues) -> dict[str, Any]:
    """``symbol ≡ r (mod modulus)`` for ``r`` in ``residues`` from ``start``; below it
    exactly ``sporadic``."""
    return {
        "modulus": res.modulus,
        "residues": list(res.residues),
        "start": res.start,
        "sporadic": list(res.sporadic),
    }


def valid_entry(sol: AxisSolution) -> dict[str, Any]:
    """The valid sizes of one axis: ``status`` is ``residues`` (a closed form), ``any``
    (every size from ``minimum``), ``none`` (no size: the conditions contradict),
    ``no_output`` (no size up to 2^24 gives every layer an output) or ``unknown``."""
    if sol.minimum is None:
        return {"status": "no_output", "reason": "no size up to 2^24 gives every layer an output"}
    if sol.valid is None:
        return {
            "status": "unknown",
            "minimum": sol.minimum,
            "reason": f"the sizes' period is over {SCAN_PERIOD_CAP} or they do not settle within "
            f"{SPORADIC_CAP} inputs",
        }
    if sol.valid.never:
        return {"status": "none", "minimum": sol.minimum}
    status = "any" if sol.valid.always else "residues"
    return {
        "status": status,
        "minimum": sol.minimum,
        "smallest": sol.valid.first(sol.minimum),
        **residues_entry(sol.valid),
    }


def _axis(answer: AxisAnswer, axis: int) -> dict[str, Any]:
    sol = answer.solution
    entry: dict[str, Any] = {
        "axis": axis,
        "symbol": sol.name,
        "valid": valid_entry(sol),
        "conditions": [
            {
                "layer": c.layer,
                "kind": str(c.source.value),
                "equation": c.zero,
                "text": condition_text(c),
            }
            for c in dict.fromkeys(sol.binding)
        ],
        "size": None,
        "output": None,
    }
    if answer.size is not None:
        s = answer.size
        entry["size"] = {"value": s.value, "valid": s.valid, "below": s.below, "above": s.above}
    if answer.output is not None:
        o = answer.output
        entry["output"] = {
            "layer": o.layer,
            "output": o.output,
            "from": None if o.found is None else o.found[0],
            "to": None if o.found is None else o.found[1],
            "searched_to_the_end": o.constant,
        }
    return entry


def _rf(rf: RepeatAnswer | HyperAnswer | NeedsSymbols | None) -> dict[str, Any] | None:
    if rf is None:
        return None
    if isinstance(rf, NeedsSymbols):
        return {"kind": "needs_symbols", "rf": rf.rf}
    if isinstance(rf, RepeatAnswer):
        return {
            "kind": "repeat",
            "rf": rf.rf,
            "item": rf.item,
            "count": rf.count,
            "fields": list(rf.fields),
            "layer": rf.layer or None,
        }
    search = rf.search
    return {
        "kind": "hyperparameters",
        "rf": rf.rf,
        "layer": rf.layer,
        "values": None if search is None else search.values,
        "fields": None if search is None else search.fields,
        "complete": None if search is None else search.complete,
        "searched": None if search is None else search.searched,
        "total": None if search is None else search.total,
    }


def _trip(trip: RoundTrip) -> dict[str, Any]:
    return {
        "axis": trip.axis,
        "symbol": trip.name,
        "start": trip.start,
        "inputs": None if trip.inputs is None else residues_entry(trip.inputs),
        "output_padding": [list(c) for c in trip.combos],
    }


def solve_document(report: SolveReport) -> dict[str, Any]:
    """The whole answer of ``rfcalc solve`` as one JSON document."""
    return {
        "rfcalc": __version__,
        "schema": SOLVE_SCHEMA_VERSION,
        "spec": report.path,
        "name": report.network.name,
        "input": [json_value(s) for s in report.network.input_size],
        "groups": [
            {
                "hyperparameters": list(g.labels),
                "axes": [_axis(a, i) for i, a in enumerate(g.axes)],
            }
            for g in report.groups
        ],
        "corners_only": report.corners_only,
        "combinations": report.combinations,
        "rf": _rf(report.rf),
        "roundtrip": None
        if not report.roundtrip
        else {
            "conv_transposes": list(report.tconvs),
            "cases": [
                {
                    "hyperparameters": case.label or None,
                    "trips": None if case.trips is None else [_trip(t) for t in case.trips],
                }
                for case in report.roundtrip
            ],
        },
        "exit_code": report.exit_code,
    }
