"""The exact ERF (``engine/erf.py``) against PyTorch's gradient with every weight 1.

The oracle network (``oracle_torch.py``, written from the spec alone: one channel,
weights 1, pools as sums) gives, for one output unit, the gradient at every input
pixel: the path counts.  From that tensor the metrics are computed again here by brute
force (a window widened pixel by pixel until it holds the share; sums and products in
exact rationals) and must equal rfcalc's exactly: widths, mean, variance, the 95 % ratio,
the high-contribution areas and RepLKNet's squares (its ``get_rectangle``, written again
on the gradient tensor), at the central unit of chosen layers of the zoo and of
generated networks, merges included."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from support.scale import examples

import rfcalc
from rfcalc.engine.erf import (
    SHARES,
    SQUARE_SHARES,
    THRESHOLDS,
    NoPaths,
    central_unit,
    unit_erf,
)

torch = pytest.importorskip("torch", reason="the PyTorch oracle needs torch==2.13.0")

from support.oracle_torch import forward, generated, loaded  # noqa: E402  (after the skip)

ROOT = Path(__file__).parents[2]
#: ops whose gradient with every weight 1 counts paths (resampling weighs its taps)
COUNTING = {"conv", "max_pool", "avg_pool", "conv_transpose", "pad", "crop", "add", "mul"}
COUNTING |= {"concat", "identity", "pixel_shuffle", "pixel_unshuffle"}


def _gradient(network: Any, size: list[int], name: str, unit: tuple[int, ...]) -> Any:
    x = torch.zeros(1, 1, *size, dtype=torch.float64, requires_grad=True)
    # the moving window's paths: a branch that brings the global context is detached
    out = forward(network, x, ones=True, local=True)[name]
    (g,) = torch.autograd.grad(out[(0, 0, *unit)], x)
    return g[0, 0]


def _brute(g: Any, analysis: Any, name: str) -> dict[str, Any]:
    """The metrics from the gradient tensor, by brute force."""
    counts = {tuple(p): round(float(g[tuple(p)])) for p in torch.nonzero(g).tolist()}
    total = sum(counts.values())
    ndim = g.dim()
    erf = unit_erf(analysis, name)  # only its centres (the unit's field) are taken
    axes = []
    for i in range(ndim):
        marginal: dict[int, int] = {}
        for p, c in counts.items():
            marginal[p[i]] = marginal.get(p[i], 0) + c
        mean = Fraction(sum(x * c for x, c in marginal.items()), total)
        var = Fraction(sum((x - mean) ** 2 * c for x, c in marginal.items()), total)
        centre = erf.axes[i].centre
        widths = []
        for share in SHARES:
            w = 1 if centre.denominator == 1 else 2
            while sum(c for x, c in marginal.items() if abs(x - centre) * 2 <= w - 1) < (
                share * total
            ):
                w += 2
            widths.append(w)
        axes.append((tuple(widths), mean, var))
    areas: tuple[Fraction, ...] = ()
    if ndim > 1:
        box = 1
        for a in analysis[name].axes:
            box *= int(a.receptive_field)
        top = max(counts.values())
        areas = tuple(
            Fraction(sum(1 for c in counts.values() if c > t * top), box) for t in THRESHOLDS
        )
    squares: tuple[Any, ...] = ()
    if ndim == 2 and g.shape[0] == g.shape[1]:
        squares = tuple(_get_rectangle(g, share) for share in SQUARE_SHARES)
    return {"paths": total, "axes": axes, "areas": areas, "squares": squares}


def _get_rectangle(data: Any, thresh: Fraction) -> tuple[int, Fraction] | None:
    """RepLKNet's ``analyze_erf.get_rectangle`` (numpy slices; here torch's), with the
    sums as integers and the comparison exact."""
    h, w = data.shape
    all_sum = round(float(data.sum()))
    for i in range(1, h // 2):
        selected = data[h // 2 - i : h // 2 + 1 + i, w // 2 - i : w // 2 + 1 + i]
        if Fraction(round(float(selected.sum())), all_sum) > thresh:
            return i * 2 + 1, Fraction((i * 2 + 1) * (i * 2 + 1), h * w)
    return None


def _check(network: Any, size: list[int], name: str) -> None:
    analysis = rfcalc.analyze(network, size)
    erf = unit_erf(analysis, name)
    g = _gradient(network, size, name, central_unit(analysis, name))
    want = _brute(g, analysis, name)
    assert erf.paths == want["paths"], name
    got = [(a.widths, a.mean, a.variance) for a in erf.axes]
    assert got == want["axes"], name
    assert erf.areas == want["areas"], name
    assert erf.squares == want["squares"], name


@pytest.mark.parametrize(
    ("spec", "size", "layers"),
    [
        ("vgg16", [224, 224], ["conv3_3", "pool5"]),
        ("dilated_1_2_4", [64, 64], None),
        ("resnet_stage", [56, 56], None),
        ("zoo/hdc_sawtooth", [97, 97], None),
        ("transposed_phases", [64], None),
    ],
)
def test_the_zoo_erf_is_the_gradients(spec: str, size: list[int], layers: Any) -> None:
    network = rfcalc.load(ROOT / "specs" / f"{spec}.yaml")
    names = layers or [network.layers[-1].name, network.layers[len(network.layers) // 2].name]
    for name in names:
        _check(network, size, name)


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(case=generated(2))
def test_generated_networks_erf_is_the_gradients(case: tuple[str, list[int]]) -> None:
    network, analysis = loaded(case)
    assume(all(layer.op in COUNTING for layer in network.layers))
    last = network.layers[-1].name
    assume(all(a.receptive_field is not None for a in analysis[last].axes))
    try:
        unit_erf(analysis, last)
    except NoPaths:  # the central unit is of a phase that sees nothing
        assume(False)
    _check(network, case[1], last)


def test_analyze_erf_prints_and_documents_the_same_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``rfcalc analyze --erf``: the table's rows and the JSON document (schema 3,
    validated) carry the engine's exact values; a symbolic input is a usage error."""
    import json

    import jsonschema

    from rfcalc.cli import main

    spec = str(ROOT / "specs" / "vgg16.yaml")
    assert main(["analyze", spec, "-i", "64x64", "--erf", "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    schema = json.loads((ROOT / "rfcalc" / "schema" / "analyze.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["schema"] == 3
    analysis = rfcalc.analyze(rfcalc.load(spec), [64, 64])
    last = doc["layers"][-1]
    erf = unit_erf(analysis, last["name"])
    assert last["erf"]["paths"] == erf.paths
    assert last["erf"]["axes"][0]["widths"]["95%"] == erf.axes[0].widths[2]
    assert last["erf"]["axes"][0]["std"] == str(erf.axes[0].std)
    assert main(["analyze", spec, "-i", "64x64", "--erf"]) == 0
    table = capsys.readouterr().out
    assert "effective receptive field of each central unit" in table
    lines = table.splitlines()
    title = next(i for i, line in enumerate(lines) if "effective receptive field" in line)
    row = next(line for line in lines[title:] if line.startswith(f"│ {last['name']} "))
    assert f"{erf.axes[0].widths[2]}" in row
    assert main(["analyze", spec, "--erf"]) == 2
    assert "--erf needs a concrete input" in capsys.readouterr().err
