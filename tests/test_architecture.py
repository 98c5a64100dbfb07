"""The module graph points one way: import-linter's contracts (pyproject.toml) hold,
and they fail when a lower layer imports a higher one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_contracts_hold() -> None:
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # a lower layer importing a higher one, relative and absolute
        ("engine/sizes.py", "from ..render import table", "Dependencies point one way"),
        ("engine/field.py", "import rfcalc.cli", "Dependencies point one way"),
        ("rules/gridding.py", "from rfcalc.lint import exit_code", "Dependencies point one way"),
        ("spec/parse.py", "from ..imports import read_onnx", "Dependencies point one way"),
        ("wording.py", "from .imports.builder import Site", "Dependencies point one way"),
        ("sources.py", "from .lint import exit_code", "Dependencies point one way"),
        ("render/needs.py", "from ..cli.args import parse_input", "Dependencies point one way"),
        # the pure layers stay away from YAML and the terminal
        ("engine/solve.py", "import yaml", "The engine and the records are pure"),
        ("rules/base.py", "from rich.text import Text", "Only the command line"),
        ("sources.py", "import typer", "Only the command line"),
        # renderers format what the library computed
        ("render/table.py", "from ..design import annotate", "Renderers only format"),
        ("render/erf_table.py", "import rfcalc.engine.cost", "Renderers only format"),
        ("answers.py", "from .design import solve", "Dependencies point one way"),
    ],
)
def test_a_contract_fails_on_a_wrong_import(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    shutil.copytree(ROOT / "rfcalc", tmp_path / "rfcalc")
    path = tmp_path / "rfcalc" / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    done = _lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    broken = [x for x in done.stdout.splitlines() if x.endswith("BROKEN")]
    assert any(x.startswith(contract) for x in broken), done.stdout


def test_the_architecture_names_every_module() -> None:
    """ARCHITECTURE.md stays true: every module of the package is named there (a rule's
    own module is covered by the registry, `rfcalc rules` and the README's table)."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    package = ROOT / "rfcalc"
    rules = {p.stem for p in (package / "rules").glob("*.py")}
    registered = {p for p in rules if "RULE = Rule(" in (package / "rules" / f"{p}.py").read_text()}
    missing = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] == "rules" and path.stem in registered:
            continue
        if path.name == "__init__.py" and relative.parent != Path("."):
            name = f"{relative.parent.as_posix()}/"
        else:
            name = path.name if len(relative.parts) == 1 else relative.as_posix()
        # named in full (`render/table.py`) or by file name inside its package's row
        if f"`{name}`" not in text and f"`{path.name}`" not in text:
            missing.append(relative.as_posix())
    assert not missing, f"not in ARCHITECTURE.md: {missing}"
