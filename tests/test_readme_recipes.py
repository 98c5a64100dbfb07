"""The README's recipes, executed: every block marked ``<!-- recipe: NAME -->``.

- ``pre-commit``: the configuration runs through pre-commit against this repository (its
  ``repo`` pointed at this checkout, ``rev`` at its HEAD) in a throwaway git repository:
  the hook passes a good spec and YAML that is no spec, and fails the bad spec;
- ``github-actions`` and ``gitlab``: the YAML parses, and its ``rfcalc`` commands run on
  a ``models/`` folder with a bad and a good spec, writing what the next steps read
  (SARIF for upload-sarif, the code quality and JUnit reports GitLab collects);
- ``pytest``: the file runs under pytest from the repository root;
- ``emit TARGET SPEC``: the block is exactly what ``rfcalc solve SPEC --emit TARGET``
  prints, and it runs (through the library where it is installed)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml
from support.ci_formats import BAD, GITLAB_SCHEMA, GOOD
from support.optional import library as require

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()
RECIPES = dict(re.findall(r"<!-- recipe: ([^>]+?) -->\n```\w+\n(.*?)```", README, re.S))


def test_the_recipes_are_there() -> None:
    names = set(RECIPES)
    assert {"pre-commit", "github-actions", "gitlab", "pytest"} <= names
    assert {n.split()[1] for n in names if n.startswith("emit ")} >= {
        "monai",
        "albumentations",
        "mmseg",
    }


def _models(tmp_path: Path) -> Path:
    models = tmp_path / "models"
    models.mkdir()
    (models / "bad.yaml").write_text(BAD)
    (models / "good.yaml").write_text(GOOD)
    (models / "other.yaml").write_text("name: not a spec\n")
    return tmp_path


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A recipe's shell line; ``rfcalc`` is this interpreter's, ``pip install`` is done."""
    words = shlex.split(command)
    assert words[0] == "rfcalc", command
    return subprocess.run(
        [sys.executable, "-m", "rfcalc", *words[1:]], cwd=cwd, capture_output=True, text=True
    )


def test_github_actions_recipe(tmp_path: Path) -> None:
    workflow = yaml.safe_load(RECIPES["github-actions"])
    (job,) = workflow["jobs"].values()
    where = _models(tmp_path)
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs[0] == "pip install rfcalc"
    outputs = [_run(command, where) for command in runs[1:]]
    sarif_step = next(s for s in job["steps"] if "upload-sarif" in s.get("uses", ""))
    log = json.loads((where / sarif_step["with"]["sarif_file"]).read_text())
    assert log["version"] == "2.1.0"
    assert {r["ruleId"] for r in log["runs"][0]["results"]} >= {"RF201"}
    assert outputs[0].returncode == 0  # --exit-zero: the upload step still runs
    annotations = outputs[-1]
    assert annotations.returncode == 1  # the last step fails the job
    assert "::error file=models/bad.yaml,line=4,col=5,title=RF201 gridding::" in (
        annotations.stdout
    )


def test_gitlab_recipe(tmp_path: Path) -> None:
    (job,) = yaml.safe_load(RECIPES["gitlab"]).values()
    where = _models(tmp_path)
    assert job["script"][0] == "pip install rfcalc"
    codes = [_run(command, where).returncode for command in job["script"][1:]]
    assert codes == [0, 1]
    reports = job["artifacts"]["reports"]
    issues = json.loads((where / reports["codequality"]).read_text())
    jsonschema.validate(issues, GITLAB_SCHEMA)
    assert {i["location"]["path"] for i in issues} == {"models/bad.yaml"}
    junit = ET.parse(where / reports["junit"]).getroot()
    assert int(junit.get("failures", "0")) == len(issues)
    assert job["artifacts"]["when"] == "always"


def test_pytest_recipe(tmp_path: Path) -> None:
    test = tmp_path / "test_recipe.py"
    test.write_text(RECIPES["pytest"])
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    test.write_text(RECIPES["pytest"].replace("CROP = (512, 512)", "CROP = (500, 512)"))
    failed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1
    shown = README.split("A failing `assert_valid_input` reads `", 1)[1].split("`.", 1)[0]
    lines = [line.removeprefix("E").strip() for line in failed.stdout.splitlines()]
    assert " ".join(shown.split()) in " ".join(" ".join(lines).split())


EMITS = sorted(n for n in RECIPES if n.startswith("emit "))


@pytest.mark.parametrize("name", EMITS)
def test_emit_recipes_are_what_solve_prints_and_run(name: str) -> None:
    _, target, spec = name.split()
    done = _run(f"rfcalc solve {spec} --emit {target}", ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == RECIPES[name]
    library = {"monai": "monai", "albumentations": "albumentations"}.get(target)
    if library is not None:
        require(library)
    space: dict[str, Any] = {}
    exec(compile(done.stdout, "recipe.py", "exec"), space)
    assert "pad_to_valid" in space or "data_preprocessor" in space


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_recipe(tmp_path: Path) -> None:
    """The configuration as written, with ``repo`` this checkout and ``rev`` its HEAD:
    pre-commit installs the hook and it fails on the bad spec only."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not Path(pre_commit).exists():
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    if not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout")
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    config = yaml.safe_load(RECIPES["pre-commit"])
    (repo,) = config["repos"]
    assert repo["repo"] == "https://github.com/rfcalc/rfcalc"
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in repo["hooks"]} <= {h["id"] for h in hooks}
    repo.update(repo=str(ROOT), rev=head)
    (tmp_path / "work").mkdir()
    work = _models(tmp_path / "work")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", str(work)], check=True, env=env)
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    subprocess.run([*git, "-C", str(work), "add", "."], check=True, env=env)

    def run(*files: str) -> subprocess.CompletedProcess[str]:
        chosen = ["--files", *files] if files else ["--all-files"]
        return subprocess.run(
            [pre_commit, "run", *chosen],
            cwd=work,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )

    passed = run("models/good.yaml", "models/other.yaml", ".pre-commit-config.yaml")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    done = run()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "models/bad.yaml:4:5: RF201 error: gridding" in done.stdout
    assert "good.yaml" not in done.stdout.replace("Passed", "")
