"""Models in: ONNX graphs read as :class:`~rfcalc.model.Network` records.

Each importer sits beside the spec reader: it turns a model file into the same records a
spec gives, with every node either a layer, folded (spatially the identity: activations,
normalisation, casts), or reported (where the spatial structure ends, or an op rfcalc
cannot express).  The heavy libraries are imported only when a model is read.
"""

from __future__ import annotations

from .onnx_graph import Imported, is_onnx_path, read_onnx

__all__ = ["Imported", "is_onnx_path", "read_onnx"]
