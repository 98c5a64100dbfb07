"""How values are written: re-exported from the engine's pure printing helpers."""

from ..engine.printing import json_value, per_axis, short

__all__ = ["json_value", "per_axis", "short"]
