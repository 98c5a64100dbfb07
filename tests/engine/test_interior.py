"""Interior units (those that read no padding and no unit past the map) found per phase
in closed form are the ones found a unit at a time, tap by tap, on generated networks
at concrete inputs."""

from __future__ import annotations

import random
import re

import pytest
from generated_specs import spec

import rfcalc
from rfcalc.engine import analyze_network, interior
from rfcalc.engine.sizes import is_concrete
from rfcalc.model import SpecError

SIZE = re.compile(r"input: \{size: \[[^\]]*\]")


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
    checked = closed = 0
    seed = 0
    while checked < 150:
        seed += 1
        rng = random.Random(seed)
        text = spec(rng)
        ndim = text.split("input: {size: [", 1)[1].split("]", 1)[0].count(",") + 1
        size = ", ".join(str(rng.randint(5, 140 if ndim < 3 else 30)) for _ in range(ndim))
        text = SIZE.sub(f"input: {{size: [{size}]", text, count=1)
        try:
            network = rfcalc.load("g.yaml", text)
        except SpecError:
            continue
        if network.bounds or not all(is_concrete(s) for s in network.input_size):
            continue
        calls: list[bool] = []
        with monkeypatch.context() as m:
            m.setattr(interior, "_interior_of_phases", _counted(calls))
            fast = _interiors(network)
        with monkeypatch.context() as m:
            m.setattr(interior, "_interior_of_phases", lambda *_: None)
            slow = _interiors(network)
        assert fast == slow, (seed, text)
        checked += 1
        closed += sum(calls)
    assert closed > 100  # the closed form answered, not only the fallback
