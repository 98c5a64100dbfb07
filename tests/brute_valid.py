"""Brute force for ``rfcalc solve``: is an input size valid?  The network analysed at that
size: every layer has an output, merges agree, crops fit, pixel_unshuffle divides, reflect
and circular padding fit (PyTorch's rules), and (``drops``) no strided window leaves
trailing pixels no window covers."""

from __future__ import annotations

from typing import Any

from rfcalc.engine import analyze_network
from rfcalc.engine.shapes import effective_kernel
from rfcalc.model import Network


def _dropped(result: Any, axis: int, n: int) -> bool:
    """A strided window layer leaves trailing input pixels that no window covers (beyond
    the gap between windows that a window shorter than its stride always leaves)."""
    layer = result.layer
    if layer.op not in ("conv", "max_pool", "avg_pool"):
        return False
    k, s, d = (int(v) for v in layer.window(axis))
    if s == 1:
        return False
    a = result.axes[axis]
    ke = int(effective_kernel(k, d))
    size = int(a.size)
    last_covered = (size - 1) * s - int(a.pad_before) + ke - 1
    return n - 1 - last_covered > max(0, s - ke)


def valid_at(network: Network, axis: int, n: int, others: list[int], drops: bool) -> bool | None:
    """Brute force: the network evaluated at ``n`` on ``axis`` (None: some layer empty)."""
    sizes = list(others)
    sizes[axis] = n
    analysis = analyze_network(network, sizes)
    if any(int(a.size) < 1 for r in analysis.layers for a in r.axes):
        return None
    for r in analysis.layers:
        layer = r.layer
        if layer.padding_mode in ("reflect", "circular"):
            # PyTorch: reflect pads less than the map, circular at most the map
            widest = max(int(r.axes[axis].pad_before), int(r.axes[axis].pad_after))
            if widest >= int(r.input_sizes[0][axis]) + (layer.padding_mode == "circular"):
                return False
        if layer.op in ("add", "mul", "concat"):
            if len({int(s[axis]) for s in r.input_sizes}) > 1:
                return False
        elif layer.op == "crop" and layer.target is not None:
            if int(r.axes[axis].pad_before) < 0 or int(r.axes[axis].pad_after) < 0:
                return False
        elif layer.op == "pixel_unshuffle":
            if int(r.input_sizes[0][axis]) % int(layer.scale[axis]):
                return False
        elif drops and _dropped(r, axis, int(r.input_sizes[0][axis])):
            return False
    return True
