"""Every reproducer of issue #10 (ordinary designs that crashed, were skipped, or got a
wrong answer), as a regression test through the command line a user types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rfcalc.cli import main


def _run(tmp_path: Path, capsys: Any, text: str, *args: str, name: str = "spec.yaml") -> Any:
    path = tmp_path / name
    path.write_text(text)
    code = main([args[0], str(path), *args[1:]])
    out, err = capsys.readouterr()
    assert "internal error" not in out + err, (out, err)
    assert "Traceback" not in out + err, (out, err)
    return code, out, err


ENCODER_DECODER = """rfcalc: 1
input: {size: [224, 224]}
layers:
  - {op: conv, kernel: 3, stride: 2, padding: same}
  - {op: upsample, scale: 2}
  - {op: conv, kernel: 3}
"""
SYMBOLIC_STRIDE = """rfcalc: 1
input: {size: [H]}
symbols: {S: {min: 1, max: 4}}
layers:
  - {op: conv, kernel: 3, stride: S}
"""
SYMBOLIC_KERNEL = """rfcalc: 1
input: {size: [32]}
symbols: {K: {min: 1, max: 4}}
layers:
  - {op: conv, kernel: K, stride: 2}
"""
CONCRETE_64 = """rfcalc: 1
input: {size: [64, 64]}
layers:
  - {op: conv, kernel: 3, stride: 2, padding: same}
  - {op: conv_transpose, kernel: 3, stride: 2, padding: same}
  - {op: max_pool, kernel: 3, stride: 2, padding: 1}
  - {op: conv, kernel: 4, padding: same}
"""


@pytest.mark.parametrize(
    "text",
    [ENCODER_DECODER, ENCODER_DECODER.replace("[224, 224]", "[H, W]"), CONCRETE_64],
    ids=["encoder-decoder-224", "encoder-decoder-HxW", "concrete-64"],
)
def test_check_answers_ordinary_encoder_decoders(tmp_path: Path, capsys: Any, text: str) -> None:
    for fmt in ("text", "json", "sarif", "github"):
        code, _, _ = _run(tmp_path, capsys, text, "check", "--isolated", "-f", fmt)
        assert code in (0, 1)


def test_check_and_solve_answer_a_symbolic_stride_per_value(tmp_path: Path, capsys: Any) -> None:
    code, out, _ = _run(tmp_path, capsys, SYMBOLIC_STRIDE, "check", "--isolated", "-f", "text")
    assert code == 0
    assert "with S = 2: input H must satisfy H ≡ 1 (mod 2)" in out
    assert "with S = 1" not in out  # nothing to say at stride 1
    code, out, _ = _run(tmp_path, capsys, SYMBOLIC_STRIDE, "solve")
    assert code == 0
    assert "with S = 1:\n    valid any H >= 3" in out
    assert "with S = 3:\n    valid H = 3n for n >= 1 (H ≡ 0 (mod 3), smallest 3)" in out


def test_check_and_solve_answer_a_symbolic_kernel(tmp_path: Path, capsys: Any) -> None:
    code, out, _ = _run(tmp_path, capsys, SYMBOLIC_KERNEL, "check", "--isolated", "-f", "text")
    assert code == 0
    assert "with K = 3: conv1 drops step 31" in out  # a 1-D axis: steps, not rows
    code, out, _ = _run(tmp_path, capsys, SYMBOLIC_KERNEL, "solve")
    assert code == 0
    assert "with K = 1" in out
    code, _, _ = _run(tmp_path, capsys, SYMBOLIC_KERNEL.replace("[32]", "[H]"), "solve")
    assert code == 0


def test_solve_output_after_an_adaptive_pool(tmp_path: Path, capsys: Any) -> None:
    text = """rfcalc: 1
input: {size: [H]}
layers:
  - {op: conv, kernel: 7, stride: 2}
  - {op: adaptive_pool, output_size: 7}
"""
    code, out, _ = _run(tmp_path, capsys, text, "solve", "--output", "7")
    assert code == 0
    assert "smallest 7" in out
    assert "adaptive_pool2 has 7 units for H >= 7\n" in out  # was: "for H in [1, 1]"
    _, out, _ = _run(tmp_path, capsys, text, "solve", "--output", "8")
    assert "no H up to 16777216 gives adaptive_pool2 8 units" in out


RF_AB = """rfcalc: 1
input: {size: [T]}
symbols: {A: {min: 1, max: 1000}, B: {min: 1, max: 1000}}
layers:
  - {op: conv, kernel: A, padding: causal}
  - {op: conv, kernel: B, padding: causal}
  - {op: conv, kernel: 2, dilation: A, padding: causal}
"""


def test_solve_rf_searches_the_whole_box(tmp_path: Path, capsys: Any) -> None:
    # the field is 2A + B - 1: 2999 at most, reached only at A = B = 1000
    code, out, _ = _run(tmp_path, capsys, RF_AB, "solve", "--rf", "2999")
    assert code == 0
    assert "smallest: A = 1000, B = 1000 (receptive field 2999" in out
    code, out, _ = _run(tmp_path, capsys, RF_AB, "solve", "--rf", "3000")
    assert code == 1
    assert "no values within the symbols' bounds reach 3000" in out
    code, out, _ = _run(tmp_path, capsys, RF_AB, "solve", "--rf", "1500")
    assert "smallest: A = 750, B = 1 " in out


def test_solve_rf_says_when_its_search_gave_up(tmp_path: Path, capsys: Any) -> None:
    # a merge's field is a Max: not provably monotone, so combinations are tried by
    # increasing sum, and a search that stops says so instead of "no values"
    text = """rfcalc: 1
input: {size: [T]}
symbols: {A: {min: 1, max: 1000}, B: {min: 1, max: 1000}}
layers:
  - {name: a, op: conv, kernel: A, padding: causal, inputs: [input]}
  - {name: b, op: conv, kernel: B, padding: causal, inputs: [input]}
  - {name: m, op: add, inputs: [a, b]}
"""
    code, out, _ = _run(tmp_path, capsys, text, "solve", "--rf", "1500")
    assert code == 1
    assert "unknown: none of the 200000 combinations with the smallest sums" in out
    assert "the search gave up" in out
    assert "no values" not in out
    code, out, _ = _run(tmp_path, capsys, text, "solve", "--rf", "30")
    assert code == 0
    assert "smallest: A = 1, B = 30 (receptive field 30 at m)" in out


def test_solve_says_unknown_past_the_period_it_can_scan(tmp_path: Path, capsys: Any) -> None:
    text = """rfcalc: 1
input: {size: [H]}
layers:
  - {op: conv, kernel: 2, stride: 2}
  - {op: conv, kernel: 1, stride: 16411}
"""
    _, out, _ = _run(tmp_path, capsys, text, "solve")
    assert "valid H: unknown" in out
    assert "the conditions are not periodic" not in out


@pytest.mark.parametrize(
    "text",
    [
        "{rfcalc: 1, input: {size: [8]}, layers: [{op: conv, kernel: 30}]}\n",
        '"rfcalc": 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 30}]\n',
        "'rfcalc' : 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: 30}]\n",
    ],
    ids=["flow-style", "double-quoted-key", "single-quoted-key"],
)
def test_specs_in_any_yaml_style_are_checked(tmp_path: Path, capsys: Any, text: str) -> None:
    code, out, _ = _run(tmp_path, capsys, text, "check", "--isolated", "-f", "text")
    assert code == 1
    assert "RF101" in out
    # found in a folder as well
    code = main(["check", "--isolated", "-f", "text", str(tmp_path)])
    assert code == 1
    assert "RF101" in capsys.readouterr().out


def test_a_spec_without_its_version_line_is_a_finding(tmp_path: Path, capsys: Any) -> None:
    text = "input: {size: [8]}\nlayers: [{op: conv, kernel: 3}]\n"
    code, out, _ = _run(tmp_path, capsys, text, "check", "--isolated", "-f", "text")
    assert code == 1
    assert "RF001" in out
    assert "add 'rfcalc: 1' at the top" in out


def test_empty_files_named_explicitly_are_findings(tmp_path: Path, capsys: Any) -> None:
    code, out, _ = _run(tmp_path, capsys, "", "check", "--isolated", "-f", "text")
    assert code == 1
    assert "RF001" in out
    assert "empty" in out
    # in a folder, an empty YAML file is nobody's spec
    assert main(["check", "--isolated", "-f", "text", str(tmp_path)]) == 0


def test_other_yaml_too_large_or_not_utf8_is_skipped(tmp_path: Path, capsys: Any) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("items:\n" + "  - abcdefghij\n" * 400_000)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"name: caf\xe9\n")
    assert main(["check", "--isolated", "-f", "text", str(big), str(latin)]) == 0
    assert capsys.readouterr().out == ""
    spec = tmp_path / "bigspec.yaml"
    spec.write_text("rfcalc: 1\nitems:\n" + "  - abcdefghij\n" * 400_000)
    assert main(["check", "--isolated", "-f", "text", str(spec)]) == 1
    assert "larger than 4 MiB" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ('[tool.rfcalc]\nfail-on = ["error"]\n', "fail-on: ['error'] is not a level"),
        ('[tool.rfcalc]\ntarget = ["onnx"]\n', "is not a target"),
        ('[tool.rfcalc.severity]\nRF201 = ["info"]\n', "is not a level"),
        ('tool = "x"\n', "[tool] must be a table, not str"),
    ],
)
def test_bad_configuration_is_exit_2(tmp_path: Path, capsys: Any, toml: str, says: str) -> None:
    (tmp_path / "pyproject.toml").write_text(toml)
    spec = tmp_path / "spec.yaml"
    spec.write_text(ENCODER_DECODER)
    code = main(["check", "-f", "text", "--config", str(tmp_path / "pyproject.toml"), str(spec)])
    _, err = capsys.readouterr()
    assert code == 2
    assert says in err


@pytest.mark.parametrize(
    ("expr", "says"),
    [
        ("+".join(["1"] * 1500), "characters long, more than 256"),
        ("(1+" * 40 + "1" + ")" * 40, "nests 42 levels deep, more than 32"),
    ],
)
def test_huge_expressions_are_located_errors(
    tmp_path: Path, capsys: Any, expr: str, says: str
) -> None:
    text = (
        "rfcalc: 1\ninput: {size: [H]}\nblocks:\n  b:\n    params: {k: 3}\n    layers:\n"
        f"      - {{op: conv, kernel: $({expr})}}\nlayers:\n  - {{name: x, block: b}}\n"
    )
    code, out, _ = _run(tmp_path, capsys, text, "check", "--isolated", "-f", "text")
    assert code == 1
    assert "spec.yaml:7:28: RF001" in out
    assert says in out


def test_misaligned_merges_are_found_at_every_listed_size(tmp_path: Path, capsys: Any) -> None:
    text = """rfcalc: 1
input: {size: [H, W], sizes: [[257, 193]]}
layers:
  - {name: stem, op: conv, kernel: 3, padding: 1}
  - {name: low, op: conv, kernel: 3, stride: 2, padding: 1, inputs: [stem]}
  - {name: up, op: resize, to: stem, mode: bilinear, inputs: [low]}
  - {name: fuse, op: add, inputs: [stem, up]}
"""
    code, out, _ = _run(tmp_path, capsys, text, "check", "--isolated", "-f", "text")
    assert code == 0  # a warning
    assert "RF104" in out
    assert "(stem 1, up 258/257)" in out
    assert "(at input 257x193)" in out


def test_a_fixed_axis_too_small_is_an_empty_output(tmp_path: Path, capsys: Any) -> None:
    text = "rfcalc: 1\ninput: {size: [H, 8]}\nlayers:\n  - {op: conv, kernel: 30}\n"
    code, out, _ = _run(tmp_path, capsys, text, "check", "--isolated", "-f", "text")
    assert code == 1
    assert "RF101" in out
    assert "((H - 29)x-21) at input Hx8" in out


def test_a_declared_context_that_fails_is_an_error(tmp_path: Path, capsys: Any) -> None:
    text = (
        "rfcalc: 1\ninput: {size: [64]}\nexpect: {context: 200}\nlayers: [{op: conv, kernel: 3}]\n"
    )
    code, out, _ = _run(tmp_path, capsys, text, "check", "--isolated", "-f", "text")
    assert code == 1
    assert "RF501 error: conv1: expected receptive field at least 200, got 3" in out


def test_output_errors_are_usage_errors(tmp_path: Path, capsys: Any) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        ENCODER_DECODER.replace("[224, 224]", "[64, 64]").replace("stride: 2", "dilation: 2")
    )
    missing = tmp_path / "no" / "such" / "folder" / "x.svg"
    code = main(["analyze", str(spec), "--show-support", "conv3", "--svg", str(missing)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "No such file or directory" in err
    assert "internal error" not in err
    code = main(["hdc", "1", "2", "2", "--svg", str(missing)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "No such file or directory" in err


def test_full_device_and_narrow_consoles(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    spec = tmp_path / "spec.yaml"
    spec.write_text(SYMBOLIC_STRIDE)
    run = [sys.executable, "-m", "rfcalc"]
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [*run, "analyze", str(spec)],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=300,
            )
        assert done.returncode == 2
        assert "No space left on device" in done.stderr
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    done = subprocess.run(
        [*run, "check", "--isolated", "-f", "text", str(spec)],
        capture_output=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert b"H == 1 (mod 2)" in done.stdout  # the ASCII spelling of ≡
    done = subprocess.run([*run, "analyze", str(spec)], capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr


def test_check_prints_the_traceback_of_an_internal_error_when_asked(
    tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rfcalc.lint

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a planted bug")

    monkeypatch.setattr(rfcalc.lint, "lint_network", broken)
    monkeypatch.setenv("RFCALC_DEBUG", "1")
    spec = tmp_path / "spec.yaml"
    spec.write_text(ENCODER_DECODER)
    assert main(["check", "--isolated", "-f", "text", str(spec)]) == 3
    _, err = capsys.readouterr()
    assert "RuntimeError: a planted bug" in err
    assert "Traceback (most recent call last)" in err


def test_a_4335_digit_jump_prints(tmp_path: Path, capsys: Any) -> None:
    text = (
        "rfcalc: 1\ninput: {size: [H]}\nlayers:\n"
        "  - {op: conv, kernel: 16777216, stride: 16777216, repeat: 600}\n"
    )
    code, out, _ = _run(tmp_path, capsys, text, "analyze", "-f", "json")
    assert code == 0
    assert str(16777216**600) in out


def test_a_json_array_names_the_spec_that_failed(tmp_path: Path, capsys: Any) -> None:
    import json

    import jsonschema

    good = tmp_path / "good.yaml"
    good.write_text(ENCODER_DECODER)
    bad = tmp_path / "bad.yaml"
    bad.write_text("rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernal: 3}]\n")
    assert main(["analyze", "-f", "json", str(good), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert "bad.yaml:3:" in err
    docs = json.loads(out)
    assert [d["spec"] for d in docs] == [str(good), str(bad)]
    assert docs[1]["error"]["line"] == 3
    assert "kernal" in docs[1]["error"]["message"]
    schema = json.loads(
        (Path(__file__).parents[2] / "rfcalc/schema/analyze.schema.json").read_text()
    )
    jsonschema.validate(docs, schema)


def test_input_override_cannot_reuse_a_hyperparameter_name(tmp_path: Path, capsys: Any) -> None:
    text = (
        "rfcalc: 1\ninput: {size: [T]}\nsymbols: {K: {min: 2, max: 8}}\nlayers:\n"
        "  - {name: c, op: conv, kernel: K, padding: causal}\n"
    )
    code, _, err = _run(tmp_path, capsys, text, "analyze", "-i", "K")
    assert code == 1
    assert "--input names K, which the spec declares as a hyperparameter" in err
    code, out, _ = _run(tmp_path, capsys, text, "analyze", "-i", "L", "-f", "json")
    assert code == 0
    assert '"L"' in out
