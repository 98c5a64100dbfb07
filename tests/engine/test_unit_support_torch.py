"""One unit's exact support, borders included, against PyTorch's gradient.

``rfcalc.engine.unit.unit_support`` follows a unit back tap by tap with each layer's own
border rule (zero, reflect, replicate and circular padding; interpolation clamps; a
transposed conv's taps beyond its input).  Here the oracle is the gradient of the
PyTorch network (``oracle_torch.py``, written from the spec alone): its non-zero pixels
are the support, and with every weight 1 its values are the path counts.  1-D: every
unit of every layer at once (a batch of one-hot inputs gives the whole Jacobian); 2-D
and 3-D: the corners, the middle of every edge and the centre of every layer.
"""

from __future__ import annotations

import itertools
from math import prod
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from support.scale import examples

import rfcalc
from rfcalc.engine import Analysis
from rfcalc.engine.conditions import Source, size_conditions
from rfcalc.engine.unit import unit_support
from rfcalc.model import Network

torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0); CI installs it"
)

from support.oracle_torch import forward, generated, loaded  # noqa: E402  (after the skip)

#: gradient entries below this fraction of a unit's largest are rounding, not taps
TINY = 1e-9
#: ops whose gradient with every weight 1 counts paths (resampling weighs its taps)
COUNTING = {
    "conv",
    "max_pool",
    "avg_pool",
    "conv_transpose",
    "pad",
    "crop",
    "add",
    "mul",
    "concat",
    "identity",
    "pixel_shuffle",
    "pixel_unshuffle",
}


def _network(case: tuple[str, list[int]]) -> tuple[Network, Analysis]:
    network, analysis = loaded(case)
    size = case[1]
    assume(all(prod(int(a.size) for a in r.axes) <= 100_000 for r in analysis.layers))
    wide = any(
        int(c.expr) > 0
        for axis in range(len(size))
        for c in size_conditions(analysis, axis, {Source.FILL})
    )
    assume(not wide)  # PyTorch refuses it (test_zoo_torch checks that it does)
    return network, analysis


def _compare(
    analysis: Analysis, name: str, unit: tuple[int, ...], grad: Any, paths: Any, text: str
) -> None:
    """``grad`` (averaging weights) and ``paths`` (every weight 1, or None) of one unit
    over the input, against the unit's support."""
    support = unit_support(analysis, name, unit)
    values = grad.abs()
    top = float(values.max()) if values.numel() else 0.0
    strong = {tuple(int(i) for i in p) for p in (values > TINY * top).nonzero().tolist()}
    nonzero = {tuple(int(i) for i in p) for p in (values != 0).nonzero().tolist()}
    seen = set(support)
    where = (name, unit, text)
    # cubic weights are negative in places: paths may cancel in the gradient (seen may
    # hold a pixel PyTorch weighs 0); every pixel PyTorch weighs is in the support
    assert strong <= seen, (*where, sorted(strong - seen)[:8])
    assert seen <= nonzero or any(r.layer.mode == "bicubic" for r in analysis.layers), (
        *where,
        sorted(seen - nonzero)[:8],
    )
    if paths is not None:
        counts = {tuple(int(i) for i in p): round(float(paths[tuple(p)])) for p in paths.nonzero()}
        assert counts == support, (*where, sorted(set(counts.items()) ^ set(support.items()))[:8])


@settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(generated())
def test_every_unit_of_1d_networks(case: tuple[str, list[int]]) -> None:
    network, analysis = _network(case)
    (n,) = case[1]
    eye = torch.eye(n, dtype=torch.float64).reshape(n, 1, n)
    t = forward(network, eye)
    counting = all(r.layer.op in COUNTING for r in analysis.layers)
    ones = forward(network, eye, ones=True) if counting else None
    for r in analysis.layers:
        jac = t[r.name][:, 0, :].T  # jac[u, i]: unit u's gradient at pixel i
        paths = None if ones is None else ones[r.name][:, 0, :].T
        for u in range(jac.shape[0]):
            _compare(analysis, r.name, (u,), jac[u], None if paths is None else paths[u], case[0])


def _probes(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Corners, the middle of every edge and face, and the centre."""
    per_axis = [sorted({0, n // 2, n - 1}) for n in shape]
    return list(itertools.product(*per_axis))


def _units(case: tuple[str, list[int]]) -> None:
    network, analysis = _network(case)
    size = case[1]
    x = torch.zeros(1, 1, *size, dtype=torch.float64, requires_grad=True)
    t = forward(network, x)
    counting = all(r.layer.op in COUNTING for r in analysis.layers)
    ones = forward(network, x, ones=True) if counting else None
    for r in analysis.layers:
        for unit in _probes(tuple(int(a.size) for a in r.axes)):
            (g,) = torch.autograd.grad(t[r.name][(0, 0, *unit)], x, retain_graph=True)
            paths = None
            if ones is not None:
                (p,) = torch.autograd.grad(ones[r.name][(0, 0, *unit)], x, retain_graph=True)
                paths = p[0, 0]
            _compare(analysis, r.name, unit, g[0, 0], paths, case[0])


@settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(generated(ndim=2))
def test_corners_edges_and_centres_of_2d_networks(case: tuple[str, list[int]]) -> None:
    _units(case)


@settings(
    max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(generated(ndim=3))
def test_corners_edges_and_centres_of_3d_networks(case: tuple[str, list[int]]) -> None:
    _units(case)


@pytest.mark.parametrize(
    ("fill", "want"),
    [
        # kernel 3, padding 2 at the first unit of 6: taps -2, -1, 0
        ("zeros", {0: 1}),
        ("reflect", {2: 1, 1: 1, 0: 1}),
        ("replicate", {0: 3}),
        ("circular", {4: 1, 5: 1, 0: 1}),
    ],
)
def test_the_first_unit_of_each_fill(fill: str, want: dict[int, int]) -> None:
    text = (
        "rfcalc: 1\ninput: {size: [6]}\nlayers:\n"
        f"  - {{name: c, op: conv, kernel: 3, padding: 2, padding_mode: {fill}}}\n"
    )
    network = rfcalc.load("fill.yaml", text)
    analysis = rfcalc.analyze(network)
    got = {i: c for (i,), c in unit_support(analysis, "c", (0,)).items()}
    assert got == want
    eye = torch.eye(6, dtype=torch.float64).reshape(6, 1, 6)
    jac = forward(network, eye, ones=True)["c"][:, 0, 0]
    assert {i: round(float(v)) for i, v in enumerate(jac) if v} == want
