"""What every importer builds while it walks a graph: one :class:`NetworkBuilder`.

An importer only translates its graph's nodes: it names each node's place as a
:class:`Site` and tells the builder what the node is (a layer, folded, where the
structure ends, an op rfcalc cannot express, a merge).  The builder names the layers
(unique, ``base_2`` when taken), holds the maps by tensor, keeps the notes, and makes
the :class:`Imported` result.  The reasons importers give are worded in
:mod:`rfcalc.wording` (``Because``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Layer, Loc, Network, Op, SpecError
from ..wording import Because
from .merging import MapLike, broadcast_layer, merge_inputs
from .values import add_layer


@dataclass(frozen=True)
class Note:
    """A node that is not a layer of its own: folded, or reported."""

    node: str
    op_type: str
    why: str
    #: the node in the model file
    loc: Loc = field(default_factory=Loc)


@dataclass(frozen=True)
class Imported:
    network: Network
    #: nodes folded as spatially the identity (activations, normalisation, ...)
    folded: tuple[Note, ...] = ()
    #: nodes where the spatial structure ends (what follows is not analysed)
    stopped: tuple[Note, ...] = ()
    #: nodes rfcalc cannot express, and where they were (the analysis goes on without)
    unsupported: tuple[Note, ...] = ()


@dataclass
class Map:
    """A tensor that is a spatial map: the layer that makes it, whether it is pooled to
    size 1 on every axis (it broadcasts over any map), its channels where known, and
    where its spatial axes are in a tensor of ``rank`` (an ONNX map leaves ``()`` for
    (N, C, spatial), where layers read maps, and sets them when a transpose or reshape
    moved them)."""

    layer: str
    unit: bool = False
    channels: int | None = None
    axes: tuple[int, ...] = ()
    rank: int = 0


@dataclass(frozen=True)
class Site:
    """One node being read: the base of its layers' names, its op as the model names it,
    and its place (``Loc.node``: its name in the graph; the line: its position)."""

    name: str
    op_type: str
    loc: Loc
    #: the graph's own node, for what an importer reads of it when a layer is made
    node: Any = field(default=None, compare=False, repr=False)


@dataclass
class NetworkBuilder:
    """The layers, maps and notes of a graph being read (see the module's docstring)."""

    path: str
    ndim: int
    #: an op rfcalc cannot express is a :class:`SpecError` instead of a note
    strict: bool = False
    #: the maps (and, for ONNX, shapes and constants) by the graph's tensor keys
    tensors: dict[Any, Any] = field(default_factory=dict)
    layers: list[Layer] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    folded: list[Note] = field(default_factory=list)
    stopped: list[Note] = field(default_factory=list)
    unsupported: list[Note] = field(default_factory=list)

    def emit(self, site: Site, suffix: str = "", **kw: Any) -> str:
        """A layer the node makes (``kw``: its keys), named after it; its name."""
        return add_layer(self.layers, self.names, site.name + suffix, site.loc, **kw)

    def note(self, site: Site, why: str) -> Note:
        return Note(site.name, site.op_type, str(why), site.loc)

    def fold(self, site: Site, keys: Iterable[Any], x: Any, why: str) -> None:
        """The node is spatially the identity here: its outputs are the map ``x``."""
        for key in keys:
            self.tensors[key] = x
        self.folded.append(self.note(site, why))

    def stop(self, site: Site, why: str) -> None:
        """The spatial structure ends at the node: what follows is not analysed."""
        self.stopped.append(self.note(site, why))

    def report(self, site: Site, why: str, keys: Iterable[Any], x: Any | None) -> None:
        """An op rfcalc cannot express: an error when ``strict``, else reported, and its
        outputs taken as ``x`` (the analysis goes on without the node)."""
        note = self.note(site, why)
        if self.strict:
            raise SpecError(f"{note.op_type}: {note.why}", note.loc)
        self.unsupported.append(note)
        if x is not None:
            for key in keys:
                self.tensors[key] = x

    def merge(
        self,
        site: Site,
        key: Any,
        maps: Sequence[MapLike],
        op: Op,
        made: Callable[[str, bool, int | None], Any],
        refuse: Callable[[], str | None] = lambda: None,
    ) -> None:
        """An elementwise merge or a concat of ``maps``: per-channel arithmetic with a
        constant and a pointwise function of one map are folded; else ``refuse()`` may
        say why it is reported; else a pooled map is broadcast over the others and the
        merge is a layer, its output ``made(name, pooled, channels)``."""
        if len(maps) == 1:  # a map with constants: per-channel arithmetic
            self.fold(site, [key], maps[0], Because.CONSTANT_ARITHMETIC)
            return
        if len({m.layer for m in maps}) == 1:  # x * sigmoid(x) (SiLU, Swish): one map
            self.fold(site, [key], maps[0], Because.POINTWISE_OF_ITSELF)
            return
        why = refuse()
        if why is not None:
            self.report(site, why, [key], maps[0])
            return
        # a pooled vector is broadcast over the map (squeeze-and-excitation, image pooling)
        inputs, channels, pooled = merge_inputs(
            maps, op, lambda p, t: self.emit(site, "_broadcast", **broadcast_layer(p, t))
        )
        name = self.emit(site, op=op, inputs=inputs)
        self.tensors[key] = made(name, pooled, channels)

    def imported(self, network: Network, what: str) -> Imported:
        """The result, or a :class:`SpecError` when ``network`` has no layer (``what``:
        the model or the module)."""
        if not network.layers:
            raise SpecError(f"{what} has no spatial layer rfcalc can read", Loc(self.path))
        return Imported(network, tuple(self.folded), tuple(self.stopped), tuple(self.unsupported))
