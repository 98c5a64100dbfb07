"""The JSON Schema of the spec format, generated from the reader's own tables.

The keys, the ops and what each takes and needs, the modes, the targets and the limits
come from :mod:`.parse`, :mod:`.blocks` and :mod:`rfcalc.model`, so the schema an editor
validates with changes when the reader does.  ``rfcalc/schema/spec.schema.json`` is this
function's output (a test keeps them equal; ``rfcalc schema`` prints it).

A schema sees one file's shape, not its meaning: what needs the network itself (a
layer named in ``inputs`` exists and comes earlier, names are unique, a per-axis list has
one value per input axis, ``output_padding`` is below the stride, a ``$parameter`` is used
inside a block) is the reader's alone, and ``rfcalc check`` reports it.  Everything else
the reader refuses, the schema refuses too (``tests/spec/test_schema.py`` runs every
spec, the bad corpus and generated specs through both).
"""

from __future__ import annotations

from typing import Any

from ..model import INTERPOLATION_MODES, MAX_PARAM, PAD_FILLS, PADDING_MODES, TARGETS, Op
from .blocks import BLOCK_KEYS, INSTANCE_KEYS, MAX_REPEAT
from .parse import (
    COMMON_KEYS,
    FORMAT_VERSION,
    INPUT_KEYS,
    LAYER_EXPECT,
    NETWORK_EXPECT,
    OP_KEYS,
    OP_PADDING_MODES,
    REQUIRED_KEYS,
    TOP_KEYS,
)

SCHEMA_ID = "https://github.com/rfcalc/rfcalc/blob/main/rfcalc/schema/spec.schema.json"
_NAME = "^[A-Za-z_][A-Za-z0-9_]*$"
#: a block parameter (``$stride``), an expression over them (``$(2 * c)``), ``$input``
_PARAM = {"type": "string", "pattern": r"^\$", "description": "a block parameter or $(expr)"}


def _int(minimum: int, description: str = "") -> dict[str, Any]:
    number: dict[str, Any] = {"type": "integer", "minimum": minimum, "maximum": MAX_PARAM}
    out: dict[str, Any] = {"anyOf": [number, _PARAM]}
    if description:
        out["description"] = description
    return out


def _per_axis(one: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "description": description + " (one value for every axis, or a list with one per axis)",
        "anyOf": [one, {"type": "array", "items": one, "minItems": 1, "maxItems": 3}, _PARAM],
    }


def _padding(modes: tuple[str, ...], what: str) -> dict[str, Any]:
    amount = _int(0)
    pair = {"type": "array", "items": amount, "minItems": 2, "maxItems": 2}
    one: dict[str, Any] = {"anyOf": [amount, pair]}
    if modes:
        one["anyOf"].append({"enum": list(modes)})
    description = f"{what}: pixels on both sides, [before, after]"
    description += f", or a mode ({', '.join(modes)})" if modes else ""
    return _per_axis(one, description)


def _bound(description: str) -> dict[str, Any]:
    value = _int(0)
    exact = {"anyOf": [value, {"type": "array", "items": {"anyOf": [value, {"type": "null"}]}}]}
    ranged = {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {"min": exact, "max": exact},
    }
    return {"description": description, "anyOf": [exact, ranged]}


def _suppress() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "rule id, name or id prefix -> the reason it is intended (required)",
        "additionalProperties": {"type": "string", "pattern": r"\S"},
    }


def _key_schemas() -> dict[str, dict[str, Any]]:
    """What each layer key takes (the op-dependent ones are narrowed per op)."""
    positive = _int(1)
    symbolic = {"anyOf": [positive, {"type": "string", "pattern": _NAME}]}
    fraction = {
        "anyOf": [
            {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_PARAM},
            {"type": "string", "pattern": r"^\s*(\d+\.?\d*|\.\d+)\s*(/\s*\d+\s*)?$|^\$"},
        ]
    }
    boolean = {"type": "boolean"}
    common: dict[str, dict[str, Any]] = {
        "name": {"type": "string", "minLength": 1, "not": {"const": "input"}},
        "inputs": {
            "description": "the layer(s) read; a merge lists two or more",
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}, "minItems": 1},
            ],
        },
        "channels": _int(1, "output channels (for parameters and cost)"),
        "groups": _int(1, "grouped convolution"),
        "bias": boolean,
        "ceil_mode": boolean,
        "align_corners": boolean,
        "recompute_scale_factor": boolean,
    }
    return {**common, **_window_keys(positive, symbolic, fraction), **_fill_keys()}


def _window_keys(positive: Any, symbolic: Any, fraction: Any) -> dict[str, dict[str, Any]]:
    """The keys of windows and resampling, per axis (``@op``: narrowed for that op)."""
    return {
        "kernel": _per_axis(positive, "window size"),
        "kernel@conv": _per_axis(symbolic, "window size, or a hyperparameter of symbols:"),
        "stride": _per_axis(positive, "step between windows"),
        "stride@conv": _per_axis(symbolic, "step between windows, or a hyperparameter"),
        "dilation": _per_axis(positive, "spacing of the taps (1: an ordinary window)"),
        "dilation@conv": _per_axis(symbolic, "spacing of the taps, or a hyperparameter"),
        "output_padding": _per_axis(_int(0), "extra output units at the end"),
        "output_size": _per_axis(positive, "the output size"),
        "size": _per_axis(positive, "a fixed output size"),
        "scale": _per_axis(positive, "the factor"),
        "scale@upsample": _per_axis(fraction, "the factor: 2, 1.5 or '3/2'"),
    }


def _fill_keys() -> dict[str, dict[str, Any]]:
    """Fills, interpolation, targets, crops, expectations, suppressions, repeats."""
    return {
        "padding_mode": {"enum": list(PAD_FILLS), "description": "what fills the padding"},
        "mode": {"enum": list(INTERPOLATION_MODES), "description": "interpolation"},
        "mode@pad": {"enum": ["constant", *PAD_FILLS[1:]], "description": "what fills it"},
        "to": {"type": "string", "description": "a layer whose size to match"},
        "crop": _padding((), "crop"),
        "expect": {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: _bound(f"expected {k}") for k in LAYER_EXPECT},
        },
        "suppress": _suppress(),
        "repeat": {"type": "integer", "minimum": 1, "maximum": MAX_REPEAT},
    }


def _layer(op: Op, keys: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One op's layer: its keys refer to ``keys`` (the schema's ``$defs``), adding the
    padding this op allows to it."""
    properties: dict[str, Any] = {"op": {"const": str(op)}}
    for key in (*COMMON_KEYS, *OP_KEYS[op], "repeat"):
        if key == "op":
            continue
        name = f"{key}@{op}" if f"{key}@{op}" in keys else key
        if key == "padding":
            modes = OP_PADDING_MODES.get(op, PADDING_MODES)
            name = f"padding@{op}" if op in OP_PADDING_MODES else "padding"
            keys.setdefault(name, _padding(modes, "padding"))
        properties[key] = {"$ref": f"#/$defs/{name}"}
    return {
        "type": "object",
        "title": f"{op} layer",
        "additionalProperties": False,
        "required": ["op", *REQUIRED_KEYS.get(op, ())],
        "properties": properties,
    }


def _instance() -> dict[str, Any]:
    properties = {
        "name": {"type": "string", "minLength": 1},
        "block": {"type": "string", "description": "a block defined under blocks:"},
        "args": {"type": "object", "description": "parameter name -> value"},
        "repeat": {"type": "integer", "minimum": 1, "maximum": MAX_REPEAT},
        "first": {"type": "object", "description": "args of the first repetition (or block)"},
        "inputs": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    }
    assert set(properties) == set(INSTANCE_KEYS)
    return {
        "type": "object",
        "title": "block instance",
        "additionalProperties": False,
        "required": ["block"],
        "properties": properties,
    }


def _size_schema() -> dict[str, Any]:
    """One input axis: an integer or a symbol (not ``input``)."""
    return {
        "anyOf": [
            {"type": "integer", "minimum": 1, "maximum": MAX_PARAM},
            {"type": "string", "pattern": _NAME, "not": {"const": "input"}},
        ]
    }


def _concrete_sizes() -> dict[str, Any]:
    """A concrete input: one integer for every axis, or one per axis."""
    return {
        "anyOf": [
            {"type": "integer", "minimum": 1, "maximum": MAX_PARAM},
            {
                "type": "array",
                "items": {"type": "integer", "minimum": 1, "maximum": MAX_PARAM},
                "minItems": 1,
                "maxItems": 3,
            },
        ]
    }


def _input_schema() -> dict[str, Any]:
    """The ``input:`` mapping: its size, channels and the extra concrete sizes."""
    size = _size_schema()
    concrete = _concrete_sizes()
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["size"],
        "properties": {
            "size": {
                "description": "1 to 3 spatial axes: integers or symbols (H, W)",
                "anyOf": [
                    size,
                    {"type": "array", "items": size, "minItems": 1, "maxItems": 3},
                ],
            },
            "channels": {"type": "integer", "minimum": 1, "maximum": MAX_PARAM},
            "sizes": {
                "description": "concrete input sizes every rule also runs at",
                "type": "array",
                "items": concrete,
                "minItems": 1,
            },
        },
    }


def _blocks_schema() -> dict[str, Any]:
    """``blocks:``: named lists of layers, with their parameters."""
    return {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "additionalProperties": False,
            "required": ["layers"],
            "properties": {
                "params": {
                    "anyOf": [
                        {"type": "array", "items": {"type": "string", "pattern": _NAME}},
                        {"type": "object", "propertyNames": {"pattern": _NAME}},
                    ]
                },
                "layers": {"type": "array", "items": {"$ref": "#/$defs/item"}, "minItems": 1},
                "description": {"type": "string"},
            },
        },
    }


def _symbols_schema() -> dict[str, Any]:
    """``symbols:``: hyperparameters left open, with their bounds."""
    return {
        "type": "object",
        "description": "hyperparameters left open: name -> {min, max} (default 1..64)",
        "propertyNames": {"pattern": _NAME},
        "additionalProperties": {
            "anyOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "min": {"type": "integer", "minimum": 1, "maximum": MAX_PARAM},
                        "max": {"type": "integer", "minimum": 1, "maximum": MAX_PARAM},
                    },
                },
            ]
        },
    }


def spec_schema() -> dict[str, Any]:
    """The spec format (version :data:`FORMAT_VERSION`) as a JSON Schema (2020-12)."""
    keys = _key_schemas()
    layers = {f"layer_{op.value}": _layer(op, keys) for op in Op}
    item = {
        "description": "a layer (by its op) or a block instance",
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in layers] + [{"$ref": "#/$defs/instance"}],
    }
    concrete = _concrete_sizes()
    properties = {
        "rfcalc": {"const": FORMAT_VERSION, "description": "the spec format version"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "input": _input_schema(),
        "layers": {"type": "array", "items": {"$ref": "#/$defs/item"}, "minItems": 1},
        "blocks": _blocks_schema(),
        "symbols": _symbols_schema(),
        "target": {"enum": list(TARGETS)},
        "expect": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "valid_inputs": {"type": "array", "items": concrete, "minItems": 1},
                "context": _bound("the smallest receptive field the output must reach"),
            },
        },
        "suppress": _suppress(),
    }
    _same_vocabulary(properties)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"rfcalc spec (format {FORMAT_VERSION})",
        "description": "A convolutional network for rfcalc: input, layers, blocks, lint "
        "settings. Generated from rfcalc's reader (rfcalc schema).",
        "type": "object",
        "additionalProperties": False,
        "required": ["rfcalc", "input", "layers"],
        "properties": properties,
        "$defs": {"item": item, "instance": _instance(), **layers, **keys},
    }


def _same_vocabulary(properties: dict[str, Any]) -> None:
    """The schema's keys are the reader's (a generator that drifts fails here)."""
    assert set(properties) == set(TOP_KEYS)
    assert set(properties["input"]["properties"]) == set(INPUT_KEYS)
    assert set(properties["expect"]["properties"]) == set(NETWORK_EXPECT)
    assert set(BLOCK_KEYS) == {"params", "layers", "description"}


if __name__ == "__main__":  # python -m rfcalc.spec.schema > rfcalc/schema/spec.schema.json
    import json
    import sys

    sys.stdout.write(json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n")
