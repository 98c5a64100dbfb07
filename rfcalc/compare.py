"""Drift between a spec and the model it describes (RF601, ``check SPEC --model MODEL``).

Both networks are analysed at the spec's input (and at each of ``input.sizes``); layers
are paired by name (the names ``rfcalc import`` writes), or in order when no name is
shared and both have as many layers.  What differs is reported on the spec's lines:
missing layers either way, ops and inputs, and the first layer whose size, receptive
field, jump or effective padding differs (later ones follow from it and are counted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from .config import Config, enabled, severity_of
from .engine import Analysis, analyze_network
from .model import CONVS, INPUT, POOLS, WINDOWS, Finding, Layer, Network, Op
from .rules.base import size_text
from .rules.model_drift import RULE

#: sizes at which formulas that sympy cannot prove equal are compared
_SAMPLES = (97, 224, 257, 512)


def drift(spec: Network, model: Network, config: Config = Config()) -> list[Finding]:
    """Where ``spec`` and ``model`` disagree, as findings on the spec's lines."""
    if not enabled(RULE, config):
        return []
    severity = severity_of(RULE, config, None)
    found: list[tuple[Any, str, str | None]] = []  # (loc, message, layer)
    if spec.ndim != model.ndim:
        where = spec.key_locs.get("input", spec.loc)
        found.append(
            (where, f"the model has {model.ndim} spatial axes, the spec {spec.ndim}", None)
        )
        return _findings(found, severity)
    pairs, lacking, extra, by_order = _pair(spec, model)
    found += _structure(spec, pairs, lacking, extra)
    inputs: list[tuple[Any, ...]] = [tuple(spec.input_size)]
    inputs += [tuple(sizes) for sizes in spec.sizes if tuple(sizes) != tuple(spec.input_size)]
    inputs += _valid_samples(spec, inputs)
    for size in inputs:
        found += _first_difference(spec, model, pairs, size)
    found += _padding_differences(spec, model, pairs, inputs)
    if by_order and found:
        found.append((spec.loc, "layers were paired in order: no name is shared", None))
    return _findings(found, severity)


def _structure(
    spec: Network, pairs: list[Any], lacking: list[Any], extra: list[Any]
) -> list[tuple[Any, str, str | None]]:
    """Layers one side lacks, and paired layers whose op, hyperparameters or inputs
    differ."""
    found: list[tuple[Any, str, str | None]] = []
    for layer in lacking:
        found.append((layer.loc, f"{layer.name}: the model has no layer of that name", layer.name))
    if extra:
        where = spec.key_locs.get("layers", spec.loc)
        shown = ", ".join(f"{m.name} ({m.loc.node or m.op})" for m in extra[:5])
        more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
        found.append((where, f"the model has layers the spec lacks: {shown}{more}", None))
    rename = {m.name: s.name for s, m in pairs}
    rename[INPUT] = INPUT
    for s, m in pairs:
        if str(s.op) != str(m.op):
            found.append((s.loc, f"{s.name}: the model's layer is {m.op}, not {s.op}", s.name))
            continue
        found += _hyperparameters(s, m, spec.ndim)
        theirs = tuple(rename.get(i, f"{i} (not in the spec)") for i in m.inputs)
        if theirs != s.inputs:
            found.append(
                (
                    s.at("inputs"),
                    f"{s.name}: the model's layer reads {', '.join(theirs)}, "
                    f"not {', '.join(s.inputs)}",
                    s.name,
                )
            )
    return found


#: the hyperparameters compared layer by layer, per axis (defaults filled in)
_PER_AXIS = ("kernel", "stride", "dilation", "output_padding", "scale", "output_size")
#: and those of the whole layer, with the ops they mean something for
_WHOLE = (
    ("groups", CONVS),
    ("ceil_mode", POOLS),
    ("padding_mode", frozenset({Op.CONV, Op.PAD})),
    ("mode", frozenset({Op.UPSAMPLE, Op.RESIZE})),
    ("align_corners", frozenset({Op.UPSAMPLE, Op.RESIZE})),
    ("recompute_scale_factor", frozenset({Op.UPSAMPLE})),
)
#: the per-axis keys each op reads (others keep their defaults and mean nothing)
_KEYS_OF = {
    Op.CONV: ("kernel", "stride", "dilation"),
    Op.MAX_POOL: ("kernel", "stride", "dilation"),
    Op.AVG_POOL: ("kernel", "stride"),
    Op.CONV_TRANSPOSE: ("kernel", "stride", "dilation", "output_padding"),
    Op.UPSAMPLE: ("scale",),
    Op.PIXEL_SHUFFLE: ("scale",),
    Op.PIXEL_UNSHUFFLE: ("scale",),
    Op.ADAPTIVE_POOL: ("output_size",),
}


def _hyperparameters(s: Layer, m: Layer, ndim: int) -> list[tuple[Any, str, str | None]]:
    """Where the model's layer has another kernel, stride, dilation, output padding,
    groups, scale, output size or mode than the spec's (padding: by its amounts, at
    each input compared, in :func:`_padding_differences`)."""
    out: list[tuple[Any, str, str | None]] = []
    for key in _KEYS_OF.get(s.op, ()):
        ours = [s.param(key, i) for i in range(ndim)]
        theirs = [m.param(key, i) for i in range(ndim)]
        if not all(_same(a, b) for a, b in zip(ours, theirs, strict=True)):
            out.append(
                (
                    s.at(key),
                    f"{s.name}: the model's {key.replace('_', ' ')} is "
                    f"{size_text(theirs)}, not {size_text(ours)}",
                    s.name,
                )
            )
    for key, ops in _WHOLE:
        if s.op in ops and getattr(s, key) != getattr(m, key):
            out.append(
                (
                    s.at(key),
                    f"{s.name}: the model's {key.replace('_', ' ')} is {getattr(m, key)}, "
                    f"not {getattr(s, key)}",
                    s.name,
                )
            )
    return out


def _padding_differences(
    spec: Network, model: Network, pairs: list[tuple[Layer, Layer]], inputs: list[Any]
) -> list[tuple[Any, str, str | None]]:
    """Layers whose padding (as resolved: a mode or amounts) differs at some input; each
    layer said once, at the first such input."""
    out: list[tuple[Any, str, str | None]] = []
    said: set[str] = set()
    for size in inputs:
        try:
            a = analyze_network(spec, list(size))
            b = analyze_network(model, list(size))
        except ValueError:
            continue
        for s, m in pairs:
            if s.name in said or str(s.op) != str(m.op) or s.op not in _PADDED:
                continue
            ours = [(x.pad_before, x.pad_after) for x in a[s.name].axes]
            theirs = [(x.pad_before, x.pad_after) for x in b[m.name].axes]
            pairs_of = zip(ours, theirs, strict=True)
            if all(_same(p, q) for o, t in pairs_of for p, q in zip(o, t, strict=True)):
                continue
            said.add(s.name)
            out.append(
                (
                    s.at("padding"),
                    f"{s.name}: the model pads {_pads(theirs)} where the spec pads "
                    f"{_pads(ours)} (at input {size_text(size)})",
                    s.name,
                )
            )
    return out


#: ops whose padding is a hyperparameter
_PADDED = frozenset({*WINDOWS, Op.CONV_TRANSPOSE, Op.PAD, Op.CROP})


def _pads(pads: list[tuple[Any, Any]]) -> str:
    return size_text([f"{before},{after}" for before, after in pads])


#: inputs near which formulas are also compared at sizes the spec is valid at
_NEAR = (32, 97, 224)


def _valid_samples(spec: Network, inputs: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Where the spec's input is symbolic: a few concrete inputs at which it runs (the
    solver's valid sizes), so that fields a formula cannot state are compared too."""
    if all(getattr(n, "is_Integer", isinstance(n, int)) for n in spec.input_size):
        return []
    from .rules.base import Context, Run
    from .rules.solving import valid_sizes

    run = Run(size_text(spec.input_size), analyze_network(spec))
    ctx = Context(spec, spec.target or "pytorch", (run,))
    per_axis = []
    for axis, n in enumerate(spec.input_size):
        if getattr(n, "is_Integer", isinstance(n, int)):
            per_axis.append([int(n)] * len(_NEAR))
            continue
        found = valid_sizes(ctx, axis, _NEAR)
        if len(found) < len(_NEAR):
            return []
        per_axis.append(found)
    samples = [tuple(values) for values in zip(*per_axis, strict=True)]
    return [s for s in dict.fromkeys(samples) if s not in inputs]


def _findings(found: list[tuple[Any, str, str | None]], severity: Any) -> list[Finding]:
    return sorted(
        (
            Finding(loc, RULE.id, RULE.name, severity, message, layer)
            for loc, message, layer in found
        ),
        key=Finding.sort_key,
    )


def _pair(
    spec: Network, model: Network
) -> tuple[list[tuple[Layer, Layer]], list[Layer], list[Layer], bool]:
    """Pairs of (spec layer, model layer), spec layers unpaired, model layers unpaired,
    and whether the pairing went by order."""
    theirs = {m.name: m for m in model.layers}
    shared = [s for s in spec.layers if s.name in theirs]
    if not shared and len(spec.layers) == len(model.layers):
        return list(zip(spec.layers, model.layers, strict=True)), [], [], True
    pairs = [(s, theirs[s.name]) for s in shared]
    ours = {s.name for s in spec.layers}
    lacking = [s for s in spec.layers if s.name not in theirs]
    extra = [m for m in model.layers if m.name not in ours]
    return pairs, lacking, extra, False


def _first_difference(
    spec: Network, model: Network, pairs: list[tuple[Layer, Layer]], size: Sequence[Any]
) -> list[tuple[Any, str, str | None]]:
    try:
        a = analyze_network(spec, list(size))
        b = analyze_network(model, list(size))
    except ValueError as exc:
        return [(spec.loc, f"the model cannot be analysed at input {size_text(size)}: {exc}", None)]
    differing = [s for s, m in pairs if not _agree(a, s.name, b, m.name)]
    if not differing:
        return []
    first = differing[0]
    m = next(m for s, m in pairs if s is first)
    ours, theirs = _shown(a, first.name), _shown(b, m.name)
    later = len(differing) - 1
    tail = f"; {later} later layer{'s' if later != 1 else ''} differ too" if later else ""
    return [
        (
            first.loc,
            f"{first.name}: the model gives {theirs} where the spec gives {ours} "
            f"(at input {size_text(size)}){tail}",
            first.name,
        )
    ]


def _quantities(analysis: Analysis, name: str) -> list[tuple[Any, ...]]:
    """Per axis: the layer's size, receptive field, jump and effective padding."""
    return [(x.size, x.receptive_field, x.jump, x.effective_padding) for x in analysis[name].axes]


def _agree(a: Analysis, ours: str, b: Analysis, theirs: str) -> bool:
    """Every quantity of ``ours`` in ``a`` equals that of ``theirs`` in ``b`` (formulas:
    where sympy proves it or every sample input agrees)."""
    return all(
        _same(x, y)
        for mine, other in zip(_quantities(a, ours), _quantities(b, theirs), strict=True)
        for x, y in zip(mine, other, strict=True)
    )


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if a == b:
        return True
    try:
        if sympy.expand(a - b) == 0:
            return True
        symbols = sorted((sympy.sympify(a) - sympy.sympify(b)).free_symbols, key=lambda s: str(s))
        if not symbols:
            return False
        for n in _SAMPLES:
            point = {s: n + i for i, s in enumerate(symbols)}
            if sympy.sympify(a).subs(point) != sympy.sympify(b).subs(point):
                return False
    except (TypeError, ValueError):
        return False
    return True


def _shown(analysis: Analysis, name: str) -> str:
    r = analysis[name]

    def axes(values: list[Any]) -> str:
        return size_text(["?" if v is None else v for v in values])

    return (
        f"output {axes([x.size for x in r.axes])}, "
        f"receptive field {axes([x.receptive_field for x in r.axes])}, "
        f"jump {axes([x.jump for x in r.axes])}, "
        f"effective padding {axes([x.effective_padding for x in r.axes])}"
    )
