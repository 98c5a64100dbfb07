"""``rfcalc check`` follows the conventions of ruff, yamllint and check-jsonschema:
``--statistics``, ``--exit-zero``, ``--quiet``, ``--output-file``, standard input with
``--stdin-filename``, GitLab code quality and JUnit XML, inline ``# rfcalc: ignore[...]``
suppressions, shell completion, and a pre-commit hook on ``types: [yaml]``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml
from support.ci_formats import BAD, GITLAB_SCHEMA
from support.cli import check as run

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "check"


def _fixtures() -> list[str]:
    return [str(p) for p in sorted(FIXTURES.glob("*.yaml"))]


def test_statistics_count_each_rules_findings(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, *_fixtures(), "-f", "json")
    findings = json.loads(out)["findings"]
    want: dict[str, int] = {}
    for f in findings:
        want[f["rule"]] = want.get(f["rule"], 0) + 1
    code, out, _ = run(capsys, *_fixtures(), "--statistics")
    assert code == 1
    rows = [line.split("\t") for line in out.splitlines()]
    assert {rule: int(n) for n, rule, _ in rows} == want
    assert [int(n) for n, _, _ in rows] == sorted(want.values(), reverse=True)
    _, out, _ = run(capsys, *_fixtures(), "--statistics", "-f", "json")
    assert {s["code"]: s["count"] for s in json.loads(out)} == want


def test_exit_zero_keeps_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    code, out, _ = run(capsys, str(bad), "-f", "text", "--exit-zero")
    assert code == 0
    assert "RF201 error" in out
    assert run(capsys, str(bad), "--exit-zero", "--fail-on", "nope")[0] == 2


def test_quiet_prints_the_findings_and_nothing_else(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    _, loud, _ = run(capsys, str(bad), "-f", "rich")
    _, quiet, _ = run(capsys, str(bad), "-f", "rich", "-q")
    # rich wraps at the console's width: the words, wherever the lines break (the path
    # of the temporary folder has any length)
    loud, quiet = " ".join(loud.split()), " ".join(quiet.split())
    assert "1 spec(s) checked" in loud
    assert "checked" not in quiet
    assert "RF201 error" in quiet


def test_output_file_holds_what_stdout_would(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    for fmt in ("text", "json", "sarif", "gitlab", "junit", "github"):
        _, want, _ = run(capsys, str(bad), "-f", fmt)
        out = tmp_path / f"out.{fmt}"
        code, stdout, _ = run(capsys, str(bad), "-f", fmt, "--output-file", str(out))
        assert (code, stdout) == (1, "")
        assert out.read_text() == want
    out = tmp_path / "rich.txt"  # rich into a file: plain text, one line per finding
    run(capsys, str(bad), "-f", "rich", "-o", str(out))
    text = out.read_text()
    assert "\x1b[" not in text
    assert f"{bad}:4:5: RF201 error: gridding: from d1 on" in text


def test_stdin_with_a_filename(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    _, want, _ = run(capsys, str(bad), "-f", "text")
    monkeypatch.setattr(sys, "stdin", io.StringIO(BAD))
    code, out, _ = run(capsys, "-", "--stdin-filename", str(bad), "-f", "text")
    assert (code, out) == (1, want)
    monkeypatch.setattr(sys, "stdin", io.StringIO(BAD))
    _, out, _ = run(capsys, "-", "-f", "text")
    assert out.startswith("<stdin>:4:5: RF201 error")
    monkeypatch.setattr(sys, "stdin", io.StringIO("rfcalc: 1\ninput: {size: [8]}\n"))
    _, out, _ = run(capsys, "-", "-f", "text")
    assert out.startswith("<stdin>:1:1: RF001 error")
    assert run(capsys, "-", "-")[0] == 2


def test_gitlab_code_quality(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Valid for GitLab; one issue per finding; fingerprints unique, and stable when
    lines move (an edit above a finding does not make it a new issue)."""
    _, out, _ = run(capsys, *_fixtures(), "-f", "json")
    findings = json.loads(out)["findings"]
    _, out, _ = run(capsys, *_fixtures(), "-f", "gitlab")
    issues = json.loads(out)
    jsonschema.validate(issues, GITLAB_SCHEMA)
    assert len(issues) == len(findings)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    severity = {"error": "major", "warning": "minor", "info": "info"}
    for issue, f in zip(issues, findings, strict=True):
        assert issue["location"] == {
            "path": f["path"],
            "lines": {"begin": f["line"], "end": f["line"]},
        }
        assert issue["severity"] == severity[f["severity"]]
        assert issue["check_name"] == f"{f['rule']} {f['name']}"
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    _, before, _ = run(capsys, str(bad), "-f", "gitlab")
    bad.write_text("# a comment moves every line down\n" + BAD)
    _, after, _ = run(capsys, str(bad), "-f", "gitlab")
    prints = [[i["fingerprint"] for i in json.loads(doc)] for doc in (before, after)]
    assert prints[0] == prints[1]
    assert json.loads(after)[0]["location"]["lines"]["begin"] == 5


def test_junit_xml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A suite per file checked, a failing case per finding, a passing case for a clean
    file; the counts add up."""
    clean = tmp_path / "clean.yaml"
    clean.write_text("rfcalc: 1\ninput: {size: [64]}\nlayers:\n  - {op: conv, kernel: 3}\n")
    (tmp_path / "other.yaml").write_text("name: not a spec\n")
    _, out, _ = run(capsys, *_fixtures(), "-f", "json")
    findings = json.loads(out)["findings"]
    paths = [*_fixtures(), str(clean), str(tmp_path / "other.yaml")]
    _, out, _ = run(capsys, *paths, "-f", "junit")
    root = ET.fromstring(out.split("\n", 1)[1])
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [*_fixtures(), str(clean)]
    failures = root.findall("testsuite/testcase/failure")
    assert len(failures) == len(findings) == int(root.get("failures", "-1"))
    assert int(root.get("tests", "-1")) == len(root.findall("testsuite/testcase"))
    (clean_suite,) = [s for s in suites if s.get("name") == str(clean)]
    assert [c.get("name") for c in clean_suite] == ["rfcalc"]
    assert clean_suite.find("testcase/failure") is None
    first = findings[0]
    case = root.find(f"testsuite[@name='{first['path']}']/testcase")
    assert case is not None
    assert case.get("name") == f"rfcalc.{first['rule']}.{first['name']}"
    assert case.get("line") == str(first["line"])


@pytest.mark.parametrize(
    ("comment", "dropped", "rf002"),
    [
        ("# rfcalc: ignore[RF201]: the holes are the point", True, []),
        ("# rfcalc: ignore[gridding] -- a lesson on gridding", True, []),
        ("# rfcalc: ignore[RF2, RF1]: a prefix and another", True, []),
        ("# rfcalc: ignore[RF201]", True, ["gives no reason"]),
        ("# rfcalc: ignore[RF999]: typo", False, ["ignore[RF999] names no rule"]),
        ("# rfcalc: ignore[RF203]: another rule", False, []),
        ("#rfcalc:ignore[RF201]:terse", True, []),
    ],
)
def test_inline_ignores(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    comment: str,
    dropped: bool,
    rf002: list[str],
) -> None:
    """On the line the finding points at, the named rules' findings go; an ignore with
    no reason or naming no rule is RF002; elsewhere it drops nothing."""
    path = tmp_path / "s.yaml"
    path.write_text(BAD.replace("padding: same}\n", f"padding: same}}  {comment}\n", 1))
    _, out, _ = run(capsys, str(path), "-f", "json")
    found = json.loads(out)["findings"]
    rules = [(f["rule"], f["line"]) for f in found]
    assert (("RF201", 4) not in rules) == dropped
    messages = [f["message"] for f in found if f["rule"] == "RF002"]
    assert len(messages) == len(rf002)
    for want, got in zip(rf002, messages, strict=True):
        assert want in got
    assert all(f["line"] == 4 for f in found if f["rule"] == "RF002")
    moved = tmp_path / "moved.yaml"  # on another line it drops nothing
    moved.write_text(BAD.replace("layers:\n", f"layers:  {comment}\n", 1))
    _, out, _ = run(capsys, str(moved), "-f", "json")
    assert ("RF201", 4) in [(f["rule"], f["line"]) for f in json.loads(out)["findings"]]


def test_a_hash_inside_quotes_is_no_ignore(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BAD.replace("{name: d1,", '{name: "d1 # rfcalc: ignore[RF201]: x",'))
    _, out, _ = run(capsys, str(path), "-f", "json")
    assert "RF201" in {f["rule"] for f in json.loads(out)["findings"]}


def test_shell_completion_completes_commands_and_options() -> None:
    """``rfcalc --show-completion bash`` prints a script; the script's protocol answers
    the commands and a command's options."""
    exe = [sys.executable, "-m", "rfcalc"]
    # typer detects the shell from the parent processes (none under a test runner's
    # worker: "Shell  not supported"); its own switch makes the shell an argument
    env = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    shown = subprocess.run(
        [*exe, "--show-completion", "bash"], capture_output=True, text=True, env=env
    )
    assert shown.returncode == 0, shown.stderr
    assert "_RFCALC_COMPLETE=complete_bash" in shown.stdout

    def complete(words: str) -> list[str]:
        env = {
            **os.environ,
            "_RFCALC_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        }
        done = subprocess.run(
            [sys.executable, "-c", "from rfcalc._entry import run; run()"],
            capture_output=True,
            text=True,
            env=env,
        )
        return done.stdout.split()

    assert "check" in complete("rfcalc che")
    assert "--statistics" in complete("rfcalc check --stat")


def test_pre_commit_hook_runs_on_yaml_files() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["types"] == ["yaml"]
    assert "files" not in hook
    assert hook["entry"].startswith("rfcalc check")
