"""A PyTorch module read as a :class:`~rfcalc.model.Network`, through ``torch.export``.

The module is exported with its spatial axes dynamic (``Dim.AUTO``) unless told
otherwise, and the ATen graph is walked in order.  As for ONNX (``onnx_graph.py``), each
value is a map made by a layer (with the positions of its spatial axes: a channels-last
view of a map is still that map), a map of spatial size 1 (a pooled vector), or
something rfcalc does not follow (weights, sizes, what lies past the spatial
structure).  Nodes become layers named by the module path ``torch.export`` records
(``layer3.2.conv2``), are folded (pointwise ops, normalisation, channel reshapes), or
are reported by node name.  A resize to another map's size (``F.interpolate(size=
skip.shape[-2:])``) is recognised by its output size: the export states every size as
a formula in the input's, and a map whose formula is the same is the target.

torch is imported only here, and only when a module is read.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from ..engine.shapes import split_same
from ..engine.sizes import size_symbol
from ..model import (
    AXIS_NAMES,
    INPUT,
    Loc,
    Network,
    Op,
    Padding,
    SpecError,
    visible,
)
from ..wording import Because
from .builder import Imported, Map, NetworkBuilder, Site
from .values import scale_fraction


@dataclass
class _State(NetworkBuilder):
    #: output shapes of every node that made a map (torch's own size formulas)
    shapes: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def emit(self, site: Site, suffix: str = "", **kw: Any) -> str:
        """A layer, with its node's output shape kept under its name."""
        name = super().emit(site, suffix, **kw)
        self.shapes[name] = _spatial(site.node, _first(self.ndim))
        return name


#: ATen ops that are spatially the identity (the overload name aside)
POINTWISE = frozenset(
    [
        "relu",
        "relu_",
        "relu6",
        "hardtanh",
        "hardtanh_",
        "leaky_relu",
        "leaky_relu_",
        "elu",
        "elu_",
        "selu",
        "celu",
        "gelu",
        "gelu_",
        "silu",
        "silu_",
        "mish",
        "mish_",
        "sigmoid",
        "sigmoid_",
        "hardsigmoid",
        "hardsigmoid_",
        "hardswish",
        "hardswish_",
        "tanh",
        "tanh_",
        "softplus",
        "softsign",
        "prelu",
        "_prelu_kernel",
        "logsigmoid",
        "threshold",
        "batch_norm",
        "_native_batch_norm_legit_no_training",
        "_native_batch_norm_legit",
        "native_batch_norm",
        "dropout",
        "dropout_",
        "native_dropout",
        "feature_dropout",
        "alpha_dropout",
        "clone",
        "contiguous",
        "_to_copy",
        "to",
        "type_as",
        "detach",
        "alias",
        "lift_fresh_copy",
        "clamp",
        "clamp_",
        "clamp_min",
        "clamp_max",
        "abs",
        "neg",
        "exp",
        "log",
        "sqrt",
        "rsqrt",
        "reciprocal",
        "square",
        "pow",
        "erf",
        "sign",
        "floor",
        "ceil",
        "round",
        "_softmax",
        "softmax",
        "_log_softmax",
        "log_softmax",
        "local_response_norm",
        "channel_shuffle",
        "native_channel_shuffle",
    ]
)
#: normalisations whose statistics read the whole map
WHOLE_MAP = frozenset({"instance_norm", "group_norm", "native_group_norm"})
#: elementwise merges
ADDS = frozenset({"add", "add_", "sub", "sub_", "maximum", "minimum", "where"})
MULS = frozenset({"mul", "mul_", "div", "div_"})
#: reshapes that may keep the spatial axes (the channels split, merged or moved)
RESHAPES = frozenset(
    {"view", "reshape", "_unsafe_view", "transpose", "permute", "flatten", "unflatten"}
    | {"squeeze", "unsqueeze", "expand", "expand_as", "t"}
)
#: reductions and heads where the spatial structure ends
ENDS = frozenset({"linear", "matmul", "mm", "bmm", "addmm", "einsum", "sum", "amax", "max"})


def read_torch(
    module: Any,
    example_input: Any,
    dynamic: bool = True,
    strict: bool = False,
    path: str = "<torch>",
) -> Imported:
    """The network of ``module`` called on ``example_input`` (a tensor of shape ``(N, C,
    *spatial)``).  ``dynamic``: the spatial axes are symbols (H, W, D) where the model
    allows; otherwise the example's sizes."""
    imported = read_program(
        export(module, example_input, dynamic, path), example_input, path, strict
    )
    if path == "<torch>":  # named after the module's class
        network = replace(imported.network, name=type(module).__name__)
        imported = replace(imported, network=network)
    return imported


def export(module: Any, example_input: Any, dynamic: bool = True, path: str = "<torch>") -> Any:
    """``torch.export`` of ``module`` in eval mode, its spatial axes dynamic (``Dim.AUTO``:
    torch keeps a symbol where the model allows one)."""
    try:
        import torch
        from torch.export import Dim
    except ImportError:
        raise SpecError("reading PyTorch models needs torch", Loc(path)) from None
    if not isinstance(example_input, torch.Tensor) or not 3 <= example_input.dim() <= 5:
        raise SpecError(
            "the example input must be one tensor of shape (N, C, 1 to 3 spatial axes)", Loc(path)
        )
    ndim = example_input.dim() - 2
    shapes = ({i + 2: Dim.AUTO for i in range(ndim)},) if dynamic else None
    try:
        return torch.export.export(
            module.eval(), (example_input,), dynamic_shapes=shapes, strict=False
        )
    except SystemExit as exc:
        raise SpecError(
            f"torch.export could not trace the module: it called sys.exit({exc.code!r})",
            Loc(path),
        ) from None
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SpecError(f"torch.export could not trace the module: {first}", Loc(path)) from None


def read_program(
    program: Any, example: Any, path: str = "<torch>", strict: bool = False
) -> Imported:
    """The network of an exported program (:func:`export`) called on ``example``."""
    return _walk(program, example, path, strict)


def _walk(program: Any, example: Any, path: str, strict: bool) -> Imported:
    ndim = example.dim() - 2
    state = _State(path, ndim, strict=strict)
    user = [s.arg.name for s in program.graph_signature.input_specs if s.kind.name == "USER_INPUT"]
    names: dict[Any, Any] = {}
    sizes: list[Any] = []
    for node in program.graph.nodes:
        if node.op == "placeholder" and node.name == user[0]:
            for i, d in enumerate(node.meta["val"].shape[2:]):
                expr = _expr(d)
                if isinstance(expr, int):
                    sizes.append(expr)
                else:
                    names[expr] = size_symbol(AXIS_NAMES[i])
                    sizes.append(names[expr])
            channels = _int(node.meta["val"].shape[1])
            state.tensors[node] = Map(INPUT, channels=channels, axes=_first(ndim), rank=ndim + 2)
            state.shapes[INPUT] = tuple(_expr(d) for d in node.meta["val"].shape[2:])
    for index, node in enumerate(program.graph.nodes):
        if node.op == "call_function":
            _node(state, node, index)
    network = Network(
        name=path.strip("<>").rsplit(":", 1)[-1],
        input_size=tuple(sympy.sympify(s) for s in sizes),
        layers=tuple(state.layers),
        input_channels=_int(example.shape[1]),
        path=path,
        loc=Loc(path),
        target="pytorch",
    )
    return state.imported(network, "the module")


#: dtypes of indices (max-pool's second result), not of maps
_INDEX_TYPES = ("torch.int64", "torch.int32")


def _makes_tensors(node: Any) -> bool:
    """The node's value is a tensor (or tensors), not a size."""
    val = node.meta.get("val")
    if isinstance(val, (list, tuple)):
        return any(hasattr(v, "shape") for v in val)
    return hasattr(val, "shape")


def _first(ndim: int) -> tuple[int, ...]:
    return tuple(range(2, 2 + ndim))


def _expr(d: Any) -> Any:
    """A size as torch states it: an int, or its sympy formula in torch's symbols."""
    if isinstance(d, int):
        return d
    node = getattr(d, "node", None)
    expr = getattr(node, "expr", None)
    if expr is not None and getattr(expr, "is_Integer", False):
        return int(expr)
    return expr if expr is not None else d


def _int(d: Any) -> int | None:
    e = _expr(d)
    return e if isinstance(e, int) else None


def _aten(node: Any) -> str:
    """``aten.conv2d.padding`` -> ``conv2d``; ``operator.getitem`` -> ``getitem``."""
    target = node.target
    if target is operator.getitem:
        return "getitem"
    name = getattr(target, "__name__", str(target))
    packet = getattr(target, "_overloadpacket", None)
    if packet is not None:
        name = packet.__name__
    return name.split(".")[0]


def _module(node: Any) -> tuple[str, str]:
    """The module path and class name of the module the node was traced in."""
    stack = node.meta.get("nn_module_stack") or {}
    if not stack:
        return "", ""
    path, cls = list(stack.values())[-1]
    cls_name = cls if isinstance(cls, str) else getattr(cls, "__name__", str(cls))
    return str(path), cls_name.rsplit(".", 1)[-1]


#: the ATen ops that are a leaf module's own work (its layer takes the module's name)
_OWN = {
    "Conv": ("conv", "convolution"),
    "Pool": ("pool",),
    "Upsample": ("upsample",),
    "PixelShuffle": ("pixel_shuffle",),
    "PixelUnshuffle": ("pixel_unshuffle",),
    "Pad": ("pad",),
}


def _name(node: Any) -> str:
    """The module path of ``node`` (``layer1.0.conv1``), every control character shown."""
    return visible(_module_path(node))


def _module_path(node: Any) -> str:
    path, cls = _module(node)
    op = _aten(node)
    if path:
        for key, ops in _OWN.items():
            if key in cls and any(o in op for o in ops):
                return path
        return f"{path}.{op}"
    return str(node.name)


def _site(state: _State, node: Any, index: int) -> Site:
    """The node's place: its name in the exported graph, its position."""
    return Site(_name(node), _aten(node), Loc(state.path, index + 1, 1, visible(node.name)), node)


def _emit(state: _State, node: Any, index: int, suffix: str = "", **kw: Any) -> str:
    return state.emit(_site(state, node, index), suffix, **kw)


def _spatial(node: Any, axes: tuple[int, ...]) -> tuple[Any, ...]:
    val = node.meta.get("val")
    shape = getattr(val, "shape", None)
    if shape is None or len(shape) <= max(axes, default=0):
        return ()
    return tuple(_expr(shape[a]) for a in axes)


def _report(state: _State, node: Any, index: int, why: str, x: Map | None) -> None:
    state.report(_site(state, node, index), why, [node], x)


def _fold(state: _State, node: Any, index: int, x: Map, why: str) -> None:
    state.fold(_site(state, node, index), [node], x, why)


def _ints(value: Any, ndim: int, default: int) -> tuple[int, ...]:
    if value is None or (isinstance(value, (list, tuple)) and not value):
        return (default,) * ndim
    if isinstance(value, int):
        return (value,) * ndim
    values = tuple(int(v) for v in value)
    return values * ndim if len(values) == 1 else values


def _arg(node: Any, i: int, key: str, default: Any = None) -> Any:
    if len(node.args) > i:
        return node.args[i]
    return node.kwargs.get(key, default)


def _node(state: _State, node: Any, index: int) -> None:
    op = _aten(node)
    tensors = [a for a in node.all_input_nodes if a in state.tensors]
    if not tensors or not _makes_tensors(node):
        return  # sizes, weights, what lies past the spatial structure
    x = state.tensors[tensors[0]]
    standard = x.axes == _first(state.ndim) and x.rank == state.ndim + 2
    if op == "getitem":  # a part of a split, or a layer's first result (not its indices)
        val = node.meta.get("val")
        shape = getattr(val, "shape", ())
        if len(shape) == x.rank and str(getattr(val, "dtype", "")) not in _INDEX_TYPES:
            state.tensors[node] = x
        return
    if op in POINTWISE:
        _fold(state, node, index, x, Because.IDENTITY)
        return
    # a LayerNorm over trailing axes that hold a spatial one reads the map like GroupNorm
    normalised = len(_arg(node, 1, "normalized_shape") or []) if op == "layer_norm" else 0
    if op in WHOLE_MAP or normalised > x.rank - 1 - max(x.axes):
        _fold(state, node, index, x, Because.WHOLE_MAP_STATISTICS)
        return
    if op == "layer_norm":
        _fold(state, node, index, x, Because.CHANNEL_NORMALISATION)
        return
    if op in RESHAPES:
        _reshape(state, node, index, x)
        return
    if op in ADDS or op in MULS:
        _merge(state, node, index, tensors, Op.MUL if op in MULS else Op.ADD)
        return
    if op == "cat":
        dim = int(_arg(node, 1, "dim", 0)) % max(x.rank, 1)
        if dim in x.axes:
            state.stop(_site(state, node, index), Because.SPATIAL_CONCAT)
        else:
            _merge(state, node, index, tensors, Op.CONCAT)
        return
    if op in ("split", "split_with_sizes", "chunk", "unbind", "narrow", "select", "slice"):
        _pick(state, node, index, x)
        return
    if op == "linear" and x.rank - 1 not in x.axes:
        _fold(state, node, index, x, Because.CHANNEL_LINEAR)
        return
    if not standard:
        _report(state, node, index, "a layer on a map whose axes are not (N, C, spatial)", None)
        return
    _layer(state, node, index, op, x)


def _layer(state: _State, node: Any, index: int, op: str, x: Map) -> None:
    ndim = state.ndim
    if op in ("conv1d", "conv2d", "conv3d", "convolution", "_convolution"):
        _conv(state, node, index, x, op)
    elif op in ("conv_transpose1d", "conv_transpose2d", "conv_transpose3d"):
        _conv_transpose(state, node, index, x)
    elif "max_pool" in op or ("avg_pool" in op and "adaptive" not in op):
        _pool(state, node, index, x, op)
    elif op.startswith(("adaptive_", "_adaptive_")):
        size = _ints(_arg(node, 1, "output_size"), ndim, 1)
        if set(size) == {1}:
            name = _emit(state, node, index, op=Op.GLOBAL_POOL, inputs=(x.layer,))
            state.tensors[node] = Map(name, True, x.channels, x.axes, x.rank)
        else:
            name = _emit(
                state, node, index, op=Op.ADAPTIVE_POOL, inputs=(x.layer,), output_size=size
            )
            state.tensors[node] = Map(name, False, x.channels, x.axes, x.rank)
    elif op in ("mean", "amax", "sum", "max", "amin", "min", "var", "std"):
        _reduce(state, node, index, x)
    elif "upsample" in op:
        _upsample(state, node, index, x, op)
    elif op in ("pad", "constant_pad_nd", "reflection_pad1d", "reflection_pad2d") or op in (
        "reflection_pad3d",
        "replication_pad1d",
        "replication_pad2d",
        "replication_pad3d",
        "_pad_circular",
    ):
        _pad(state, node, index, x, op)
    elif op in ("pixel_shuffle", "pixel_unshuffle"):
        factor = int(_arg(node, 1, "upscale_factor"))
        kind = Op.PIXEL_SHUFFLE if op == "pixel_shuffle" else Op.PIXEL_UNSHUFFLE
        name = _emit(state, node, index, op=kind, inputs=(x.layer,), scale=(factor,) * ndim)
        state.tensors[node] = Map(name, False, None, x.axes, x.rank)
    elif op in ENDS:
        state.stop(_site(state, node, index), Because.STRUCTURE_ENDS)
    else:
        _report(state, node, index, Because.CANNOT_EXPRESS.text(op=op), x)


def _weight(node: Any) -> tuple[int, ...]:
    w = node.args[1]
    val = getattr(w, "meta", {}).get("val")
    return tuple(int(d) for d in val.shape) if val is not None else ()


def _conv(state: _State, node: Any, index: int, x: Map, op: str) -> None:
    ndim = state.ndim
    wshape = _weight(node)
    kernel = wshape[2:]
    stride = _ints(_arg(node, 3, "stride"), ndim, 1)
    padding_arg = _arg(node, 4, "padding", 0)
    dilation = _ints(_arg(node, 5, "dilation"), ndim, 1)
    if op in ("convolution", "_convolution"):
        if bool(_arg(node, 6, "transposed", False)):
            _report(state, node, index, "a transposed aten.convolution", x)
            return
        groups = int(_arg(node, 8, "groups", 1))
    else:
        groups = int(_arg(node, 6, "groups", 1))
    if isinstance(padding_arg, str):  # "same" (stride 1: extra pixel after) or "valid"
        pads = []
        for k, d in zip(kernel, dilation, strict=True):
            before, after = split_same(d * (k - 1) if padding_arg == "same" else 0, "same")
            pads.append(Padding(before=before, after=after))
        padding = tuple(pads)
    else:
        padding = tuple(Padding(before=p, after=p) for p in _ints(padding_arg, ndim, 0))
    bias = _arg(node, 2, "bias") is not None
    channels = wshape[0] if wshape else None
    name = _emit(
        state,
        node,
        index,
        op=Op.CONV,
        inputs=(x.layer,),
        kernel=kernel,
        stride=stride,
        dilation=dilation,
        padding=padding,
        groups=groups,
        bias=bias,
        channels=channels,
    )
    state.tensors[node] = Map(name, x.unit and set(kernel) == {1}, channels, x.axes, x.rank)


def _conv_transpose(state: _State, node: Any, index: int, x: Map) -> None:
    ndim = state.ndim
    wshape = _weight(node)
    groups = int(_arg(node, 6, "groups", 1))
    channels = wshape[1] * groups if len(wshape) > 1 else None
    padding = _ints(_arg(node, 4, "padding"), ndim, 0)
    name = _emit(
        state,
        node,
        index,
        op=Op.CONV_TRANSPOSE,
        inputs=(x.layer,),
        kernel=wshape[2:],
        stride=_ints(_arg(node, 3, "stride"), ndim, 1),
        padding=tuple(Padding(before=p, after=p) for p in padding),
        output_padding=_ints(_arg(node, 5, "output_padding"), ndim, 0),
        dilation=_ints(_arg(node, 7, "dilation"), ndim, 1),
        groups=groups,
        bias=_arg(node, 2, "bias") is not None,
        channels=channels,
    )
    state.tensors[node] = Map(name, False, channels, x.axes, x.rank)


def _pool(state: _State, node: Any, index: int, x: Map, op: str) -> None:
    ndim = state.ndim
    kernel = _ints(_arg(node, 1, "kernel_size"), ndim, 1)
    stride = _ints(_arg(node, 2, "stride"), ndim, 0)
    if 0 in stride:
        stride = kernel  # PyTorch: stride defaults to the kernel
    padding = _ints(_arg(node, 3, "padding"), ndim, 0)
    if "max" in op:
        dilation = _ints(_arg(node, 4, "dilation"), ndim, 1)
        ceil = bool(_arg(node, 5, "ceil_mode", False))
        kind = Op.MAX_POOL
    else:
        dilation = ()
        ceil = bool(_arg(node, 4, "ceil_mode", False))
        kind = Op.AVG_POOL
    name = _emit(
        state,
        node,
        index,
        op=kind,
        inputs=(x.layer,),
        kernel=kernel,
        stride=stride,
        dilation=dilation,
        padding=tuple(Padding(before=p, after=p) for p in padding),
        ceil_mode=ceil,
    )
    state.tensors[node] = Map(name, False, x.channels, x.axes, x.rank)


def _reduce(state: _State, node: Any, index: int, x: Map) -> None:
    dims = _arg(node, 1, "dim")
    if dims is None:
        state.stop(_site(state, node, index), "a reduction over every axis")
        return
    dims = [dims] if isinstance(dims, int) else list(dims)
    got = {int(d) % x.rank for d in dims}
    keep = bool(_arg(node, 2, "keepdim", False))
    if got == set(x.axes) and keep:
        name = _emit(state, node, index, op=Op.GLOBAL_POOL, inputs=(x.layer,))
        state.tensors[node] = Map(name, True, x.channels, x.axes, x.rank)
    elif not got & set(x.axes) and keep:
        _fold(state, node, index, x, Because.CHANNEL_REDUCTION)
    elif not got & set(x.axes):
        rank = x.rank - len(got)
        axes = tuple(a - sum(1 for d in got if d < a) for a in x.axes)
        _fold(
            state,
            node,
            index,
            Map(x.layer, x.unit, None, axes, rank),
            Because.CHANNEL_REDUCTION,
        )
    else:
        state.stop(_site(state, node, index), Because.SPATIAL_REDUCTION)


_MODES = {
    "upsample_nearest": "nearest",
    "_upsample_nearest_exact": "nearest-exact",
    "upsample_linear": "linear",
    "upsample_bilinear": "bilinear",
    "upsample_trilinear": "trilinear",
    "upsample_bicubic": "bicubic",
}


def _upsample(state: _State, node: Any, index: int, x: Map, op: str) -> None:
    if op.endswith("_aa"):  # F.interpolate(antialias=True): a wider, size-dependent filter
        _report(state, node, index, "antialiased interpolation", x)
        return
    mode = next((m for key, m in _MODES.items() if op.startswith(key)), None)
    if mode is None:
        _report(state, node, index, f"interpolation {op}", x)
        return
    nearest = mode.startswith("nearest")
    size = _arg(node, 1, "output_size")
    align = False if nearest else bool(_arg(node, 2, "align_corners", False))
    scales = _arg(node, 2 if nearest else 3, "scale_factors")
    kw: dict[str, Any] = {"mode": mode, "align_corners": align, "inputs": (x.layer,)}
    if size is None and scales:
        fractions = [scale_fraction(float(s)) for s in scales]
        if any(f is None for f in fractions):
            _report(state, node, index, Because.UNREAD_SCALES, x)
            return
        values = tuple(sympy.Rational(f.numerator, f.denominator) for f in fractions if f)
        name = _emit(state, node, index, op=Op.UPSAMPLE, scale=values, **kw)
    else:
        want = _spatial(node, x.axes)
        target = _target(state, want, x)
        if target is not None:
            name = _emit(state, node, index, op=Op.RESIZE, target=target, **kw)
        elif all(isinstance(v, int) for v in want):
            name = _emit(state, node, index, op=Op.RESIZE, output_size=want, **kw)
        else:
            _report(state, node, index, "a size that is no other map's", x)
            return
    state.tensors[node] = Map(name, False, x.channels, x.axes, x.rank)


def _target(state: _State, want: tuple[Any, ...], x: Map) -> str | None:
    """The latest map (other than the one resized) whose size formula is ``want``; None
    when the size is concrete (any map of that size would do: the size is written)."""
    if all(isinstance(v, int) for v in want):
        return None
    for name in reversed([INPUT, *(layer.name for layer in state.layers)]):
        if name != x.layer and state.shapes.get(name) == want:
            return name
    return None


_PAD_FILLS = {
    "constant": "zeros",
    "reflect": "reflect",
    "replicate": "replicate",
    "circular": "circular",
}


def _pad(state: _State, node: Any, index: int, x: Map, op: str) -> None:
    ndim = state.ndim
    amounts = [int(v) for v in _arg(node, 1, "pad")]
    if op == "pad":
        mode = str(_arg(node, 2, "mode", "constant"))
    elif op.startswith("reflection"):
        mode = "reflect"
    elif op.startswith("replication"):
        mode = "replicate"
    elif op == "_pad_circular":
        mode = "circular"
    else:
        mode = "constant"
    if mode not in _PAD_FILLS or len(amounts) > 2 * ndim or len(amounts) % 2:
        _report(state, node, index, Because.PAD_MODE.text(mode=mode), x)
        return
    # F.pad lists the last axis first: (left, right, top, bottom, ...)
    pairs = [(0, 0)] * ndim
    for i in range(len(amounts) // 2):
        pairs[ndim - 1 - i] = (amounts[2 * i], amounts[2 * i + 1])
    if all(v >= 0 for pair in pairs for v in pair):
        name = _emit(
            state,
            node,
            index,
            op=Op.PAD,
            inputs=(x.layer,),
            padding=tuple(Padding(before=b, after=a) for b, a in pairs),
            padding_mode=_PAD_FILLS[mode],
        )
    elif all(v <= 0 for pair in pairs for v in pair):
        name = _emit(
            state,
            node,
            index,
            op=Op.CROP,
            inputs=(x.layer,),
            padding=tuple(Padding(before=-b, after=-a) for b, a in pairs),
        )
    else:
        _report(state, node, index, Because.CROP_AND_PAD, x)
        return
    state.tensors[node] = Map(name, False, x.channels, x.axes, x.rank)


def _pick(state: _State, node: Any, index: int, x: Map) -> None:
    """Slices, splits, chunks: of the channels (folded), or a spatial ``[a:-b]`` (crop)."""
    op = _aten(node)
    # (input, dim, ...) for unbind, narrow, select, slice; (input, sizes, dim) for splits
    at = 2 if op in ("split", "split_with_sizes", "chunk") else 1
    dim = int(_arg(node, at, "dim", 0)) % x.rank
    if op in ("split", "split_with_sizes", "chunk", "unbind"):
        if op != "unbind" and dim not in x.axes:
            _fold(
                state,
                node,
                index,
                Map(x.layer, x.unit, None, x.axes, x.rank),
                Because.CHANNEL_SPLIT,
            )
        else:
            state.stop(_site(state, node, index), "a split along a spatial axis")
        return
    if dim not in x.axes:
        if op == "select":
            axes = tuple(a - (a > dim) for a in x.axes)
            _fold(
                state,
                node,
                index,
                Map(x.layer, x.unit, None, axes, x.rank - 1),
                "a pick of one channel",
            )
        else:
            _fold(
                state,
                node,
                index,
                Map(x.layer, x.unit, None, x.axes, x.rank),
                Because.CHANNEL_SLICE,
            )
        return
    if op != "slice":
        state.stop(_site(state, node, index), f"{op} along a spatial axis")
        return
    start = _arg(node, 2, "start", 0)
    end = _arg(node, 3, "end", None)
    step = _arg(node, 4, "step", 1)
    start = 0 if start is None else start
    if not isinstance(start, int) or step != 1 or start < 0:
        _report(state, node, index, Because.SPATIAL_SLICE, x)
        return
    if end is None or (isinstance(end, int) and end >= 1 << 62):
        after = 0
    elif isinstance(end, int) and end < 0:
        after = -end
    else:
        _report(state, node, index, "a spatial slice to a computed end", x)
        return
    if start == 0 and after == 0:
        _fold(state, node, index, x, "a slice that keeps everything")
        return
    crop = [Padding() for _ in range(state.ndim)]
    crop[x.axes.index(dim)] = Padding(before=start, after=after)
    if x.axes != _first(state.ndim) or x.rank != state.ndim + 2:
        _report(state, node, index, "a spatial slice of a map whose axes are moved", x)
        return
    name = _emit(state, node, index, op=Op.CROP, inputs=(x.layer,), padding=tuple(crop))
    state.tensors[node] = Map(name, False, x.channels, x.axes, x.rank)


def _reshape(state: _State, node: Any, index: int, x: Map) -> None:
    """A view, reshape or permutation: the same map when every spatial axis survives
    whole, in order (channels split or merged, moved last), else the end."""
    val = node.meta.get("val")
    shape = tuple(_expr(d) for d in getattr(val, "shape", ()))
    sizes = state.shapes.get(x.layer) or ()
    op = _aten(node)
    if op in ("permute", "transpose", "t"):
        rank = x.rank
        order = list(range(rank))
        if op == "permute":
            order = [int(d) % rank for d in _arg(node, 1, "dims")]
        elif op == "transpose":
            a, b = int(_arg(node, 1, "dim0")) % rank, int(_arg(node, 2, "dim1")) % rank
            order[a], order[b] = order[b], order[a]
        axes = tuple(order.index(a) for a in x.axes)
        if list(axes) != sorted(axes) or 0 in axes:
            state.stop(_site(state, node, index), Because.AXES_REORDERED)
            return
        _fold(
            state,
            node,
            index,
            Map(x.layer, x.unit, x.channels, axes, rank),
            Because.CHANNEL_MOVE,
        )
        return
    rank = len(shape)
    for axes in (tuple(range(rank - state.ndim, rank)), tuple(range(1, 1 + state.ndim))):
        if (
            rank >= state.ndim + 2
            and axes[0] > 0
            and len(sizes) == state.ndim
            and tuple(shape[a] for a in axes) == sizes
            and shape[0] == (_expr(getattr(node.args[0].meta.get("val"), "shape", [None])[0]))
        ) and (not x.unit or all(v == 1 for v in sizes)):
            _fold(
                state,
                node,
                index,
                Map(x.layer, x.unit, None, axes, rank),
                Because.CHANNEL_RESHAPE,
            )
            return
    state.stop(_site(state, node, index), Because.AXES_RESHAPED)


def _merge(state: _State, node: Any, index: int, inputs: list[Any], op: Op) -> None:
    maps = [state.tensors[t] for t in inputs]
    first = maps[0]

    def made(name: str, pooled: bool, channels: int | None) -> Map:
        return Map(name, pooled, channels, first.axes, first.rank)

    def refuse() -> str | None:
        if any(m.axes != first.axes or m.rank != first.rank for m in maps):
            return Because.BRANCH_LAYOUTS
        return None

    state.merge(_site(state, node, index), node, maps, op, made, refuse)


def load_factory(text: str) -> Any:
    """``package.module:factory`` (or ``:attribute.path``) to a module: a class or a
    function is called without arguments; the current directory is importable."""
    import importlib
    import sys

    where = Loc(text)
    name, sep, attr = text.partition(":")
    if not sep or not name or not attr:
        raise SpecError("write the model as package.module:factory", where)
    if "" not in sys.path and "." not in sys.path:
        sys.path.insert(0, "")
    try:
        obj: Any = importlib.import_module(name)
    except SystemExit as exc:
        raise SpecError(f"cannot import {name}: it called sys.exit({exc.code!r})", where) from None
    except Exception as exc:
        raise SpecError(f"cannot import {name}: {exc}", where) from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise SpecError(f"{name} has no attribute {attr!r}", where)
        obj = getattr(obj, part)
    import torch

    if not isinstance(obj, torch.nn.Module):
        if not callable(obj):
            raise SpecError(f"{attr} is neither a module nor a factory of one", where)
        try:
            obj = obj()
        except SystemExit as exc:
            raise SpecError(f"{attr}() called sys.exit({exc.code!r})", where) from None
        except Exception as exc:
            raise SpecError(f"{attr}() failed: {exc}", where) from None
    if not isinstance(obj, torch.nn.Module):
        raise SpecError(f"{attr}() gave a {type(obj).__name__}, not a torch.nn.Module", where)
    return obj


#: the most values an example input may hold (256 MiB of floats): the spatial sizes are
#: symbols in the import, so a small example answers for every size
MAX_EXAMPLE = 1 << 26


def example(shape: Sequence[int], path: str = "<torch>") -> Any:
    """A tensor of ones of ``shape`` (``rfcalc import --torch --input 1x3x224x224``)."""
    import math

    import torch

    shown = "x".join(str(n) for n in shape)
    if math.prod(shape) > MAX_EXAMPLE:
        raise SpecError(
            f"the example input {shown} holds {math.prod(shape):,} values, more than "
            f"{MAX_EXAMPLE:,}: give a smaller one (the import states sizes as symbols "
            "unless --fixed)",
            Loc(path),
        )
    try:
        return torch.ones(*shape)
    except (RuntimeError, MemoryError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SpecError(f"cannot make an example input {shown}: {first}", Loc(path)) from None
