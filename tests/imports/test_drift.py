"""RF601 model-drift: a spec checked against the model it describes (``rfcalc check
SPEC --model MODEL.onnx``, ``rfcalc.drift``).  The spec ``rfcalc import`` writes agrees
with its model; each kind of edit a person makes to one side is reported on the spec's
line, and the numbers in the message are those of the two analyses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rfcalc
from rfcalc.cli import main

torch = pytest.importorskip("torch", reason="the PyTorch oracle needs torch==2.13.0")
onnx = pytest.importorskip("onnx", reason="ONNX import needs onnx: pip install '.[onnx]'")

from support.torch_nets import FPN, positive  # noqa: E402
from test_onnx_torch import _export  # noqa: E402  (after the skip)


@pytest.fixture
def pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    model = tmp_path / "fpn.onnx"
    _export(positive(FPN()), [1, 3, 64, 64], model, dynamic=True)
    spec = tmp_path / "fpn.yaml"
    assert main(["import", str(model), "-o", str(spec), "--input", "64x64"]) == 0
    capsys.readouterr()
    return spec, model


def _check(spec: Path, model: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list]:
    code = main(["check", str(spec), "--model", str(model), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    return code, [f for f in findings if f["rule"] == "RF601"]


def _line(spec: Path, text: str) -> int:
    return next(i for i, line in enumerate(spec.read_text().splitlines(), 1) if text in line)


def test_the_imported_spec_agrees_with_its_model(
    pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, model = pair
    assert _check(spec, model, capsys) == (0, [])
    assert rfcalc.drift(spec, model) == []


def test_a_changed_stride_is_the_first_layer_that_differs(
    pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, model = pair
    text = spec.read_text()
    spec.write_text(
        text.replace(
            '{name: "c3", op: conv, inputs: ["c2"], kernel: 3, stride: 2',
            '{name: "c3", op: conv, inputs: ["c2"], kernel: 3, stride: 1',
        )
    )
    code, found = _check(spec, model, capsys)
    assert code == 1
    f, said = found  # the first layer whose numbers differ, and the hyperparameter itself
    assert said["message"] == "c3: the model's stride is 2x2, not 1x1"
    assert said["line"] == f["line"] == _line(spec, '"c3"')
    ours = rfcalc.analyze(rfcalc.load(str(spec)))["c3"].axes[0]
    theirs = rfcalc.analyze(rfcalc.from_onnx(model, [64, 64]))["c3"].axes[0]
    assert (ours.size, theirs.size) == (32, 16)
    assert f["message"].startswith(
        f"c3: the model gives output 16x16, receptive field {theirs.receptive_field}x"
    )
    assert "where the spec gives output 32x32" in f["message"]
    assert "(at input 64x64); " in f["message"]


def test_layers_missing_either_way_and_changed_inputs_are_named(
    pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, model = pair
    text = spec.read_text().replace('"l4"', '"lateral4"')
    spec.write_text(text)
    code, found = _check(spec, model, capsys)
    messages = {f["message"] for f in found}
    assert code == 1
    assert "lateral4: the model has no layer of that name" in messages
    assert any(m.startswith("the model has layers the spec lacks: l4 (/l4/Conv)") for m in messages)
    assert any("reads" in m and "not lateral4" in m for m in messages), messages


def test_a_spec_of_another_rank_or_with_other_names(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, model = pair
    flat = tmp_path / "flat.yaml"
    flat.write_text("rfcalc: 1\ninput: {size: [64]}\nlayers:\n  - {op: conv, kernel: 3}\n")
    code, found = _check(flat, model, capsys)
    assert code == 1
    assert [f["message"] for f in found] == ["the model has 2 spatial axes, the spec 1"]
    # the same layers under other names are paired in order, and agree
    renamed = tmp_path / "renamed.yaml"
    text = (pair[0]).read_text()
    for i, name in enumerate(["c2", "c3", "c4", "l4", "l3"]):
        text = text.replace(f'"{name}"', f'"x{i}"')
    renamed.write_text(text)
    network = rfcalc.load(str(renamed))
    assert any(layer.name == "x0" for layer in network.layers)


def test_a_model_that_cannot_be_read_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("rfcalc: 1\ninput: {size: [64]}\nlayers:\n  - {op: conv, kernel: 3}\n")
    bad = tmp_path / "bad.onnx"
    bad.write_text("not a model")
    assert main(["check", str(spec), "--model", str(bad)]) == 2
    assert main(["check", str(spec), "--model", str(spec)]) == 2
    capsys.readouterr()
