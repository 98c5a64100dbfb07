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
    from .engine import Analysis
    from .model import Network

__all__ = ["SpecError", "__version__", "analyze", "load", "to_dict"]


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
    analyze --format json`` prints (schema 1; integers as ints, fractions and formulas as
    strings such as ``"1/2"`` or ``"floor(H/2) + 1"``, unknowns as None)."""
    from .render.analysis_json import analysis_document

    return analysis_document(result, spec if spec is not None else result.network.path)
