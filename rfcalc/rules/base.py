"""What a rule is, and what it is given: the network and its analyses at every input."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from ..engine import INPUT, Analysis, analyze_network, size_symbol
from ..engine.sizes import is_concrete
from ..engine.solve import min_input
from ..model import AXIS_NAMES, Layer, Loc, Network, Severity


@dataclass(frozen=True)
class Report:
    """What a check says: where, what, on which layer; severity defaults to the rule's."""

    loc: Loc
    message: str
    layer: str | None = None
    #: a milder severity for this report (e.g. a heuristic the exact support contradicts)
    severity: Severity | None = None
    #: the exact support the finding is about, per axis (path counts, 0 = a hole), for
    #: the renderers' pictures
    support: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class Run:
    """The network analysed at one input: the spec's own, or one of ``input.sizes``."""

    label: str
    analysis: Analysis

    @property
    def concrete(self) -> bool:
        return all(is_concrete(s) for s in self.analysis.input_size)


@dataclass
class Context:
    network: Network
    target: str
    runs: tuple[Run, ...]
    #: the context this one was made from for one run (:meth:`for_run`): what does not
    #: depend on the input (the free analysis) is the parent's
    parent: Context | None = None

    @property
    def main(self) -> Analysis:
        return self.runs[0].analysis

    @cached_property
    def free(self) -> Analysis:
        """Every axis left as a symbol (the spec's names, else H, W, D)."""
        if self.parent is not None:
            return self.parent.free
        if not any(is_concrete(s) for s in self.network.input_size) and not self.network.bounds:
            return self.main  # the spec's own input is already all symbols
        names = []
        for i, s in enumerate(self.network.input_size):
            names.append(size_symbol(str(s)) if not is_concrete(s) else None)
            if names[-1] is None:
                names[-1] = size_symbol(AXIS_NAMES[i])
        return analyze_network(self.network, names)

    @cached_property
    def consumers(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {INPUT: []}
        for layer in self.network.layers:
            out.setdefault(layer.name, [])
            for name in layer.inputs:
                out.setdefault(name, []).append(layer.name)
        return out

    @cached_property
    def layers(self) -> dict[str, Layer]:
        return {layer.name: layer for layer in self.network.layers}

    def sinks(self) -> list[str]:
        """Layers nothing reads: the network's outputs."""
        return [layer.name for layer in self.network.layers if not self.consumers[layer.name]]

    def axis_name(self, axis: int) -> str:
        s = self.network.input_size[axis]
        return AXIS_NAMES[axis] if is_concrete(s) else str(s)

    def unit_word(self, axis: int, count: int = 1) -> str:
        """What one unit along ``axis`` is to a person: a step of a 1-D (time) axis, a
        row or a column of a 2-D map, a slice, row or column of a 3-D volume."""
        words = {1: ("step",), 2: ("row", "column"), 3: ("slice", "row", "column")}
        word = words.get(self.network.ndim, ("unit",) * 3)[axis]
        return word if count == 1 else word + "s"

    def concrete_runs(self) -> Iterator[Run]:
        return (r for r in self.runs if r.concrete)

    @cached_property
    def _min_valid(self) -> dict[int, int | None]:
        return {}

    @cached_property
    def shared(self) -> dict[str, Any]:
        """What several rules derive from the network alone (the dilation runs), computed
        by the first that asks: one dict for this context and every run's made from it."""
        return self.parent.shared if self.parent is not None else {}

    def min_valid_input(self, axis: int) -> int | None:
        """The smallest input on ``axis`` for which every layer's output is at least 1."""
        if axis not in self._min_valid:
            self._min_valid[axis] = self._search_min_valid(axis)
        return self._min_valid[axis]

    def _search_min_valid(self, axis: int) -> int | None:
        return min_input(self.free, axis)

    def for_run(self, run: Run) -> Context:
        """This context with ``run`` as its only (main) analysis; what does not depend
        on the input (the free analysis, the graph) is shared, not computed again."""
        sub = Context(self.network, self.target, (run,), self)
        for key in ("consumers", "layers", "_min_valid"):
            if key in self.__dict__:
                sub.__dict__[key] = self.__dict__[key]
        return sub


def at_every_input(
    check: Callable[[Context], Iterable[Report]],
) -> Callable[[Context], Iterator[Report]]:
    """Run a rule written for one analysis (``ctx.main``) at the spec's own input and at
    every ``input.sizes``; what only another input shows says which input it is."""

    @functools.wraps(check)
    def run_all(ctx: Context) -> Iterator[Report]:
        seen: set[tuple[Loc, str]] = set()
        for i, run in enumerate(ctx.runs):
            for report in check(ctx.for_run(run) if i else ctx):
                if (report.loc, report.message) in seen:
                    continue
                seen.add((report.loc, report.message))
                if i:
                    report = replace(report, message=f"{report.message} (at input {run.label})")
                yield report

    return run_all


def size_text(sizes: Iterable[Any]) -> str:
    """``224x224``, ``Hx8``; an axis written with spaces in parentheses: ``(H - 29)x-21``."""
    texts = [str(s) for s in sizes]
    if len(texts) == 1:
        return texts[0]
    return "x".join(f"({t})" if " " in t else t for t in texts)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    check: Callable[[Context], Iterable[Report]] | None
    doc: str = field(default="", repr=False)

    def matches(self, selector: str) -> bool:
        """A selector is the id, the name, or a prefix of the id (``RF2``)."""
        return selector in (self.id, self.name) or (
            selector.upper().startswith("RF") and self.id.startswith(selector.upper())
        )
