"""Models in: ONNX graphs read as :class:`~rfcalc.model.Network` records.

Each importer sits beside the spec reader: it turns a model file into the same records a
spec gives, with every node either a layer, folded (spatially the identity: activations,
normalisation, casts), or reported (where the spatial structure ends, or an op rfcalc
cannot express).  The heavy libraries are imported only when a model is read.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Loc, SpecError
from .builder import Imported
from .onnx_graph import is_onnx_path, read_onnx

__all__ = ["Imported", "is_onnx_path", "read_onnx", "read_torch_factory"]


def read_torch_factory(
    factory: str, shape: Sequence[int], symbolic: bool = True, strict: bool = False
) -> Imported:
    """The module ``package.module:factory`` makes, traced by ``torch.export`` on an
    example input of ``shape`` (N, C, spatial...); ``symbolic``: its spatial sizes become
    symbols.  A :class:`SpecError` at the factory when PyTorch is not installed."""
    try:
        import torch  # noqa: F401  (only to say so when it is missing)
    except ImportError:
        raise SpecError("--torch needs PyTorch installed", Loc(factory)) from None
    from .torch_graph import example, load_factory, read_torch

    module = load_factory(factory)
    path = f"<torch:{factory}>"
    return read_torch(module, example(list(shape), path), symbolic, strict, path=path)
