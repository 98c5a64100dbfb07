"""rfcalc: receptive fields and shapes of convolutional networks, exact and symbolic.

The public API is small and cheap to import (sympy loads on first use)::

    import rfcalc
    result = rfcalc.analyze("specs/vgg16.yaml", input_size=[224, 224])
    result["pool5"].axes[0].receptive_field  # 212 (a sympy Integer)
    rfcalc.to_dict(result)["layers"][-1]["receptive_field"]  # [212, 212] (plain ints)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .model import SpecError

if TYPE_CHECKING:
    from .design import InputCheck
    from .engine import Analysis
    from .imports import Imported
    from .model import Finding, Network

__all__ = [
    "SpecError",
    "__version__",
    "analyze",
    "drift",
    "from_onnx",
    "from_torch",
    "load",
    "to_dict",
    "valid_input",
]


def load(
    spec: str | Path, text: str | None = None, repeats: Mapping[str, int] | None = None
) -> Network:
    """Read a spec: a path to a YAML file, or ``text`` with ``spec`` naming where it came from.

    ``repeats`` sets the repetition count of top-level items by name (``{"block3_mid":
    21}``), as ``rfcalc analyze --repeat`` does.
    """
    from .spec import load_spec, read_text

    if text is None:
        text = read_text(str(spec))
    return load_spec(text, str(spec), repeats)


def analyze(spec: str | Path | Network, input_size: Sequence[int | str] | None = None) -> Analysis:
    """Analyse a spec file (or a loaded :class:`~rfcalc.model.Network`).

    ``input_size`` overrides the spec's input: integers, or symbol names such as ``"H"``.
    Raises :class:`rfcalc.model.SpecError` (with a file, line and column) on a bad spec.
    """
    from .engine import analyze_network, size_symbol
    from .model import Network

    network = spec if isinstance(spec, Network) else load(spec)
    sizes: list[Any] | None = None
    if input_size is not None:
        sizes = [size_symbol(s) if isinstance(s, str) else s for s in input_size]
    return analyze_network(network, sizes)


def to_dict(result: Analysis, spec: str | None = None) -> dict[str, Any]:
    """The analysis as plain Python, ready for ``json.dumps``: the document ``rfcalc
    analyze --format json`` prints (schema 3; integers as ints, fractions and formulas as
    strings such as ``"1/2"`` or ``"floor(H/2) + 1"``, unknowns as None)."""
    from .design import annotate
    from .render.analysis_json import analysis_document

    path = spec if spec is not None else result.network.path
    return analysis_document(result, path, annotate(result, cost=True, constants=False))


def from_torch(
    module: Any, example_input: Any, dynamic: bool = True, strict: bool = False
) -> Network:
    """The network of a PyTorch module, read through ``torch.export`` (torch is needed,
    and imported only here).

    ``example_input`` is one tensor ``(N, C, *spatial)``; with ``dynamic`` the spatial
    axes are symbols (H, W, D) wherever the model allows, else the example's sizes.
    Layers are named by module path (``layer3.2.conv2``).  Ops that are spatially the
    identity are folded; where the spatial structure ends (a classifier head) the
    network ends; an op rfcalc cannot express is a :class:`UserWarning` naming its node
    (the analysis goes on as if it passed its input on), or with ``strict`` a
    :class:`SpecError`.
    """
    from .imports.torch_graph import read_torch

    imported = read_torch(module, example_input, dynamic, strict)
    return _warned(imported)


def from_onnx(
    path: str | Path, input_size: Sequence[int | str] | None = None, strict: bool = False
) -> Network:
    """The network of an ONNX model (``pip install 'rfcalc[onnx]'``), as :func:`from_torch`
    reads a module: ``input_size`` overrides the model's spatial input."""
    from .imports import read_onnx

    imported = read_onnx(str(path), input_size, strict)
    return _warned(imported)


def valid_input(
    spec_or_model: str | Path | Network, size: Sequence[int] | int, drops: bool = True
) -> InputCheck:
    """Whether the network runs as designed on an input of ``size`` (one integer per
    axis, or one for every axis): truthy when every layer has an output, every merge's
    branches agree, crops fit, pixel_unshuffle divides, padding fits and (``drops``)
    strided windows leave no trailing pixel unread.  ``spec_or_model`` is a spec path, an
    ONNX file or a network.  The result says why not and the nearest valid sizes
    (``.explain()``); :func:`rfcalc.testing.assert_valid_input` is the pytest form."""
    from .design import check_input
    from .model import Network
    from .sources import is_model

    if isinstance(spec_or_model, Network):
        network = spec_or_model
    elif is_model(str(spec_or_model)):
        network = from_onnx(spec_or_model)
    else:
        network = load(spec_or_model)
    sizes = (size,) * network.ndim if isinstance(size, int) else tuple(size)
    return check_input(network, sizes, drops)


def drift(spec: str | Path | Network, model: str | Path | Network) -> list[Finding]:
    """Where a spec and the model it describes differ (RF601, as ``rfcalc check SPEC
    --model MODEL``): an empty list when they agree.  ``model`` is an ONNX file or a
    network (:func:`from_torch`, :func:`from_onnx`); a pytest check is ``assert not
    rfcalc.drift("specs/net.yaml", rfcalc.from_torch(Net(), x))``."""
    from .compare import drift as compare
    from .model import Network

    theirs = model if isinstance(model, Network) else from_onnx(model)
    ours = spec if isinstance(spec, Network) else load(spec)
    return compare(ours, theirs)


def _warned(imported: Imported) -> Network:
    """The imported network, after a :class:`UserWarning` per node rfcalc could not express
    (the analysis went on as if it passed its input on)."""
    import warnings

    from .wording import unsupported_text

    for note in imported.unsupported:
        warnings.warn(
            f"{note.loc}: {unsupported_text(note.op_type, note.why)}",
            stacklevel=3,
        )
    return imported.network
