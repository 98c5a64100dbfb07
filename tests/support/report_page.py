"""The report page's data read back, and its script's walk written again in Python: the
tests check that what the page carries gives the engine's support (``unit_support``)."""

from __future__ import annotations

import json
import re
from typing import Any


def page_data(page: str) -> Any:
    found = re.search(r'<script type="application/json" id="rfcalc-data">(.*?)</script>', page)
    assert found is not None
    return json.loads(found.group(1))


def row_at(runs: Any, u: int) -> list[int] | None:
    """Row ``u`` of a table the page stores as runs ``[first, count, step, row]`` (the
    page script's ``rowAt``, written again)."""
    for first, count, step, row in runs:
        if first <= u < first + count:
            return None if row is None else [v + (u - first) * step for v in row]
    return None


def walk(data: Any, name: str, unit: tuple[int, ...]) -> dict[tuple[int, ...], int]:
    """The page script's walk, sparse: each layer's reads move the counts one axis at a
    time; merges pass them to every input (at unit 0 on the axes a branch is broadcast
    over; a unit past the end of a smaller branch has nothing there)."""
    layers = data["layers"]
    at = {layer["name"]: i for i, layer in enumerate(layers)}
    pending: dict[str, dict[tuple[int, ...], int]] = {name: {unit: 1}}
    for layer in reversed(layers[: at[name] + 1]):
        here = pending.pop(layer["name"], None)
        if not here:
            continue
        if layer["reads"] == "merge":
            # a branch broadcast over an axis is read at its one unit there
            spread = layer.get("broadcast", [[]] * len(layer["inputs"]))
            parts = []
            for src, axes in zip(layer["inputs"], spread, strict=True):
                moved_to: dict[tuple[int, ...], int] = {}
                size = data["input"] if src == "input" else layers[at[src]]["size"]
                for pixel, count in here.items():
                    key = tuple(0 if i in axes else u for i, u in enumerate(pixel))
                    if all(u < n for u, n in zip(key, size, strict=True)):  # else none there
                        moved_to[key] = moved_to.get(key, 0) + count
                parts.append((src, moved_to))
        else:
            below = (
                data["input"]
                if layer["inputs"][0] == "input"
                else layers[at[layer["inputs"][0]]]["size"]
            )
            for axis, table in enumerate(layer["reads"]):
                moved: dict[tuple[int, ...], int] = {}
                for pixel, count in here.items():
                    reads = [pixel[axis]] if table is None else row_at(table, pixel[axis]) or []
                    for v in reads:
                        if 0 <= v < below[axis]:
                            key = (*pixel[:axis], v, *pixel[axis + 1 :])
                            moved[key] = moved.get(key, 0) + count
                here = moved
            parts = [(layer["inputs"][0], here)]
        for src, support in parts:
            into = pending.setdefault(src, {})
            for pixel, count in support.items():
                into[pixel] = into.get(pixel, 0) + count
    return pending.get("input", {})
