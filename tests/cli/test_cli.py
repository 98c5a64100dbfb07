"""The command line: exit codes and output together."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from support.cli import run

from rfcalc import __version__

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "rfcalc" / "schema" / "analyze.schema.json").read_text()
)

SPEC = """\
rfcalc: 1
name: tiny
input: {size: [H, W]}
layers:
  - {name: c1, op: conv, kernel: 3, padding: 1}
  - {name: p1, op: max_pool, kernel: 2}
  - {name: up, op: conv_transpose, kernel: 3, stride: 2, padding: 1, output_padding: 1}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(SPEC)
    return path


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"rfcalc {__version__}\n", "")


def test_json_document(capsys: pytest.CaptureFixture[str], spec: Path) -> None:
    code, out, err = run(capsys, "analyze", str(spec), "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert doc["schema"] == 3
    assert doc["input"] == ["H", "W"]
    assert doc["name"] == "tiny"
    _, p1, up = doc["layers"]
    assert p1["output_size"] == ["floor(H/2)", "floor(W/2)"]
    assert p1["receptive_field"] == [4, 4]
    assert p1["jump"] == [2, 2]
    assert up["output_size"] == ["2*floor(H/2)", "2*floor(W/2)"]
    assert up["jump"] == [1, 1]
    # transposed k=3 s=2: phases read 1 and 2 units of p1 (RF 4 and 4 + 2 = 6)
    assert up["receptive_field"] == [6, 6]
    assert up["receptive_field_min"] == [4, 4]


def test_input_override_and_several_specs(capsys: pytest.CaptureFixture[str], spec: Path) -> None:
    code, out, _ = run(capsys, "analyze", str(spec), str(spec), "-i", "224x100", "-f", "json")
    docs = json.loads(out)
    assert code == 0
    assert isinstance(docs, list)
    assert len(docs) == 2
    jsonschema.validate(docs, SCHEMA)
    assert docs[0]["input"] == [224, 100]
    assert docs[0]["layers"][2]["output_size"] == [224, 100]


def test_table(capsys: pytest.CaptureFixture[str], spec: Path) -> None:
    code, out, err = run(capsys, "analyze", str(spec), "-i", "32x32")
    assert (code, err) == (0, "")
    assert "tiny" in out
    assert "conv_transpose" in out
    assert "4..6" in out  # the phases of the transposed conv


def test_bad_spec_is_located_and_others_still_run(
    capsys: pytest.CaptureFixture[str], spec: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 3, dialation: 2}]\n")
    code, out, err = run(capsys, "analyze", str(bad), str(spec), "-f", "json")
    assert code == 1
    assert err == (
        f"{bad}:3:32: error: unknown key 'dialation' in a conv layer (did you mean 'dilation'?)\n"
    )
    # the array keeps the failed spec in its place, as an error entry (issue #10)
    docs = json.loads(out)
    assert docs[0]["spec"] == str(bad)
    assert docs[0]["error"]["line"] == 3
    assert docs[1]["name"] == "tiny"


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    code, out, err = run(capsys, "analyze", str(missing))
    assert (code, out) == (1, "")
    assert err == f"{missing}:1:1: error: no such file\n"


@pytest.mark.parametrize("value", ["224y", "0x3", "a,b,c,d", ""])
def test_bad_input_option_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], spec: Path, value: str
) -> None:
    code, out, err = run(capsys, "analyze", str(spec), "--input", value)
    assert code == 2
    assert out == ""
    assert "--input" in err


def test_input_axes_must_match(capsys: pytest.CaptureFixture[str], spec: Path) -> None:
    code, _, err = run(capsys, "analyze", str(spec), "--input", "224")
    assert code == 1
    assert "--input gives 1 axes but the spec's input has 2" in err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str], spec: Path) -> None:
    code, _, err = run(capsys, "analyze", str(spec), "--bogus")
    assert code == 2
    assert "No such option" in err


def test_help_does_not_import_sympy() -> None:
    code = (
        "import sys; from rfcalc.cli import main; rc = main(['--help']); "
        "assert 'sympy' not in sys.modules, 'sympy imported'; raise SystemExit(rc)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "analyze" in done.stdout


@pytest.mark.parametrize(
    "args",
    [["check", "specs/zoo"], ["analyze", "specs/zoo/resnet50_v1.yaml", "-i", "224x224"]],
    ids=["check", "analyze"],
)
def test_check_and_analyze_do_not_import_numpy(args: list[str]) -> None:
    """numpy is for the exact ERF (``--erf``, ``report``): the pre-commit hook's path and
    the plain table never load it (its import is a tenth of a second)."""
    code = (
        "import sys; from rfcalc.cli import main; rc = main(sys.argv[1:]); "
        "assert 'numpy' not in sys.modules, 'numpy imported'; raise SystemExit(rc)"
    )
    root = Path(__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=root
    )
    assert done.returncode == 0, done.stderr


def test_module_entry_point(spec: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rfcalc", "analyze", str(spec), "-i", "8x8", "-f", "json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["input"] == [8, 8]


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    layers = "\n".join("  - {op: conv, kernel: 3, padding: 1}" for _ in range(400))
    big.write_text(f"rfcalc: 1\ninput: {{size: [H]}}\nlayers:\n{layers}\n")
    cmd = f"{sys.executable} -m rfcalc analyze {big} -f json | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True)
    assert done.stdout == "{\n"
    assert done.stderr == ""


def test_entry_point_flushes_before_its_fast_exit(tmp_path: Path) -> None:
    # the command ends with os._exit: everything written must be out first
    big = tmp_path / "big.yaml"
    layers = "\n".join("  - {op: conv, kernel: 3, padding: 1}" for _ in range(400))
    big.write_text(f"rfcalc: 1\ninput: {{size: [H]}}\nlayers:\n{layers}\n")
    done = subprocess.run(
        [sys.executable, "-m", "rfcalc", "analyze", str(big), "-f", "json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["layers"]) == 400
    bad = tmp_path / "bad.yaml"
    bad.write_text("rfcalc: 1\ninput: {size: [5]}\nlayers:\n  - {op: conv, kernel: 9}\n")
    done = subprocess.run(
        [sys.executable, "-m", "rfcalc", "check", "-f", "text", str(bad)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "RF101" in done.stdout


def test_analyze_repeat_counts_explore_depth(capsys: pytest.CaptureFixture[str]) -> None:
    # ResNet-101 from the ResNet-50 spec: 23 units in block 3 (TF-Slim: 1027 / 32 / 511)
    zoo = Path(__file__).parents[2] / "specs" / "zoo" / "resnet50_v1.yaml"
    code, out, _ = run(
        capsys, "analyze", str(zoo), "-i", "224x224", "--repeat", "block3_mid=21", "-f", "json"
    )
    last = json.loads(out)["layers"][-1]
    assert code == 0
    assert (last["receptive_field"], last["effective_padding"]) == (
        [1027] * 2,
        [511] * 2,
    )
    code, _, err = run(capsys, "analyze", str(zoo), "--repeat", "nosuch=2")
    assert code == 2
    assert "no top-level layer or block instance named 'nosuch'" in err
    code, _, err = run(capsys, "analyze", str(zoo), "--repeat", "block3_mid")
    assert code == 2
    assert "is not ITEM=N" in err


def test_json_padding_fills_and_ranges(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    spec = tmp_path / "fills.yaml"
    spec.write_text(
        "rfcalc: 1\ninput: {size: [64]}\nlayers:\n"
        "  - {name: a, op: conv, kernel: 3, padding: 1, padding_mode: reflect}\n"
        "  - {name: p, op: pad, padding: [2, 2], mode: circular}\n"
        "  - {name: c, op: conv, kernel: 3, padding: 1, inputs: [input]}\n"
        "  - {name: s, op: conv, kernel: 2, stride: 2, inputs: [input]}\n"
        "  - {name: u, op: resize, to: c, mode: bilinear}\n"
        "  - {name: m, op: add, inputs: [c, u]}\n"
    )
    code, out, err = run(capsys, "analyze", str(spec), "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    layers = {entry["name"]: entry for entry in doc["layers"]}
    assert layers["a"]["padding_mode"] == "reflect"
    assert layers["p"]["padding_mode"] == "circular"
    assert "padding_mode" not in layers["c"]
    merged = layers["m"]  # same jumps here (1 and 2 resized by 2): stated
    assert merged["receptive_field"][0] is not None
    code, out, _ = run(capsys, "analyze", str(spec))
    assert code == 0
    assert "3/1/1/1 reflect" in out
    assert "2,2 circular" in out
