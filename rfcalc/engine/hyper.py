"""Hyperparameters left open (``symbols:`` in a spec): the concrete networks they stand for.

A symbolic kernel, stride or dilation keeps the receptive field a formula (``15*K - 14``),
but a question about valid input sizes or a lint verdict depends on the value: a stride
``S`` changes which inputs a window tiles.  Such questions are answered per value, over
every combination within the declared bounds when there are few, else over the corners
of the box (each symbol at its least and greatest value), and the caller says which.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from math import prod
from typing import Any

import sympy

from ..model import Network

#: the most combinations of hyperparameter values answered one by one
MAX_INSTANCES = 64


@dataclass(frozen=True)
class Instance:
    """The network with every hyperparameter given a value."""

    values: Mapping[str, int]
    network: Network

    def label(self) -> str:
        return ", ".join(f"{k} = {v}" for k, v in self.values.items())


def combinations(network: Network) -> int:
    """How many combinations of values the hyperparameters take."""
    return prod(hi - lo + 1 for lo, hi in network.bounds.values())


def instances(network: Network) -> tuple[list[Instance], bool]:
    """The concrete networks, and whether they are every combination (else the corners)."""
    symbols = sorted(network.bounds, key=str)
    ranges = [network.bounds[s] for s in symbols]
    complete = combinations(network) <= MAX_INSTANCES
    if complete:
        axes: list[Any] = [range(lo, hi + 1) for lo, hi in ranges]
    else:
        axes = [sorted({lo, hi}) for lo, hi in ranges]
    combos = itertools.islice(itertools.product(*axes), MAX_INSTANCES)
    out = []
    for combo in combos:
        env = dict(zip(symbols, combo, strict=True))
        out.append(Instance({str(s): v for s, v in env.items()}, substitute(network, env)))
    return out, complete


def substitute(network: Network, env: Mapping[Any, int]) -> Network:
    """``network`` with the hyperparameters in ``env`` replaced by their values."""

    def sub(values: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            v if isinstance(v, int) else sympy.Integer(sympy.sympify(v).subs(env)) for v in values
        )

    layers = tuple(
        replace(
            layer, kernel=sub(layer.kernel), stride=sub(layer.stride), dilation=sub(layer.dilation)
        )
        if any(
            not isinstance(v, int) and sympy.sympify(v).free_symbols
            for v in (*layer.kernel, *layer.stride, *layer.dilation)
        )
        else layer
        for layer in network.layers
    )
    return replace(network, layers=layers, bounds={})


def involves(network: Network, exprs: Any) -> bool:
    """Some of ``exprs`` (sympy values or None) depends on a hyperparameter."""
    symbols = set(network.bounds)
    return any(e is not None and bool(symbols & sympy.sympify(e).free_symbols) for e in exprs)
