"""RF601 model-drift sees every changed hyperparameter (issue #22, 4): each layer of the
zoo and of generated networks, each hyperparameter its op reads changed one at a time,
must be reported on that layer, even where no size or field differs (a symbolic input
whose fields a resize leaves unstated)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sympy
from support.generated_specs import spec as generated_spec
from support.scale import sampled

import rfcalc
from rfcalc.compare import drift
from rfcalc.model import CONVS, POOLS, WINDOWS, Layer, Network, Op, Padding, SpecError

ROOT = Path(__file__).parents[1]
SPECS = sorted((ROOT / "specs").glob("**/*.yaml"))


def _plus(values: tuple[object, ...], ndim: int, default: int) -> tuple[object, ...]:
    """Every axis's value one more (the default where the layer leaves it out)."""
    base = values or (default,) * ndim
    return tuple(sympy.sympify(v) + 1 for v in base)


def mutations(
    layer: Layer, ndim: int, resolved: dict[str, list[tuple[object, object]]]
) -> Iterator[tuple[str, Layer]]:
    """Each hyperparameter the layer's op reads, changed so the network stays readable."""
    op = layer.op
    if op in WINDOWS or op == Op.CONV_TRANSPOSE:
        yield "kernel", replace(layer, kernel=_plus(layer.kernel, ndim, 1))
        stride = layer.stride or tuple(layer.param("stride", i) for i in range(ndim))
        yield "stride", replace(layer, stride=_plus(stride, ndim, 1))
        if op != Op.AVG_POOL:
            yield "dilation", replace(layer, dilation=_plus(layer.dilation, ndim, 1))
    if op in WINDOWS or (op in (Op.CONV_TRANSPOSE, Op.PAD, Op.CROP) and layer.target is None):
        # one more pixel before, in amounts (a named mode resolved where it is written)
        changed = tuple(
            Padding(None, sympy.sympify(before) + 1, after)
            for before, after in resolved[layer.name]
        )
        yield "padding", replace(layer, padding=changed)
    if op == Op.CONV_TRANSPOSE:
        bound = [max(int(v) for v in layer.window(i)[1:]) for i in range(ndim)]
        now = [int(layer.param("output_padding", i)) for i in range(ndim)]
        other = [o + 1 if o + 1 < b else o - 1 for o, b in zip(now, bound, strict=True)]
        if all(o >= 0 for o in other):  # PyTorch's rule: below max(stride, dilation)
            yield "output_padding", replace(layer, output_padding=tuple(other))
    if op in CONVS:
        yield "groups", replace(layer, groups=layer.groups * 2)
    if op in POOLS:
        yield "ceil_mode", replace(layer, ceil_mode=not layer.ceil_mode)
    if op == Op.CONV:
        yield (
            "padding_mode",
            replace(layer, padding_mode="replicate" if layer.padding_mode == "zeros" else "zeros"),
        )
    if op in (Op.UPSAMPLE, Op.PIXEL_SHUFFLE, Op.PIXEL_UNSHUFFLE):
        yield "scale", replace(layer, scale=_plus(layer.scale, ndim, 2))
    if op in (Op.UPSAMPLE, Op.RESIZE):
        yield "mode", replace(layer, mode="bicubic" if layer.mode == "nearest" else "nearest")
    if op == Op.ADAPTIVE_POOL:
        yield "output_size", replace(layer, output_size=_plus(layer.output_size, ndim, 1))


def _every_mutation(network: Network) -> Iterator[tuple[str, str, Network]]:
    analysis = rfcalc.analyze(network)
    resolved = {r.name: [(a.pad_before, a.pad_after) for a in r.axes] for r in analysis.layers}
    for i, layer in enumerate(network.layers):
        for key, changed in mutations(layer, network.ndim, resolved):
            layers = (*network.layers[:i], changed, *network.layers[i + 1 :])
            yield layer.name, key, replace(network, layers=layers)


#: the most mutations tried per network (a seeded sample: every op kind still appears)
MUTATIONS = 12


def _caught(network: Network) -> int:
    caught = 0
    every = list(_every_mutation(network))
    for name, key, mutated in random.Random(network.name).sample(every, min(len(every), MUTATIONS)):
        found = drift(mutated, network)
        assert any(f.layer == name for f in found), (network.name, name, key)
        caught += 1
    return caught


@pytest.mark.parametrize(
    "path",
    sampled(
        SPECS,
        [p.stem for p in SPECS],
        {"vgg16", "resnet50_v1", "unet_tconv", "transposed_phases", "wavenet", "hrnet_fusion"},
    ),
)
def test_every_hyperparameter_of_the_zoo_is_caught(path: Path) -> None:
    network = rfcalc.load(path)
    assert drift(network, network) == []
    assert _caught(network) > 0


@pytest.mark.parametrize("seed", range(24))
def test_every_hyperparameter_of_generated_networks_is_caught(seed: int) -> None:
    rng = random.Random(seed)
    while True:  # a network the reader takes, with no hyperparameter left open (a model
        try:  # has none)
            network = rfcalc.load("g.yaml", generated_spec(rng))
        except SpecError:
            continue
        if not network.bounds:
            break
    assert drift(network, network) == []
    _caught(network)


def test_a_changed_layer_after_a_resize_on_a_symbolic_input() -> None:
    """The issue's case: fields after the resize are unstated at a symbolic input, so
    only the hyperparameters (and the fields at valid concrete sizes) tell."""
    text = (
        "rfcalc: 1\ninput: {{size: [H, W]}}\nlayers:\n"
        "  - {{name: down, op: conv, kernel: 3, stride: 2, padding: 1}}\n"
        "  - {{name: up, op: resize, to: input, mode: bilinear}}\n"
        "  - {{name: seg, op: conv, {seg}}}\n"
    )
    spec = rfcalc.load("unet.yaml", text.format(seg="kernel: 3, padding: 1"))
    model = rfcalc.load("model.yaml", text.format(seg="kernel: 1, padding: 0"))
    assert rfcalc.analyze(spec)["seg"].axes[0].receptive_field is None
    messages = sorted(f.message for f in drift(spec, model))
    assert "seg: the model's kernel is 1x1, not 3x3" in messages
    assert any(
        m.startswith("seg: the model pads 0,0x0,0 where the spec pads 1,1x1,1") for m in messages
    )
    assert any("seg: the model gives" in m and "at input 32x32" in m for m in messages)
