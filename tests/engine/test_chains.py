"""A chain's field does not depend on a lucky input size (issue #22, 3).

A chain of windows, transposed convs, whole upsamplings, pixel (un)shuffles, pads and
crops has one pattern for every input: the receptive field (largest and smallest over
the phases that see input), the jump and the effective padding.  At every concrete size
1..64 where the layer has a unit computed from the maps alone, the concrete answer must
be the symbolic one evaluated there, and both must be the pattern found by brute force:
each unit walked back tap by tap with no map ends, the taps' padding as resolved at that
size."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import pytest
import sympy

import rfcalc
from rfcalc.engine import Analysis
from rfcalc.model import Layer, Op, SpecError

SIZES = range(1, 65)


def chain(rng: random.Random, ndim: int) -> str:
    """A chain of 2 to 6 layers of the ops whose pattern holds at every input."""
    lines = ["rfcalc: 1", f"input: {{size: [{', '.join('NMK'[:ndim])}]}}", "layers:"]
    for _ in range(rng.randint(2, 6)):
        kind = rng.choice(["conv", "conv", "pool", "tconv", "up", "shuffle", "pad", "crop"])
        k, s, d = rng.randint(1, 5), rng.randint(1, 3), rng.randint(1, 3)
        if kind == "conv":
            pad = rng.choice(["valid", "same", "same_lower", "full", "half", "1", "[0, 2]"])
            if ndim > 1 and pad == "[0, 2]":
                pad = "[[0, 2]" + ", [1, 1]" * (ndim - 1) + "]"
            lines.append(
                f"  - {{op: conv, kernel: {k}, stride: {s}, dilation: {d}, padding: {pad}}}"
            )
        elif kind == "pool":
            lines.append(
                f"  - {{op: {rng.choice(['max_pool', 'avg_pool'])}, kernel: {k}, stride: {s},"
                f" padding: {rng.choice(['valid', 'same', str(k // 2)])}}}"
            )
        elif kind == "tconv":
            ke = d * (k - 1) + 1
            pb = rng.randint(0, ke - 1)
            op = rng.randint(0, max(s, d) - 1)
            lines.append(
                f"  - {{op: conv_transpose, kernel: {k}, stride: {s}, dilation: {d}, "
                f"padding: {pb}, output_padding: {op}}}"
            )
        elif kind == "up":
            lines.append(f"  - {{op: upsample, scale: {rng.randint(2, 3)}}}")
        elif kind == "shuffle":
            lines.append(
                f"  - {{op: {rng.choice(['pixel_shuffle', 'pixel_unshuffle'])}, scale: 2}}"
            )
        elif kind == "pad":
            lines.append(f"  - {{op: pad, padding: {rng.randint(0, 3)}}}")
        else:
            lines.append(f"  - {{op: crop, crop: {rng.randint(0, 2)}}}")
    return "\n".join(lines) + "\n"


def _reads(layer: Layer, axis: int, u: int, pb: int) -> list[int]:
    """The units below that unit ``u`` reads, with no map ends (the op's definition)."""
    op = layer.op
    if op in (Op.CONV, Op.MAX_POOL, Op.AVG_POOL):
        k, s, d = (int(v) for v in layer.window(axis))
        return [u * s - pb + j * d for j in range(k)]
    if op == Op.CONV_TRANSPOSE:
        k, s, d = (int(v) for v in layer.window(axis))
        return [(u + pb - j * d) // s for j in range(k) if (u + pb - j * d) % s == 0]
    f = int(layer.param("scale", axis))
    if op in (Op.UPSAMPLE, Op.PIXEL_SHUFFLE):
        return [u // f]
    if op == Op.PIXEL_UNSHUFFLE:
        return [u * f + j for j in range(f)]
    if op == Op.PAD:
        return [u - pb]
    return [u + pb]  # crop


def _brute(analysis: Analysis, upto: int, axis: int) -> tuple[int, int, Fraction, Fraction]:
    """Largest and smallest extent over the units that see input, the jump, and the
    largest ``u*jump - first pixel``: every unit of a few periods walked back."""
    layers = analysis.layers[: upto + 1]
    r = layers[-1]
    f = r.axes[axis].field
    assert f is not None
    jump = Fraction(int(sympy.numer(f.jump)), int(sympy.denom(f.jump)))
    extents, pads = [], []
    for u in range(4 * f.period, 8 * f.period):
        units = {u}
        for below in reversed(layers):
            pb = int(below.axes[axis].pad_before)
            units = {v for w in units for v in _reads(below.layer, axis, w, pb)}
        if units:
            extents.append(max(units) - min(units) + 1)
            pads.append(u * jump - min(units))
    return max(extents), min(extents), jump, max(pads)


def _fraction(x: Any) -> Fraction:
    x = sympy.Rational(x)
    return Fraction(int(x.p), int(x.q))


def _value(x: Any, point: dict[Any, int]) -> Any:
    return None if x is None else sympy.sympify(x).subs(point)


@pytest.mark.parametrize("seed", range(40))
def test_every_size_states_the_symbolic_pattern(seed: int) -> None:
    rng = random.Random(seed)
    ndim = 1 if seed % 3 else 2
    network, text = _usable(rng, ndim)
    free = rfcalc.analyze(network)
    symbols = list(network.input_size)
    compared = 0
    for n in SIZES:
        sizes = [n + 3 * i for i in range(ndim)]  # axes of different sizes
        at = rfcalc.analyze(network, sizes)
        if any(int(a.size) < 1 for r in at.layers for a in r.axes):
            continue  # an empty map: no network at this size
        point = dict(zip(symbols, sizes, strict=True))
        for i, (r, s) in enumerate(zip(at.layers, free.layers, strict=True)):
            for axis, (a, b) in enumerate(zip(r.axes, s.axes, strict=True)):
                if a.field is None or not a.interior or b.receptive_field is None:
                    continue
                where = (seed, text, sizes, r.name, axis)
                want = (
                    _value(b.receptive_field, point),
                    _value(b.receptive_field_min or b.receptive_field, point),
                    _value(b.jump, point),
                    _value(b.effective_padding, point),
                )
                got = (a.receptive_field, a.receptive_field_min or a.receptive_field)
                got += (a.jump, a.effective_padding)
                assert got == want, where
                assert tuple(map(_fraction, got)) == _brute(at, i, axis), where
                compared += 1
    assert compared > 0


def _usable(rng: random.Random, ndim: int) -> tuple[Any, str]:
    """The first chain the reader takes that has units at the largest size."""
    while True:
        text = chain(rng, ndim)
        try:
            network = rfcalc.load("chain.yaml", text)
        except SpecError:
            continue
        top = rfcalc.analyze(network, [SIZES[-1]] * ndim)
        if all(int(a.size) >= 1 for r in top.layers for a in r.axes):
            return network, text


def test_the_issues_chain() -> None:
    """Issue #22's chain: units alternate 11 and 23 at every size, 14..25 included."""
    text = (
        "rfcalc: 1\ninput: {size: [N]}\nlayers:\n"
        "  - {op: conv, kernel: 2, stride: 3}\n"
        "  - {op: conv, kernel: 4, stride: 2, padding: same}\n"
        "  - {op: conv_transpose, kernel: 4, stride: 3, dilation: 2, padding: 3}\n"
        "  - {op: conv_transpose, kernel: 2, stride: 2}\n"
    )
    network = rfcalc.load("chain.yaml", text)
    for n in range(8, 65):
        last = rfcalc.analyze(network, [n]).layers[-1].axes[0]
        assert (last.receptive_field, last.receptive_field_min) == (23, 11), n


def test_the_issues_2d_chain() -> None:
    text = (
        "rfcalc: 1\ninput: {size: [H, W]}\nlayers:\n"
        "  - {op: max_pool, kernel: [3, 4], stride: [3, 2], dilation: [1, 2], padding: [0, 2]}\n"
        "  - {op: upsample, scale: 2}\n"
        "  - {op: conv, kernel: [5, 2], stride: [2, 1], dilation: [1, 3],"
        " padding: [[1, 3], [1, 1]]}\n"
        "  - {op: conv, kernel: [1, 5], dilation: [2, 1], padding: [0, 2]}\n"
        "  - {op: conv_transpose, kernel: [1, 1], stride: 2, dilation: [2, 1],"
        " output_padding: [1, 0]}\n"
    )
    network = rfcalc.load("chain2.yaml", text)
    for n in range(3, 65):
        last = rfcalc.analyze(network, [n, n]).layers[-1]
        assert [a.receptive_field for a in last.axes] == [9, 15], n
