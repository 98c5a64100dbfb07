"""Why the engine does not state something: a kind and the values, never a sentence.

The engine is English-free.  When a receptive field, a field or an exact support is
not stated, the result carries a :class:`Note` (what happened and the numbers that
say how much); :mod:`rfcalc.wording` turns it into words for people.  Values are
sympy expressions or ints, so renaming an input symbol (``H`` -> ``W``) renames them
like every other value of a result.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from ..model import Expr


class Why(enum.Enum):
    """The kinds of note; the values each carries are listed beside it."""

    #: (span, cap): one unit's support spans more input pixels than tracked
    SPAN_OVER_CAP = enum.auto()
    #: (): likewise, after a period (the span is symbolic or past the cap)
    SPAN_TOO_WIDE = enum.auto()
    #: (count, cap): one unit reads more units below than tracked
    TAPS_OVER_CAP = enum.auto()
    #: (cap,): the supports of the whole analysis exceed the budget
    SUPPORTS_OVER_TOTAL = enum.auto()
    #: (period, cap): the output's period exceeds the cap
    PERIOD_OVER_CAP = enum.auto()
    #: (period,): a merge of branches whose periods multiply past the cap
    MERGED_PERIOD_OVER_CAP = enum.auto()
    #: (): which phase a unit has depends on the (symbolic) input size
    PHASE_DEPENDS_ON_INPUT = enum.auto()
    #: (jump, jump, ...): merged branches move by different jumps
    JUMPS_DIFFER = enum.auto()
    #: (jump, jump, ...): merged branches move by different jumps, and the fields below
    #: are stated per unit of the real map (ranges over its units away from the borders)
    PER_UNIT = enum.auto()
    #: (): some units of a merge see only a broadcast branch
    BROADCAST_ONLY_UNITS = enum.auto()
    #: (cap,): the field would unite more regions of the layer below than the cap
    WORK_OVER_CAP = enum.auto()
    #: (value,) with a :class:`Quantity`: a quantity that must be a number is a symbol
    NEEDS_NUMBER = enum.auto()
    #: (): a global pool after an upsampling reads a part of a period
    PARTIAL_PERIODS = enum.auto()
    #: (): no unit sees any input pixel
    BLIND = enum.auto()
    #: (extent, start, end, window, jump): a fixed region plus a moving window
    FIXED_AND_MOVING = enum.auto()
    #: likewise, with the receptive field stated as the range of the union over the
    #: real map's units (a concrete input)
    FIXED_OVER_UNITS = enum.auto()
    #: (count, cap): the field's extents are more distinct formulas than the cap
    FORMS_OVER_CAP = enum.auto()
    #: (): the layer reads an empty map
    EMPTY_INPUT = enum.auto()
    #: (): the layer's output is empty (a resampling to no unit has no pattern)
    EMPTY_OUTPUT = enum.auto()


class Quantity(enum.Enum):
    """What must be a number, for :attr:`Why.NEEDS_NUMBER`."""

    STRIDE_AFTER_UPSAMPLING = enum.auto()
    DILATION = enum.auto()
    TCONV_KERNEL = enum.auto()
    TCONV_STRIDE = enum.auto()
    TCONV_DILATION = enum.auto()
    TCONV_PADDING = enum.auto()
    UPSAMPLE_FACTOR = enum.auto()
    ADAPTIVE_OUTPUT = enum.auto()
    ADAPTIVE_INPUT = enum.auto()
    GLOBAL_INPUT_AFTER_UPSAMPLING = enum.auto()
    RESIZE_INPUT = enum.auto()
    RESIZE_OUTPUT = enum.auto()
    PAD_AFTER_UPSAMPLING = enum.auto()
    ALIGN_CORNERS_SIZE = enum.auto()


@dataclass(frozen=True)
class Note:
    """Why something is not stated: a kind, its values and (for NEEDS_NUMBER) what."""

    why: Why
    values: tuple[Expr, ...] = ()
    quantity: Quantity | None = None

    def renamed(self, rename: Callable[[Expr], Expr]) -> Note:
        """The note with ``rename`` applied to each value."""
        return Note(self.why, tuple(rename(v) for v in self.values), self.quantity)


class NotExact(Exception):
    """The field cannot be stated exactly for this layer; :attr:`note` says why."""

    def __init__(self, why: Why, *values: Expr, quantity: Quantity | None = None) -> None:
        self.note = Note(why, tuple(values), quantity)
        super().__init__(why.name)
