"""What the importers share about elementwise merges and concatenations of maps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..model import Op


class MapLike(Protocol):
    layer: str
    #: the spatial size is 1 on every axis (a pooled vector)
    unit: bool
    channels: int | None


def merge_inputs(
    maps: Sequence[MapLike], op: Op, broadcast: Callable[[str, str], str]
) -> tuple[tuple[str, ...], int | None, bool]:
    """The layers a merge of ``maps`` reads, its channels, and whether it is pooled.

    A pooled map merged with moving ones (squeeze-and-excitation, image pooling) is
    broadcast over the first moving one: ``broadcast(pooled, target)`` adds the layer
    that does it (a ``resize: to:``) and names it.  Channels: their sum for a concat,
    the widest for an elementwise op (a one-channel gate multiplies every channel).
    """
    moving = [m for m in maps if not m.unit]
    inputs = tuple(
        broadcast(m.layer, moving[0].layer) if m.unit and moving and op != Op.CONCAT else m.layer
        for m in maps
    )
    channels = None
    if all(m.channels for m in maps):
        counts = [m.channels or 0 for m in maps]
        channels = sum(counts) if op == Op.CONCAT else max(counts)
    return inputs, channels, not moving


def broadcast_layer(pooled: str, target: str) -> dict[str, Any]:
    """The keys of the layer that broadcasts a pooled map over ``target``."""
    return {"op": Op.RESIZE, "inputs": (pooled,), "target": target, "mode": "nearest"}
