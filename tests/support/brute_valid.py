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


_ONES: dict[tuple[int, int, tuple[int, ...]], tuple[Network, set[str]]] = {}


def _always_one(network: Network, axis: int, others: list[int]) -> set[str]:
    """The layers whose size on ``axis`` is 1 at large inputs of different residues (a
    global read and what keeps it one unit; never a size that is 1 by accident)."""
    key = (id(network), axis, tuple(others))
    if key not in _ONES or _ONES[key][0] is not network:  # an id is reused once freed
        found: set[str] | None = None
        for n in (9973, 10007, 10080):
            sizes = list(others)
            sizes[axis] = n
            one = {
                r.name
                for r in analyze_network(network, sizes).layers
                if int(r.axes[axis].size) == 1
            }
            found = one if found is None else found & one
        _ONES[key] = (network, found or set())
    return _ONES[key][1]


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
            # add and mul broadcast a branch that is one unit at every input (PyTorch's
            # broadcasting of a global read); concat does not
            ones = _always_one(network, axis, others) if layer.op != "concat" else set()
            moving = [
                s for name, s in zip(layer.inputs, r.input_sizes, strict=True) if name not in ones
            ]
            if len({int(s[axis]) for s in moving}) > 1:
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
