"""The ERF table in the README is what ``rfcalc.engine.erf`` computes (the PyTorch
oracle for the numbers themselves is ``test_erf_torch.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import rfcalc
from rfcalc.engine.erf import NO_PATHS, every_erf, unit_erf

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()
SPECS = {"VGG-16": "vgg16", "ResNet-50 v1": "zoo/resnet50_v1", "HDC sawtooth": "zoo/hdc_sawtooth"}
ROW = re.compile(
    r"^\| (?P<net>[^|(]+) \((?P<size>\d+)\) \| (?P<layer>\w+) \| (?P<rf>\d+) \| "
    r"(?P<w50>\d+) / (?P<w95>\d+) / (?P<w99>\d+) \| (?P<ratio>[\d.]+) % \|$",
    re.MULTILINE,
)


def test_the_readme_has_erf_rows() -> None:
    assert len(ROW.findall(README)) == 4


@pytest.mark.parametrize("row", [m.groupdict() for m in ROW.finditer(README)], ids=str)
def test_every_readme_erf_row_is_computed(row: dict[str, str]) -> None:
    network = rfcalc.load(ROOT / "specs" / f"{SPECS[row['net'].strip()]}.yaml")
    size = int(row["size"])
    analysis = rfcalc.analyze(network, [size] * network.ndim)
    axis = unit_erf(analysis, row["layer"]).axes[0]
    assert axis.receptive_field == int(row["rf"])
    assert [str(w) for w in (axis.widths[0], axis.widths[2], axis.widths[3])] == [
        row["w50"],
        row["w95"],
        row["w99"],
    ]
    assert axis.ratio95 is not None
    assert f"{float(axis.ratio95) * 100:.1f}" == row["ratio"]


@pytest.mark.parametrize(("spec", "size"), [("transposed_phases", "64"), ("vgg16", "64x64")])
def test_analyze_erf_json_follows_the_schema_in_1d_and_2d(
    spec: str, size: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    import jsonschema

    from rfcalc.cli import main

    path = str(ROOT / "specs" / f"{spec}.yaml")
    assert main(["analyze", path, "-i", size, "--erf", "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    schema = json.loads((ROOT / "rfcalc" / "schema" / "analyze.schema.json").read_text())
    jsonschema.validate(doc, schema)
    areas = doc["layers"][-1]["erf"]["areas"]
    assert (areas == {}) == ("x" not in size)


def test_an_open_hyperparameter_is_a_reason_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by running ``--erf`` on generated specs: a stride left as a symbol made the
    sizes formulas even at a concrete input (exit 3); each layer now says why."""
    import json

    from rfcalc.cli import main

    spec = tmp_path / "s.yaml"
    spec.write_text(
        "rfcalc: 1\ninput: {size: [H]}\nsymbols: {S: {min: 1, max: 3}}\nlayers:\n"
        "  - {name: a, op: conv, kernel: 3}\n"
        "  - {name: b, op: conv, kernel: 3, stride: S}\n"
    )
    assert main(["analyze", str(spec), "-i", "37", "--erf", "-f", "json"]) == 0
    a, b = json.loads(capsys.readouterr().out)["layers"]
    assert a["erf"]["paths"] == 3
    assert b["erf"] == {"not_computed": "symbolic"}
    monkeypatch.setenv("COLUMNS", "200")  # the reason on one line
    assert main(["analyze", str(spec), "-i", "37", "--erf"]) == 0
    assert "depends on a hyperparameter symbol" in capsys.readouterr().out


def test_a_map_resized_from_an_empty_one_sees_nothing() -> None:
    """Found by the generated suite: a resize of a map a stride emptied read unit -1 (the
    nearest index clamped to ``n - 1``), and the dense walk stopped with exit 3."""
    text = (
        "rfcalc: 1\ninput: {size: [37]}\nlayers:\n"
        "  - {name: p, op: adaptive_pool, output_size: 1}\n"
        "  - {name: d, op: conv, kernel: 2, stride: 2}\n"
        "  - {name: up, op: resize, to: p, mode: nearest}\n"
    )
    analysis = rfcalc.analyze(rfcalc.load("empty.yaml", text))
    assert every_erf(analysis) == {"p": every_erf(analysis)["p"], "d": NO_PATHS, "up": NO_PATHS}
