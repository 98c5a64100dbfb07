"""ONNX import against its oracles: networks written in plain PyTorch, exported to ONNX
(fixed and dynamic spatial axes), imported.  Every imported layer's output size must be
the size ONNX's reference evaluator computes for that node's output; the receptive field
and input region of the last layer's central unit must be the PyTorch model's gradient
(positive weights, average pools, so every tap reaches it)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from support.scale import sampled

import rfcalc
from rfcalc.imports import read_onnx

torch = pytest.importorskip("torch", reason="the PyTorch oracle needs torch==2.13.0")
onnx = pytest.importorskip("onnx", reason="ONNX import needs onnx: pip install '.[onnx]'")

from support.torch_nets import CASES, positive  # noqa: E402  (after the skip)


def _export(model: Any, shape: list[int], path: Path, dynamic: bool) -> None:
    axes = {i: f"s{i}" for i in range(2, len(shape))} if dynamic else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.ones(*shape),),
            str(path),
            dynamo=False,
            input_names=["x"],
            output_names=["y"],
            dynamic_axes={"x": axes} if axes else None,
        )


@pytest.mark.parametrize("dynamic", [False, True], ids=["fixed", "dynamic"])
@pytest.mark.parametrize(("cls", "shape"), CASES, ids=[c.__name__ for c, _ in CASES])
def test_imported_sizes_are_those_onnx_computes(
    cls: Any, shape: list[int], dynamic: bool, tmp_path: Path
) -> None:
    model = positive(cls())
    path = tmp_path / "m.onnx"
    _export(model, shape, path, dynamic)
    imported = read_onnx(str(path), shape[2:] if dynamic else None)
    assert not imported.unsupported, imported.unsupported
    analysis = rfcalc.analyze(imported.network)
    # ONNX's reference evaluator runs the graph: every node's output, as ONNX computes it
    import numpy as np
    from onnx.reference import ReferenceEvaluator

    proto = onnx.load(str(path))
    values = ReferenceEvaluator(proto).run(
        None, {"x": np.ones(shape, dtype=np.float32)}, intermediate=True
    )
    nodes = list(proto.graph.node)
    for r in analysis.layers:
        node = nodes[r.layer.loc.line - 1]
        want = list(values[node.output[0]].shape[2:])
        assert [int(s) for s in r.output_size] == want, (r.name, node.name)
    with torch.no_grad():
        out = model(torch.ones(*shape))
    assert [int(s) for s in analysis.layers[-1].output_size] == list(out.shape[2:])


@pytest.mark.parametrize(
    ("cls", "shape"),
    sampled(
        CASES, [c.__name__ for c, _ in CASES], {"ASPP", "Residual", "InvertedSE", "UNet", "TCN"}
    ),
)
def test_the_dynamo_exporters_graph_reads_as_the_torchscript_one(
    cls: Any, shape: list[int], tmp_path: Path
) -> None:
    """``torch.onnx.export``'s default exporter (torch.export, onnxscript) computes every
    size from the input's (``(H - 1) // 2 + 1`` for an upsampling's target) and names
    nodes by scope metadata: every layer's size is the reference evaluator's, nothing
    is reported, and the last layer's fields are those of the TorchScript export."""
    pytest.importorskip("onnxscript", reason="the dynamo exporter needs onnxscript")
    import contextlib
    import io

    import numpy as np
    from onnx.reference import ReferenceEvaluator
    from torch.export import Dim

    model = positive(cls())
    path = tmp_path / "d.onnx"
    dims = (dict.fromkeys(range(2, len(shape)), Dim.AUTO),)
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.ones(*shape),), str(path), dynamic_shapes=dims)
    imported = read_onnx(str(path))
    assert not imported.unsupported, imported.unsupported
    assert not imported.stopped, imported.stopped
    assert all(not s.is_Integer for s in imported.network.input_size)
    analysis = rfcalc.analyze(imported.network, shape[2:])
    proto = onnx.load(str(path))
    values = ReferenceEvaluator(proto).run(
        None, {proto.graph.input[0].name: np.ones(shape, dtype=np.float32)}, intermediate=True
    )
    nodes = list(proto.graph.node)
    for r in analysis.layers:
        want = list(values[nodes[r.layer.loc.line - 1].output[0]].shape[2:])
        assert [int(s) for s in r.output_size] == want, (r.name, r.layer.loc.node)
    legacy = tmp_path / "t.onnx"
    _export(model, shape, legacy, dynamic=True)
    theirs = rfcalc.analyze(read_onnx(str(legacy)).network, shape[2:]).layers[-1]
    ours = analysis.layers[-1]
    assert [(a.size, a.receptive_field, a.jump, a.effective_padding) for a in ours.axes] == [
        (a.size, a.receptive_field, a.jump, a.effective_padding) for a in theirs.axes
    ]


@pytest.mark.parametrize(("cls", "shape"), CASES, ids=[c.__name__ for c, _ in CASES])
def test_the_last_layer_sees_what_the_gradient_shows(
    cls: Any, shape: list[int], tmp_path: Path
) -> None:
    """The central unit of the last layer: its exact support (borders included) is the
    set of input pixels where the original model's gradient is not zero."""
    from rfcalc.engine.unit import unit_support

    model = positive(cls())
    path = tmp_path / "m.onnx"
    _export(model, shape, path, dynamic=False)
    analysis = rfcalc.analyze(read_onnx(str(path)).network)
    last = analysis.layers[-1]
    torch.manual_seed(0)
    x = torch.rand(*shape).add_(0.5).requires_grad_()
    y = model(x)
    unit = [n // 2 for n in y.shape[2:]]
    (g,) = torch.autograd.grad(y[(0, 0, *unit)], x)
    want = {tuple(p) for p in torch.nonzero(g[0].abs().sum(0)).tolist()}
    inside = [range(n) for n in shape[2:]]
    got = {
        p
        for p in unit_support(analysis, last.name, unit)
        if all(v in r for v, r in zip(p, inside, strict=True))
    }
    assert got == want, (last.name, sorted(got ^ want)[:8])


@pytest.mark.parametrize(("cls", "shape"), CASES, ids=[c.__name__ for c, _ in CASES])
def test_the_written_spec_reads_back_as_the_model(
    cls: Any, shape: list[int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rfcalc.cli import main

    path = tmp_path / "m.onnx"
    _export(positive(cls()), shape, path, dynamic=True)
    spec = tmp_path / "m.yaml"
    assert main(["import", str(path), "-o", str(spec)]) == 0
    size = shape[2:]
    direct = rfcalc.analyze(read_onnx(str(path)).network, size)
    written = rfcalc.analyze(rfcalc.load(str(spec)), size)
    assert [r.name for r in written.layers] == [r.name for r in direct.layers]
    for a, b in zip(written.layers, direct.layers, strict=True):
        for x, y in zip(a.axes, b.axes, strict=True):
            assert (x.size, x.receptive_field, x.jump, x.effective_padding) == (
                y.size,
                y.receptive_field,
                y.jump,
                y.effective_padding,
            ), a.name
    # and the commands read the model itself
    assert main(["analyze", str(path), "-i", "x".join(map(str, size))]) == 0
    assert main(["check", str(path)]) in (0, 1)
    capsys.readouterr()


def test_an_op_rfcalc_cannot_express_is_reported_or_refused(tmp_path: Path) -> None:
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 16, 16])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    w = helper.make_tensor("w", TensorProto.FLOAT, [1, 1, 3, 3], [1.0] * 9)
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="/conv/Conv"),
        helper.make_node("RoiAlign", ["c", "r", "b"], ["z"], name="/roi/RoiAlign"),
        helper.make_node("Conv", ["z", "w"], ["y"], name="/after/Conv"),
    ]
    graph = helper.make_graph(nodes, "g", [x], [y], [w])
    path = tmp_path / "odd.onnx"
    onnx.save(helper.make_model(graph), str(path))
    imported = read_onnx(str(path))
    assert [n.node for n in imported.unsupported] == ["roi"]
    assert [layer.name for layer in imported.network.layers] == ["conv", "after"]
    with pytest.raises(rfcalc.SpecError, match="RoiAlign") as refused:
        read_onnx(str(path), strict=True)
    assert str(refused.value.loc) == f"{path}: node /roi/RoiAlign"


def test_findings_on_a_model_name_the_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every output format points at the node (a model has no lines): text, JSON (its
    ``node`` key, line 1), GitHub annotations (the file, the node in the message), SARIF
    (a logical location)."""
    import json

    from onnx import TensorProto, helper

    from rfcalc.cli import main

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 16, 16])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    w = helper.make_tensor("w", TensorProto.FLOAT, [1, 1, 2, 2], [1.0] * 4)
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="/stem/Conv", strides=[3, 3]),
        helper.make_node("TopK", ["c", "k"], ["y"], name="/head/TopK"),
    ]
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(helper.make_graph(nodes, "g", [x], [y], [w])), str(path))
    assert main(["check", str(path)]) == 0  # warnings
    text = capsys.readouterr().out
    assert f"{path}: node /head/TopK: RF001 warning: TopK: " in text
    dropped = "RF102 warning: stem drops row and column 14 of its 16-pixel"
    assert f"{path}: node /stem/Conv: {dropped}" in text
    main(["check", str(path), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {(f["node"], f["line"], f["column"]) for f in findings} == {
        ("/stem/Conv", 1, 1),
        ("/head/TopK", 1, 1),
    }
    main(["check", str(path), "--format", "github"])
    github = capsys.readouterr().out
    assert "line=" not in github
    assert "::node /stem/Conv: stem drops" in github
    main(["check", str(path), "--format", "sarif"])
    (run,) = json.loads(capsys.readouterr().out)["runs"]
    places = [r["locations"][0] for r in run["results"]]
    assert all("region" not in p["physicalLocation"] for p in places)
    assert {p["logicalLocations"][0]["name"] for p in places} == {"/stem/Conv", "/head/TopK"}


def test_auto_pad_and_ceil_mode_as_onnx_computes_them(tmp_path: Path) -> None:
    import numpy as np
    from onnx import TensorProto, helper
    from onnx.reference import ReferenceEvaluator

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 17, 17])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    w = helper.make_tensor("w", TensorProto.FLOAT, [1, 1, 3, 3], [1.0] * 9)
    wt = helper.make_tensor("wt", TensorProto.FLOAT, [1, 1, 4, 4], [1.0] * 16)
    nodes = [
        helper.make_node(
            "Conv", ["x", "w"], ["a"], name="a", strides=[2, 2], auto_pad="SAME_LOWER"
        ),
        helper.make_node(
            "MaxPool", ["a"], ["b"], name="b", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1
        ),
        helper.make_node(
            "ConvTranspose", ["b", "wt"], ["c"], name="c", strides=[2, 2], auto_pad="SAME_LOWER"
        ),
        helper.make_node(
            "AveragePool", ["c"], ["y"], name="d", kernel_shape=[2, 2], pads=[0, 1, 1, 0]
        ),
    ]
    graph = helper.make_graph(nodes, "g", [x], [y], [w, wt])
    path = tmp_path / "pads.onnx"
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, str(path))
    analysis = rfcalc.analyze(read_onnx(str(path)).network)
    values = ReferenceEvaluator(model).run(
        None, {"x": np.ones([1, 1, 17, 17], dtype=np.float32)}, intermediate=True
    )
    for r, name in zip(analysis.layers, "abcy", strict=True):
        assert [int(s) for s in r.output_size] == list(values[name].shape[2:]), r.name


@pytest.mark.parametrize("auto_pad", ["NOTSET", "SAME_UPPER", "SAME_LOWER"])
def test_conv_transpose_output_shape_reads_every_unit_as_onnx_computes_it(
    auto_pad: str, tmp_path: Path
) -> None:
    """``output_shape`` sets the pads (odd totals on one axis, even on the other): every
    output unit reads exactly the input pixels an impulse through ONNX's reference
    evaluator shows.  Without auto_pad the operator's definition splits the padding as
    SAME_LOWER does (the reference evaluator cannot run that case: it is compared with
    the SAME_LOWER model)."""
    import numpy as np
    from onnx import TensorProto, helper
    from onnx.reference import ReferenceEvaluator

    from rfcalc.engine.unit import unit_support

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 5, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    w = helper.make_tensor("w", TensorProto.FLOAT, [1, 1, 3, 3], [1.0] * 9)

    def model(auto: str) -> Any:
        node = helper.make_node(
            "ConvTranspose",
            ["x", "w"],
            ["y"],
            name="/up/ConvTranspose",
            strides=[2, 2],
            output_shape=[10, 6],
            auto_pad=auto,
        )
        return helper.make_model(
            helper.make_graph([node], "g", [x], [y], [w]),
            opset_imports=[helper.make_opsetid("", 17)],
        )

    path = tmp_path / "up.onnx"
    onnx.save(model(auto_pad), str(path))
    analysis = rfcalc.analyze(read_onnx(str(path)).network)
    (r,) = analysis.layers
    assert [int(v) for v in r.output_size] == [10, 6]
    run = ReferenceEvaluator(model("SAME_LOWER" if auto_pad == "NOTSET" else auto_pad))
    seen: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for p in np.ndindex(5, 4):
        impulse = np.zeros([1, 1, 5, 4], dtype=np.float32)
        impulse[(0, 0, *p)] = 1
        (out,) = run.run(None, {"x": impulse})
        for u in zip(*np.nonzero(out[0, 0]), strict=True):
            seen.setdefault((int(u[0]), int(u[1])), set()).add(p)
    for u in np.ndindex(10, 6):
        assert set(unit_support(analysis, r.name, u)) == seen.get(u, set()), u


def _graph_case(tmp_path: Path, nodes: list[Any], inits: list[Any], shape: list[int]) -> Any:
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)
    graph = helper.make_graph(nodes, "g", [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    path = tmp_path / "g.onnx"
    onnx.save(model, str(path))
    return model, path


def test_every_read_op_sizes_as_onnx_computes_them(tmp_path: Path) -> None:
    """Hand-built: resizes (scales, sizes, modes), pads (fills, crops), slices, depth to
    space and back, reductions, splits, constants: every layer's size is the reference
    evaluator's, and the written spec reads back to the same sizes."""
    import numpy as np
    from onnx import TensorProto, helper
    from onnx.reference import ReferenceEvaluator

    from rfcalc.imports.write import spec_text

    def const(name: str, values: list[Any], dtype: Any = TensorProto.INT64) -> Any:
        return helper.make_tensor(name, dtype, [len(values)], values)

    w = helper.make_tensor("w", TensorProto.FLOAT, [4, 1, 3, 3], [1.0] * 36)
    inits = [
        w,
        const("scales", [1.0, 1.0, 1.5, 1.5], TensorProto.FLOAT),
        const("sizes", [1, 4, 20, 20]),
        const("pads", [0, 0, 2, 1, 0, 0, 1, 2]),
        const("crop", [0, 0, -1, -1, 0, 0, -1, 0]),
        const("starts", [1, 1]),
        const("ends", [-1, -1]),
        const("axes", [2, 3]),
        const("raxes", [2, 3]),
        const("caxes", [1]),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="/conv/Conv", pads=[1, 1, 1, 1]),
        helper.make_node("Resize", ["c", "", "scales"], ["r1"], name="r1", mode="linear"),
        helper.make_node(
            "Resize", ["r1", "", "", "sizes"], ["r2"], name="r2", mode="cubic",
            coordinate_transformation_mode="align_corners",
        ),
        helper.make_node(
            "Resize", ["r2", "", "scales"], ["r3"], name="r3", mode="nearest",
            coordinate_transformation_mode="half_pixel", nearest_mode="round_prefer_ceil",
        ),
        helper.make_node("Pad", ["r3", "pads"], ["p1"], name="p1", mode="reflect"),
        helper.make_node("Pad", ["p1", "pads"], ["p2"], name="p2", mode="edge"),
        helper.make_node("Slice", ["p2", "starts", "ends", "axes"], ["s1"], name="s1"),
        helper.make_node("SpaceToDepth", ["s1"], ["d1"], name="d1", blocksize=2),
        helper.make_node("DepthToSpace", ["d1"], ["d2"], name="d2", blocksize=2),
        helper.make_node("Softmax", ["d2"], ["sm"], name="sm", axis=1),
        helper.make_node("Split", ["sm"], ["a", "b"], name="split", axis=1, num_outputs=2),
        helper.make_node("Add", ["a", "b"], ["ab"], name="ab"),
        helper.make_node("LpPool", ["ab"], ["lp"], name="lp", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("ReduceMean", ["lp", "caxes"], ["rc"], name="rc"),
        helper.make_node("ReduceMax", ["rc", "raxes"], ["g"], name="g"),
        helper.make_node("Mul", ["rc", "g"], ["y"], name="gate"),
    ]  # fmt: skip
    model, path = _graph_case(tmp_path, nodes, inits, [1, 1, 13, 13])
    imported = read_onnx(str(path))
    assert not imported.unsupported, imported.unsupported
    analysis = rfcalc.analyze(imported.network)
    values = ReferenceEvaluator(model).run(
        None, {"x": np.ones([1, 1, 13, 13], dtype=np.float32)}, intermediate=True
    )
    nodes_by_index = list(model.graph.node)
    for r in analysis.layers:
        node = nodes_by_index[r.layer.loc.line - 1]
        want = list(values[node.output[0]].shape[2:])
        assert [int(s) for s in r.output_size] == want, r.name
    folded = {n.op_type for n in imported.folded}
    assert {"Softmax", "Split", "ReduceMean"} <= folded
    spec = tmp_path / "g.yaml"
    spec.write_text(spec_text(imported, str(path)))
    back = rfcalc.analyze(rfcalc.load(str(spec)))
    assert [r.output_size for r in back.layers] == [r.output_size for r in analysis.layers]
    # negative pads crop (the reference evaluator cannot run them): 13 - 2 and 13 - 1
    crop = [helper.make_node("Pad", ["x", "crop"], ["y"], name="cut")]
    _, path = _graph_case(tmp_path, crop, [inits[4]], [1, 1, 13, 13])
    (layer,) = rfcalc.analyze(read_onnx(str(path)).network).layers
    assert (layer.layer.op, [int(v) for v in layer.output_size]) == ("crop", [11, 12])


@pytest.mark.parametrize(
    ("node", "why"),
    [
        ({"op_type": "Flatten", "axis": 1}, "stopped"),
        ({"op_type": "Concat", "axis": 2}, "stopped"),
        ({"op_type": "ReduceMean", "keepdims": 0}, "stopped"),
        (
            {"op_type": "Resize", "mode": "linear", "coordinate_transformation_mode": "asymmetric"},
            "unsupported",
        ),
        ({"op_type": "Resize", "mode": "nearest", "nearest_mode": "ceil"}, "unsupported"),
        ({"op_type": "AveragePool", "kernel_shape": [2, 2], "dilations": [2, 2]}, "unsupported"),
        ({"op_type": "Pad", "mode": "reflect"}, "unsupported"),
        ({"op_type": "Slice"}, "unsupported"),
        ({"op_type": "ConvTranspose", "output_shape": [20, 20]}, "unsupported"),
        ({"op_type": "TopK"}, "unsupported"),
    ],
)
def test_what_ends_the_structure_or_cannot_be_expressed_is_named(
    node: dict[str, Any], why: str, tmp_path: Path
) -> None:
    from onnx import TensorProto, helper

    kind = node.pop("op_type")
    inputs = ["c"]
    inits = [helper.make_tensor("w", TensorProto.FLOAT, [1, 1, 3, 3], [1.0] * 9)]
    if kind == "Concat":
        inputs = ["c", "c"]
    if kind == "ReduceMean":
        inits.append(helper.make_tensor("axes", TensorProto.INT64, [2], [2, 3]))
        inputs = ["c", "axes"]
    if kind == "Resize":
        inits.append(helper.make_tensor("s", TensorProto.FLOAT, [4], [1.0, 1.0, 2.0, 2.0]))
        inputs = ["c", "", "s"]
    if kind == "ConvTranspose":
        inputs = ["c", "w"]
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="/conv/Conv"),
        helper.make_node(kind, inputs, ["y"], name=f"/odd/{kind}", **node),
    ]
    _, path = _graph_case(tmp_path, nodes, inits, [1, 1, 16, 16])
    imported = read_onnx(str(path))
    named = imported.stopped if why == "stopped" else imported.unsupported
    assert [n.node for n in named] == ["odd"], (imported.stopped, imported.unsupported)
    assert imported.network.layers[0].name == "conv"


def test_weights_are_never_converted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only shapes are read from weights: every tensor turned into an array (pads,
    scales, axes) has at most 64 numbers, on a ResNet-shaped model with its classifier."""
    from onnx import numpy_helper
    from support.torch_nets import ResNetish

    path = tmp_path / "r.onnx"
    _export(positive(ResNetish()), [1, 3, 64, 64], path, dynamic=True)
    converted: list[int] = []
    real = numpy_helper.to_array

    def counting(tensor: Any, *args: Any, **kwargs: Any) -> Any:
        array = real(tensor, *args, **kwargs)
        converted.append(int(array.size))
        return array

    monkeypatch.setattr(numpy_helper, "to_array", counting)
    imported = read_onnx(str(path))
    assert len(imported.network.layers) > 10
    assert max(converted, default=0) <= 64, converted


def test_a_models_report_carries_its_support_and_its_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``rfcalc report model.onnx``: the page's reads give the engine's support of every
    corner and centre unit; an op rfcalc cannot express is listed by node name."""
    from support.report_page import page_data, walk

    from rfcalc.cli import main
    from rfcalc.engine.unit import unit_support

    cls, shape = CASES[0]
    path = tmp_path / "m.onnx"
    _export(positive(cls()), shape, path, dynamic=True)
    out = tmp_path / "m.html"
    assert main(["report", str(path), "-i", "x".join(map(str, shape[2:])), "-o", str(out)]) == 0
    page = out.read_text()
    data = page_data(page)
    analysis = rfcalc.analyze(read_onnx(str(path)).network, shape[2:])
    for r in analysis.layers:
        sizes = [int(a.size) for a in r.axes]
        for unit in (tuple(n // 2 for n in sizes), tuple(n - 1 for n in sizes)):
            assert walk(data, r.name, unit) == unit_support(analysis, r.name, unit)
    assert f"wrote {out}" in capsys.readouterr().err
