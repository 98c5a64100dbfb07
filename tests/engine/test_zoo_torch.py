"""Every shipped spec, every layer, every axis: rfcalc against PyTorch.

Each spec in ``specs/`` and ``specs/zoo/`` is run as a PyTorch network with one channel
and averaging weights (pools as averages, so every tap reaches the gradient).  At every
layer the output shape must match, and for central output units (one of each output
phase, and the next period's unit so the advance is seen) the gradient support, projected
on each axis, must be the input region rfcalc states: its first and last pixel (so the
receptive field, the effective stride and the effective padding) and, where the unit
lies inside the input, its exact support, holes included.  This is the per-stage check
behind the published figures in ``test_zoo.py``, which name only a few stages.

The PyTorch side is written from the spec alone: padding modes are resolved here by
their definitions (REFERENCE.md), not by rfcalc.
"""

from __future__ import annotations

from math import prod
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from support.scale import CI_ONLY, FULL, examples

import rfcalc
from rfcalc.engine.conditions import Source, size_conditions
from rfcalc.engine.field import is_broadcast
from rfcalc.model import Network, SpecError
from rfcalc.wording import note_text

torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0); CI installs it"
)
F = torch.nn.functional

from support.oracle_torch import forward, generated, loaded  # noqa: E402  (after the skip)

SPECS = Path(__file__).parents[2] / "specs"

#: the input each spec is run at: large enough that central units of the last layers
#: lie inside the input on every axis (receptive field + a few strides), and valid
SIZES: dict[str, list[int]] = {
    "dilated_1_2_4": [64, 64],
    "resnet_stage": [56, 56],
    "seed_conv_4x4": [4, 4],
    "seed_conv_tconv_16": [16, 16],
    "seed_transposed_2x2": [2, 2],
    "transposed_phases": [64],
    "unet_small": [192, 192],
    "vgg16": [352, 352],
    "wavenet": [4200],
    "resnet18": [512, 512],
    "mobilenet_v2": [544, 544],
    "fpn_resnet18": [512, 512],
    "unet_tconv": [256, 256],
    "hrnet_fusion": [257, 193],
    "deeplabv3plus": [1153, 1153],
    "wav2vec2_encoder": [48000],
    "unet3d": [108, 100, 92],  # valid (4 mod 8) and small: 3-D layers are costly
    "yolov3_tiny": [416, 416],
    "alexnet_v2": [352, 352],
    "deeplabv3_aspp": [1409, 1409],
    "hdc_sawtooth": [544, 544],
    "inception_v3": [1603, 1603],
    "mobilenet_v1": [480, 480],
    "resnet50_v1": [672, 672],
    "tcn": [256],
    "unet_original": [572, 572],
}

#: gradient entries below this fraction of a unit's largest are rounding, not taps
TINY = 1e-9

ALL = sorted([*SPECS.glob("*.yaml"), *(SPECS / "zoo").glob("*.yaml")], key=lambda p: p.stem)
#: the networks PyTorch takes minutes over (3-D, or a large input for a deep field): the
#: ci profile runs them; the others cover every op and merge they hold
LARGEST = {
    "unet3d",
    "inception_v3",
    "deeplabv3_aspp",
    "deeplabv3plus",
    "resnet50_v1",
    "unet_original",
}
CASES = [
    pytest.param(p, marks=pytest.mark.skipif(not FULL, reason=CI_ONLY)) if p.stem in LARGEST else p
    for p in ALL
]


@pytest.mark.slow
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_layer_matches_pytorch(path: Path) -> None:
    _check(rfcalc.load(str(path)), SIZES[path.stem], path.stem)


#: image pooling whose window lies inside the input (valid convs): every unit of the
#: merge sees pixels 0..62 through the broadcast, and its own moving window
BROADCAST = """
rfcalc: 1
input: {size: [L]}
layers:
  - {name: a, op: conv, kernel: 3, stride: 2}
  - {name: b, op: conv, kernel: 3, dilation: 2}
  - {name: pooled, op: global_pool, inputs: [a]}
  - {name: image, op: resize, to: b, mode: bilinear}
  - {name: m, op: add, inputs: [b, image]}
  - {name: c, op: conv, kernel: 3, stride: 2}
  - {name: d, op: conv, kernel: 2}
"""


#: two squeeze-and-excitation style gates in a row (a map and its global pool broadcast
#: back, merged), a stride-2 conv between them
TWO_GATES = """
rfcalc: 1
input: {size: [L]}
layers:
  - {name: c1, op: conv, kernel: 3}
  - {name: g1, op: global_pool}
  - {name: b1, op: resize, to: c1, mode: nearest}
  - {name: m1, op: add, inputs: [c1, b1]}
  - {name: c2, op: conv, kernel: 3, stride: 2}
  - {name: g2, op: global_pool}
  - {name: b2, op: resize, to: c2, mode: nearest}
  - {name: m2, op: add, inputs: [c2, b2]}
"""


@pytest.mark.parametrize("size", [33, 64])
def test_a_second_broadcast_merge_keeps_the_jump(size: int) -> None:
    network = rfcalc.load("gates.yaml", TWO_GATES)
    m2 = rfcalc.analyze(network, [size])["m2"].axes[0]
    # c2 moves by 2 with a window of 5; everything pooled is one fixed region
    assert m2.jump == 2
    assert m2.field is not None
    assert m2.field.fixed is not None
    assert (m2.field.fixed.start, m2.field.fixed.end) == (0, size - 1)
    # the headline numbers are c2's moving window; the pooled branches are the context
    assert (m2.receptive_field, m2.effective_padding) == (5, 0)
    assert m2.context == (0, size - 1)
    assert rfcalc.analyze(network, [size])["m2"].context_through == ("m1", "m2")
    _check(network, [size], "gates", every_layer=False)
    free = rfcalc.analyze(network)["m2"].axes[0]
    assert free.jump == 2


@pytest.mark.parametrize("size", [64, 65, 97])
def test_broadcast_branch_is_a_fixed_region(size: int) -> None:
    network = rfcalc.load("broadcast.yaml", BROADCAST)
    _check(network, [size], "broadcast")
    m = rfcalc.analyze(network, [size])["m"].axes[0]
    assert m.jump == 2
    assert m.note is None
    assert m.field is not None
    assert m.field.fixed is not None
    end = (size - 3) // 2 * 2 + 2
    assert (m.field.fixed.start, m.field.fixed.end) == (0, end)
    # the moving window is b's (11 pixels from 2u); the pooled branch is the context
    assert (m.receptive_field, m.receptive_field_min, m.effective_padding) == (11, None, 0)
    assert m.context == (0, end)
    # symbolic: the same window, and the context as a formula
    free = rfcalc.analyze(network)["m"].axes[0]
    assert (free.receptive_field, free.jump, free.effective_padding) == (11, 2, 0)
    assert free.context is not None
    assert free.context[0] == 0


def test_branches_of_different_jumps_are_ranges_over_the_units() -> None:
    text = """
rfcalc: 1
input: {size: [L]}
layers:
  - {name: a, op: conv, kernel: 4, stride: 4}
  - {name: a2, op: pad, padding: [0, 16]}
  - {name: b, op: conv, kernel: 2, stride: 2, inputs: [input]}
  - {name: m, op: add, inputs: [a2, b]}
  - {name: c, op: conv, kernel: 3}
"""
    network = rfcalc.load("misaligned.yaml", text)
    # symbolic: a unit's region is not a shift of another's, and the map has no end
    result = rfcalc.analyze(network)["m"]
    assert not result.aligned
    (axis,) = result.axes
    assert axis.receptive_field is None
    assert axis.field is None
    assert axis.note is not None
    assert "different jumps" in note_text(axis.note)
    # at 64: unit u of m sees 2u .. 4u + 3 (units 0..15 away from the padding): from 4
    # to 34 pixels, the coarsest jump 4, and u*4 - 2u at most 30
    analysis = rfcalc.analyze(network, [64])
    (m,) = analysis["m"].axes
    assert (m.receptive_field, m.receptive_field_min, m.jump, m.effective_padding) == (
        34,
        4,
        4,
        30,
    )
    assert m.note is not None
    assert "range over the map's units" in note_text(m.note)
    (c,) = analysis["c"].axes  # after it: unit v of c sees 2v .. 4v + 11, v <= 13
    assert (c.receptive_field, c.receptive_field_min, c.effective_padding) == (38, 12, 26)
    _check(network, [64], "misaligned", every_layer=False)


def _check(network: Network, size: list[int], label: str, every_layer: bool = True) -> int:
    """Compare every layer with PyTorch; returns how many unit regions were checked
    exactly (inside the input).  ``every_layer``: each layer must have one."""
    analysis = rfcalc.analyze(network, size)
    x = torch.zeros(1, 1, *size, dtype=torch.float64, requires_grad=True)
    t = forward(network, x)
    with torch.no_grad():
        marks = forward(network, torch.zeros_like(x), mark=True)
    unchecked = []
    exact_total = 0
    # reflect, replicate or circular padding: border units read pixels of the map that
    # the translation-invariant region does not hold (test_unit_support_torch.py)
    fills = any(r.layer.padding_mode != "zeros" for r in analysis.layers)
    # a branch blind at some output phase of one axis empties products on the others:
    # per-axis fields of a merge are then an upper bound (README, "Limits")
    coupled = (
        len(size) > 1
        and any(a.blind_phases for r in analysis.layers for a in r.axes)
        and any(r.layer.op in ("add", "mul", "concat") for r in analysis.layers)
    )
    for result in analysis.layers:
        y = t[result.name]
        assert tuple(y.shape[2:]) == tuple(int(a.size) for a in result.axes), result.name
        fields = [a.field for a in result.axes]
        if any(f is None for f in fields):
            continue
        period = max(f.period for f in fields if f is not None)
        mids = [n // 2 for n in y.shape[2:]]
        exact = 0
        for k in range(min(period, 4) + 1):
            unit = [m + k for m in mids]
            if any(u >= n for u, n in zip(unit, y.shape[2:], strict=True)):
                continue
            (g,) = torch.autograd.grad(y[(0, 0, *unit)], x, retain_graph=True)
            g = g[0, 0].abs()
            blind = [
                f is not None and f.region(u) is None for f, u in zip(fields, unit, strict=True)
            ]
            for axis, f in enumerate(fields):
                assert f is not None
                if any(blind[:axis] + blind[axis + 1 :]):
                    continue  # blind on another axis: the unit sees nothing at all
                proj = g
                for other in sorted((i for i in range(len(size)) if i != axis), reverse=True):
                    proj = proj.sum(other)
                values = proj.tolist()
                got = {i for i, v in enumerate(values) if v != 0}
                # PyTorch computes a linear resize's source coordinate in floating point:
                # where the exact one is a whole number it can leave ~1e-16 on the
                # neighbour, which only the weight tells from a real tap
                top = max(values, default=0.0)
                strong = {i for i in got if values[i] > TINY * top}
                region = f.region(unit[axis])
                where = (result.name, axis, unit[axis])
                if region is None:
                    assert not strong, where
                    continue
                start, end, n = int(region.start), int(region.end), size[axis]
                if region.support is None:
                    want = set(range(start, end + 1))
                else:
                    want = {start + i for i in range(end - start + 1) if region.support >> i & 1}
                # exact only where the unit is computed from the maps alone on every
                # axis: padding on another axis can empty a branch and so shrink the
                # projection on this one
                inside = not torch.isnan(marks[result.name][(0, 0, *unit)])
                if inside:
                    # computed from the maps alone: the gradient support is the region,
                    # holes and all, and it lies inside the input
                    assert start >= 0, where
                    assert end < n, where
                    if coupled:
                        assert strong <= want, (*where, sorted(strong - want)[:10])
                    elif region.support is None:
                        assert (min(got), max(got)) == (start, end), where
                    else:
                        assert want <= got, (*where, sorted(want ^ got)[:9])
                        assert strong <= want, (*where, sorted(want ^ got)[:9])
                    exact += 1
                elif not fills:
                    # at a border, zero padding and dropped pixels only take pixels away
                    assert strong <= want, (*where, sorted(strong - want)[:10])
        # a global pooling (one unit) and its broadcast see every unit below, padding
        # included: never inside the input
        pooled = all(int(a.size) == 1 for a in result.axes) or any(
            f is not None and (f.fixed or is_broadcast(f)) for f in fields
        )
        exact_total += exact
        if not exact and not pooled:
            unchecked.append(result.name)
    # every layer was checked exactly at one unit at least (SIZES are large enough)
    assert not (every_layer and unchecked), f"grow SIZES[{label!r}]: {unchecked}"
    return exact_total


# --- generated networks: every op the spec knows, against the same executor ---------


def _too_wide(analysis: Any) -> bool:
    """rfcalc's RF106 condition: some reflect or circular padding is wider than its map."""
    return any(
        int(c.expr) > 0
        for axis in range(len(analysis.input_size))
        for c in size_conditions(analysis, axis, {Source.FILL})
    )


def _generated(case: tuple[str, list[int]]) -> None:
    text, size = case
    network, analysis = loaded(case)
    # keep each map small enough that a backward pass per unit stays cheap
    assume(all(prod(int(a.size) for a in r.axes) <= 200_000 for r in analysis.layers))
    if _too_wide(analysis):  # rfcalc's RF106 condition: PyTorch must refuse the padding
        with pytest.raises(RuntimeError, match=r"[Pp]adding"):
            forward(network, torch.zeros(1, 1, *size, dtype=torch.float64))
        assume(False)
    _check(network, size, text, every_layer=False)  # and otherwise must run it


@settings(
    max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(generated())
def test_generated_networks_match_pytorch(case: tuple[str, list[int]]) -> None:
    _generated(case)


@settings(
    max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(generated(ndim=2))
def test_generated_2d_networks_match_pytorch(case: tuple[str, list[int]]) -> None:
    _generated(case)


@settings(
    max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(generated(ndim=3))
def test_generated_3d_networks_match_pytorch(case: tuple[str, list[int]]) -> None:
    _generated(case)


def test_transposed_same_with_a_kernel_shorter_than_the_stride() -> None:
    # TensorFlow's SAME conv2d_transpose, 1x1 at stride 2: the even outputs see the
    # input, the odd ones are zeros (nothing is cropped before)
    text = (
        "rfcalc: 1\ninput: {size: [8]}\nlayers:\n"
        "  - {op: conv_transpose, kernel: 1, stride: 2, padding: same}\n"
    )
    network = rfcalc.load("tsame.yaml", text)
    (axis,) = rfcalc.analyze(network).layers[0].axes
    assert axis.size == 16
    assert (axis.pad_before, axis.pad_after) == (0, -1)
    assert axis.field is not None
    assert axis.field.region(4) is not None
    assert axis.field.region(5) is None
    _check(network, [8], "tsame", every_layer=False)


def _every_unit(case: tuple[str, list[int]], need: Any = assume) -> int:
    """Every unit of every layer that the maps alone compute (1-D, all at once: the
    executor is linear, so a batch of one-hot inputs gives the whole Jacobian)."""
    text, size = case
    try:
        network = rfcalc.load("generated.yaml", text)
    except SpecError:
        need(False)
        return 0
    analysis = rfcalc.analyze(network, size)
    need(all(int(a.size) >= 1 for r in analysis.layers for a in r.axes))
    need(not _too_wide(analysis))
    (n,) = size
    eye = torch.eye(n, dtype=torch.float64).reshape(n, 1, n)
    # the moving window: the branches that bring the global context detached
    t = forward(network, eye, local=True)
    with torch.no_grad():
        marks = forward(network, torch.zeros(1, 1, n, dtype=torch.float64), mark=True, local=True)
        whole = forward(network, eye)
    checked = 0
    for result in analysis.layers:
        (a,) = result.axes
        f = a.field
        if f is None or a.receptive_field is None or is_broadcast(f):
            continue
        jac = t[result.name][:, 0, :].T  # jac[u, i]: unit u's gradient at pixel i
        inside = [u for u in range(jac.shape[0]) if not torch.isnan(marks[result.name][0, 0, u])]
        assert a.interior is not None
        interior = {u for lo, hi in a.interior for u in range(lo, hi + 1)}
        extents, pads, phases = [], [], set()
        where = (result.name, text)
        for u in inside:
            row = jac[u].abs().tolist()
            top = max(row)
            got = [i for i, v in enumerate(row) if v > TINY * top]
            if not got:
                continue  # a blind unit
            extents.append(got[-1] - got[0] + 1)
            pads.append(u * a.jump - got[0])
            phases.add(u % f.period)
            if u in interior:  # the unit's own window, exactly
                region = f.moving_region(u)
                assert region is not None, (*where, u)
                assert (int(region.start), int(region.end)) == (got[0], got[-1]), (*where, u)
            if a.context is not None and u in interior:
                # with the context's branches attached: the window and the fixed region
                attached = whole[result.name][:, 0, u].abs().tolist()
                seen = [i for i, v in enumerate(attached) if v > TINY * max(attached)]
                lo, hi = (int(v) for v in a.context)
                assert (seen[0], seen[-1]) == (min(lo, got[0]), max(hi, got[-1])), (*where, u)
        if not extents:
            continue
        rf_min = a.receptive_field_min or a.receptive_field
        # a pattern of the network (no adaptive pool, no resampling by a ratio of sizes,
        # no merge of different jumps) is stated over all its phases, at every input
        every = f.bounded or f.per_unit or {p for p, _ in f.seen()} <= phases
        if interior <= set(inside) and every:
            assert a.receptive_field == max(extents), where
            assert rf_min == min(extents), where
            assert a.effective_padding == max(pads), where
            checked += 1
        else:
            # the marking is conservative (a linear interpolation's weight 0 on a
            # marked neighbour still marks), and some phases may have no interior unit:
            # the units it shows bound the statement
            assert rf_min <= min(extents), where
            assert max(extents) <= a.receptive_field, where
            assert max(pads) <= a.effective_padding, where
    return checked


@settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(generated())
def test_fields_hold_over_every_unit_the_map_has(case: tuple[str, list[int]]) -> None:
    """Receptive field (largest, smallest) and effective padding over all units away from
    the borders, not one central unit per phase: after an adaptive pool or a resize
    between sizes whose ratio is not whole, the phases are units of the real map."""
    _every_unit(case)


@pytest.mark.parametrize(
    ("layers", "size", "want"),
    [
        # issue #10: 28 units, each spans 4 (rfcalc said RF 5, min 4, padding 29/30)
        ("[{op: adaptive_pool, output_size: 30}, {op: conv, kernel: 3}]", 31, (4, 4, "9/10")),
        # a dilated kernel steps over a border unit between two interior ones
        (
            "[{op: adaptive_pool, output_size: 1},"
            " {op: conv_transpose, kernel: 3, stride: 3, dilation: 2},"
            " {op: conv, kernel: 2, dilation: 2}]",
            24,
            (24, 24, "16"),
        ),
        # a one-unit map under a transposed conv: only units 2 and 4 read the map alone
        (
            "[{op: adaptive_pool, output_size: 1},"
            " {op: conv_transpose, kernel: 4, stride: 3, dilation: 2}]",
            24,
            (24, 24, "32"),
        ),
        (
            "[{name: a, op: adaptive_pool, output_size: 9},"
            " {op: resize, to: a, inputs: [input]}, {op: conv, kernel: 5, stride: 4}]",
            28,
            (13, 13, "4/9"),
        ),
    ],
)
def test_fields_after_aperiodic_layers_are_those_of_real_units(
    layers: str, size: int, want: tuple[int, int, str]
) -> None:
    text = f"rfcalc: 1\ninput: {{size: [{size}]}}\nlayers: {layers}\n"
    (a,) = rfcalc.analyze(rfcalc.load("aperiodic.yaml", text)).layers[-1].axes
    rf, rf_min, pad = want
    assert (a.receptive_field, a.receptive_field_min or a.receptive_field) == (rf, rf_min)
    assert str(a.effective_padding) == pad
    assert _every_unit((text, [size]), need=_require) >= 1


def _require(condition: bool) -> None:
    assert condition
