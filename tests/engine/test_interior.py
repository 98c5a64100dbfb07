"""Interior units (those that read no padding and no unit past the map) found per phase
in closed form are the ones found a unit at a time, tap by tap, on generated networks
at concrete inputs."""

from __future__ import annotations

from itertools import islice

import pytest
from support.generated_specs import concrete_networks

import rfcalc
from rfcalc.engine import analyze_network, interior


def _interiors(network: rfcalc.model.Network) -> list[object]:
    analysis = analyze_network(network)
    return [(r.name, [a.interior for a in r.axes]) for r in analysis.layers]


def _counted(calls: list[bool]) -> object:
    """The closed form, noting whether it answered (or left it to the unit-by-unit walk)."""
    phases = interior._interior_of_phases

    def counted(*args: object) -> object:
        found = phases(*args)  # type: ignore[arg-type]
        calls.append(found is not None)
        return found

    return counted


def test_phases_in_closed_form_are_the_units_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = 0
    for seed, network in islice(concrete_networks(5, 140, 30), 150):
        calls: list[bool] = []
        with monkeypatch.context() as m:
            m.setattr(interior, "_interior_of_phases", _counted(calls))
            fast = _interiors(network)
        with monkeypatch.context() as m:
            m.setattr(interior, "_interior_of_phases", lambda *_: None)
            slow = _interiors(network)
        assert fast == slow, seed  # generated_specs.concrete_networks's seed
        closed += sum(calls)
    assert closed > 100  # the closed form answered, not only the fallback
