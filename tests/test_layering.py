"""Dependencies point one way: cli -> render, lint, config -> spec, rules -> engine -> model."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "rfcalc"
STDLIB_OK = {"sympy"}

#: what each layer may import from rfcalc (besides itself)
ALLOWED = {
    "engine": {"model", "engine", "_version"},
    "rules": {"model", "engine", "rules"},
    "spec": {"model", "engine", "spec"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            parts = path.relative_to(PACKAGE).parts[:-1]
            base = list(parts[: len(parts) - (node.level - 1)])
            target = (base + (node.module.split(".") if node.module else []))[:1]
            found.add(target[0] if target else "rfcalc")
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add("ext:" + node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {"ext:" + a.name.split(".")[0] for a in node.names}
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports(layer: str) -> None:
    for path in (PACKAGE / layer).glob("*.py"):
        inside = {i for i in _imports(path) if not i.startswith("ext:")}
        assert inside <= ALLOWED[layer], (path.name, inside - ALLOWED[layer])
        external = {i[4:] for i in _imports(path) if i.startswith("ext:")}
        assert not external & {"rich", "typer", "click"}, path.name
        if layer == "engine":
            assert not external & {"yaml"}, path.name
