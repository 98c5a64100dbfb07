"""Located YAML values to a :class:`~rfcalc.model.Network`: spec format version 1.

Every check names the place it failed at.  Nothing the user wrote is ignored: an
unknown key, a parameter that means nothing for its op, or a reference to a layer that
does not exist is an error with a suggestion, never a silent default.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy

from ..model import (
    CONVS,
    INPUT,
    INTERPOLATION_MODES,
    MAX_LAYERS,
    MAX_PARAM,
    MERGES,
    OPS,
    PAD_FILLS,
    PADDING_MODES,
    TARGETS,
    WEIGHING_MODES,
    Expectation,
    Layer,
    Loc,
    Network,
    Op,
    Padding,
    SpecError,
    Suppression,
    visible,
)
from .blocks import expand, read_blocks
from .yamlread import Value, read_yaml

FORMAT_VERSION = 1
#: layers times the inputs they are analysed at (the spec's own and ``input.sizes``)
MAX_LAYER_RUNS = 100_000

_SYMBOL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

TOP_KEYS = (
    "symbols",
    "rfcalc",
    "name",
    "description",
    "input",
    "layers",
    "blocks",
    "target",
    "expect",
    "suppress",
)
INPUT_KEYS = ("size", "channels", "sizes")
COMMON_KEYS = ("name", "op", "inputs", "channels", "expect", "suppress")
#: what a layer's ``expect:`` may pin, and what the network's may
LAYER_EXPECT = ("receptive_field", "output_size", "jump", "effective_padding")
NETWORK_EXPECT = ("valid_inputs", "context")
_WINDOW = ("kernel", "stride", "dilation", "padding")
OP_KEYS: dict[Op, tuple[str, ...]] = {
    Op.CONV: (*_WINDOW, "padding_mode", "groups", "bias"),
    Op.CONV_TRANSPOSE: (*_WINDOW, "output_padding", "groups", "bias"),
    Op.MAX_POOL: (*_WINDOW, "ceil_mode"),
    Op.AVG_POOL: ("kernel", "stride", "padding", "ceil_mode"),
    Op.ADAPTIVE_POOL: ("output_size",),
    Op.GLOBAL_POOL: (),
    Op.UPSAMPLE: ("scale", "mode", "align_corners", "recompute_scale_factor"),
    Op.RESIZE: ("to", "size", "mode", "align_corners"),
    Op.PIXEL_SHUFFLE: ("scale",),
    Op.PIXEL_UNSHUFFLE: ("scale",),
    Op.PAD: ("padding", "mode"),
    Op.CROP: ("crop", "to"),
    Op.ADD: (),
    Op.MUL: (),
    Op.CONCAT: (),
    Op.IDENTITY: (),
}
ALL_LAYER_KEYS = sorted({k for keys in OP_KEYS.values() for k in keys} | set(COMMON_KEYS))
REQUIRED_KEYS: dict[Op, tuple[str, ...]] = {
    Op.CONV: ("kernel",),
    Op.CONV_TRANSPOSE: ("kernel",),
    Op.MAX_POOL: ("kernel",),
    Op.AVG_POOL: ("kernel",),
    Op.ADAPTIVE_POOL: ("output_size",),
    Op.UPSAMPLE: ("scale",),
    Op.PIXEL_SHUFFLE: ("scale",),
    Op.PIXEL_UNSHUFFLE: ("scale",),
    Op.PAD: ("padding",),
}


def load_spec(text: str, path: str = "<spec>", repeats: Mapping[str, int] | None = None) -> Network:
    """Read a spec from its text; raises :class:`SpecError` with a place on any problem.

    ``repeats`` overrides the ``repeat`` count of the named top-level items (solve uses it).
    """
    return parse_network(load_root(text, path), path, repeats or {})


def load_root(text: str, path: str = "<spec>") -> Value:
    """A spec's parsed YAML, every value with its place (what :func:`parse_network` reads,
    as often as repeat counts change, without parsing the text again)."""
    root = read_yaml(text, path, MAX_LAYERS)
    if root is None:
        raise SpecError("the file is empty; a spec starts with 'rfcalc: 1'", Loc(path))
    return root


#: how a YAML file that fails to parse shows it was meant as a spec: an ``rfcalc`` key,
#: block or flow style, quoted or not
SPEC_KEY = re.compile(r"""(^|[{,])\s*["']?rfcalc["']?\s*:""", re.MULTILINE)


def is_spec(text: str) -> bool:
    """Was this YAML text meant as an rfcalc spec?  Decided by parsing (an ``rfcalc`` key
    at the top level, in any YAML style); text that does not parse, by an ``rfcalc:`` key
    written anywhere in it (a spec with a syntax error is reported, not skipped)."""
    return classify(text) in ("spec", "spec-like")


def classify(text: str, path: str = "<spec>") -> str:
    """``spec`` (a top-level ``rfcalc`` key, or unparsable YAML with an ``rfcalc`` key),
    ``spec-like`` (``input`` and ``layers`` but no ``rfcalc`` key: meant as a spec, the
    version line forgotten), ``empty``, or ``other`` (some other YAML, not for rfcalc)."""
    return read_classified(text, path)[0]


def read_classified(text: str, path: str = "<spec>") -> tuple[str, Value | None]:
    """:func:`classify`, with the parsed YAML (None when it does not parse)."""
    try:
        root = read_yaml(text, path, MAX_LAYERS)
    except SpecError:
        return ("spec" if SPEC_KEY.search(text) else "other"), None
    if root is None:
        return "empty", None
    if not isinstance(root.data, dict):
        return "other", root
    if "rfcalc" in root.data:
        return "spec", root
    return ("spec-like" if {"input", "layers"} <= set(root.data) else "other"), root


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _suggest(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'same'?)`` for a near miss: another case (``SAME``), ``-`` for
    ``_`` (``same-lower``), or a close spelling; "" when nothing is close."""
    norm = {c.lower().replace("-", "_"): c for c in choices}
    same = norm.get(word.lower().replace("-", "_"))
    close = [same] if same else difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _mapping(v: Value, what: str) -> dict[str, Value]:
    if not isinstance(v.data, dict):
        raise SpecError(f"{what} must be a mapping, not {v.kind}", v.loc)
    return v.data


def _check_keys(v: Value, allowed: Sequence[str], what: str, known: Sequence[str] = ()) -> None:
    assert v.key_locs is not None
    for key, loc in v.key_locs.items():
        if key in allowed:
            continue
        if key in known:
            raise SpecError(f"{key!r} means nothing for {what}", loc)
        raise SpecError(f"unknown key {key!r} in {what}{_suggest(key, [*allowed, *known])}", loc)


def _int(v: Value, what: str, minimum: int = 1) -> int:
    if isinstance(v.data, str) and v.data.startswith("$"):
        raise SpecError(f"{v.data} is a block parameter; it means nothing outside a block", v.loc)
    if isinstance(v.data, bool) or not isinstance(v.data, int):
        raise SpecError(f"{what} must be an integer, not {v.kind} ({v.data!r})", v.loc)
    if v.data < minimum:
        raise SpecError(
            f"{what} must be at least {minimum}, not {v.data}{_why(what, v.data)}", v.loc
        )
    if v.data > MAX_PARAM:
        raise SpecError(f"{what} {v.data} is larger than rfcalc accepts ({MAX_PARAM})", v.loc)
    return v.data


def _why(what: str, value: int) -> str:
    """A hint for a value some texts write differently."""
    if what == "dilation" and value == 0:
        return (
            " (rfcalc counts dilation as PyTorch and TensorFlow do: 1 is an ordinary"
            " convolution, 2 leaves one pixel between taps; texts that call an ordinary"
            " convolution dilation 0 count the pixels skipped, which is dilation - 1 here)"
        )
    return ""


def _per_axis(
    v: Value,
    ndim: int,
    what: str,
    minimum: int = 1,
    hyper: Mapping[str, Any] | None = None,
    fractions: bool = False,
) -> tuple[Any, ...]:
    """One integer for all axes, or a list with one integer per axis; a name declared
    in ``symbols`` stands for an unknown (kernel, stride, dilation); with ``fractions``,
    a positive fraction (``1.5``, ``"3/2"``) as an exact rational (an upsampling scale)."""

    def one(x: Value) -> Any:
        if hyper and isinstance(x.data, str) and x.data in hyper:
            return hyper[x.data]
        if fractions and not isinstance(x.data, (int, bool)):
            return _fraction(x, what)
        return _int(x, what, minimum)

    if isinstance(v.data, list):
        if len(v.data) != ndim:
            raise SpecError(
                f"{what} lists {len(v.data)} values but the input has {ndim} axes", v.loc
            )
        return tuple(one(x) for x in v.data)
    return (one(v),) * ndim


def _fraction(v: Value, what: str) -> Any:
    """A positive exact fraction: ``1.5`` (the decimal as written, exactly) or ``"3/2"``."""
    text = v.data if isinstance(v.data, str) else repr(v.data)
    try:
        value = Fraction(text) if isinstance(v.data, (str, float)) else None
    except (ValueError, ZeroDivisionError):
        value = None
    if value is None or value <= 0 or value.denominator > MAX_PARAM:
        raise SpecError(f"{what} must be a positive number (2, 1.5 or 3/2), not {v.data!r}", v.loc)
    if value > MAX_PARAM:
        raise SpecError(f"{what} {v.data} is larger than rfcalc accepts ({MAX_PARAM})", v.loc)
    return sympy.Rational(value.numerator, value.denominator)


def _padding(
    v: Value, ndim: int, modes: Sequence[str], what: str = "padding"
) -> tuple[Padding, ...]:
    def one(x: Value) -> Padding:
        if isinstance(x.data, str):
            if x.data not in modes:
                allowed = ", ".join(modes) if modes else "none"
                raise SpecError(
                    f"unknown {what} mode {x.data!r}{_suggest(x.data, modes)}; "
                    f"allowed here: {allowed}",
                    x.loc,
                )
            return Padding(mode=x.data)
        if isinstance(x.data, list):
            if len(x.data) != 2:
                raise SpecError(
                    f"a {what} pair is [before, after], not {len(x.data)} values", x.loc
                )
            return Padding(before=_int(x.data[0], what, 0), after=_int(x.data[1], what, 0))
        amount = _int(x, what, 0)
        return Padding(before=amount, after=amount)

    if isinstance(v.data, list):
        pair = all(isinstance(x.data, int) and not isinstance(x.data, bool) for x in v.data)
        if ndim == 1 and len(v.data) == 2 and pair:
            return (one(v),)  # [before, after] on the only axis
        if len(v.data) != ndim:
            raise SpecError(
                f"{what} lists {len(v.data)} values but the input has {ndim} axes", v.loc
            )
        return tuple(one(x) for x in v.data)
    return (one(v),) * ndim


def parse_network(root: Value, path: str, repeats: Mapping[str, int] | None = None) -> Network:
    top = _mapping(root, "a spec")
    _check_version(root, top)
    _check_keys(root, TOP_KEYS, "the top level")
    name = _string(top.get("name"), "name") or path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if "name" in top:
        _printable(name, "the network's name", top["name"])
    description = _string(top.get("description"), "description") or ""
    if "input" not in top:
        raise SpecError(
            "the spec needs an 'input' with a 'size', e.g. 'input: {size: [H, W]}'", root.loc
        )
    sizes, channels, concrete = _input(top["input"])
    items = _items(root, top, repeats, concrete)
    hyper, bounds = _symbols(top["symbols"], sizes) if "symbols" in top else ({}, {})
    layers = _layers(items, len(sizes), channels, hyper)
    return Network(
        name=name,
        input_size=sizes,
        layers=tuple(layers),
        input_channels=channels,
        description=description,
        path=path,
        loc=root.loc,
        key_locs=dict(root.key_locs or {}),
        sizes=concrete,
        target=_target(top),
        expect=_network_expect(top["expect"], len(sizes)) if "expect" in top else (),
        suppress=_suppress(top["suppress"]) if "suppress" in top else (),
        bounds=bounds,
    )


def _check_version(root: Value, top: dict[str, Value]) -> None:
    if "rfcalc" not in top:
        raise SpecError("not an rfcalc spec: the top level needs 'rfcalc: 1'", root.loc)
    version = top["rfcalc"]
    if version.data != FORMAT_VERSION or isinstance(version.data, bool):
        raise SpecError(
            f"unsupported spec format {version.data!r}; this rfcalc reads format {FORMAT_VERSION}",
            version.loc,
        )


def _items(
    root: Value,
    top: dict[str, Value],
    repeats: Mapping[str, int] | None,
    concrete: tuple[tuple[int, ...], ...],
) -> list[Value]:
    """The layer items, blocks and repeats expanded, within the layer budgets."""
    if "layers" not in top:
        raise SpecError("the spec needs a list of 'layers'", root.loc)
    layers_v = top["layers"]
    if not isinstance(layers_v.data, list) or not layers_v.data:
        raise SpecError(f"'layers' must be a non-empty list, not {layers_v.kind}", layers_v.loc)
    items = layers_v.data
    blocks = read_blocks(top["blocks"]) if "blocks" in top else {}
    reuse = any(
        isinstance(i.data, dict) and ("repeat" in i.data or "block" in i.data) for i in items
    )
    if blocks or reuse or repeats:
        items = expand(items, blocks, repeats or {})
    if len(items) > MAX_LAYERS:
        raise SpecError(f"the spec has {len(items)} layers, more than {MAX_LAYERS}", layers_v.loc)
    if concrete and (len(concrete) + 1) * len(items) > MAX_LAYER_RUNS:
        where = top["input"].data["sizes"].loc
        raise SpecError(
            f"{len(concrete)} input sizes for {len(items)} layers: every size is a run of "
            f"the whole network, and a check does at most {MAX_LAYER_RUNS} layer analyses "
            f"(here {MAX_LAYER_RUNS // len(items) - 1} sizes at most)",
            where,
        )
    return list(items)


def _target(top: dict[str, Value]) -> str | None:
    """``target:``, one of :data:`~rfcalc.model.TARGETS`."""
    if "target" not in top:
        return None
    target = _string(top["target"], "target")
    if target not in TARGETS:
        raise SpecError(
            f"unknown target {target!r}{_suggest(str(target), TARGETS)}; "
            f"targets: {', '.join(TARGETS)}",
            top["target"].loc,
        )
    return target


#: the range a hyperparameter symbol takes when its bounds are not given
DEFAULT_BOUNDS = (1, 64)


def _symbols(v: Value, sizes: tuple[Any, ...]) -> tuple[dict[str, Any], dict[Any, tuple[int, int]]]:
    """``symbols: {K: {min: 1, max: 9}, D: {}}``: unknown kernels, strides, dilations."""
    from ..engine.sizes import size_symbol

    m = _mapping(v, "symbols (name: {min, max})")
    assert v.key_locs is not None
    taken = {str(s) for s in sizes}
    hyper: dict[str, Any] = {}
    bounds: dict[Any, tuple[int, int]] = {}
    for name, spec in m.items():
        loc = v.key_locs[name]
        if not _SYMBOL.match(name):
            raise SpecError(f"{name!r} is not a symbol name (a name such as K)", loc)
        if name in taken:
            raise SpecError(f"{name!r} already names an input size", loc)
        lo, hi = DEFAULT_BOUNDS
        if spec.data is not None:
            body = _mapping(spec, f"symbol {name}")
            _check_keys(spec, ("min", "max"), f"symbol {name}")
            lo = _int(body["min"], f"{name} min") if "min" in body else lo
            hi = _int(body["max"], f"{name} max") if "max" in body else hi
            if hi < lo:
                raise SpecError(f"{name}: max {hi} is below min {lo}", spec.loc)
        sym = size_symbol(name)
        hyper[name] = sym
        bounds[sym] = (lo, hi)
    return hyper, bounds


def _string(v: Value | None, what: str) -> str | None:
    if v is None:
        return None
    if not isinstance(v.data, str):
        raise SpecError(f"{what} must be a string, not {v.kind}", v.loc)
    return v.data


def _printable(text: str, what: str, v: Value) -> None:
    """A name is shown on terminals and in CI logs, one per line: a control character,
    a line separator or a bidirectional override in it would forge or hide output."""
    if visible(text) != text:
        raise SpecError(
            f"{what} cannot contain control or bidirectional characters: {visible(text, 60)}",
            v.loc,
        )


def _input(v: Value) -> tuple[tuple[Any, ...], int | None, tuple[tuple[int, ...], ...]]:
    from ..engine.sizes import size_symbol

    m = _mapping(v, "input")
    _check_keys(v, INPUT_KEYS, "input")
    if "size" not in m:
        raise SpecError("input needs a 'size': a list of 1 to 3 integers or symbols", v.loc)
    size_v = m["size"]
    items = size_v.data if isinstance(size_v.data, list) else [size_v]
    if not 1 <= len(items) <= 3:
        raise SpecError(f"input size has {len(items)} axes; rfcalc handles 1 to 3", size_v.loc)
    sizes: list[Any] = []
    for x in items:
        if isinstance(x.data, str):
            if not _SYMBOL.match(x.data) or x.data in ("input",):
                raise SpecError(f"{x.data!r} is not a size symbol (a name such as H)", x.loc)
            sizes.append(size_symbol(x.data))
        else:
            sizes.append(_int(x, "an input size"))
    channels = _int(m["channels"], "input channels") if "channels" in m else None
    concrete: list[tuple[int, ...]] = []
    if "sizes" in m:
        listed = m["sizes"]
        if not isinstance(listed.data, list) or not listed.data:
            raise SpecError(
                "input sizes is a list of concrete input sizes, e.g. [[224, 224], [512, 512]]",
                listed.loc,
            )
        for entry in listed.data:
            concrete.append(_concrete_size(entry, len(sizes), "an input size"))
    return tuple(sizes), channels, tuple(concrete)


def _concrete_size(v: Value, ndim: int, what: str) -> tuple[int, ...]:
    items = v.data if isinstance(v.data, list) else [v]
    if len(items) != ndim:
        raise SpecError(f"{what} needs {ndim} integers (one per axis), not {len(items)}", v.loc)
    return tuple(_int(x, what) for x in items)


def _suppress(v: Value) -> tuple[Suppression, ...]:
    m = _mapping(v, "suppress (rule id or name: reason)")
    assert v.key_locs is not None
    out = []
    for rule, reason in m.items():
        if not isinstance(reason.data, str) or not reason.data.strip():
            raise SpecError(
                f"suppressing {rule} needs a reason: '{rule}: why this is intended'", reason.loc
            )
        out.append(Suppression(rule, reason.data.strip(), v.key_locs[rule]))
    return tuple(out)


def _bound(v: Value, ndim: int, what: str) -> tuple[Any, ...]:
    """One integer for every axis, a per-axis list (null leaves an axis free)."""
    if isinstance(v.data, list):
        if len(v.data) != ndim:
            raise SpecError(
                f"{what} lists {len(v.data)} values but the input has {ndim} axes", v.loc
            )
        return tuple(None if x.data is None else _int(x, what, 0) for x in v.data)
    return (_int(v, what, 0),) * ndim


def _comparisons(v: Value, ndim: int, what: str) -> list[Expectation]:
    """``N`` or ``[N, M]`` (equal), or ``{min: N, max: M}`` (at least, at most)."""
    if isinstance(v.data, dict):
        _check_keys(v, ("min", "max"), f"expect {what}")
        assert v.key_locs is not None
        if not v.data:
            raise SpecError(f"expect {what} needs 'min' or 'max'", v.loc)
        return [
            Expectation(what, ">=" if key == "min" else "<=", _bound(x, ndim, what), x.loc)
            for key, x in v.data.items()
        ]
    return [Expectation(what, "==", _bound(v, ndim, what), v.loc)]


def _layer_expect(v: Value, ndim: int) -> tuple[Expectation, ...]:
    m = _mapping(v, "expect")
    _check_keys(v, LAYER_EXPECT, "a layer's expect")
    out: list[Expectation] = []
    for key, x in m.items():
        out.extend(_comparisons(x, ndim, key))
    return tuple(out)


def _network_expect(v: Value, ndim: int) -> tuple[Expectation, ...]:
    m = _mapping(v, "expect")
    _check_keys(v, NETWORK_EXPECT, "the network's expect", LAYER_EXPECT)
    out: list[Expectation] = []
    if "valid_inputs" in m:
        listed = m["valid_inputs"]
        if not isinstance(listed.data, list) or not listed.data:
            raise SpecError("valid_inputs is a list of input sizes, e.g. [[512, 512]]", listed.loc)
        for entry in listed.data:
            size = _concrete_size(entry, ndim, "a valid input")
            out.append(Expectation("valid_input", "==", size, entry.loc))
    if "context" in m:  # the smallest receptive field the output must reach
        c = m["context"]
        out.append(Expectation("context", ">=", _bound(c, ndim, "context"), c.loc))
    return tuple(out)


def _layers(
    items: list[Value], ndim: int, in_channels: int | None, hyper: Mapping[str, Any]
) -> list[Layer]:
    names: dict[str, Loc] = {INPUT: Loc()}
    channels: dict[str, int | None] = {INPUT: in_channels}
    explicit = set()
    for item in items:
        if isinstance(item.data, dict) and "name" in item.data:
            n = item.data["name"].data
            if isinstance(n, str):
                explicit.add(n)
    layers: list[Layer] = []
    previous = INPUT
    for index, item in enumerate(items, start=1):
        layer = _layer(item, index, ndim, previous, names, explicit, hyper)
        _check_channels(layer, channels)
        names[layer.name] = layer.loc
        layers.append(layer)
        previous = layer.name
    return layers


def _layer(
    item: Value,
    index: int,
    ndim: int,
    previous: str,
    names: dict[str, Loc],
    explicit: set[str],
    hyper: Mapping[str, Any],
) -> Layer:
    m = _mapping(item, f"layer {index}")
    op = _op(item, m, index)
    name = _layer_name(m, op, index, names, explicit)
    inputs = _inputs(item, m, op, previous, names)
    kw = {**_sizes(m, op, ndim, hyper), **_flags(m, op)}
    if "padding" in m:
        kw["padding"] = _padding(m["padding"], ndim, OP_PADDING_MODES.get(op, PADDING_MODES))
    if "crop" in m:
        if "to" in m:
            raise SpecError(
                "a crop takes amounts ('crop') or a layer to match ('to'), not both", m["crop"].loc
            )
        kw["padding"] = _padding(m["crop"], ndim, (), "crop")
    if op == Op.CROP and "crop" not in m and "to" not in m:
        raise SpecError("a crop layer needs 'crop' amounts or 'to' a layer to match", item.loc)
    if op == Op.RESIZE and ("to" in m) == ("size" in m):
        where = m["size"].loc if "size" in m else item.loc
        raise SpecError("a resize takes 'to' a layer or a fixed 'size', one of them", where)
    if "to" in m:
        kw["target"] = _ref(m["to"], names, "'to'")
    if op == Op.CONV_TRANSPOSE:
        _check_output_padding(m, kw, ndim)
    if "expect" in m:
        kw["expect"] = _layer_expect(m["expect"], ndim)
    if "suppress" in m:
        kw["suppress"] = _suppress(m["suppress"])
    return Layer(
        name=name,
        op=op,
        inputs=inputs,
        loc=item.loc,
        key_locs=dict(item.key_locs or {}),
        **kw,
    )


#: the named padding modes an op accepts (others: every mode)
OP_PADDING_MODES: dict[Op, tuple[str, ...]] = {
    Op.CONV_TRANSPOSE: ("valid", "same"),
    Op.PAD: (),
    Op.MAX_POOL: tuple(x for x in PADDING_MODES if x != "full"),
    Op.AVG_POOL: tuple(x for x in PADDING_MODES if x != "full"),
}


def _op(item: Value, m: dict[str, Value], index: int) -> Op:
    """The layer's op, its keys checked against those the op takes and needs."""
    if "op" not in m:
        raise SpecError(f"layer {index} needs an 'op' (one of {', '.join(OPS)})", item.loc)
    op_v = m["op"]
    if not isinstance(op_v.data, str) or op_v.data not in OPS:
        raise SpecError(
            f"unknown op {op_v.data!r}{_suggest(str(op_v.data), OPS)}; ops: {', '.join(OPS)}",
            op_v.loc,
        )
    op = Op(op_v.data)
    allowed = (*COMMON_KEYS, *OP_KEYS[op])
    _check_keys(item, allowed, f"{_article(op)} {op} layer", ALL_LAYER_KEYS)
    for key in REQUIRED_KEYS.get(op, ()):
        if key not in m:
            raise SpecError(f"a {op} layer needs {key!r}", item.loc)
    return op


def _layer_name(
    m: dict[str, Value], op: Op, index: int, names: dict[str, Loc], explicit: set[str]
) -> str:
    """The ``name:`` given (unique, not ``input``), else ``{op}{index}`` made unique."""
    if "name" not in m:
        name = f"{op}{index}"
        while name in names or name in explicit:
            name += "_"
        return name
    name = _string(m["name"], "a layer name") or ""
    if not name or name == INPUT:
        raise SpecError(f"{name!r} cannot name a layer", m["name"].loc)
    _printable(name, "a layer name", m["name"])
    if name in names:
        raise SpecError(
            f"duplicate layer name {name!r} (first used at line {names[name].line})",
            m["name"].loc,
        )
    return name


def _inputs(
    item: Value, m: dict[str, Value], op: Op, previous: str, names: dict[str, Loc]
) -> tuple[str, ...]:
    """The layers read: ``inputs:`` (two or more for a merge), else the previous one."""
    if "inputs" not in m:
        inputs: tuple[str, ...] = (previous,)
    else:
        inputs_v = m["inputs"]
        refs = inputs_v.data if isinstance(inputs_v.data, list) else [inputs_v]
        inputs = tuple(_ref(r, names, "an input") for r in refs)
        if not inputs:
            raise SpecError("'inputs' names no layer", inputs_v.loc)
    merge = op in MERGES
    if merge and len(inputs) < 2:
        raise SpecError(f"{op} merges two or more layers: list them in 'inputs'", item.loc)
    if not merge and len(inputs) != 1:
        raise SpecError(f"a {op} layer reads one input, not {len(inputs)}", m["inputs"].loc)
    return inputs


def _sizes(m: dict[str, Value], op: Op, ndim: int, hyper: Mapping[str, Any]) -> dict[str, Any]:
    """The per-axis parameters written (a conv's window may name hyperparameters)."""
    kw: dict[str, Any] = {}
    for key in ("kernel", "stride", "dilation"):
        if key in m:
            kw[key] = _per_axis(m[key], ndim, key, hyper=hyper if op == Op.CONV else None)
    if "scale" in m:
        kw["scale"] = _per_axis(m["scale"], ndim, "scale", fractions=op == Op.UPSAMPLE)
    if "output_size" in m:
        kw["output_size"] = _per_axis(m["output_size"], ndim, "output_size")
    if "size" in m:  # resize to a fixed size
        kw["output_size"] = _per_axis(m["size"], ndim, "size")
    if "output_padding" in m:
        kw["output_padding"] = _per_axis(m["output_padding"], ndim, "output_padding", 0)
    return kw


def _flags(m: dict[str, Value], op: Op) -> dict[str, Any]:
    """``bias``, ``ceil_mode``, the interpolation ``mode``, what fills padding (a conv's
    ``padding_mode``, a pad's ``mode``), ``channels`` and ``groups``."""
    kw: dict[str, Any] = {}
    for key in ("bias", "ceil_mode", "align_corners", "recompute_scale_factor"):
        if key in m:
            if not isinstance(m[key].data, bool):
                raise SpecError(f"{key} must be true or false, not {m[key].kind}", m[key].loc)
            kw[key] = m[key].data
    if "padding_mode" in m:
        kw["padding_mode"] = _fill(m["padding_mode"], PAD_FILLS, "padding_mode")
    if op == Op.PAD and "mode" in m:
        fills = ("constant", *PAD_FILLS[1:])
        fill = _fill(m["mode"], fills, "pad mode")
        kw["padding_mode"] = "zeros" if fill == "constant" else fill
    elif "mode" in m:
        mode = m["mode"].data
        if mode not in INTERPOLATION_MODES:
            raise SpecError(
                f"unknown interpolation mode {mode!r}"
                f"{_suggest(str(mode), INTERPOLATION_MODES)};"
                f" modes: {', '.join(INTERPOLATION_MODES)}",
                m["mode"].loc,
            )
        kw["mode"] = mode
    if kw.get("align_corners") and kw.get("mode", "nearest") not in WEIGHING_MODES:
        raise SpecError(
            "align_corners is for the modes that weigh neighbours (linear, bilinear,"
            " trilinear, bicubic), as in PyTorch",
            m["align_corners"].loc,
        )
    for key in ("channels", "groups"):
        if key in m:
            kw[key] = _int(m[key], key)
    return kw


def _fill(v: Value, choices: Sequence[str], what: str) -> str:
    """A padding fill as PyTorch names it (``reflect``), with a suggestion otherwise."""
    if not isinstance(v.data, str) or v.data not in choices:
        raise SpecError(
            f"unknown {what} {v.data!r}{_suggest(str(v.data), choices)};"
            f" {what}s: {', '.join(choices)}",
            v.loc,
        )
    return v.data


def _check_output_padding(m: dict[str, Value], kw: dict[str, Any], ndim: int) -> None:
    if "output_padding" not in kw:
        return
    stride = kw.get("stride", (1,) * ndim)
    dilation = kw.get("dilation", (1,) * ndim)
    for op, s, d in zip(kw["output_padding"], stride, dilation, strict=True):
        if op >= max(s, d):
            raise SpecError(
                f"output_padding {op} must be smaller than the stride or the dilation "
                f"(here at most {max(s, d) - 1})",
                m["output_padding"].loc,
            )


def _ref(v: Value, names: dict[str, Loc], what: str) -> str:
    if not isinstance(v.data, str):
        raise SpecError(f"{what} names a layer, not {v.kind}", v.loc)
    if v.data not in names:
        raise SpecError(
            f"{what} names {v.data!r}, which is not an earlier layer"
            f"{_suggest(v.data, list(names))}",
            v.loc,
        )
    return v.data


def _check_channels(layer: Layer, channels: dict[str, int | None]) -> None:
    """Track channel counts where they are known and check groups against them."""
    below = [channels[i] for i in layer.inputs]
    c_in = below[0]
    out: int | None = c_in
    if layer.op in CONVS:
        out = _conv_channels(layer, c_in)
    elif layer.op in MERGES:
        out = _merged_channels(layer, below)
    elif layer.op in (Op.PIXEL_SHUFFLE, Op.PIXEL_UNSHUFFLE) and c_in is not None:
        out = _shuffled_channels(layer, c_in)
    elif layer.channels is not None and c_in is not None and layer.channels != c_in:
        raise SpecError(
            f"a {layer.op} layer keeps the {c_in} channels it reads, not {layer.channels}",
            layer.at("channels"),
        )
    if layer.channels is not None and layer.op not in CONVS:
        out = layer.channels if out is None else out
    channels[layer.name] = out


def _conv_channels(layer: Layer, c_in: int | None) -> int | None:
    """A convolution's output channels (its own, else its input's); groups divide both."""
    out = layer.channels if layer.channels is not None else c_in
    g = layer.groups
    if c_in is not None and c_in % g:
        raise SpecError(f"groups {g} does not divide the {c_in} input channels", layer.at("groups"))
    if out is not None and out % g:
        raise SpecError(f"groups {g} does not divide the {out} output channels", layer.at("groups"))
    return out


def _merged_channels(layer: Layer, below: list[int | None]) -> int | None:
    """A concat's sum; an add's common count; a mul's widest (a one-channel gate, spatial
    attention, multiplies every channel, as in PyTorch)."""
    known = {c for c in below if c is not None}
    if layer.op == Op.CONCAT:
        return None if any(c is None for c in below) else sum(c for c in below if c is not None)
    if layer.op == Op.ADD:
        if len(known) > 1:
            raise SpecError(
                f"add joins branches with different channels {sorted(known)}", layer.loc
            )
        return below[0]
    if len(known - {1}) > 1:
        raise SpecError(f"mul joins branches with different channels {sorted(known)}", layer.loc)
    return None if None in below else max(known, default=None)


def _shuffled_channels(layer: Layer, c_in: int) -> int:
    """pixel_shuffle divides the channels by the product of its factors (they must
    divide them); pixel_unshuffle multiplies them."""
    r = 1
    for f in layer.scale:
        r *= f
    if layer.op == Op.PIXEL_UNSHUFFLE:
        return c_in * r
    if c_in % r:
        raise SpecError(
            f"pixel_shuffle by {layer.scale} needs channels divisible by {r}", layer.loc
        )
    return c_in // r
