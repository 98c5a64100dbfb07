"""``rfcalc matrix``: a layer's sparse matrix as text or JSON."""

from __future__ import annotations

import json

from ..engine.convmatrix import ConvMatrix, Tap


def _name(tap: Tap | None) -> str:
    return "0" if tap is None else "w" + "".join(map(str, tap))


def matrix_json(m: ConvMatrix) -> str:
    doc = {
        "input": list(m.input),
        "output": list(m.output),
        "transposed": m.transposed,
        "rows": [[None if t is None else list(t) for t in row] for row in m.rows],
    }
    return json.dumps(doc) + "\n"


def matrix_text(m: ConvMatrix) -> str:
    width = max(len(_name(t)) for row in m.rows for t in row)
    label = "C^T" if m.transposed else "C"
    lines = [
        f"{label}: {len(m.rows)}x{len(m.rows[0])} (input {'x'.join(map(str, m.input))}, "
        f"output {'x'.join(map(str, m.output))}, kernel {m.kernel}, stride {m.stride}, "
        f"padding {m.padding}, dilation {m.dilation})"
    ]
    lines += [" ".join(_name(t).rjust(width) for t in row) for row in m.rows]
    return "\n".join(lines) + "\n"
