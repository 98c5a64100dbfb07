"""Hostile ONNX models (issue #27): every command answers each with a located error or a
result, never an internal error, a hang or a file the user did not name.

Each model is a small file built here with ``onnx.helper`` (bytes written directly: onnx's
own writer refuses some of them).  Each case runs every command in its own process,
under the memory ceiling of the bounded-work tests: a value that once took minutes or
gigabytes (a block size of 2^40, a Pad of 2^62) must be refused at once, at its node.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.processes import run_commands
from support.scale import CI_ONLY, FULL

onnx = pytest.importorskip("onnx", reason="ONNX import needs onnx: pip install '.[onnx]'")
np = pytest.importorskip("numpy")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402  (after the skip)

#: the peak resident memory of one process running every command, MiB
CEILING_MIB = 1024


def _save(model: Any, path: Path) -> None:
    path.write_bytes(model.SerializeToString())


def _model(nodes: list[Any], inits: list[Any], channels: int = 3) -> Any:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, 32, 32])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    graph = helper.make_graph(nodes, "g", [x], [y], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _conv(**attrs: Any) -> Any:
    w = numpy_helper.from_array(np.ones((4, 3, 3, 3), np.float32), "w")
    return _model([helper.make_node("Conv", ["x", "w"], ["y"], name="the_conv", **attrs)], [w])


def _conv_t(**attrs: Any) -> Any:
    w = numpy_helper.from_array(np.ones((3, 4, 3, 3), np.float32), "w")
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="the_conv", **attrs)
    return _model([node], [w])


def _d2s(blocksize: int) -> Any:
    node = helper.make_node("DepthToSpace", ["x"], ["y"], name="the_d2s", blocksize=blocksize)
    return _model([node], [], channels=4)


def _pad(amount: int) -> Any:
    pads = numpy_helper.from_array(np.array([0, 0, amount, 0, 0, 0, amount, 0], np.int64), "p")
    return _model([helper.make_node("Pad", ["x", "p"], ["y"], name="the_pad")], [pads])


def _external(tensor: Any, location: str) -> Any:
    """``tensor`` with its data said to be in ``location``."""
    tensor.ClearField("raw_data")
    tensor.ClearField("float_data")
    tensor.ClearField("int64_data")
    tensor.data_location = TensorProto.EXTERNAL
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", location
    return tensor


def _external_weights(location: str) -> Any:
    model = _conv()
    _external(model.graph.initializer[0], location)
    return model


def _external_pads(location: str) -> Any:
    model = _pad(1)
    _external(model.graph.initializer[0], location)
    return model


#: name -> (model, what the error says); every command must refuse it at its place
REFUSED: dict[str, tuple[Callable[[], Any], str]] = {
    "conv-strides-0": (lambda: _conv(strides=[0, 0]), "node the_conv: error: stride 0 must"),
    "conv-dilations-0": (lambda: _conv(dilations=[0, 0]), "node the_conv: error: dilation 0"),
    "depth-to-space-0": (lambda: _d2s(0), "node the_d2s: error: scale 0 must be at least 1"),
    "depth-to-space-2^40": (lambda: _d2s(1 << 40), "scale 1099511627776 is larger"),
    "pad-2^62": (lambda: _pad(1 << 62), "node the_pad: error: padding 4611686018427387904"),
    "conv-transpose-output-padding-10^9": (
        lambda: _conv_t(strides=[2, 2], output_padding=[10**9, 10**9]),
        "output_padding 1000000000 is larger",
    ),
    "conv-transpose-output-padding-not-below-stride": (
        lambda: _conv_t(strides=[2, 2], output_padding=[2, 2]),
        "output_padding 2 must be smaller than the stride or the dilation",
    ),
    "weights-at-an-absolute-path": (
        lambda: _external_weights("/etc/passwd"),
        "node tensor w: error: its data is in '/etc/passwd', an absolute path",
    ),
    "weights-traversing-out": (
        lambda: _external_weights("../../../etc/passwd"),
        "outside the model's folder",
    ),
    "weights-missing": (lambda: _external_weights("w.bin"), "its data file 'w.bin' is not beside"),
    "pads-at-an-absolute-path": (
        lambda: _external_pads("/etc/hostname"),
        "node tensor p: error: its data is in '/etc/hostname', an absolute path",
    ),
    "pads-traversing-out": (lambda: _external_pads("../p.bin"), "outside the model's folder"),
    "pads-missing": (lambda: _external_pads("p.bin"), "its data file 'p.bin' is not beside"),
}


def _commands(model: str, out: str) -> list[list[str]]:
    return [
        ["analyze", model],
        ["analyze", model, "-f", "json"],
        ["analyze", model, "-i", "32x32", "--erf"],
        *(
            ["check", "--isolated", "-f", fmt, model]
            for fmt in ("text", "json", "github", "sarif", "gitlab", "junit")
        ),
        ["report", model, "-i", "32x32", "--isolated", "-o", out],
        ["import", model, "-o", out],
        ["solve", model],
    ]


def _run(argvs: list[list[str]], cwd: Path) -> tuple[list[int], int, str, str]:
    report, done = run_commands(argvs, cwd)
    return [c[1] for c in report["codes"]], report["peak_mib"], done.stdout, done.stderr


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_hostile_model_is_refused_at_its_node_by_every_command(name: str, tmp_path: Path) -> None:
    build, message = REFUSED[name]
    folder = tmp_path / "model"
    folder.mkdir()
    model = folder / "m.onnx"
    _save(build(), model)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # a file of that name in the working directory must never be what is read
    for decoy in ("w.bin", "p.bin"):
        (elsewhere / decoy).write_bytes(np.zeros(64, np.int64).tobytes())
    out = tmp_path / "out.file"
    commands = _commands(str(model), str(out))
    codes, peak, stdout, stderr = _run(commands, elsewhere)
    assert "internal error" not in stdout + stderr
    assert "Traceback" not in stderr
    for argv, code in zip(commands, codes, strict=True):
        # a model that cannot be read is exit 1, as a spec that cannot be read
        assert code == 1, (argv, code, stderr[-1500:])
    # each command's message, and check's text format (the JSON formats quote it too)
    assert stderr.count(message) + stdout.count(message) >= 6, stderr[-1500:]
    assert not out.exists()
    assert peak < CEILING_MIB


def test_external_data_is_read_beside_the_model_from_any_directory(tmp_path: Path) -> None:
    """``cd elsewhere && rfcalc import ../model/m.onnx``: the pads come from the model's
    folder; a decoy of the same name in the working directory is never read."""
    folder = tmp_path / "model"
    folder.mkdir()
    model = _pad(1)
    _external(model.graph.initializer[0], "p.bin")
    _save(model, folder / "m.onnx")
    (folder / "p.bin").write_bytes(np.array([0, 0, 1, 2, 0, 0, 3, 4], np.int64).tobytes())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "p.bin").write_bytes(np.array([0, 0, 9, 9, 0, 0, 9, 9], np.int64).tobytes())
    codes, _, stdout, stderr = _run([["import", "../model/m.onnx"]], elsewhere)
    assert codes == [0], stderr
    assert "padding: [[1, 3], [2, 4]]" in stdout
    # a data file shorter than the tensor is an error, not a tensor of what was there
    (folder / "p.bin").write_bytes(b"\x01\x00")
    codes, _, _, stderr = _run([["import", "../model/m.onnx"]], elsewhere)
    assert codes == [1]
    assert "holds fewer than the 64 bytes it needs" in stderr


def test_a_link_out_of_the_models_folder_is_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64).tobytes())
    (folder / "p.bin").symlink_to(secret)
    model = _pad(1)
    _external(model.graph.initializer[0], "p.bin")
    _save(model, folder / "m.onnx")
    codes, _, _, stderr = _run([["analyze", str(folder / "m.onnx")]], tmp_path)
    assert codes == [1]
    assert "outside the model's folder" in stderr


def test_node_names_that_would_forge_output_are_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An ONNX node name is the model author's text: a newline, an escape sequence or a
    NUL in it reach the outputs as visible escapes, one finding per line; the import
    writes a spec rfcalc reads back, emoji and quotes included (issue #28)."""
    from xml.etree import ElementTree as ET

    from rfcalc.cli import main

    w = numpy_helper.from_array(np.ones((3, 3, 3, 3), np.float32), "w")
    names = [
        "/evil\nm.onnx:1:1: RF201 error: fake/Conv",
        "/ansi\x1b[31m/Conv",
        "/nul\x00/Conv",
        '/smile 🙂 "q" <b>&amp;/Conv',
    ]
    nodes = [
        helper.make_node(
            "Conv", ["x" if i == 0 else f"t{i - 1}", "w"], [f"t{i}"], name=n, dilations=[2, 2]
        )
        for i, n in enumerate(names)
    ]
    nodes.append(helper.make_node("Identity", [f"t{len(names) - 1}"], ["y"], name="out"))
    model = tmp_path / "m.onnx"
    _save(_model(nodes, [w]), model)

    def run(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert not any(c in out + err for c in "\x00\x1b\r")
        assert "internal error" not in out + err
        return code, out

    code, text = run("check", "--isolated", "-f", "text", str(model))
    _, doc = run("check", "--isolated", "-f", "json", str(model))
    findings = json.loads(doc)["findings"]
    assert findings
    assert len(text.splitlines()) == len(findings)
    assert all(line.startswith(f"{model}: node /") for line in text.splitlines())
    _, junit = run("check", "--isolated", "-f", "junit", str(model))
    ET.fromstring(junit.encode())
    _, github = run("check", "--isolated", "-f", "github", str(model))
    assert all(line.startswith("::") for line in github.splitlines())
    spec = tmp_path / "m.yaml"
    assert run("import", str(model), "-o", str(spec))[0] == 0
    code, doc = run("analyze", str(spec), "-f", "json")
    assert code == 0
    layers = [r["name"] for r in json.loads(doc)["layers"]]
    assert 'smile 🙂 "q" <b>&amp;' in layers
    assert "ansi\\x1b[31m" in layers
    assert "nul\\x00" in layers


@pytest.mark.skipif(not FULL, reason=CI_ONLY)
def test_a_model_past_the_layer_bound_is_refused(tmp_path: Path) -> None:
    """Issue #28: a 100,000-conv ONNX chain took 42 s and a gigabyte to analyse and made
    a 110 MB page; a model is held to a spec's 50,000 layers."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 64, 64])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    w = numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")
    count = 100_000
    nodes = [
        helper.make_node(
            "Conv",
            ["x" if i == 0 else f"t{i - 1}", "w"],
            [f"t{i}" if i < count - 1 else "y"],
            name=f"conv{i}",
            pads=[1, 1, 1, 1],
        )
        for i in range(count)
    ]
    model = tmp_path / "chain.onnx"
    _save(helper.make_model(helper.make_graph(nodes, "g", [x], [y], [w])), model)
    out = tmp_path / "out.html"
    argvs = [["analyze", str(model)], ["report", str(model), "--isolated", "-o", str(out)]]
    codes, peak, _, stderr = _run(argvs, tmp_path)
    assert codes == [1, 1], stderr[-1500:]
    assert stderr.count("node conv50000: error: the model has more than 50,000 spatial layers") == 2
    assert not out.exists()
    assert peak < CEILING_MIB
