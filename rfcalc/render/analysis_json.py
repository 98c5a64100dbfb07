"""The ``analyze --format json`` document: schema 3, ``rfcalc/schema/analyze.schema.json``
(2 added the optional per-layer ``erf`` of ``--erf``; 3 the moving window's numbers after
a broadcast merge and the per-layer ``global_context``)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .._version import __version__
from ..answers import Annotations
from ..engine import Analysis, LayerResult
from ..engine.erf import SHARES, SQUARE_SHARES, THRESHOLDS, Erf
from ..engine.results import LayerCost
from ..model import CONVS, WINDOWS
from ..wording import merge_flags, note_text
from .values import json_value

SCHEMA_VERSION = 3


def _fraction(x: Fraction) -> int | str:
    return x.numerator if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def erf_entry(erf: Erf | str) -> dict[str, Any]:
    """One layer's ``erf`` (schema 2): the metrics, or why they were not computed."""
    if isinstance(erf, str):
        return {"not_computed": erf}
    return {
        "unit": list(erf.unit),
        "paths": erf.paths,
        "axes": [
            {
                "centre": _fraction(a.centre),
                "widths": {_percent(s): w for s, w in zip(SHARES, a.widths, strict=True)},
                "mean": _fraction(a.mean),
                "variance": _fraction(a.variance),
                "std": str(a.std),
                "ratio95": None if a.ratio95 is None else _fraction(a.ratio95),
            }
            for a in erf.axes
        ],
        # 1-D: no areas (the thresholds are of a 2-D or 3-D field)
        "areas": {_percent(t): _fraction(v) for t, v in zip(THRESHOLDS, erf.areas, strict=True)}
        if erf.areas
        else {},
        # 2-D on a square input only (RepLKNet's script centres a square on the input)
        "squares": {
            _percent(s): None if q is None else {"side": q[0], "area_ratio": _fraction(q[1])}
            for s, q in zip(SQUARE_SHARES, erf.squares, strict=True)
        }
        if erf.squares
        else {},
    }


def _percent(x: Fraction) -> str:
    return f"{x * 100}%"


def analysis_document(
    result: Analysis, path: str, shown: Annotations, erfs: dict[str, Erf | str] | None = None
) -> dict[str, Any]:
    """The analysis as a JSON document, with the cost ``shown`` carries; ``erfs``
    (``--erf``): per layer, its ERF or the reason it was not computed."""
    cost = shown.cost
    if cost is None:
        raise ValueError("the JSON document states the cost: annotate with cost=True")
    layers = [_layer_entry(r, cost.layers[r.name], erfs) for r in result.layers]
    return {
        "rfcalc": __version__,
        "schema": SCHEMA_VERSION,
        "spec": path,
        "name": result.network.name,
        "input": [json_value(s) for s in result.input_size],
        "params": json_value(cost.params),
        "macs": json_value(cost.macs),
        "layers": layers,
    }


def _layer_entry(
    r: LayerResult, layer_cost: LayerCost, erfs: dict[str, Erf | str] | None
) -> dict[str, Any]:
    """One layer's entry in the document."""
    axes = r.axes
    layer = r.layer
    entry: dict[str, Any] = {
        "name": r.name,
        "op": str(layer.op),
        "inputs": list(layer.inputs),
    }
    if layer.op in WINDOWS | CONVS:
        for key in ("kernel", "stride", "dilation"):
            entry[key] = [json_value(layer.param(key, i)) for i in range(len(axes))]
    if layer.op in CONVS:
        entry["groups"] = layer.groups
    if layer.padding_mode != "zeros":
        entry["padding_mode"] = layer.padding_mode
    entry |= _field_keys(r)
    c = layer_cost
    entry["channels"] = c.channels
    entry["params"] = json_value(c.params)
    entry["macs"] = json_value(c.macs)
    notes = sorted({note_text(a.note) for a in axes if a.note})
    notes += merge_flags(r.mismatched_axes, r.aligned, brief=False)
    if notes:
        entry["notes"] = notes
    if erfs is not None and r.name in erfs:
        entry["erf"] = erf_entry(erfs[r.name])
    return entry


def _field_keys(r: LayerResult) -> dict[str, Any]:
    """A layer's sizes, fields, jumps, paddings and global context, per axis."""
    axes = r.axes
    entry: dict[str, Any] = {}
    entry |= {
        "output_size": [json_value(a.size) for a in axes],
        "receptive_field": [json_value(a.receptive_field) for a in axes],
    }
    if any(a.receptive_field_min is not None for a in axes):
        entry["receptive_field_min"] = [
            json_value(
                a.receptive_field if a.receptive_field_min is None else a.receptive_field_min
            )
            for a in axes
        ]
    entry["jump"] = [json_value(a.jump) for a in axes]
    entry["effective_padding"] = [json_value(a.effective_padding) for a in axes]
    if r.context_through:
        entry["global_context"] = {
            "region": [
                None if a.context is None else [json_value(v) for v in a.context] for a in axes
            ],
            "through": list(r.context_through),
        }
    entry["padding"] = [[json_value(a.pad_before), json_value(a.pad_after)] for a in axes]
    return entry


def error_document(path: str, message: str, line: int, column: int) -> dict[str, Any]:
    """A spec that could not be read, in its place in an array of documents."""
    return {
        "rfcalc": __version__,
        "schema": SCHEMA_VERSION,
        "spec": path,
        "error": {"message": message, "line": line, "column": column},
    }
