"""The command line's text grammars: input sizes, unit indices, repeat counts, arrays,
a torch example shape, and the choices of ``--format`` and ``--emit``."""

from __future__ import annotations

import json
import re
from enum import Enum
from fractions import Fraction
from typing import Annotated, Any

import typer


class TableFormat(str, Enum):
    table = "table"
    json = "json"


class SolveFormat(str, Enum):
    text = "text"
    json = "json"


class EmitTarget(str, Enum):
    torch = "torch"
    monai = "monai"
    albumentations = "albumentations"
    mmseg = "mmseg"
    detectron2 = "detectron2"


class CheckFormat(str, Enum):
    rich = "rich"
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    gitlab = "gitlab"
    junit = "junit"


class SchemaName(str, Enum):
    spec = "spec"
    analyze = "analyze"
    check = "check"
    solve = "solve"


#: ``--config`` and ``--isolated``, as every command that reads [tool.rfcalc] takes them
ConfigOption = Annotated[
    str | None,
    typer.Option("--config", help="A pyproject.toml to read [tool.rfcalc] from."),
]
IsolatedOption = Annotated[
    bool, typer.Option("--isolated", help="Ignore pyproject.toml configuration.")
]


_SIZE_ITEM = re.compile(r"^(\d+|[A-Za-z_][A-Za-z0-9_]*)$")


def parse_input(text: str) -> list[int | str]:
    """``224x224``, ``224,224``, ``HxW``, ``H,W`` or ``1024`` to a list of sizes."""
    raw = text.strip()
    parts = [
        p.strip() for p in (raw.split(",") if "," in raw else re.split(r"\s*[x×X]\s*|\s+", raw))
    ]
    if not parts or not all(_SIZE_ITEM.match(p) for p in parts) or not 1 <= len(parts) <= 3:
        raise typer.BadParameter(
            f"{text!r} is not an input size; write 224x224, HxW or H,W (1 to 3 axes)",
            param_hint="--input",
        )
    sizes: list[int | str] = []
    for p in parts:
        if p.isdigit():
            if int(p) < 1:
                raise typer.BadParameter(
                    f"input sizes are at least 1, not {p}", param_hint="--input"
                )
            sizes.append(int(p))
        else:
            sizes.append(p)
    return sizes


def parse_unit(text: str, ndim: int) -> tuple[int, ...]:
    """``--unit 0,0`` (or ``0x0``; negative from the end): one index per axis."""
    parts = text.replace("x", ",").split(",")
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        raise typer.BadParameter(
            f"--unit takes integers, one per axis (0,0), not {text!r}"
        ) from None
    if len(values) == 1:
        values *= ndim
    if len(values) != ndim:
        raise typer.BadParameter(f"--unit lists {len(values)} indices; the spec has {ndim} axes")
    return values


def parse_repeats(items: list[str]) -> dict[str, int]:
    """``--repeat block3_mid=21`` to ``{"block3_mid": 21}``."""
    counts: dict[str, int] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip().isdigit() or int(value) < 1:
            raise typer.BadParameter(
                f"{item!r} is not ITEM=N (a top-level layer or block name and a count >= 1)",
                param_hint="--repeat",
            )
        counts[name.strip()] = int(value)
    return counts


def parse_torch_shape(text: str | None) -> list[int]:
    """``--input 1x3x224x224`` for ``import --torch``: N x C x 1 to 3 spatial sizes."""
    shape = re.split(r"\s*[x×X,]\s*", (text or "").strip())
    if not text or not all(p.isdigit() and int(p) > 0 for p in shape) or not 3 <= len(shape) <= 5:
        raise typer.BadParameter(
            "--torch needs the example input's shape: N x C x 1 to 3 spatial sizes (1x3x224x224)",
            param_hint="--input",
        )
    return [int(p) for p in shape]


def parse_array(text: str, option: str) -> tuple[tuple[int, ...], list[Fraction]]:
    """``'0 1; 2 3'``, ``'[[0, 1], [2, 3]]'`` or ``'1 2 3'`` to its shape and its values
    row by row, exact (``1/2`` and ``0.5`` are one half)."""
    nested = _nested(text, option)
    shape: list[int] = []
    probe = nested
    while isinstance(probe, list):
        if not probe:
            raise ValueError(f"{option}: an empty row")
        shape.append(len(probe))
        probe = probe[0]
    values = _flat(nested, shape, 0, option)
    if not 1 <= len(shape) <= 3:
        raise ValueError(f"{option}: 1 to 3 axes, not {len(shape)}")
    return tuple(shape), values


def _nested(text: str, option: str) -> Any:
    """The rows of an array as nested lists (numbers written as text kept as text)."""
    raw = text.strip()
    try:
        if raw.startswith("["):
            return json.loads(re.sub(r"(-?\d+/\d+|-?\d*\.\d+)", r'"\1"', raw))
    except json.JSONDecodeError:
        raise ValueError(f"{option}: {text!r} is not an array of numbers") from None
    nested = [row.replace(",", " ").split() for row in raw.split(";")]
    return nested[0] if len(nested) == 1 else nested


def _flat(x: Any, shape: list[int], depth: int, option: str) -> list[Fraction]:
    if depth == len(shape):
        if isinstance(x, (list, bool)):
            raise ValueError(f"{option}: rows of different depths")
        try:
            return [Fraction(str(x))]
        except ValueError:
            raise ValueError(f"{option}: {x!r} is not a number") from None
    if not isinstance(x, list) or len(x) != shape[depth]:
        raise ValueError(f"{option}: rows of different lengths")
    return [v for item in x for v in _flat(item, shape, depth + 1, option)]
