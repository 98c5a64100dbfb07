"""Assertions for a project's own test suite (pytest or any runner)::

    from rfcalc.testing import assert_valid_input

    def test_crop_size_fits_the_network():
        assert_valid_input("configs/unet.yaml", (512, 512))

A failure names each axis that does not fit, why (the layer and the condition), and
the nearest valid sizes: ``H = 500: pool3: its windows tile its input (pad 12 to 512 or
crop 4 to 496)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Network

__all__ = ["assert_valid_input"]


def assert_valid_input(
    spec_or_model: str | Path | Network, size: Sequence[int] | int, drops: bool = True
) -> None:
    """Raise :class:`AssertionError` unless ``size`` is a valid input of the network
    (:func:`rfcalc.valid_input`), with the reasons and the nearest valid sizes."""
    __tracebackhide__ = True  # pytest shows the caller's line
    from . import valid_input

    check = valid_input(spec_or_model, size, drops)
    if not check:
        raise AssertionError(check.explain())
