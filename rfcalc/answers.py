"""What the design questions answer, and what a table shows beyond the analysis: plain
records, computed by :mod:`rfcalc.design` and formatted by :mod:`rfcalc.render` (which
never imports the design code or the cost arithmetic, only these records)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .engine.conditions import Condition
from .engine.results import NetworkCost
from .engine.solve import Residues
from .model import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Expr, Network


@dataclass(frozen=True)
class AxisSolution:
    """The valid inputs of one axis: from ``minimum`` (None: no input up to 2^24 gives
    every layer an output), those of ``valid`` (None: undecided), and the conditions
    that rule some input out."""

    name: str
    minimum: int | None
    valid: Residues | None
    binding: tuple[Condition, ...]


@dataclass(frozen=True)
class SizeCheck:
    """``--size``: is ``value`` valid (None: undecided), and the nearest valid sizes."""

    value: int
    valid: bool | None
    below: int | None
    above: int | None


@dataclass(frozen=True)
class OutputCheck:
    """``--output``: the inputs for which ``layer`` has ``output`` units, as an interval
    (upper None: every larger input; ``found`` None: none), and whether that size does
    not depend on the input at all (an adaptive or global pool)."""

    layer: str
    output: int
    found: tuple[int, int | None] | None
    constant: bool


@dataclass(frozen=True)
class AxisAnswer:
    solution: AxisSolution
    size: SizeCheck | None = None
    output: OutputCheck | None = None


@dataclass(frozen=True)
class RoundTrip:
    """The ``output_padding`` combinations that return the input size on input axis
    ``axis`` (named ``name``) at ``inputs`` (None: undecided), among inputs from
    ``start``; no combination at all when ``combos`` is empty."""

    axis: int
    name: str
    start: int
    inputs: Residues | None
    combos: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class HyperSearch:
    """The answer of ``solve --rf`` with hyperparameters: the smallest values found (by
    their sum, then in order) and the fields they give, or None; ``complete`` says
    whether the search covered every combination (or proved the rest cannot do better)."""

    values: dict[str, int] | None
    fields: list[int] | None
    complete: bool
    searched: int
    total: int


@dataclass(frozen=True)
class SolveRequest:
    """What ``rfcalc solve`` is asked besides the valid sizes."""

    drops: bool = True
    #: ``--size``: one integer per axis (anything else is a :class:`DesignError`)
    size: tuple[int | str, ...] | None = None
    output: int | None = None
    layer: str | None = None
    rf: int | None = None
    repeat: str | None = None
    roundtrip: bool = False


@dataclass(frozen=True)
class SolveGroup:
    """The answers per axis, for the hyperparameter values ``labels`` (``()``: the sizes
    do not depend on any)."""

    labels: tuple[str, ...]
    axes: tuple[AxisAnswer, ...]


@dataclass(frozen=True)
class RepeatAnswer:
    """``--rf N --repeat ITEM``: the fewest repetitions reaching ``rf`` (None: none does),
    with the fields they give at ``layer``."""

    item: str
    rf: int
    count: int | None
    fields: tuple[int, ...] = ()
    layer: str = ""


@dataclass(frozen=True)
class HyperAnswer:
    """``--rf N`` with ``symbols:``: the search (None: the field is not a number for
    given values of the symbols at ``layer``)."""

    rf: int
    layer: str
    search: HyperSearch | None


@dataclass(frozen=True)
class NeedsSymbols:
    """``--rf N`` on a spec without ``symbols:`` and without ``--repeat``."""

    rf: int


@dataclass(frozen=True)
class RoundTripCase:
    """``--roundtrip`` for the hyperparameter values ``label`` ("": none); ``trips`` None:
    the network has no conv_transpose."""

    label: str
    trips: tuple[RoundTrip, ...] | None


@dataclass(frozen=True)
class SolveReport:
    network: Network
    path: str
    groups: tuple[SolveGroup, ...]
    #: the sizes depend on the hyperparameters and only the corners of their bounds were
    #: answered (of ``combinations``)
    corners_only: bool
    combinations: int
    rf: RepeatAnswer | HyperAnswer | NeedsSymbols | None
    roundtrip: tuple[RoundTripCase, ...]
    tconvs: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        """0: every answer given; 1: a size is not valid or a field is not reached;
        2: ``--rf`` asked of a spec without symbols."""
        code = EXIT_OK
        if any(a.size is not None and a.size.valid is False for g in self.groups for a in g.axes):
            code = EXIT_FINDINGS
        rf = self.rf
        if isinstance(rf, NeedsSymbols):
            code = max(code, EXIT_USAGE)
        elif (isinstance(rf, RepeatAnswer) and rf.count is None) or (
            isinstance(rf, HyperAnswer) and (rf.search is None or rf.search.values is None)
        ):
            code = max(code, EXIT_FINDINGS)
        return code


@dataclass(frozen=True)
class ConstantCell:
    """A value that is a formula in the input symbol but one number on every valid input
    (a U-Net crop's effective padding, -64 for every valid H)."""

    value: Expr
    #: the valid inputs of the axis it is constant on
    valid: Residues


@dataclass(frozen=True)
class Annotations:
    """What a table or page shows of an analysis beyond its results, computed once per
    command (:func:`rfcalc.design.annotate`): the cost (None: not asked), and the cells
    constant on every valid input, by layer name, axis and quantity (``receptive_field``,
    ``jump``, ``effective_padding``)."""

    cost: NetworkCost | None = None
    constants: Mapping[tuple[str, int, str], ConstantCell] = field(default_factory=dict)
