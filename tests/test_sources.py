"""One way to open a spec or a model (rfcalc.sources): repeat counts rebuild the network
from the parsed YAML, unknown items and models refuse them, import reports are worded."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfcalc.imports.builder import Imported, Note
from rfcalc.model import Loc, Refused, SpecError
from rfcalc.sources import import_messages, is_model, open_source, spec_source

SPEC = """rfcalc: 1
input: {size: [H]}
layers:
  - {name: stem, op: conv, kernel: 3}
  - {name: body, op: conv, kernel: 3, dilation: 2, repeat: 2}
"""


def test_a_spec_is_built_again_for_each_repeat_count(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(SPEC, encoding="utf-8")
    source = open_source(str(path))
    assert source.imported is None
    assert source.messages() == []
    assert [layer.name for layer in source.network.layers] == ["stem", "body.0", "body.1"]
    deeper = source.with_repeats({"body": 5})
    assert len(deeper.layers) == 6
    # the same as reading the text with the count
    assert deeper == spec_source(SPEC, str(path), {"body": 5}).network
    source.require_items({"body": 3})
    with pytest.raises(Refused, match="no top-level layer or block instance named 'head'"):
        source.require_items({"head": 2})


def test_a_model_has_no_repeat_counts() -> None:
    network = spec_source(SPEC).network
    model = type(spec_source(SPEC))("m.onnx", network, Imported(network))
    with pytest.raises(Refused, match="a model has no repeat counts"):
        model.with_repeats({"body": 2})


def test_what_a_spec_that_cannot_be_read_says(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such file"):
        open_source(str(tmp_path / "missing.yaml"))
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(SpecError, match="the file is empty"):
        open_source(str(empty))


def test_models_are_told_by_their_suffix() -> None:
    assert is_model("a/b.onnx")
    assert is_model("B.ONNX")
    assert not is_model("net.yaml")
    assert not is_model("onnx.yaml")


def test_an_import_report_in_words() -> None:
    network = spec_source(SPEC).network
    at = Loc("m.onnx", 3, 1, "node")
    report = Imported(
        network,
        folded=(Note("a", "Relu", "spatially the identity", at),) * 2
        + (Note("b", "Sigmoid", "spatially the identity", at),),
        stopped=(Note("c", "Flatten", "the spatial structure ends here", at),),
        unsupported=(Note("d", "Foo", "rfcalc cannot express Foo", at),),
    )
    assert import_messages(report, "m.onnx") == [
        f"{at}: Foo: rfcalc cannot express Foo; analysed as if it passed its input on",
        f"{at}: Flatten: the spatial structure ends here; stopped there",
        "m.onnx: folded as spatially the identity: Relu x2, Sigmoid",
    ]
