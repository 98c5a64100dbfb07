"""The Python API for scripts: ``rfcalc.analyze``, ``rfcalc.load``, ``rfcalc.to_dict``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import rfcalc
from rfcalc.engine.sizes import is_concrete
from rfcalc.model import CONVS, WINDOWS

ROOT = Path(__file__).parents[1]
SPECS = sorted((ROOT / "specs").rglob("*.yaml"))
SCHEMA = json.loads((ROOT / "rfcalc" / "schema" / "analyze.schema.json").read_text())


def _plain(x: Any) -> bool:
    """Only what ``json`` writes: no sympy value, no enum, no tuple."""
    if isinstance(x, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in x.items())
    if isinstance(x, list):
        return all(_plain(v) for v in x)
    return x is None or type(x) in (bool, int, str, float)


def test_the_api_is_what_all_says() -> None:
    assert sorted(rfcalc.__all__) == [
        "SpecError",
        "__version__",
        "analyze",
        "drift",
        "from_onnx",
        "from_torch",
        "load",
        "to_dict",
        "valid_input",
    ]
    for name in rfcalc.__all__:
        assert hasattr(rfcalc, name)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
@pytest.mark.parametrize("symbolic", [False, True])
def test_to_dict_is_plain_python_and_carries_the_windows(path: Path, symbolic: bool) -> None:
    network = rfcalc.load(path)
    sizes = [chr(ord("X") + i) for i in range(network.ndim)] if symbolic else None
    result = rfcalc.analyze(network, sizes)
    doc = rfcalc.to_dict(result)
    assert _plain(doc)
    assert json.loads(json.dumps(doc)) == doc
    jsonschema.validate(doc, SCHEMA)
    for layer, entry in zip(network.layers, doc["layers"], strict=True):
        if layer.op in WINDOWS | CONVS:
            for key in ("kernel", "stride", "dilation"):
                want = [layer.param(key, i) for i in range(network.ndim)]
                assert entry[key] == [int(v) if is_concrete(v) else str(v) for v in want]
        else:
            assert "kernel" not in entry
        assert ("groups" in entry) == (layer.op in CONVS)


def test_bad_specs_raise_the_exported_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 0}]\n")
    with pytest.raises(rfcalc.SpecError) as caught:
        rfcalc.load(path)
    assert (caught.value.loc.line, caught.value.loc.col) == (3, 29)
