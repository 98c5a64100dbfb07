"""Padding for the PyTorch oracles, written from the modes' definitions (REFERENCE.md),
independently of rfcalc.  Import it after ``pytest.importorskip("torch")``."""

from __future__ import annotations

from typing import Any

import torch

F = torch.nn.functional


def tf_same(n: int, k: int, s: int, d: int, lower: bool) -> tuple[int, int]:
    """TensorFlow's SAME padding (ONNX SAME_LOWER with ``lower``)."""
    ke = d * (k - 1) + 1
    out = -(-n // s)
    total = max((out - 1) * s + ke - n, 0)
    small, big = total // 2, total - total // 2
    return (big, small) if lower else (small, big)


def window_padding(mode: Any, n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """Before / after of a window op: a mode's name, ``[before, after]`` or one amount."""
    ke = d * (k - 1) + 1
    if isinstance(mode, (list, tuple)):
        return int(mode[0]), int(mode[1])
    if isinstance(mode, int):
        return mode, mode
    fixed = {
        "valid": (0, 0),
        "full": (ke - 1, ke - 1),
        "half": (ke // 2, ke // 2),
        "causal": (ke - 1, 0),
    }
    if mode in fixed:
        return fixed[mode]
    assert mode in ("same", "same_lower"), f"unknown padding mode {mode}"
    return tf_same(n, k, s, d, mode == "same_lower")


def pad(x: Any, pads: list[tuple[int, int]], mark: bool = False, fill: str = "zeros") -> Any:
    """Pad (negative amounts crop), axis 0 first (F.pad takes the last axis first): with
    zeros or ``fill`` (``reflect``, ``replicate``, ``circular``: F.pad's modes), or with
    NaN (``mark``), which then marks every unit that reads beyond a map."""
    flat: list[int] = []
    for before, after in reversed(pads):
        flat += [before, after]
    if fill != "zeros" and not mark and any(flat):
        return F.pad(x, flat, mode=fill)
    return F.pad(x, flat, value=float("nan") if mark else 0.0)
