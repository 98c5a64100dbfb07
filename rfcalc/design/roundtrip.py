"""``solve --roundtrip``: the ``output_padding`` of each transposed convolution that
brings an encoder-decoder back to its input size, decided exactly per residue class."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import sympy

from ..answers import RoundTrip
from ..engine.solve import Residues, compile_expr, held_others, min_input, solve_condition
from ..model import Network, Op
from .valid import free_analysis

#: the most output_padding combinations tried
MAX_COMBINATIONS = 4096


def roundtrip_output_padding(network: Network, axis_count: int) -> list[RoundTrip] | None:
    """For an encoder-decoder: the ``output_padding`` of each transposed conv that makes
    the last layer's size equal the input's.

    Returns, per axis and set of inputs (a residue class, a few sporadic values, or
    ``any H``), the combinations (a value per transposed conv) that return it; or None
    when there is no transposed conv.  Decided exactly (``solve_condition``: the
    size difference drifts with the input, so a combination may work at a few inputs
    only), over the inputs where the network runs.
    """
    tconvs = [i for i, layer in enumerate(network.layers) if layer.op == Op.CONV_TRANSPOSE]
    if not tconvs:
        return None
    answers: list[RoundTrip] = []
    base = free_analysis(network)
    for axis in range(axis_count):
        # output_padding runs below max(stride, dilation) (PyTorch's rule)
        choices = [range(max(int(v) for v in network.layers[i].window(axis)[1:])) for i in tconvs]
        combos = list(itertools.islice(itertools.product(*choices), MAX_COMBINATIONS))
        sym = base.input_size[axis]
        name = str(sym)
        start = min_input(base, axis) or 1
        # one analysis per combination, with output_padding set on this axis
        found: dict[Residues | None, list[tuple[int, ...]]] = {}
        for combo in combos:
            layers = list(network.layers)
            for i, value in zip(tconvs, combo, strict=True):
                op = list(layers[i].output_padding or (0,) * network.ndim)
                op[axis] = value
                layers[i] = replace(layers[i], output_padding=tuple(op))
            a = free_analysis(replace(network, layers=tuple(layers)))
            diff = sympy.expand(a.layers[-1].axes[axis].size - a.input_size[axis])
            others = held_others(a.symbols, sym)
            f = compile_expr(diff)
            res = solve_condition(_zero_at(f, others, sym), [diff], sym, others, start)
            if res is not None and res.never:
                continue
            found.setdefault(res, []).append(combo)
        if not found:
            answers.append(RoundTrip(axis, name, start, Residues(1, (), start), ()))

        def order(item: tuple[Residues | None, list[tuple[int, ...]]]) -> Any:
            res = item[0]  # residue classes in order, then sporadic values, then unknown
            return (1,) if res is None else (0, res.residues, res.sporadic)

        for res, ok in sorted(found.items(), key=order):
            answers.append(RoundTrip(axis, name, start, res, tuple(ok)))
    return answers


def _zero_at(f: Callable[[Any], Any], others: dict[Any, int], sym: Any) -> Callable[[int], bool]:
    return lambda n: bool(f({**others, sym: n}) == 0)


def tconv_names(network: Network) -> list[str]:
    return [layer.name for layer in network.layers if layer.op == Op.CONV_TRANSPOSE]
