"""Hostile names, streams, configurations and output paths (issues #27 and #28).

A name is data a spec or a model carries into every output: it must never start a line
of text output, colour a terminal, break an XML, JSON, SARIF or GitLab document or
forge a GitHub annotation.  Standard input is bytes, decoded as a file is.  A
configuration is input too: nested without end, or holding a 2 MB string, it is a short
configuration error.  And rfcalc writes only what the user named, never over what it
reads.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml
from support.ci_formats import GITLAB_SCHEMA
from support.cli import run

#: names a spec may carry (quotes, markup, HTML, unicode): each must come back intact
ODD_NAMES = [
    "quote\"s 'and' back\\slash",
    "[bold]markup[/bold] %25 %0A a:b,c",
    "</script><!--<script>-->&amp;",
    "é ß 中文 🙂",
]
#: names no spec may carry: each control, separator or override would forge or hide
#: output (a newline starts a fake finding; ESC colours the terminal; NUL breaks XML)
FORGING = [
    "evil\nspec.yaml:1:1: RF201 error: fake [gridding]",
    "ansi\x1b[31mred\x1b[0m",
    "nul\x00x",
    "cr\rover",
    "sep\u2028line",
    "bidi\u202eevil",
    "c1\x85nel",
]


def _quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar: printable characters as themselves (an
    emoji too: YAML has no surrogate pairs), the rest as YAML's escapes."""

    def one(c: str) -> str:
        if c in '"\\':
            return "\\" + c
        if c.isprintable():
            return c
        return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"

    return '"' + "".join(one(c) for c in text) + '"'


def _spec(names: list[str]) -> str:
    """A dilated chain that grids: every layer is named in RF201/RF203 findings."""
    layers = "".join(
        f"  - {{name: {_quoted(n)}, op: conv, kernel: 3, dilation: 2}}\n" for n in names
    )
    return f"rfcalc: 1\ninput: {{size: [64]}}\nlayers:\n{layers}"


FORMATS = ["text", "github", "json", "sarif", "gitlab", "junit", "rich"]


def _parses(fmt: str, out: str) -> None:
    """The document of ``fmt`` is well formed (and GitLab's matches its schema)."""
    if fmt in ("json", "sarif"):
        json.loads(out)
    elif fmt == "gitlab":
        jsonschema.validate(json.loads(out), GITLAB_SCHEMA)
    elif fmt == "junit":
        ET.fromstring(out.encode())


def _strings(doc: object) -> list[str]:
    """Every string in a parsed JSON document."""
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [s for v in doc.values() for s in _strings(v)]
    if isinstance(doc, list):
        return [s for v in doc for s in _strings(v)]
    return []


@pytest.mark.parametrize("fmt", FORMATS)
def test_odd_names_reach_every_format_intact_and_one_finding_per_line(
    fmt: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a relative path: the rich format fits a finding to 80 columns, shortening a long
    # name, so the temporary folder's length must not decide whether a name is whole
    monkeypatch.chdir(tmp_path)
    spec = Path("odd.yaml")
    spec.write_text(_spec(ODD_NAMES), encoding="utf-8")
    code, out, _ = run(capsys, "check", "--isolated", "-f", fmt, str(spec))
    assert code == 1
    _parses(fmt, out)
    assert "\x1b" not in out
    _, doc, _ = run(capsys, "check", "--isolated", "-f", "json", str(spec))
    findings = json.loads(doc)["findings"]
    named = {n for n in ODD_NAMES if any(n in f["message"] for f in findings)}
    assert named
    if fmt in ("text", "rich"):
        assert all(n in out for n in named)
    if fmt in ("json", "sarif"):
        assert all(n in "\n".join(_strings(json.loads(out))) for n in named)
    if fmt == "text":
        assert len(out.splitlines()) == len(findings)
        assert all(line.startswith(f"{spec}:") for line in out.splitlines())
    if fmt == "github":
        assert all(line.startswith("::") for line in out.splitlines())
        assert len(out.splitlines()) == len(findings)
        # workflow-command escapes: a property never holds a raw ':' or ',' or '%'
        for line in out.splitlines():
            props = line.split(" ", 1)[1].split("::", 1)[0]
            for prop in props.split(","):
                assert ":" not in prop.split("=", 1)[1]


def test_odd_names_in_every_other_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "odd.yaml"
    spec.write_text(_spec(ODD_NAMES), encoding="utf-8")
    for args in (
        ["analyze", str(spec)],
        ["analyze", str(spec), "-i", "64", "--erf", "--cost"],
        ["analyze", str(spec), "-i", "64", "--show-support", ODD_NAMES[2]],
        ["solve", str(spec)],
    ):
        code, out, err = run(capsys, *args)
        assert code == 0, err
        assert ODD_NAMES[2] in out or args[0] == "solve"
    code, out, _ = run(capsys, "analyze", str(spec), "-f", "json")
    assert [r["name"] for r in json.loads(out)["layers"]] == ODD_NAMES


@pytest.mark.parametrize("name", FORGING, ids=[repr(n)[:12] for n in FORGING])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_name_that_would_forge_output_is_a_located_error(
    name: str, fmt: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "forged.yaml"
    spec.write_text(_spec(["ok", name]), encoding="utf-8")
    code, out, err = run(capsys, "check", "--isolated", "-f", fmt, str(spec))
    assert code == 1
    _parses(fmt, out)
    for stream in (out, err):
        assert not any(c in stream for c in "\x00\x1b\r\x85\u2028\u202e")
        assert not any(line.startswith("spec.yaml:1:1") for line in stream.splitlines())
    if fmt == "text":
        (line,) = out.splitlines()
        assert line.startswith(f"{spec}:5:")
        assert "RF001 error: a layer name cannot contain control" in line
    code, out, err = run(capsys, "analyze", str(spec))
    assert code == 1
    assert f"{spec}:5:" in err
    assert not any(c in out + err for c in "\x00\x1b\r\x85\u2028\u202e")


def test_the_network_name_is_held_to_the_same_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "n.yaml"
    spec.write_text('name: "a\\nb"\n' + _spec(["x"]), encoding="utf-8")
    code, _, err = run(capsys, "analyze", str(spec))
    assert code == 1
    assert "the network's name cannot contain control" in err
    assert "a\\nb" in err


def test_a_path_with_a_newline_stays_on_its_finding_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "two\nlines\x1b[31m.yaml"
    spec.write_text(_spec(["a", "b"]), encoding="utf-8")
    code, out, _ = run(capsys, "check", "--isolated", "-f", "text", str(spec))
    assert code == 1
    _, doc, _ = run(capsys, "check", "--isolated", "-f", "json", str(spec))
    assert len(out.splitlines()) == len(json.loads(doc)["findings"])
    assert "\x1b" not in out
    code, out, _ = run(capsys, "check", "--isolated", "-f", "junit", str(spec))
    ET.fromstring(out.encode())


# -- standard input is bytes ------------------------------------------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, raw: bytes) -> None:
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape")
    monkeypatch.setattr(sys, "stdin", stream)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_spec_with_a_byte_order_mark_reads_as_its_file_does(
    encoding: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    text = _spec(["a", "b", "c"])
    plain = tmp_path / "plain.yaml"
    plain.write_text(text, encoding="utf-8")
    _, want, _ = run(capsys, "check", "--isolated", "-f", "json", str(plain))
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw
    coded = tmp_path / "coded.yaml"
    coded.write_bytes(raw)
    for source in ([str(coded)], ["-", "--stdin-filename", str(coded)]):
        _stdin(monkeypatch, raw)
        code, out, err = run(capsys, "check", "--isolated", "-f", "json", *source)
        assert code == 1, err
        got = [{**f, "path": "p"} for f in json.loads(out)["findings"]]
        assert got == [{**f, "path": "p"} for f in json.loads(want)["findings"]]
    assert run(capsys, "analyze", str(coded))[0] == 0


@pytest.mark.parametrize(
    "raw",
    [
        bytes(range(256)) * 4,
        "rfcalc: 1\n".encode("utf-16-le"),  # UTF-16 without its mark: NUL bytes
        b"rfcalc: 1\ninput: {size: [\xff\xfe]}\n",
        b"\xff\xfe\x00",  # a UTF-16 mark and half a character
    ],
    ids=["random", "utf16-no-bom", "bad-utf8", "odd-utf16"],
)
def test_bytes_that_are_not_text_on_stdin_are_a_located_finding(
    raw: bytes, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for fmt in ("text", "json", "junit", "sarif"):
        _stdin(monkeypatch, raw)
        code, out, err = run(capsys, "check", "--isolated", "-f", fmt, "-")
        assert code == 1, err
        assert "internal error" not in out + err
        _parses(fmt, out)
    assert out.count("RF001") >= 1


def test_stdin_larger_than_a_spec_may_be_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, b"# " + b"x" * (5 << 20) + b"\n")
    code, out, _ = run(capsys, "check", "--isolated", "-f", "text", "-")
    assert code == 1
    assert "larger than 4 MiB" in out


# -- configuration ----------------------------------------------------------------------


@pytest.mark.parametrize("where", ["pyproject", "config"])
def test_a_configuration_nested_without_end_is_a_configuration_error(
    where: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(_spec(["a"]), encoding="utf-8")
    deep = "[" * 100_000 + "]" * 100_000
    if where == "pyproject":
        (tmp_path / "pyproject.toml").write_text(f"[tool.rfcalc]\nselect = {deep}\n")
        monkeypatch.chdir(tmp_path)
        args = ["check", str(spec)]
    else:
        (tmp_path / ".rfcalc.toml").write_text(f"[tool.rfcalc]\nselect = {deep}\n")
        args = ["check", "--config", str(tmp_path / ".rfcalc.toml"), str(spec)]
    code, _, err = run(capsys, *args)
    assert code == 2
    assert "nest too deep" in err
    assert "internal error" not in err


@pytest.mark.parametrize(
    "table",
    ['select = ["BIG"]', 'ignore = ["BIG"]', 'fail-on = "BIG"', 'target = "BIG"', '"BIG" = 1'],
)
def test_a_configuration_error_quotes_a_few_dozen_characters(
    table: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(_spec(["a"]), encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text("[tool.rfcalc]\n" + table.replace("BIG", "x" * 2_000_000) + "\n")
    code, _, err = run(capsys, "check", "--config", str(config), str(spec))
    assert code == 2
    assert len(err) < 400, err[:400]
    assert "more characters" in err or "..." in err
    code, _, err = run(
        capsys, "check", "--isolated", "--severity", "RF201" + "x" * 100_000, str(spec)
    )
    assert code == 2
    assert len(err) < 400


# -- outputs: only what the user named, never over what is read ---------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--isolated", "SPEC", "--output-file", "SPEC"],
        ["report", "SPEC", "-i", "32", "--isolated", "-o", "SPEC"],
        ["analyze", "SPEC", "--show-support", "a", "--svg", "SPEC"],
        ["analyze", "SPEC", "OTHER", "--show-support", "a", "--svg", "LINK"],
    ],
    ids=["check", "report", "svg", "svg-symlink"],
)
def test_an_output_never_replaces_the_spec_it_reads(
    command: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "s.yaml"
    text = _spec(["a", "b"])
    spec.write_text(text, encoding="utf-8")
    other = tmp_path / "o.yaml"
    other.write_text(text, encoding="utf-8")
    link = tmp_path / "link.svg"
    link.symlink_to(spec)
    places = {"SPEC": str(spec), "OTHER": str(other), "LINK": str(link)}
    code, _, err = run(capsys, *[places.get(a, a) for a in command])
    assert code == 2
    assert "is the file being read" in err
    assert spec.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--isolated", "-f", "text", "SPEC", "--output-file", "-"],
        ["report", "SPEC", "-i", "32", "--isolated", "-o", "-"],
        ["analyze", "SPEC", "--show-support", "a", "--svg", "-"],
        ["hdc", "1", "2", "3", "--svg", "-"],
    ],
    ids=["check", "report", "svg", "hdc"],
)
def test_dash_writes_to_standard_output(
    command: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(_spec(["a", "b"]), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, *[str(spec) if a == "SPEC" else a for a in command])
    assert code in (0, 1)
    assert not (tmp_path / "-").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]
    marker = {"check": "RF201", "report": "<!doctype html>", "analyze": "<svg", "hdc": "<svg"}
    assert marker[command[0]] in out


def test_import_never_replaces_a_file_without_force(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    onnx = pytest.importorskip("onnx", reason="ONNX import needs onnx")
    from onnx import TensorProto, helper, numpy_helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 16, 16])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    import numpy as np

    w = numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="c")
    model = helper.make_model(helper.make_graph([node], "g", [x], [y], [w]))
    path = tmp_path / "m.onnx"
    onnx.save(model, str(path))
    mine = tmp_path / "mine.yaml"
    mine.write_text("# my hand-written design\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(path), "-o", str(mine))
    assert code == 2
    assert "exists: give --force" in err
    assert mine.read_text(encoding="utf-8") == "# my hand-written design\n"
    code, _, err = run(capsys, "import", str(path), "-o", str(path), "--force")
    assert code == 2
    assert "is the file being read" in err
    code, _, _ = run(capsys, "import", str(path), "-o", str(mine), "--force")
    assert code == 0
    assert yaml.safe_load(mine.read_text(encoding="utf-8"))["rfcalc"] == 1
    fresh = tmp_path / "fresh.yaml"
    assert run(capsys, "import", str(path), "-o", str(fresh))[0] == 0
    assert run(capsys, "analyze", str(fresh))[0] == 0


# -- the report's own bounds ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("layers", "size", "said"),
    [
        (
            ["{op: upsample, scale: 4096}", "{op: conv, kernel: 16384}"],
            "64",
            "its units read 4,027,596,800 units below, more than the 8,388,608 a page holds",
        ),
        (
            ["{op: resize, size: 1000000}", "{op: conv, kernel: 3}"],
            "64",
            "its maps have 1,999,998 units along their axes, more than the 1,048,576",
        ),
        (
            ["{op: upsample, scale: 64}"],
            "64x64",
            "upsample1 has 16,777,216 units, more than the 4,194,304 a page draws of one map",
        ),
    ],
    ids=["reads", "rows", "map"],
)
def test_a_page_past_its_bounds_is_refused_before_the_work(
    layers: list[str], size: str, said: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue #28: an upsampling by 4096 then a kernel of 16384 was a MemoryError at
    3.85 GB; a resize to a million units a 66 s report."""
    spec = tmp_path / "s.yaml"
    axes = "[H, W]" if "x" in size else "[H]"
    spec.write_text(
        f"rfcalc: 1\ninput: {{size: {axes}}}\nlayers:\n" + "".join(f"  - {x}\n" for x in layers)
    )
    out = tmp_path / "out.html"
    code, _, err = run(capsys, "report", str(spec), "-i", size, "--isolated", "-o", str(out))
    assert code == 2
    assert said in err
    assert not out.exists()
