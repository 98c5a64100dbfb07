"""One unit's support, tap by tap (``engine.unit``), without PyTorch: the fills' border
rules by hand, and agreement with the analysis's fields wherever a unit is computed from
the maps alone (the PyTorch oracle is ``test_unit_support_torch.py``)."""

from __future__ import annotations

import random
import re

import pytest
from support.generated_specs import spec

import rfcalc
from rfcalc.engine import analyze_network
from rfcalc.engine.sizes import is_concrete
from rfcalc.engine.unit import TooLarge, unit_support
from rfcalc.model import Network, SpecError


def _support(text: str, name: str, unit: tuple[int, ...]) -> dict[int, int]:
    analysis = rfcalc.analyze(rfcalc.load("t.yaml", text))
    return {p[0]: c for p, c in unit_support(analysis, name, unit).items()}


@pytest.mark.parametrize(
    ("fill", "first", "last"),
    [
        # kernel 3, padding 1 on 5 units: the first unit reads -1, 0, 1; the last 3, 4, 5
        ("zeros", {0: 1, 1: 1}, {3: 1, 4: 1}),
        ("reflect", {1: 2, 0: 1}, {3: 2, 4: 1}),
        ("replicate", {0: 2, 1: 1}, {3: 1, 4: 2}),
        ("circular", {4: 1, 0: 1, 1: 1}, {3: 1, 4: 1, 0: 1}),
    ],
)
def test_a_conv_reads_its_fill_at_both_ends(
    fill: str, first: dict[int, int], last: dict[int, int]
) -> None:
    text = (
        "rfcalc: 1\ninput: {size: [5]}\nlayers:\n"
        f"  - {{name: c, op: conv, kernel: 3, padding: 1, padding_mode: {fill}}}\n"
    )
    assert _support(text, "c", (0,)) == first
    assert _support(text, "c", (4,)) == last


def test_a_pad_layer_and_a_conv_after_it() -> None:
    # pad 2 reflect: 2 1 | 0 1 2 3 | 2 1; then a valid k3 conv: unit 0 reads 2, 1, 0
    text = (
        "rfcalc: 1\ninput: {size: [4]}\nlayers:\n"
        "  - {name: p, op: pad, padding: 2, mode: reflect}\n"
        "  - {name: c, op: conv, kernel: 3}\n"
    )
    assert _support(text, "c", (0,)) == {0: 1, 1: 1, 2: 1}
    assert _support(text, "c", (1,)) == {1: 2, 0: 1}


def test_a_merge_adds_the_paths_of_its_branches() -> None:
    text = (
        "rfcalc: 1\ninput: {size: [8]}\nlayers:\n"
        "  - {name: a, op: conv, kernel: 3, padding: same}\n"
        "  - {name: s, op: add, inputs: [a, input]}\n"
    )
    assert _support(text, "s", (4,)) == {3: 1, 4: 2, 5: 1}


def test_a_global_pool_over_a_large_map_is_too_large() -> None:
    text = "rfcalc: 1\ninput: {size: [2000, 2000]}\nlayers:\n  - {name: g, op: global_pool}\n"
    analysis = rfcalc.analyze(rfcalc.load("t.yaml", text))
    with pytest.raises(TooLarge):
        unit_support(analysis, "g", (0, 0))


def _networks(count: int) -> list[tuple[int, Network]]:
    """``count`` valid 1-D generated networks at a concrete input, with the seed of each."""
    found: list[tuple[int, Network]] = []
    seed = 0
    while len(found) < count:
        seed += 1
        text = re.sub(r"input: \{size: \[\w+\]", "input: {size: [40]", spec(random.Random(seed), 1))
        try:
            network = rfcalc.load("g.yaml", text)
        except SpecError:
            continue
        if network.bounds or not is_concrete(network.input_size[0]):
            continue  # an open hyperparameter
        found.append((seed, network))
    return found


def test_interior_units_agree_with_the_field() -> None:
    """Where a unit is computed from the maps alone, its support and path counts are the
    field's region (1-D generated networks at a concrete input, interior units)."""
    checked = 0
    for seed, network in _networks(150):
        analysis = analyze_network(network, paths=True)
        if any(int(a.size) < 1 for r in analysis.layers for a in r.axes):
            continue
        for r in analysis.layers:
            (a,) = r.axes
            if a.field is None or a.interior is None or a.field.fixed is not None:
                continue
            for lo, hi in a.interior:
                for u in range(lo, min(hi, lo + 40) + 1):
                    region = a.field.region(u)
                    if region is None or region.paths is None:
                        continue
                    start = int(region.start)
                    want = {start + i: c for i, c in enumerate(region.paths) if c}
                    got = {p[0]: c for p, c in unit_support(analysis, r.name, (u,)).items()}
                    assert got == want, (r.name, u, seed)
                    checked += 1
    assert checked > 1000


def test_reads_every_pixel_is_the_union_of_the_units_supports() -> None:
    """``reads_every_pixel`` (RF202's test for a skip another branch makes up for) is
    the union of the interior units' exact supports, unit by unit: no gap between the
    first and the last pixel they read (a field's width in from each end) exactly when
    it says so."""
    from rfcalc.engine.support import reads_every_pixel

    told = {True: 0, False: 0}
    for seed, network in _networks(150):
        analysis = analyze_network(network)
        if any(int(a.size) < 1 for r in analysis.layers for a in r.axes):
            continue
        for r in analysis.layers:
            (a,) = r.axes
            f = a.field
            if f is None or a.interior is None or f.fixed is not None or f.per_unit:
                continue
            if any(reg.support is None for _, reg in f.seen()) or not is_concrete(f.advance):
                continue
            units = [u for lo, hi in a.interior for u in range(lo, hi + 1)]
            if len(units) < 2 * f.period + 2 or int(f.advance) < 1:
                continue
            read: set[int] = set()
            for u in units:
                read |= {p[0] for p in unit_support(analysis, r.name, (u,))}
            # away from the ends, where a pixel may be read only by a unit on the border
            reach = max(int(reg.extent) for _, reg in f.seen())
            inside = set(range(min(read) + reach, max(read) - reach + 1))
            if not inside:
                continue  # too few units to tell a gap from the ends
            says = reads_every_pixel(f)
            assert says == (inside <= read), (seed, r.name, sorted(inside - read)[:5])
            told[says] += 1
    assert told[True] > 50
    assert told[False] > 5
