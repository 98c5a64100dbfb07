"""Everything ``rfcalc solve`` answers of a spec or model, as one typed report: valid
sizes per axis (per hyperparameter case), ``--size``, ``--output``, ``--rf`` and
``--roundtrip``."""

from __future__ import annotations

from typing import Any

from ..answers import (
    AxisAnswer,
    HyperAnswer,
    NeedsSymbols,
    RepeatAnswer,
    RoundTripCase,
    SolveGroup,
    SolveReport,
    SolveRequest,
)
from ..engine import Analysis
from ..engine.hyper import combinations, instances, involves
from ..model import Network
from ..sources import Source
from .roundtrip import roundtrip_output_padding, tconv_names
from .search import smallest_hyperparameters, smallest_repeat
from .valid import DesignError, answer_axis, free_analysis


def solve(source: Source, ask: SolveRequest) -> SolveReport:
    """Everything ``rfcalc solve`` answers of the spec or model ``source``.

    Raises :class:`~rfcalc.model.SpecError` for a repeat count the spec cannot take, and
    :class:`DesignError` for a question that does not fit the spec."""
    network = source.network
    analysis = free_analysis(network)
    _check_request(source, analysis, ask)
    sizes_of = [a.size for r in analysis.layers for a in r.axes]
    corners_only = False
    if network.bounds and involves(network, sizes_of):
        # the sizes depend on hyperparameters: answer per value, alike answers together
        cases, complete = instances(network)
        corners_only = not complete
        grouped: dict[Any, tuple[tuple[AxisAnswer, ...], list[str]]] = {}
        for case in cases:
            got = _answers(free_analysis(case.network), ask)
            grouped.setdefault(_shown(got), (got, []))[1].append(case.label())
        groups = tuple(SolveGroup(tuple(labels), got) for got, labels in grouped.values())
    else:
        groups = (SolveGroup((), _answers(analysis, ask)),)
    return SolveReport(
        network,
        source.path,
        groups,
        corners_only,
        combinations(network),
        _rf_answer(source, ask),
        _roundtrip_cases(network) if ask.roundtrip else (),
        tuple(tconv_names(network)),
    )


def _check_request(source: Source, analysis: Analysis, ask: SolveRequest) -> None:
    """A :class:`DesignError` for a question that does not fit the spec or model."""
    from ..spec import has_item

    network, path = source.network, source.path
    if source.imported is not None and ask.repeat is not None:
        raise DesignError("--repeat needs a spec; a model has no repeat counts")
    if ask.layer is not None and ask.layer not in [r.name for r in analysis.layers]:
        raise DesignError(f"no layer named {ask.layer!r} in {path}")
    if ask.size is not None and (
        len(ask.size) != network.ndim or not all(isinstance(v, int) for v in ask.size)
    ):
        raise DesignError(f"--size needs {network.ndim} integers, like 500x500")
    wants_repeat = ask.repeat is not None and ask.rf is not None
    if wants_repeat and not has_item(source.with_repeats({str(ask.repeat): 1}), str(ask.repeat)):
        raise DesignError(f"no top-level layer or block instance named {ask.repeat!r}")


def _answers(a: Analysis, ask: SolveRequest) -> tuple[AxisAnswer, ...]:
    """The answers of every axis of the analysis ``a``."""
    size = ask.size
    return tuple(
        answer_axis(
            a, axis, ask.drops, None if size is None else int(size[axis]), ask.output, ask.layer
        )
        for axis in range(len(a.input_size))
    )


def _shown(answers: tuple[AxisAnswer, ...]) -> Any:
    """What the answers say to a person (conditions by the layers that set them, not by
    their expressions): cases alike in this are answered together."""
    return tuple(
        (
            a.solution.name,
            a.solution.minimum,
            a.solution.valid,
            tuple(
                (c.layer, c.source, c.first, c.other, str(c.divisor)) for c in a.solution.binding
            ),
            a.size,
            a.output,
        )
        for a in answers
    )


def _rf_answer(
    source: Source, ask: SolveRequest
) -> RepeatAnswer | HyperAnswer | NeedsSymbols | None:
    network = source.network
    if ask.rf is None:
        return None
    if ask.repeat is not None:
        found = smallest_repeat(source, ask.repeat, ask.rf, ask.layer)
        if found is None:
            return RepeatAnswer(ask.repeat, ask.rf, None)
        count, got, where = found
        return RepeatAnswer(ask.repeat, ask.rf, count, tuple(got), where)
    if not network.bounds:
        return NeedsSymbols(ask.rf)
    target = ask.layer or network.layers[-1].name
    return HyperAnswer(ask.rf, target, smallest_hyperparameters(network, ask.rf, ask.layer))


def _roundtrip_cases(network: Network) -> tuple[RoundTripCase, ...]:
    cases = instances(network)[0] if network.bounds else []
    out: list[RoundTripCase] = []
    for label, net in [(c.label(), c.network) for c in cases] or [("", network)]:
        trips = roundtrip_output_padding(net, net.ndim)
        out.append(RoundTripCase(label, None if trips is None else tuple(trips)))
        if trips is None:
            break
    return tuple(out)
