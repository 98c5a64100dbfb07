"""The dense path counts of ``engine.counts`` (the ERF's walk) are the tap-by-tap walk of
``engine.unit``: the vectorized tables of a window are its reader's, unit by unit, and
every count is the same, in int64 and through the split into residues (forced here by
lowering the int64 bound, so that small networks take the path huge ones take)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from support.generated_specs import concrete_networks

import rfcalc
from rfcalc.engine import counts
from rfcalc.engine.counts import Tables, path_counts
from rfcalc.engine.results import Analysis, LayerResult
from rfcalc.engine.sizes import is_concrete
from rfcalc.engine.unit import TooLarge, as_int, reader, unit_support


def _analyses(count: int) -> list[tuple[int, Analysis]]:
    """``count`` generated networks (1 to 3 axes) at a concrete input, analysed, with
    the seed of each; every layer's map holds at least one unit."""
    found: list[tuple[int, Analysis]] = []
    for seed, network in concrete_networks(9, 40, 12):
        if len(found) == count:
            break
        analysis = rfcalc.analyze(network)
        if any(not is_concrete(a.size) or int(a.size) < 1 for r in analysis.layers for a in r.axes):
            continue
        found.append((seed, analysis))
    return found


NETWORKS = _analyses(80)


def test_the_generated_networks_hold_every_kind_of_read() -> None:
    ops = {r.layer.op.value for _, a in NETWORKS for r in a.layers}
    assert {"conv", "conv_transpose", "max_pool", "pad", "crop", "pixel_unshuffle"} <= ops
    assert {"resize", "global_pool", "adaptive_pool", "add"} & ops == {
        "resize",
        "global_pool",
        "adaptive_pool",
        "add",
    }


def test_every_table_is_its_readers() -> None:
    """A window's table, built for all units at once, lists what the reader lists."""
    windows = 0
    for seed, analysis in NETWORKS:
        tables = Tables(analysis)
        for r in analysis.layers:
            if r.layer.inputs == [] or r.layer.op.value in ("add", "mul", "concat"):
                continue
            for axis in range(len(r.axes)):
                offsets, below, window, _fan = tables.get(r, axis)
                reads = reader(r, axis)
                for u in range(as_int(r.axes[axis].size)):
                    got = below[offsets[u] : offsets[u + 1]].tolist()
                    assert got == list(reads(u)), (seed, r.name, axis, u)
                windows += window is not None
    assert windows > 200


def _some_units(r: LayerResult, rng: random.Random) -> list[tuple[int, ...]]:
    axes = r.axes
    corners = [tuple(0 for _ in axes), tuple(int(a.size) - 1 for a in axes)]
    return corners + [tuple(rng.randrange(int(a.size)) for a in axes) for _ in range(1)]


@pytest.mark.parametrize("split", [False, True], ids=["int64", "residues"])
def test_path_counts_are_the_tap_by_tap_walk(split: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if split:  # every walk past the int64 bound: residues modulo primes, Garner's digits
        monkeypatch.setattr(counts, "INT64_BOUND", 1)
        monkeypatch.setattr(counts, "ROOM", 1 << 40)  # reduced often, not only near 2^62
    rng = random.Random(7)
    checked = 0
    for seed, analysis in NETWORKS:
        tables = Tables(analysis)
        for r in analysis.layers:
            for unit in _some_units(r, rng):
                for local in (False, True):
                    try:
                        want = unit_support(analysis, r.name, unit, limit=1500, local=local)
                    except TooLarge:
                        continue
                    found = path_counts(analysis, r.name, unit, local=local, tables=tables)
                    assert bool(found.moduli) or not split
                    assert found.items() == want, (seed, r.name, unit, local)
                    assert found.total() == sum(want.values())
                    assert found.top() == max(want.values(), default=0)
                    for threshold in sorted(set(want.values()))[:3]:
                        assert found.above(threshold) == sum(c > threshold for c in want.values())
                    checked += 1
    assert checked > 1000


def test_residues_order_counts_past_int64() -> None:
    """Counts beyond 2^63 (a long chain of wide kernels on a small map) come back as the
    exact integers, the largest found by comparing Garner's digits."""
    layers = "".join(f"  - {{name: c{i}, op: conv, kernel: 9, padding: 4}}\n" for i in range(30))
    analysis = rfcalc.analyze(
        rfcalc.load("t.yaml", f"rfcalc: 1\ninput: {{size: [24]}}\nlayers:\n{layers}")
    )
    found = path_counts(analysis, "c29", (12,))
    assert found.moduli
    want = unit_support(analysis, "c29", (12,))
    assert found.items() == want
    assert found.top() == max(want.values()) > 1 << 63
    marginal = found.marginal(0)
    assert marginal == {p[0]: c for p, c in want.items()}
    assert np.all(found.values < np.asarray(found.moduli)[:, None])
