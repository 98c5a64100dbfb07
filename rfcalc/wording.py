"""The words for the engine's data: notes and size conditions, for people.

The engine says *why* with a :class:`~rfcalc.engine.notes.Note` (a kind and values);
this module is the one place those become sentences, used by the renderers, the rules
and the design answers alike.  It sits just above the engine: it imports nothing else
of rfcalc.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import Any

from .engine.conditions import Condition, Source
from .engine.erf import BUDGET, NO_PATHS, SYMBOLIC, TOO_LARGE
from .engine.notes import Note, Quantity, Why
from .engine.printing import short
from .engine.solve import Residues

_QUANTITY = {
    Quantity.STRIDE_AFTER_UPSAMPLING: "the stride after an upsampling",
    Quantity.DILATION: "dilation",
    Quantity.TCONV_KERNEL: "the kernel of a transposed conv",
    Quantity.TCONV_STRIDE: "the stride of a transposed conv",
    Quantity.TCONV_DILATION: "the dilation of a transposed conv",
    Quantity.TCONV_PADDING: "the padding of a transposed conv",
    Quantity.UPSAMPLE_FACTOR: "an upsampling factor",
    Quantity.ADAPTIVE_OUTPUT: "an adaptive pool's output size",
    Quantity.ADAPTIVE_INPUT: "the input of an adaptive pool",
    Quantity.GLOBAL_INPUT_AFTER_UPSAMPLING: "the input of a global pool after an upsampling",
    Quantity.RESIZE_INPUT: "the input size of a resampling by a ratio that is not whole",
    Quantity.RESIZE_OUTPUT: "the output size of a resampling by a ratio that is not whole",
    Quantity.PAD_AFTER_UPSAMPLING: "a padding after an upsampling",
    Quantity.ALIGN_CORNERS_SIZE: "the sizes of an align_corners interpolation",
}

#: one sentence per kind; ``{0}``, ``{1}``... are the note's values as printed
_TEXT = {
    Why.SPAN_OVER_CAP: "a unit spans {0} input pixels (more than {1})",
    Why.SPAN_TOO_WIDE: "a unit spans too many input pixels",
    Why.TAPS_OVER_CAP: "a unit reads {0} units (more than {1})",
    Why.SUPPORTS_OVER_TOTAL: "the network's exact supports exceed {0} bits in all",
    Why.PERIOD_OVER_CAP: "the output repeats only every {0} units (more than {1})",
    Why.MERGED_PERIOD_OVER_CAP: "the merged output repeats only every {0} units",
    Why.PHASE_DEPENDS_ON_INPUT: "the phase of a unit depends on the input size",
    Why.BROADCAST_ONLY_UNITS: (
        "some units see only the broadcast branch: their region is not a shift of the others'"
    ),
    Why.WORK_OVER_CAP: (
        "its field unites more than {0} regions of the layer below "
        "(a long kernel after a large upsampling): not computed"
    ),
    Why.PARTIAL_PERIODS: "the global pool's input is not whole periods",
    Why.BLIND: "no output unit sees any input pixel",
    Why.FIXED_AND_MOVING: (
        "no single receptive field: every unit sees a fixed region of {0} input pixels "
        "({1} to {2}) through a pooled, broadcast branch, plus a window of {3} that moves "
        "{4} per unit"
    ),
    Why.FIXED_OVER_UNITS: (
        "every unit sees a fixed region of {0} input pixels ({1} to {2}) through a "
        "pooled, broadcast branch, plus a window of {3} that moves {4} per unit: the "
        "receptive field is the range of their union over the map's units"
    ),
    Why.FORMS_OVER_CAP: (
        "its units' extents are {0} distinct formulas in the hyperparameters (more than "
        "{1}): give them values to state the field"
    ),
    Why.EMPTY_INPUT: "it reads an empty map",
    Why.EMPTY_OUTPUT: "its output is empty",
}


def plural(count: object, word: str, many: str | None = None) -> str:
    """``1 hole``, ``2 holes``, ``1 path``: a count with its noun."""
    return f"{count} {word if str(count) == '1' else (many or word + 's')}"


def note_text(note: Note) -> str:
    """The note as a sentence."""
    if note.why is Why.PER_UNIT:
        jumps = ", ".join(sorted({short(j) for j in note.values}))
        return (
            f"branches move by different jumps ({jumps}): the receptive field is the range "
            "over the map's units away from the borders; jump: the coarsest branch's; "
            "eff. pad: the largest u·jump − first pixel over those units"
        )
    if note.why is Why.JUMPS_DIFFER:
        jumps = ", ".join(sorted({str(j) for j in note.values}))
        return (
            f"the branches move by different jumps ({jumps}): a unit's input region is not "
            "a shift of another's, so no single receptive field holds"
        )
    if note.why is Why.NEEDS_NUMBER:
        assert note.quantity is not None
        return f"{_QUANTITY[note.quantity]} must be a number here, not {short(note.values[0])}"
    if note.why is Why.FIXED_AND_MOVING:
        return _TEXT[note.why].format(*(short(v) for v in note.values))
    return _TEXT[note.why].format(*note.values)


def maybe_note_text(note: Note | None) -> str | None:
    return None if note is None else note_text(note)


def condition_text(c: Condition) -> str:
    """Why a layer puts ``c`` on the input: ``dec1: up and skip agree in size``."""
    if c.source is Source.MERGE:
        return f"{c.layer}: {c.first} and {c.other} agree in size"
    if c.source is Source.CROP:
        return f"{c.layer}: the crop fits"
    if c.source is Source.UNSHUFFLE:
        return f"{c.layer}: divisible by {c.divisor}"
    if c.source is Source.FILL:
        return f"{c.layer}: {c.first} padding fits its input"
    return f"{c.layer}: its windows tile its input"


def residues_text(res: Residues, name: str) -> str:
    """``H ≡ 0 (mod 32)``, ``H mod 4 in {1, 3}``, ``H in {64, 65}``."""
    if res.always:
        return f"any {name} >= {res.start}"
    if res.never:
        return f"no {name}"
    extra = ""
    if res.sporadic:
        values = _runs(res.sporadic)
        extra = f"{name} = {values}" if len(res.sporadic) == 1 else f"{name} in {{{values}}}"
        if not res.residues:
            return extra
        extra = f", or {extra}"
    if len(res.residues) == res.modulus or res.modulus == 1:
        return f"{name} >= {res.start}{extra}"
    if len(res.residues) == 1:
        text = f"{name} ≡ {res.residues[0]} (mod {res.modulus})"
    else:
        text = f"{name} mod {res.modulus} in {{{_runs(res.residues)}}}"
    if res.sporadic:
        text += f" from {res.start}"
    return text + extra


def _runs(values: Sequence[int], most: int = 8) -> str:
    """``1..1000, 1002, 1005``: runs of more than four consecutive values as ranges, at
    most ``most`` parts."""
    parts: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        if j - i < 4:  # short runs read better spelled out
            parts += [str(v) for v in values[i : j + 1]]
        else:
            parts.append(f"{values[i]}..{values[j]}")
        i = j + 1
    if len(parts) > most:
        parts = [*parts[:most], f"... ({len(values)} values)"]
    return ", ".join(parts)


def padding_fix(value: int, below: int | None, above: int | None) -> str:
    """How to reach the nearest valid sizes: ``pad 12 to 512 or crop 4 to 496`` ("" when
    there is none)."""
    fixes = []
    if above is not None:
        fixes.append(f"pad {above - value} to {above}")
    if below is not None:
        fixes.append(f"crop {value - below} to {below}")
    return " or ".join(fixes)


#: why a layer's ERF was not computed (:func:`rfcalc.engine.erf.every_erf`), for people
ERF_REASONS = {
    TOO_LARGE: "not computed: the unit reads more than 2^20 pixels",
    NO_PATHS: "the central unit sees no input pixel",
    BUDGET: "not computed: the ERF budget of one analysis (2^24 pixels) is spent",
    SYMBOLIC: "not computed: a size or window depends on a hyperparameter symbol",
}


def merge_flags(mismatched_axes: Iterable[int], aligned: bool, brief: bool) -> list[str]:
    """What a merge's row says of its branches: sizes that differ (on which axes, unless
    ``brief``: a table row is beside its axes) and jumps that differ (misaligned)."""
    axes = sorted(mismatched_axes)
    flags = []
    if axes:
        where = "" if brief else " on axis " + ", ".join(str(i) for i in axes)
        flags.append(f"branch sizes differ{where}")
    if not aligned:
        flags.append(
            "misaligned branches" if brief else "branches have different jumps (misaligned)"
        )
    return flags


class Because(str, enum.Enum):
    """Why an importer folds a node, stops at it or reports it: the words every
    importer uses (``imports/builder.py`` keeps them in its notes)."""

    CONSTANT_ARITHMETIC = "arithmetic with constants"
    POINTWISE_OF_ITSELF = "a map with a pointwise function of itself"
    IDENTITY = "spatially the identity"
    WHOLE_MAP_STATISTICS = "normalisation statistics over the whole map are not counted"
    CHANNEL_NORMALISATION = "a normalisation of the channels"
    CHANNEL_LINEAR = "a linear map of the channels (channels last)"
    CHANNEL_MOVE = "a move of the channels"
    CHANNEL_RESHAPE = "a reshape of the channels"
    CHANNEL_REDUCTION = "a reduction of the channels"
    CHANNEL_SLICE = "a slice of the channels"
    CHANNEL_SPLIT = "a split of the channels"
    SPATIAL_CONCAT = "a concat along a spatial axis"
    SPATIAL_REDUCTION = "a reduction that drops spatial axes"
    AXES_REORDERED = "the spatial axes are reordered"
    AXES_RESHAPED = "the spatial axes are reshaped"
    STRUCTURE_ENDS = "the spatial structure ends here"
    SPATIAL_SLICE = "a spatial slice rfcalc reads only as [start:-end]"
    CROP_AND_PAD = "padding that crops one side and pads the other"
    UNREAD_SCALES = "scales rfcalc cannot read as fractions"
    BRANCH_LAYOUTS = "branches whose axes are laid out differently"
    PAD_MODE = "a pad rfcalc cannot read ({mode})"
    CANNOT_EXPRESS = "rfcalc cannot express {op}; the analysis goes on without it"

    def __str__(self) -> str:
        return str(self.value)

    def text(self, **values: Any) -> str:
        """The words, with ``values`` in their places (``{mode}``, ``{op}``)."""
        return str(self.value).format(**values)


def unsupported_text(op_type: str, why: str) -> str:
    """A model's node rfcalc cannot express, which the analysis went on without."""
    return f"{op_type}: {why}; analysed as if it passed its input on"
