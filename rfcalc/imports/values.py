"""What the importers share about the numbers a model stores."""

from __future__ import annotations

import struct
from fractions import Fraction

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
