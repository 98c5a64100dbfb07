"""What an analysis says: per layer and axis, sizes, fields and why not (records only)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import sympy

from ..model import Expr, Layer, Network
from .field import Field, Region
from .notes import Note

#: units of a map as sorted, disjoint, inclusive ranges
Interior = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class AxisResult:
    """One axis of one layer's output."""

    size: Expr
    #: padding before / after as resolved for this input (explicit amounts or a mode)
    pad_before: Expr = 0
    pad_after: Expr = 0
    receptive_field: Expr | None = None
    #: smallest receptive field over the phases that see input, when phases differ
    receptive_field_min: Expr | None = None
    jump: Expr | None = None
    effective_padding: Expr | None = None
    field: Field | None = None
    #: why the receptive field is not stated, when it is not
    note: Note | None = None
    #: phases of the output (out of ``field.period``) that see no input pixel at all
    blind_phases: int = 0
    #: the units computed from the maps alone (no padding, no unit beyond a map on the
    #: way), as sorted disjoint ranges ``(lo, hi)``, for a concrete input; None when the
    #: sizes are symbolic
    interior: Interior | None = None
    #: global context: the first and last input pixel of the fixed region every unit
    #: also sees, wherever it is, through a global read broadcast back over the map (a
    #: squeeze-and-excitation gate, image pooling), clipped to the input; None when no
    #: such branch joins at this layer or below.  The receptive field, jump and
    #: effective padding are those of the moving window alone.
    context: tuple[Expr, Expr] | None = None

    def renamed(self, rename: Callable[[Expr], Expr]) -> AxisResult:
        """This axis with ``rename`` applied to every value (an input symbol renamed,
        ``H`` -> ``W``): the results of a square network's second axis."""
        f = self.field
        if f is not None:
            phases = tuple(None if p is None else _region(p, rename) for p in f.phases)
            fixed = None if f.fixed is None else _region(f.fixed, rename)
            note = None if f.support_note is None else f.support_note.renamed(rename)
            f = replace(f, advance=rename(f.advance), phases=phases, fixed=fixed, support_note=note)
        return AxisResult(
            rename(self.size),
            rename(self.pad_before),
            rename(self.pad_after),
            rename(self.receptive_field),
            rename(self.receptive_field_min),
            rename(self.jump),
            rename(self.effective_padding),
            f,
            None if self.note is None else self.note.renamed(rename),
            self.blind_phases,
            self.interior,
            None if self.context is None else (rename(self.context[0]), rename(self.context[1])),
        )


def _region(r: Region, rename: Callable[[Expr], Expr]) -> Region:
    return Region(rename(r.start), rename(r.end), r.support, r.paths)


@dataclass(frozen=True)
class LayerResult:
    layer: Layer
    axes: tuple[AxisResult, ...]
    #: output sizes of each input, per axis (for merges and the linter)
    input_sizes: tuple[tuple[Expr, ...], ...] = ()
    #: axes on which the branches of a merge differ (True) or may differ (None)
    mismatched_axes: Mapping[int, bool | None] = field(default_factory=dict)
    #: False when a merge joins branches of different jump (Distill's misalignment)
    aligned: bool = True
    #: per axis, the branches of an ``add`` or ``mul`` (indices into ``layer.inputs``)
    #: broadcast over that axis: one unit for every input, against a map (PyTorch's
    #: broadcasting of a size-1 axis)
    broadcast: tuple[frozenset[int], ...] = ()
    #: the merges (this layer or below) through which a broadcast branch brings the
    #: global context (:attr:`AxisResult.context`), in network order
    context_through: tuple[str, ...] = ()

    def branches(self, axis: int) -> list[int]:
        """The branches of a merge that move with the unit on ``axis`` (not broadcast)."""
        out = self.broadcast[axis] if self.broadcast else frozenset()
        return [i for i in range(len(self.layer.inputs)) if i not in out]

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def output_size(self) -> tuple[Expr, ...]:
        return tuple(a.size for a in self.axes)


@dataclass(frozen=True)
class Analysis:
    network: Network
    input_size: tuple[Expr, ...]
    layers: tuple[LayerResult, ...]

    @cached_property
    def _by_name(self) -> dict[str, LayerResult]:
        return {r.name: r for r in self.layers}

    def __getitem__(self, name: str) -> LayerResult:
        return self._by_name[name]

    @property
    def symbols(self) -> tuple[Any, ...]:
        found: set[Any] = set()
        for s in self.input_size:
            found |= sympy.sympify(s).free_symbols
        return tuple(sorted(found, key=str))


@dataclass(frozen=True)
class LayerCost:
    """One layer's output channels, parameters and multiply-accumulates (None: unknown)."""

    channels: int | None
    #: an int, or an expression of a kernel left open as a hyperparameter (``symbols:``)
    params: Expr | None
    macs: Expr | None


@dataclass(frozen=True)
class NetworkCost:
    """Every layer's cost by name, and the network's totals (:mod:`.cost` computes it)."""

    layers: dict[str, LayerCost]
    params: Expr | None
    macs: Expr | None
