"""What both importers share about what they read: the layers they make (named uniquely,
held to a spec's bounds) and the scale factors a model stores."""

from __future__ import annotations

import struct
from collections.abc import MutableSet
from fractions import Fraction
from typing import Any

from ..model import INPUT, MAX_LAYERS, Layer, Loc, SpecError, check_values

#: the largest denominator a scale factor is read with (``1/3``, ``5/4``; a model whose
#: scale is no such fraction is reported, not rounded)
MAX_DENOMINATOR = 64


def scale_fraction(value: float, single: bool = False) -> Fraction | None:
    """The positive fraction ``p/q`` (``q`` at most 64) that a stored scale stands for:
    the one that rounds to ``value`` exactly, in single precision (``single``: ONNX's
    float tensors) or double (PyTorch's scale factors); None when none does."""

    def stored(x: float) -> float:
        return float(struct.unpack("f", struct.pack("f", x))[0]) if single else x

    if not 0 < value < float("inf"):  # NaN fails both comparisons
        return None
    target = stored(value)
    for q in range(1, MAX_DENOMINATOR + 1):
        p = round(target * q)
        if p > 0 and stored(p / q) == target:  # int / int is correctly rounded
            return Fraction(p, q)
    return None


def add_layer(layers: list[Layer], names: MutableSet[str], base: str, loc: Loc, **kw: Any) -> str:
    """Append the layer a node makes, named ``base`` (``base_2``, ``base_3``... when that
    name is taken), and return its name.  A model is input like a spec: its values are
    held to the spec reader's bounds (:func:`~rfcalc.model.check_values`) and its
    spatial layers to :data:`~rfcalc.model.MAX_LAYERS`, each a located error."""
    name, n = base, 1
    while name in names or name == INPUT:
        n += 1
        name = f"{base}_{n}"
    if len(layers) >= MAX_LAYERS:
        raise SpecError(
            f"the model has more than {MAX_LAYERS:,} spatial layers (rfcalc's bound, as for a "
            "spec)",
            loc,
        )
    layer = Layer(name=name, loc=loc, **kw)
    check_values(layer)
    names.add(name)
    layers.append(layer)
    return name
