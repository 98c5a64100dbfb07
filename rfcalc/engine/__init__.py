"""The pure engine: exact sympy arithmetic, no I/O, no yaml, rich or typer, no English."""

from ..model import INPUT
from .analysis import analyze_network
from .field import Field, Region
from .results import Analysis, AxisResult, LayerResult
from .sizes import size_symbol

__all__ = [
    "INPUT",
    "Analysis",
    "AxisResult",
    "Field",
    "LayerResult",
    "Region",
    "analyze_network",
    "size_symbol",
]
