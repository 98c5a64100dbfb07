"""The spec reader: what it accepts, and where it says a spec is wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import rfcalc
from rfcalc.model import Padding, SpecError
from rfcalc.spec import is_spec, load_spec, read_spec_file


def _load(text: str) -> rfcalc.model.Network:
    return load_spec(textwrap.dedent(text), "t.yaml")


def _error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        _load(text)
    return info.value


GOOD = """\
rfcalc: 1
name: tiny
input: {size: [H, 32], channels: 3}
layers:
  - {name: c1, op: conv, kernel: [3, 1], stride: 2, padding: same, channels: 8}
  - {op: max_pool, kernel: 2, ceil_mode: true}
  - {name: up, op: conv_transpose, kernel: 2, stride: 2, output_padding: [1, 0]}
  - {name: j, op: concat, inputs: [up, c1]}
  - {op: conv, kernel: 3, padding: [[0, 1], 1], groups: 2}
"""


def test_a_good_spec_reads_into_layers() -> None:
    net = _load(GOOD)
    assert net.name == "tiny"
    assert [str(s) for s in net.input_size] == ["H", "32"]
    c1, pool, up, j, last = net.layers
    assert c1.kernel == (3, 1)
    assert c1.stride == (2, 2)
    assert c1.padding == (Padding(mode="same"), Padding(mode="same"))
    assert pool.name == "max_pool2"
    assert pool.inputs == ("c1",)
    assert pool.ceil_mode
    assert up.output_padding == (1, 0)
    assert j.inputs == ("up", "c1")
    assert last.padding == (Padding(before=0, after=1), Padding(before=1, after=1))
    assert c1.loc.line == 5
    assert c1.at("kernel").line == 5


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        pytest.param("rfcalc: 2\n", 1, 9, "unsupported spec format 2", id="version"),
        pytest.param("name: x\n", 1, 1, "not an rfcalc spec", id="not-a-spec"),
        pytest.param("- 1\n", 1, 1, "a spec must be a mapping", id="top-not-mapping"),
        pytest.param("rfcalc: 1\nrfcalc: 1\n", 2, 1, "duplicate key 'rfcalc'", id="dup-key"),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 3, dialation: 2}]\n",
            3,
            32,
            "unknown key 'dialation' in a conv layer (did you mean 'dilation'?)",
            id="typo-key",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv_tranpose, kernel: 3}]\n",
            3,
            15,
            "unknown op 'conv_tranpose' (did you mean 'conv_transpose'?)",
            id="typo-op",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: upsample, scale: 2, dilation: 2}]\n",
            3,
            35,
            "'dilation' means nothing for an upsample layer",
            id="meaningless-key",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 2.5}]\n",
            3,
            29,
            "kernel must be an integer, not a number with a fraction",
            id="float",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: true}]\n",
            3,
            29,
            "kernel must be an integer, not a boolean",
            id="bool",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 0}]\n",
            3,
            29,
            "kernel must be at least 1, not 0",
            id="zero",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 3, dilation: 0}]\n",
            3,
            42,
            "dilation must be at least 1, not 0 (rfcalc counts dilation as PyTorch",
            id="dilation-zero-explained",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 3, padding: SAME}]\n",
            3,
            41,
            "unknown padding mode 'SAME' (did you mean 'same'?)",
            id="mode-case",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 3, padding: same-lower}]\n",
            3,
            41,
            "unknown padding mode 'same-lower' (did you mean 'same_lower'?)",
            id="mode-dash",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: Conv, kernel: 3}]\n",
            3,
            15,
            "unknown op 'Conv' (did you mean 'conv'?)",
            id="op-case",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8, 8]}\nlayers: [{op: conv, kernel: [3, 3, 3]}]\n",
            3,
            29,
            "kernel lists 3 values but the input has 2 axes",
            id="axes",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 3, inputs: [nope]}]\n",
            3,
            41,
            "names 'nope', which is not an earlier layer",
            id="bad-ref",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers:\n- {name: a, op: identity}\n"
            "- {name: a, op: identity}\n",
            5,
            10,
            "duplicate layer name 'a' (first used at line 4)",
            id="dup-name",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\n"
            "layers: [{op: conv_transpose, kernel: 3, stride: 2, output_padding: 2}]\n",
            3,
            69,
            "output_padding 2 must be smaller than the stride or the dilation",
            id="op-range",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 3, padding: sam}]\n",
            3,
            41,
            "unknown padding mode 'sam' (did you mean 'same'?)",
            id="bad-mode",
        ),
        pytest.param(
            "rfcalc: 1\nlayers: [{op: identity}]\n", 1, 1, "needs an 'input'", id="no-input"
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: add, inputs: [input]}]\n",
            3,
            10,
            "add merges two or more layers",
            id="add-one",
        ),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8]}\nlayers: !!python/object:os.system [x]\n",
            3,
            9,
            "the tag 'tag:yaml.org,2002:python/object:os.system' is not allowed",
            id="python-tag",
        ),
        pytest.param("rfcalc: 1\n---\nrfcalc: 1\n", 2, 1, "several", id="multi-doc"),
        pytest.param("rfcalc: [1\n", 2, 1, "invalid YAML", id="broken-yaml"),
        pytest.param(
            "rfcalc: 1\ninput: {size: [8], channels: 4}\n"
            "layers: [{op: conv, kernel: 3, groups: 3}]\n",
            3,
            32,
            "groups 3 does not divide the 4 input channels",
            id="groups",
        ),
    ],
)
def test_errors_name_the_place(text: str, line: int, col: int, message: str) -> None:
    err = _error(text)
    assert message in err.message
    assert (err.loc.path, err.loc.line, err.loc.col) == ("t.yaml", line, col)


def test_billion_laughs_fails_fast() -> None:
    lines = ["rfcalc: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    err = _error("\n".join(lines) + "\n")
    assert "expands to more than" in err.message


def test_empty_file_is_an_error() -> None:
    assert "empty" in _error("").message


def test_is_spec_recognises_the_version_key() -> None:
    assert is_spec("# c\nrfcalc: 1\n")
    assert not is_spec("name: x\n")


def test_default_names_avoid_explicit_ones() -> None:
    net = _load(
        "rfcalc: 1\ninput: {size: [8]}\nlayers:\n"
        "- {op: identity}\n- {name: identity1, op: identity}\n"
    )
    assert [layer.name for layer in net.layers] == ["identity1_", "identity1"]


@pytest.mark.parametrize(
    ("content", "message", "line", "col"),
    [
        pytest.param(
            b"rfcalc: 1\nname: caf\xe9\n", "the file is not UTF-8 text", 2, 10, id="latin-1"
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00", "a binary file, not a YAML spec", 1, 1, id="binary"
        ),
        pytest.param(b"", "the file is empty; a spec starts with 'rfcalc: 1'", 1, 1, id="empty"),
        pytest.param(
            b"\xef\xbb\xbfrfcalc: 1\ninput: {size: [8]}\nlayers: [{op: identity}]\n",
            None,
            0,
            0,
            id="bom",
        ),
    ],
)
def test_files_that_are_not_text(
    tmp_path: Path, content: bytes, message: str | None, line: int, col: int
) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    if message is None:
        assert read_spec_file(str(path)).layers[0].op == "identity"
        return
    with pytest.raises(SpecError) as info:
        read_spec_file(str(path))
    assert (info.value.message, info.value.loc.line, info.value.loc.col) == (message, line, col)


def test_directories_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="is a directory"):
        read_spec_file(str(tmp_path))
    with pytest.raises(SpecError, match="no such file"):
        read_spec_file(str(tmp_path / "nope.yaml"))


@pytest.mark.parametrize(
    ("text", "where", "words", "caret"),
    [
        (
            "rfcalc: 1\ninput: {size: [8]}\nlayers:\n\t- {op: conv, kernel: 3}\n",
            (4, 1),
            "a tab: YAML indents with spaces only",
            "  4 |  - {op: conv, kernel: 3}\n    | ^",
        ),
        (
            "rfcalc: 1\ninput: {size: [8]}\nlayers:\n  - op: conv\n     kernel: 3\n",
            (5, 12),
            "indented differently from the keys of its mapping",
            "  5 |      kernel: 3\n    |            ^",
        ),
        (
            "rfcalc: 1\ninput: {size: [8]\nlayers:\n  - op: conv\n",
            (3, 1),
            "a '{ ... }' mapping is not closed",
            "  3 | layers:\n    | ^",
        ),
    ],
    ids=["tab", "indent", "unclosed"],
)
def test_yaml_syntax_errors_are_explained_with_the_line(
    text: str, where: tuple[int, int], words: str, caret: str
) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(text, "t.yaml")
    assert (caught.value.loc.line, caught.value.loc.col) == where
    assert words in caught.value.message
    assert caught.value.excerpt == caret
