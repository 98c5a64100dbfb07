"""``rfcalc matrix``: a layer's sparse matrix as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ..engine.convmatrix import ConvMatrix, Tap


def _name(tap: Tap | None) -> str:
    return "0" if tap is None else "w" + "".join(map(str, tap))


def _kernel(m: ConvMatrix) -> str:
    return str(m.kernel[0]) if len(set(m.kernel)) == 1 else "x".join(map(str, m.kernel))


def _exact(x: Fraction) -> int | str:
    """An integer as a JSON number, a fraction as ``"p/q"`` (exact, never a float)."""
    return int(x) if x.denominator == 1 else str(x)


def _nest(flat: Sequence[Any], shape: Sequence[int]) -> list[Any]:
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0]
    return [_nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def matrix_json(m: ConvMatrix, result: Sequence[Fraction] | None = None) -> str:
    doc: dict[str, Any] = {
        "input": list(m.input),
        "output": list(m.output),
        "transposed": m.transposed,
        "rows": [[None if t is None else list(t) for t in row] for row in m.rows],
    }
    if result is not None:
        doc["product"] = _nest([_exact(v) for v in result], m.output)
    return json.dumps(doc) + "\n"


def matrix_text(m: ConvMatrix, result: Sequence[Fraction] | None = None) -> str:
    width = max(len(_name(t)) for row in m.rows for t in row)
    label = "C^T" if m.transposed else "C"
    lines = [
        f"{label}: {len(m.rows)}x{len(m.rows[0])} (input {'x'.join(map(str, m.input))}, "
        f"output {'x'.join(map(str, m.output))}, kernel {_kernel(m)}, stride {m.stride}, "
        f"padding {m.padding}, dilation {m.dilation})"
    ]
    lines += [" ".join(_name(t).rjust(width) for t in row) for row in m.rows]
    if result is not None:
        lines.append(f"y = {label} x, as {'x'.join(map(str, m.output))}:")
        cells = [str(v) for v in result]
        cell = max(map(len, cells))
        row = m.output[-1]
        for i in range(0, len(cells), row):
            lines.append(" ".join(c.rjust(cell) for c in cells[i : i + row]))
    return "\n".join(lines) + "\n"
