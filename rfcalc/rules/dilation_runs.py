"""Runs of stacked stride-1 dilated convolutions, per axis (shared by RF203-RF205)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Layer, Op
from .base import Context


@dataclass(frozen=True)
class DilationRun:
    axis: int
    layers: tuple[Layer, ...]
    kernel: int
    rates: tuple[int, ...]


def dilation_runs(ctx: Context) -> tuple[DilationRun, ...]:
    """Maximal chains of convs (each reading only the one before, nothing else reading
    it) with stride 1, one kernel size > 1 and some dilation > 1 on that axis; found once
    per network (three rules ask)."""
    found = ctx.shared.get("dilation_runs")
    if found is None:
        found = ctx.shared["dilation_runs"] = tuple(_find_runs(ctx))
    return found


def _find_runs(ctx: Context) -> Iterator[DilationRun]:
    for axis in range(ctx.network.ndim):
        run: list[Layer] = []
        for layer in [*ctx.network.layers, None]:
            if (
                layer is not None
                and _fits(layer, axis)
                and (
                    not run
                    or (
                        layer.inputs == (run[-1].name,)
                        and ctx.consumers[run[-1].name] == [layer.name]
                        and _kernel(layer, axis) == _kernel(run[0], axis)
                    )
                )
            ):
                run.append(layer)
                continue
            if len(run) >= 2 and any(_rate(x, axis) > 1 for x in run):
                yield DilationRun(
                    axis,
                    tuple(run),
                    int(_kernel(run[0], axis)),
                    tuple(int(_rate(x, axis)) for x in run),
                )
            run = [layer] if layer is not None and _fits(layer, axis) else []


def _fits(layer: Layer, axis: int) -> bool:
    window = layer.int_window(axis)
    return layer.op == Op.CONV and window is not None and window[1] == 1 and window[0] > 1


def _kernel(layer: Layer, axis: int) -> Any:
    return layer.window(axis)[0]


def _rate(layer: Layer, axis: int) -> Any:
    return layer.window(axis)[2]


def same_on_every_axis(ctx: Context, run: DilationRun) -> bool:
    """True when the other axes have the same run (report it once, not per axis)."""
    return all(
        _rate(x, a) == _rate(x, run.axis) and _kernel(x, a) == run.kernel
        for x in run.layers
        for a in range(ctx.network.ndim)
    )


def dense_in_context(ctx: Context, run: DilationRun) -> bool:
    """True when, in the network as built, the last layer of the run sees its receptive
    field without holes on the run's axis (what comes before fills the gaps)."""
    axis = ctx.main[run.layers[-1].name].axes[run.axis]
    if axis.field is None:
        return False
    for region in axis.field.phases:
        if region is None or region.support is None:
            return False
        if region.support.bit_length() != bin(region.support).count("1"):
            return False
    return True


def rates_text(rates: Sequence[int], most: int = 12) -> str:
    """``[1, 2, 5]``; a long run as its first rates and how many there are."""
    rates = list(rates)
    if len(rates) <= most:
        return str(rates)
    return "[" + ", ".join(map(str, rates[:most])) + f", ... ({len(rates)} rates)]"
