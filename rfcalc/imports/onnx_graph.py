"""An ONNX graph read as a :class:`~rfcalc.model.Network` (``pip install 'rfcalc[onnx]'``).

The graph is walked in its (topological) order.  Every tensor is one of: a spatial map
made by a layer, a map whose spatial size is 1 (a global pool, and what follows it
pointwise: a squeeze-and-excitation vector), a constant, the shape of a map (the
``Shape -> Gather -> Concat`` chains exporters write for "interpolate to the skip's
size"), or past the end of the spatial structure.  Nodes become layers (conv, pools,
resize, pad, crop, pixel (un)shuffle, merges), are folded (spatially the identity:
activations, normalisation, casts, per-channel arithmetic with constants), or are
reported by name: where the spatial structure ends (Flatten, Gemm, ...), and any op
rfcalc cannot express.  Weights are never converted: only their shapes are read.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

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


def is_onnx_path(path: str) -> bool:
    return path.lower().endswith(".onnx")


#: spatially the identity: each output unit reads the input unit at its place
FOLDED = frozenset(
    {
        "Relu",
        "LeakyRelu",
        "PRelu",
        "Elu",
        "Selu",
        "Celu",
        "Gelu",
        "Sigmoid",
        "HardSigmoid",
        "HardSwish",
        "Tanh",
        "Softplus",
        "Softsign",
        "Mish",
        "Swish",
        "Clip",
        "BatchNormalization",
        "Cast",
        "CastLike",
        "Dropout",
        "Identity",
        "Erf",
        "Sqrt",
        "Neg",
        "Abs",
        "Exp",
        "Log",
        "Reciprocal",
        "Floor",
        "Ceil",
        "Round",
        "Sign",
        "Not",
        "Relu6",
        "ThresholdedRelu",
        "Shrink",
        "QuantizeLinear",
        "DequantizeLinear",
        "LRN",
        "InstanceNormalization",
        "LpNormalization",
        "MeanVarianceNormalization",
        "GroupNormalization",
    }
)
#: normalisations whose statistics read the whole map (folded, said so)
WHOLE_MAP_STATS = frozenset(
    {"InstanceNormalization", "GroupNormalization", "MeanVarianceNormalization"}
)
#: where the spatial structure ends
ENDS = frozenset({"Flatten", "Gemm", "MatMul", "Reshape", "Transpose", "Squeeze"})
#: elementwise merges (broadcasting): products are ``mul``, the rest ``add`` (for the
#: field they are the same: each output unit reads the same unit of every branch)
BINARY = frozenset({"Add", "Sub", "Mul", "Div", "Sum", "Max", "Min", "Mean", "Pow"})
PRODUCTS = frozenset({"Mul", "Div"})


@dataclass
class _Shape:
    """A shape vector: per entry, ``(layer, axis)`` of a map's dimension, or an int."""

    entries: list[Any]


@dataclass
class _Const:
    values: list[Any] | None  # None: not read (weights)
    dims: tuple[int, ...] = ()
    #: the small array itself (numpy), for folding constant subgraphs
    array: Any = None


class _At(NamedTuple):
    """One node being read: where it is, its first map input, all inputs, attributes."""

    state: _State
    node: Any
    position: int
    x: Map
    ins: list[Any]
    a: dict[str, Any]
    out: str
    strict: bool


@dataclass
class _State(NetworkBuilder):
    input_size: tuple[Any, ...] = ()
    #: the output sizes of the layers read so far (symbolic), as of ``cache_at`` layers
    cache: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    cache_at: int = -1


def read_onnx(path: str, input_size: Sequence[Any] | None = None, strict: bool = False) -> Imported:
    """The network of the ONNX model at ``path``; ``input_size`` overrides its spatial
    input (ints or symbol names).  ``strict``: an op rfcalc cannot express is a
    :class:`SpecError` instead of a report."""
    try:
        import onnx
    except ImportError:
        raise SpecError(
            "reading ONNX models needs the onnx package: pip install 'rfcalc[onnx]'", Loc(path)
        ) from None
    try:
        model = onnx.load(path, load_external_data=False)
    except FileNotFoundError:
        raise SpecError("no such file", Loc(path)) from None
    except Exception as exc:
        raise SpecError(f"not an ONNX model: {exc}", Loc(path)) from None
    return _walk(model.graph, path, input_size, strict)


def _walk(graph: Any, path: str, input_size: Sequence[Any] | None, strict: bool) -> Imported:
    inits = {t.name: t for t in graph.initializer}
    graph_inputs = [i for i in graph.input if i.name not in inits]
    if not graph_inputs:
        raise SpecError("the model has no input", Loc(path))
    first = graph_inputs[0]
    dims = list(first.type.tensor_type.shape.dim)
    if len(dims) < 3 or len(dims) > 5:
        raise SpecError(
            f"input {first.name!r} has {len(dims)} dimensions; rfcalc reads (N, C, 1 to 3 "
            "spatial axes)",
            Loc(path),
        )
    ndim = len(dims) - 2
    sizes: list[Any] = []
    for i, d in enumerate(dims[2:]):
        if d.HasField("dim_value") and d.dim_value > 0:
            sizes.append(int(d.dim_value))
        else:
            sizes.append(size_symbol(AXIS_NAMES[i]))
    if input_size is not None:
        sizes = [size_symbol(s) if isinstance(s, str) else int(s) for s in input_size]
    channels = int(dims[1].dim_value) if dims[1].HasField("dim_value") else None
    state = _State(path, ndim, strict, input_size=tuple(sympy.sympify(s) for s in sizes))
    state.tensors[first.name] = Map(INPUT, channels=channels)
    for name, t in inits.items():
        array = None
        if math.prod(t.dims) <= 64 and len(t.dims) <= 1:
            array = _array(t, path)
        elif _is_external(t):
            _external_file(t, path)  # a weight's data is never read; where it is must be sound
        state.tensors[name] = _Const(
            None if array is None else array.reshape(-1).tolist(), tuple(t.dims), array
        )
    for index, node in enumerate(graph.node):
        _node(state, node, index, strict)
    network = Network(
        name=re.sub(r"\.onnx$", "", path.rsplit("/", 1)[-1], flags=re.IGNORECASE),
        input_size=state.input_size,
        layers=tuple(state.layers),
        input_channels=channels,
        path=path,
        loc=Loc(path),
        target="onnx",  # its padding rules are the file's
    )
    return state.imported(network, "the model")


def _is_external(tensor: Any) -> bool:
    from onnx import TensorProto

    return bool(tensor.data_location == TensorProto.EXTERNAL)


def _tensor_loc(tensor: Any, path: str) -> Loc:
    return Loc(path, 1, 1, f"tensor {visible(tensor.name, 60)}")


def _external_file(tensor: Any, path: str) -> tuple[str, dict[str, str]]:
    """The file holding ``tensor``'s data, and the tensor's external-data entries: a file
    in the model's folder (or below it), never the working directory, an absolute path
    or a ``..`` out of the folder (a model is data; it does not choose what rfcalc
    reads)."""
    entries = {e.key: e.value for e in tensor.external_data}
    location = entries.get("location", "")
    where = _tensor_loc(tensor, path)
    shown = visible(location, 80)
    folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    if not location:
        raise SpecError("its data is external but names no file", where)
    if os.path.isabs(location) or re.match(r"^([A-Za-z]:|[\\/])", location):
        raise SpecError(
            f"its data is in {shown!r}, an absolute path: rfcalc reads external data only "
            "from the model's folder",
            where,
        )
    target = os.path.realpath(os.path.join(folder, location))
    if os.path.commonpath([target, folder]) != folder:
        raise SpecError(
            f"its data is in {shown!r}, outside the model's folder: rfcalc reads external "
            "data only from there",
            where,
        )
    if not os.path.isfile(target):
        raise SpecError(f"its data file {shown!r} is not beside the model ({folder})", where)
    return target, entries


def _array(tensor: Any, path: str) -> Any:
    """A small tensor's values (a shape, pads, scales), its external data read from
    the model's folder only (:func:`_external_file`), at most the bytes it needs."""
    from onnx import numpy_helper

    if not _is_external(tensor):
        return numpy_helper.to_array(tensor)
    import numpy as np
    from onnx import helper

    target, entries = _external_file(tensor, path)
    dtype = np.dtype(helper.tensor_dtype_to_np_dtype(tensor.data_type))
    need = math.prod(tensor.dims) * dtype.itemsize
    where = _tensor_loc(tensor, path)
    try:
        offset = int(entries.get("offset", 0))
        with open(target, "rb") as f:
            f.seek(max(offset, 0))
            data = f.read(need)
    except (ValueError, OSError) as exc:
        raise SpecError(f"cannot read its data: {exc}", where) from None
    if offset < 0 or len(data) != need:
        raise SpecError(
            f"its data file {visible(entries.get('location', ''), 80)!r} holds fewer than the "
            f"{need} bytes it needs at offset {offset}",
            where,
        )
    return np.frombuffer(data, dtype=dtype.newbyteorder("<")).reshape(tuple(tensor.dims))


def _attrs(node: Any) -> dict[str, Any]:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _readable(node: Any, index: int) -> str:
    """:func:`_path_of` with every control character shown (a name is one line of
    output)."""
    return visible(_path_of(node, index))


def _path_of(node: Any, index: int) -> str:
    """The module path an exporter recorded: the dynamo exporter's name scopes
    (``['', 'layer1', 'layer1.0', 'add_76']`` -> ``layer1.0.add``; a leaf module's own op
    is the module: ``maxpool``), the TorchScript exporter's node name
    (``/layer1/layer1.0/conv1/Conv`` -> ``layer1.0.conv1``), else ``conv12``."""
    meta = {p.key: p.value for p in getattr(node, "metadata_props", ())}
    scopes = _list(meta.get("pkg.torch.onnx.name_scopes", ""))
    if len(scopes) >= 2:
        classes = _list(meta.get("pkg.torch.onnx.class_hierarchy", ""))
        leaf = len(classes) >= 2 and classes[-2].startswith("torch.nn.modules.")
        path = [s for s in scopes[:-1] if s]
        op = re.sub(r"_\d+$", "", scopes[-1])
        if leaf and path:
            return path[-1]
        return f"{path[-1]}.{op}" if path else op
    parts = [p for p in (node.name or "").split("/") if p]
    if parts and re.fullmatch(rf"{node.op_type}(_\d+)?", parts[-1]):
        parts = parts[:-1]
    if not parts:
        return f"{node.op_type.lower()}{index}"
    dotted = max((i for i, p in enumerate(parts) if "." in p), default=None)
    if dotted is None:
        return ".".join(parts)
    return ".".join([parts[dotted], *parts[dotted + 1 :]])


def _list(text: str) -> list[str]:
    """``"['', 'layer1', 'conv2d']"`` (a Python list the exporter wrote) as a list."""
    return re.findall(r"'([^']*)'", text)


def _emit(state: _State, node: Any, index: int, suffix: str = "", **kw: Any) -> str:
    return state.emit(_site(state, node, index), suffix, **kw)


def _site(state: _State, node: Any, index: int) -> Site:
    """The node's place: its name in the graph (what Netron shows), its position."""
    where = Loc(state.path, index + 1, 1, visible(node.name or f"{node.op_type} #{index}"))
    return Site(_readable(node, index), node.op_type, where)


def _reads_x(at: _At, **kw: Any) -> str:
    """A layer of this node that reads its first map input."""
    return _emit(at.state, at.node, at.position, inputs=(at.x.layer,), **kw)


def _report(state: _State, node: Any, index: int, why: str, strict: bool) -> None:
    """An op rfcalc cannot express: an error with ``strict``, else reported, and its
    output taken as its first map input (the analysis goes on without the node)."""
    del strict  # the state's own
    first = next(
        (state.tensors.get(i) for i in node.input if isinstance(state.tensors.get(i), Map)), None
    )
    state.report(_site(state, node, index), why, node.output, first)


def _text(a: dict[str, Any], key: str, default: str) -> str:
    """A string attribute (ONNX stores them as bytes)."""
    value = a.get(key, default)
    return value.decode() if isinstance(value, bytes) else str(value)


def _ints(values: Any) -> list[int]:
    return [int(v) for v in values]


def _node(state: _State, node: Any, index: int, strict: bool) -> None:
    op = node.op_type
    ins = [state.tensors.get(name) if name else None for name in node.input]
    out = node.output[0] if node.output else ""
    a = _attrs(node)
    maps = [t for t in ins if isinstance(t, Map)]
    if _past_the_end(state, node, index, ins, maps):
        return
    if op == "Constant":
        _constant(state, out, a)
        return
    if (op == "Shape" or any(isinstance(t, _Shape) for t in ins)) and _shape_op(
        state, node, ins, a
    ):
        return
    if not maps:
        _not_maps(state, node, index, ins, out, strict)
        return
    at = _At(state, node, index, maps[0], ins, a, out, strict)
    if op in ("Transpose", "Reshape", "Unsqueeze", "Squeeze", "Gather") or maps[0].axes:
        _moved(at)
        return
    if op in FOLDED or (op in ("Softmax", "LogSoftmax") and a.get("axis", 1) == 1):
        state.tensors[out] = maps[0]
        why = Because.WHOLE_MAP_STATISTICS if op in WHOLE_MAP_STATS else Because.IDENTITY
        state.folded.append(state.note(_site(state, node, index), why))
        return
    read = _MAP_OPS.get(op) or (_reduce if op.startswith("Reduce") else None)
    if read is not None:
        read(at)
    elif op in ENDS:
        state.stop(_site(state, node, index), Because.STRUCTURE_ENDS)
    else:
        _report(state, node, index, Because.CANNOT_EXPRESS.text(op=op), strict)


def _past_the_end(state: _State, node: Any, index: int, ins: list[Any], maps: list[Map]) -> bool:
    """Whether the node reads a tensor past the end of the spatial structure (then it is
    not followed: a merge of a map with one is where the structure ends)."""
    unknown = [name for t, name in zip(ins, node.input, strict=True) if name and t is None]
    if not unknown:
        return False
    merge = node.op_type in BINARY or node.op_type == "Concat"
    if maps and merge:
        # a map merged with something past the end: the merge is not followed
        why = f"it also reads {unknown[0]}, past the spatial structure"
        state.stop(_site(state, node, index), why)
    return not maps or merge


def _constant(state: _State, out: str, a: dict[str, Any]) -> None:
    """A ``Constant``: small values kept (an exporter's pads, scales), a weight's shape."""
    value = a.get("value")
    if value is not None:
        dims = tuple(int(d) for d in value.dims)
        if math.prod(dims) > 64:  # a weight: its shape is all rfcalc reads
            state.tensors[out] = _Const(None, dims)
        else:
            arr = _array(value, state.path)
            state.tensors[out] = _Const(arr.reshape(-1).tolist(), dims, arr)
        return
    for key in ("value_ints", "value_int", "value_floats", "value_float"):
        if key in a:
            v = a[key]
            state.tensors[out] = _Const(list(v) if isinstance(v, list) else [v])


def _not_maps(state: _State, node: Any, index: int, ins: list[Any], out: str, strict: bool) -> None:
    """A node that reads no map: arithmetic on sizes, a constant subgraph, or reported."""
    if any(isinstance(t, _Shape) for t in ins):
        # arithmetic on sizes (a channel split point): not followed; a layer that
        # needs the result reports that it cannot read it
        state.tensors[out] = _Const(None, (1,) if node.op_type != "Gather" else ())
        return
    if any(isinstance(t, _Const) for t in ins) and all(
        t is None or isinstance(t, _Const) for t in ins
    ):
        # a constant subgraph (pads an exporter computes): folded when small
        state.tensors[out] = _fold(node, ins)
        return
    _report(state, node, index, "its inputs are not maps rfcalc follows", strict)


def _global_pool(at: _At) -> None:
    name = _reads_x(at, op=Op.GLOBAL_POOL)
    at.state.tensors[at.out] = Map(name, unit=True, channels=at.x.channels)


def _depth_space(at: _At) -> None:
    """``DepthToSpace`` / ``SpaceToDepth``: pixel (un)shuffle by the block size."""
    b = int(at.a["blocksize"])
    kind = Op.PIXEL_SHUFFLE if at.node.op_type == "DepthToSpace" else Op.PIXEL_UNSHUFFLE
    name = _reads_x(at, op=kind, scale=(b,) * at.state.ndim)
    at.state.tensors[at.out] = Map(name)


def _binary(at: _At) -> None:
    op = Op.MUL if at.node.op_type in PRODUCTS else Op.ADD
    _merge(at.state, at.node, at.position, maps_of(at.ins), at.out, op)


def _concat(at: _At) -> None:
    axis = int(at.a.get("axis", 1))
    if axis not in (1, -(at.state.ndim + 1)):
        at.state.stop(_site(at.state, at.node, at.position), Because.SPATIAL_CONCAT)
        return
    _merge(at.state, at.node, at.position, maps_of(at.ins), at.out, Op.CONCAT)


def _split(at: _At) -> None:
    """A ``Split`` of the channels is folded; along another axis it is reported."""
    state, node = at.state, at.node
    if int(at.a.get("axis", 0)) not in (1, -(state.ndim + 1)):
        _report(state, node, at.position, Because.CANNOT_EXPRESS.text(op="Split"), at.strict)
        return
    for name in node.output:
        state.tensors[name] = Map(at.x.layer, at.x.unit)
    state.folded.append(state.note(_site(state, node, at.position), Because.CHANNEL_SPLIT))


def _layout(x: Map, ndim: int) -> tuple[tuple[int, ...], int]:
    return (x.axes, x.rank) if x.axes else (tuple(range(2, 2 + ndim)), ndim + 2)


def _carried(x: Map, axes: tuple[int, ...], rank: int, ndim: int) -> Map:
    """``x`` with its spatial axes at ``axes`` of a tensor of ``rank``."""
    standard = axes == tuple(range(2, 2 + ndim)) and rank == ndim + 2
    return Map(x.layer, x.unit, None, () if standard else axes, 0 if standard else rank)


def _moved(at: _At) -> None:
    """Transpose, Reshape, (Un)Squeeze, and what a channels-last block does between
    them (LayerNormalization and MatMul over the channels, pointwise ops): the map
    carried with its spatial axes where they now are; anything else on a moved map is
    reported, and a permutation or reshape that breaks the spatial axes ends the map."""
    op = at.node.op_type
    if op == "Transpose":
        _transpose(at)
    elif op in ("Unsqueeze", "Squeeze"):
        _squeeze(at)
    elif op == "Gather":  # channels picked (Inception's transform_input: x[:, 0])
        _gather(at)
    elif op == "Reshape":
        target = _reshaped(at.state, at.x, at.ins[1] if len(at.ins) > 1 else None)
        if target is None:
            at.state.stop(_site(at.state, at.node, at.position), Because.AXES_RESHAPED)
        else:
            _keep(at, target[0], target[1], Because.CHANNEL_RESHAPE)
    else:
        _channels_last(at)


def _keep(at: _At, axes: tuple[int, ...], rank: int, why: str) -> None:
    """The node's output is the map, its spatial axes at ``axes`` of a ``rank`` tensor."""
    state = at.state
    state.tensors[at.out] = _carried(at.x, axes, rank, state.ndim)
    state.folded.append(state.note(_site(state, at.node, at.position), why))


def _transpose(at: _At) -> None:
    axes, rank = _layout(at.x, at.state.ndim)
    perm = _ints(at.a.get("perm", list(reversed(range(rank)))))
    moved = tuple(perm.index(ax) for ax in axes)
    if list(moved) != sorted(moved) or 0 in moved:
        at.state.stop(_site(at.state, at.node, at.position), Because.AXES_REORDERED)
    else:
        _keep(at, moved, rank, Because.CHANNEL_MOVE)


def _squeeze(at: _At) -> None:
    """(Un)Squeeze: an added or dropped axis other than a spatial one."""
    state, op = at.state, at.node.op_type
    axes, rank = _layout(at.x, state.ndim)
    given = at.a.get("axes")
    if given is None and len(at.ins) > 1 and isinstance(at.ins[1], _Const):
        given = at.ins[1].values
    if given is None:
        state.stop(_site(state, at.node, at.position), f"{op} of axes rfcalc cannot read")
        return
    if op == "Unsqueeze":
        new_rank = rank + len(given)
        added = sorted(int(g) % new_rank for g in given)
        kept = [i for i in range(new_rank) if i not in added]
        _keep(at, tuple(kept[ax] for ax in axes), new_rank, "an added axis")
        return
    dropped = {int(g) % rank for g in given}
    if dropped & set(axes):
        state.stop(_site(state, at.node, at.position), "a squeeze of a spatial axis")
        return
    moved = tuple(ax - sum(d < ax for d in dropped) for ax in axes)
    _keep(at, moved, rank - len(dropped), "a dropped axis")


def _gather(at: _At) -> None:
    axes, rank = _layout(at.x, at.state.ndim)
    axis = int(at.a.get("axis", 0)) % rank
    picks = at.ins[1] if len(at.ins) > 1 else None
    if axis in axes or not isinstance(picks, _Const):
        at.state.stop(_site(at.state, at.node, at.position), "a gather along a spatial axis")
    elif picks.dims == ():
        _keep(at, tuple(ax - (ax > axis) for ax in axes), rank - 1, "a pick of the channels")
    else:
        _keep(at, axes, rank, "a pick of the channels")


def _channels_last(at: _At) -> None:
    """What a channels-last block does to a moved map: pointwise ops, a normalisation or
    a linear map of the channels, arithmetic, merges of maps laid out alike."""
    state, node, index, x, ins, a, out, strict = at
    op = node.op_type
    axes, rank = _layout(x, state.ndim)
    if op in FOLDED or (
        op in ("Softmax", "LogSoftmax") and int(a.get("axis", -1)) % rank not in axes
    ):
        _keep(at, axes, rank, Because.IDENTITY)
    elif op == "LayerNormalization" and all(ax < int(a.get("axis", -1)) % rank for ax in axes):
        _keep(at, axes, rank, Because.CHANNEL_NORMALISATION)
    elif (
        op == "MatMul"
        and len(ins) > 1
        and isinstance(ins[1], _Const)
        and len(ins[1].dims) == 2
        and rank - 1 not in axes
    ):
        _keep(at, axes, rank, Because.CHANNEL_LINEAR)
    elif op in BINARY and len(maps_of(ins)) == 1:
        _keep(at, axes, rank, Because.CONSTANT_ARITHMETIC)
    elif op in BINARY and all(_layout(m, state.ndim) == (axes, rank) for m in maps_of(ins)):
        _merge(state, node, index, maps_of(ins), out, Op.MUL if op in PRODUCTS else Op.ADD)
        merged = state.tensors[out]
        if isinstance(merged, Map):
            state.tensors[out] = Map(merged.layer, merged.unit, None, axes, rank)
    elif op in ENDS:
        state.stop(_site(state, node, index), Because.STRUCTURE_ENDS)
    else:
        why = "a layer on a map whose axes are moved (channels last)"
        _report(state, node, index, why, strict)


def maps_of(ins: list[Any]) -> list[Map]:
    return [t for t in ins if isinstance(t, Map)]


def _reshaped(state: _State, x: Map, shape: Any) -> tuple[tuple[int, ...], int] | None:
    """Where a Reshape puts the spatial axes of ``x`` when it keeps each one whole, in
    order (a channel split or shuffle): the shape's entries name them (dynamic axes:
    a Shape chain), or, at a concrete input, equal their sizes; else None."""
    from ..engine.sizes import compare

    if isinstance(shape, _Shape):
        entries = [_entry_expr(state, e) for e in shape.entries]
    elif isinstance(shape, _Const) and shape.values is not None:
        entries = [sympy.Integer(int(v)) for v in shape.values]
    else:
        return None
    want = _symbolic_sizes(state, x.layer)
    if want is None:
        return None
    rank = len(entries)
    for candidate in (tuple(range(rank - state.ndim, rank)), tuple(range(1, 1 + state.ndim))):
        if min(candidate, default=0) < 1 or max(candidate, default=0) >= rank:
            continue
        picked = [entries[c] for c in candidate]
        if None not in picked and all(
            compare(a, b) == 0 for a, b in zip(picked, want, strict=True)
        ):
            return candidate, rank
    return None


def _fold(node: Any, ins: list[Any]) -> _Const:
    """A node of small constants evaluated by ONNX's reference implementation."""
    if node.op_type == "Identity" and ins and isinstance(ins[0], _Const):
        return ins[0]  # exporters share equal weights through Identity nodes
    if not ins or any(t is None or t.array is None for t in ins) or len(node.output) != 1:
        return _Const(None)
    from onnx import helper, numpy_helper
    from onnx.reference import ReferenceEvaluator

    names = [f"i{i}" for i in range(len(ins))]
    one = helper.make_node(node.op_type, names, ["o"], domain=node.domain)
    one.attribute.extend(node.attribute)
    graph = helper.make_graph(
        [one],
        "fold",
        [],
        [helper.make_tensor_value_info("o", 0, None)],
        [numpy_helper.from_array(t.array, n) for t, n in zip(ins, names, strict=True)],
    )
    try:
        results: Any = ReferenceEvaluator(helper.make_model(graph)).run(None, {})
    except Exception:
        return _Const(None)
    value = results[0]
    if not hasattr(value, "reshape") or value.size > 64:
        return _Const(None)
    return _Const(value.reshape(-1).tolist(), value.shape, value)


def _shape_op(state: _State, node: Any, ins: list[Any], a: dict[str, Any]) -> bool:
    """Shapes of maps followed through Shape, Gather, Slice, Unsqueeze, Concat, Cast;
    False when the node is not about shapes (a Concat of maps, a Slice of a map)."""
    op = node.op_type
    out = node.output[0]
    if op == "Shape" and isinstance(ins[0], Map):
        axes, rank = _layout(ins[0], state.ndim)
        dims: list[Any] = [
            (ins[0].layer, axes.index(p)) if p in axes else (f"dim{p}",) for p in range(rank)
        ]
        start, end = a.get("start", 0), a.get("end")
        state.tensors[out] = _Shape(dims[start:end])
        return True
    if not any(isinstance(t, _Shape) for t in ins):
        return False
    if op in ("Cast", "Unsqueeze", "Squeeze", "Identity", "Reshape") and isinstance(ins[0], _Shape):
        state.tensors[out] = ins[0]
        return True
    if op in _ARITHMETIC:
        state.tensors[out] = _arithmetic(state, op, ins)
        return True
    if op == "Gather" and isinstance(ins[0], _Shape) and isinstance(ins[1], _Const):
        picks = ins[1].values or []
        state.tensors[out] = _Shape([ins[0].entries[int(i)] for i in picks])
        return True
    if (
        op == "Slice"
        and isinstance(ins[0], _Shape)
        and all(isinstance(t, _Const) for t in ins[1:3])
    ):
        start, end = int(ins[1].values[0]), int(ins[2].values[0])
        picked = ins[0].entries
        state.tensors[out] = _Shape(picked[start : min(end, len(picked))])
        return True
    if op == "Concat":
        entries: list[Any] = []
        for t in ins:
            if isinstance(t, _Shape):
                entries += t.entries
            elif isinstance(t, _Const) and t.values is not None:
                entries += [int(v) for v in t.values]
            elif isinstance(t, _Const) and len(t.dims) == 1:
                entries += [("?",)] * int(t.dims[0])  # computed: not a map's size
            elif isinstance(t, _Const) and t.dims == ():
                entries.append(("?",))
            else:
                return False
        state.tensors[out] = _Shape(entries)
        return True
    return False


#: arithmetic exporters write on sizes (``(h + 1) // 2`` for an upsampling's target)
_ARITHMETIC = frozenset({"Add", "Sub", "Mul", "Div", "Max", "Min", "Neg", "Floor", "Ceil"})


def _arithmetic(state: _State, op: str, ins: list[Any]) -> _Shape:
    """Sizes computed from sizes, as exact expressions in the input's symbols (an entry
    ``("?",)`` where an operand is not known).  Shapes are integers: their Div floors."""
    columns = []
    for t in ins:
        if isinstance(t, _Shape):
            columns.append([_entry_expr(state, e) for e in t.entries])
        elif isinstance(t, _Const) and t.values is not None:
            integral = t.array is None or getattr(t.array.dtype, "kind", "i") in "iub"
            columns.append([sympy.Integer(int(v)) if integral else _rational(v) for v in t.values])
        else:
            return _Shape([("?",)])
    width = max(len(c) for c in columns)
    rows = [c * width if len(c) == 1 else c for c in columns]
    out: list[Any] = []
    for values in zip(*rows, strict=True):
        if any(v is None for v in values):
            out.append(("?",))
            continue
        out.append(_apply(op, list(values)))
    return _Shape(out)


def _rational(v: Any) -> Any:
    f = scale_fraction(float(v), single=True)
    return sympy.Rational(f.numerator, f.denominator) if f else sympy.nsimplify(float(v))


def _apply(op: str, v: list[Any]) -> Any:
    from ..engine.sizes import floor_div, smax, smin

    if op == "Add":
        return v[0] + v[1]
    if op == "Sub":
        return v[0] - v[1]
    if op == "Mul":
        return v[0] * v[1]
    if op == "Neg":
        return -v[0]
    if op == "Max":
        return smax(v[0], v[1])
    if op == "Min":
        return smin(v[0], v[1])
    if op == "Floor":
        return sympy.floor(v[0])
    if op == "Ceil":
        return sympy.ceiling(v[0])
    # Div: integer sizes floor; a float scale divides exactly
    if getattr(v[1], "is_Integer", False) and getattr(v[0], "is_integer", False):
        return floor_div(v[0], v[1])
    return v[0] / v[1]


def _same_size(state: _State, want: list[Any], skip: str) -> str | None:
    """The latest map (the input included, ``skip`` not) whose size equals ``want`` on
    every axis for every input (decided exactly); None when there is none."""
    from ..engine.sizes import compare

    for name in reversed([INPUT, *(layer.name for layer in state.layers)]):
        sizes = _symbolic_sizes(state, name)
        if name == skip or sizes is None:
            continue
        if all(compare(a, b) == 0 for a, b in zip(sizes, want, strict=True)):
            return name
    return None


def _entry_expr(state: _State, entry: Any) -> Any:
    """A shape entry as an expression: an int, a map's size on an axis (the network read
    so far is analysed with the model's symbols), or an expression; None: unknown."""
    if isinstance(entry, int):
        return sympy.Integer(entry)
    if isinstance(entry, tuple):
        if len(entry) == 2:
            sizes = _symbolic_sizes(state, entry[0])
            return None if sizes is None else sizes[entry[1]]
        return None
    return entry


def _symbolic_sizes(state: _State, layer: str) -> tuple[Any, ...] | None:
    """The output size of ``layer`` (the network read so far, analysed once per added
    layer, in the model's symbols); None when it cannot be analysed."""
    if layer == INPUT:
        return tuple(state.input_size)
    if state.cache_at != len(state.layers):
        from ..engine import analyze_network

        network = Network("so far", tuple(state.input_size), tuple(state.layers))
        try:
            analysis = analyze_network(network)
        except (ValueError, TypeError):
            return None
        state.cache = {r.name: tuple(r.output_size) for r in analysis.layers}
        state.cache_at = len(state.layers)
    return state.cache.get(layer)


def _pads(a: dict[str, Any], ndim: int) -> tuple[Padding, ...]:
    auto = _text(a, "auto_pad", "NOTSET")
    if auto == "SAME_UPPER":
        return (Padding(mode="same"),) * ndim
    if auto == "SAME_LOWER":
        return (Padding(mode="same_lower"),) * ndim
    if auto == "VALID":
        return (Padding(mode="valid"),) * ndim
    pads = _ints(a.get("pads", [0] * (2 * ndim)))
    return tuple(Padding(before=pads[i], after=pads[i + ndim]) for i in range(ndim))


def _conv(at: _At) -> None:
    state, node, index, x, ins, a, out, strict = at
    ndim = state.ndim
    w = ins[1] if len(ins) > 1 else None
    wdims = w.dims if isinstance(w, _Const) else ()
    kernel = _ints(a.get("kernel_shape", wdims[2:]))
    if len(kernel) != ndim:
        _report(state, node, index, "its kernel shape is not known", strict)
        return
    strides = _ints(a.get("strides", [1] * ndim))
    dilations = _ints(a.get("dilations", [1] * ndim))
    groups = int(a.get("group", 1))
    bias = len(node.input) > 2 and bool(node.input[2])
    kw: dict[str, Any] = {
        "kernel": tuple(kernel),
        "stride": tuple(strides),
        "dilation": tuple(dilations),
        "groups": groups,
        "bias": bias,
        "inputs": (x.layer,),
    }
    if node.op_type == "Conv":
        channels = wdims[0] if wdims else None
        name = _emit(
            state, node, index, op=Op.CONV, padding=_pads(a, ndim), channels=channels, **kw
        )
        state.tensors[out] = Map(name, x.unit and set(kernel) == {1}, channels)
        return
    opad = _ints(a.get("output_padding", [0] * ndim))
    padding = _transposed_padding(at, kernel, strides, dilations, opad)
    if padding is None:
        return
    channels = wdims[1] * groups if len(wdims) > 1 else None
    name = _emit(
        state,
        node,
        index,
        op=Op.CONV_TRANSPOSE,
        padding=padding,
        output_padding=tuple(opad),
        channels=channels,
        **kw,
    )
    state.tensors[out] = Map(name, channels=channels)


def _transposed_padding(
    at: _At, kernel: list[int], strides: list[int], dilations: list[int], opad: list[int]
) -> tuple[Padding, ...] | None:
    """A ConvTranspose's padding: its pads, or the split that gives ``output_shape`` or
    ``auto_pad``'s size (an odd total's extra pixel after for SAME_UPPER, before
    otherwise); None when reported."""
    state, node, index, x, _, a, _, strict = at
    ndim = state.ndim
    padding = _pads(a, ndim)
    split = "same" if padding[0].mode == "same" else "same_lower"
    if "output_shape" in a:
        # pads from the wanted size (ONNX: pads are then ignored)
        want = _ints(a["output_shape"])[-ndim:]
        n = _sizes_so_far(state, x.layer)
        if n is None:
            _report(state, node, index, "output_shape on an input whose size is a symbol", strict)
            return None
        totals = [
            s * (size - 1) + o + d * (k - 1) + 1 - w
            for k, s, d, o, size, w in zip(kernel, strides, dilations, opad, n, want, strict=True)
        ]
        bad = next((w for t, w in zip(totals, want, strict=True) if t < 0), None)
        if bad is not None:
            _report(state, node, index, f"output_shape {bad} is beyond the conv's reach", strict)
            return None
    elif padding[0].mode in ("same", "same_lower"):
        # the output is n*s: total padding ke + op - s, the extra pixel after (upper)
        totals = [
            d * (k - 1) + 1 + o - s
            for k, s, d, o in zip(kernel, strides, dilations, opad, strict=True)
        ]
        if any(t < 0 for t in totals):
            why = "auto_pad with a kernel shorter than the stride"
            _report(state, node, index, why, strict)
            return None
    elif padding[0].mode == "valid":
        return (Padding(),) * ndim
    else:
        return padding
    pairs = [split_same(t, split) for t in totals]
    return tuple(Padding(before=before, after=after) for before, after in pairs)


def _sizes_so_far(state: _State, layer: str) -> list[int] | None:
    """The output size of ``layer`` when the model's input is concrete (the network read
    so far is analysed), else None."""
    if not all(getattr(s, "is_Integer", False) for s in state.input_size):
        return None
    sizes = _symbolic_sizes(state, layer)
    return None if sizes is None else [int(s) for s in sizes]


def _pool(at: _At) -> None:
    state, node, index, x, _, a, out, strict = at
    ndim = state.ndim
    kernel = _ints(a["kernel_shape"])
    strides = _ints(a.get("strides", [1] * ndim))  # ONNX pools stride 1 unless told
    dilations = _ints(a.get("dilations", [1] * ndim))
    op = Op.MAX_POOL if node.op_type == "MaxPool" else Op.AVG_POOL
    if op == Op.AVG_POOL and set(dilations) != {1}:
        _report(state, node, index, "a dilated average pool", strict)
        return
    name = _reads_x(
        at,
        op=op,
        kernel=tuple(kernel),
        stride=tuple(strides),
        dilation=tuple(dilations) if op == Op.MAX_POOL else (),
        padding=_pads(a, ndim),
        ceil_mode=bool(a.get("ceil_mode", 0)),
    )
    state.tensors[out] = Map(name, channels=x.channels)


def _reduce(at: _At) -> None:
    state, node, index, x, ins, a, out, _ = at
    axes = a.get("axes")
    if axes is None and len(ins) > 1 and isinstance(ins[1], _Const):
        axes = ins[1].values
    spatial = set(range(2, 2 + state.ndim))
    got = {int(v) % (2 + state.ndim) for v in (axes or [])}
    if got == spatial and a.get("keepdims", 1):
        name = _reads_x(at, op=Op.GLOBAL_POOL)
        state.tensors[out] = Map(name, unit=True, channels=x.channels)
    elif not (got & spatial):
        state.tensors[out] = x
        state.folded.append(state.note(_site(state, node, index), Because.CHANNEL_REDUCTION))
    else:
        state.stop(_site(state, node, index), Because.SPATIAL_REDUCTION)


def _resize(at: _At) -> None:
    """``Resize`` / ``Upsample`` as PyTorch's interpolation: by scales, to a fixed size,
    or to another map's size; what PyTorch cannot do is reported."""
    how = _resize_mode(at)
    if how is None:
        return
    keys = _resize_keys(at)
    if keys is None:
        return
    name = _reads_x(at, **keys, mode=how[0], align_corners=how[1])
    at.state.tensors[at.out] = Map(name, channels=at.x.channels)


def _resize_mode(at: _At) -> tuple[str, bool] | None:
    """PyTorch's mode and ``align_corners`` for the node's mode and coordinates (None:
    reported, PyTorch has no such interpolation)."""
    a, node = at.a, at.node
    mode = _text(a, "mode", "nearest")
    coord = _text(a, "coordinate_transformation_mode", "half_pixel")
    nearest = _text(a, "nearest_mode", "round_prefer_floor")
    if node.op_type == "Upsample":
        coord, nearest = "asymmetric", "floor"
    why = f"resize mode {mode}"
    if mode == "nearest":
        if coord == "asymmetric" and nearest == "floor":
            return "nearest", False
        if coord in ("half_pixel", "pytorch_half_pixel") and nearest == "round_prefer_ceil":
            return "nearest-exact", False
        why = f"nearest with {coord} / {nearest}"
    elif mode == "cubic" and abs(float(a.get("cubic_coeff_a", -0.75)) + 0.75) > 1e-6:
        why = "a cubic coefficient other than PyTorch's -0.75"
    elif mode in ("linear", "cubic"):
        if coord in ("align_corners", "half_pixel", "pytorch_half_pixel"):
            names = {1: "linear", 2: "bilinear", 3: "trilinear"}
            return (names[at.state.ndim] if mode == "linear" else "bicubic"), (
                coord == "align_corners"
            )
        why = f"{mode} with {coord} coordinates"
    _report(at.state, node, at.position, why, at.strict)
    return None


def _resize_keys(at: _At) -> dict[str, Any] | None:
    """The layer's op and its scales, fixed size or target map (None: reported)."""
    state, node, ins, ndim = at.state, at.node, at.ins, at.state.ndim
    scales_t = ins[1] if node.op_type == "Upsample" else (ins[2] if len(ins) > 2 else None)
    sizes_t = ins[3] if node.op_type == "Resize" and len(ins) > 3 else None
    why = "scales or sizes computed in a way rfcalc does not follow"
    if isinstance(scales_t, _Const) and scales_t.values:
        scales = [scale_fraction(float(v), single=True) for v in scales_t.values[2:]]
        if not any(s is None for s in scales) and len(scales) == ndim:
            values = tuple(sympy.Rational(s.numerator, s.denominator) for s in scales if s)
            return {"op": Op.UPSAMPLE, "scale": values}
        why = Because.UNREAD_SCALES
    elif isinstance(sizes_t, _Shape):
        spatial = sizes_t.entries[-ndim:]
        layers = {e[0] for e in spatial if isinstance(e, tuple) and len(e) == 2}
        if len(layers) == 1 and [e[1] for e in spatial] == list(range(ndim)):
            return {"op": Op.RESIZE, "target": next(iter(layers))}
        if all(isinstance(e, int) for e in spatial):
            return {"op": Op.RESIZE, "output_size": tuple(int(e) for e in spatial)}
        want = [_entry_expr(state, e) for e in spatial]
        target = None if None in want else _same_size(state, want, at.x.layer)
        if target is not None:
            return {"op": Op.RESIZE, "target": target}
        why = "sizes that are no map's size"
    elif isinstance(sizes_t, _Const) and sizes_t.values:
        return {"op": Op.RESIZE, "output_size": tuple(int(v) for v in sizes_t.values[2:])}
    _report(state, node, at.position, why, at.strict)
    return None


_FILLS = {"constant": "zeros", "reflect": "reflect", "edge": "replicate", "wrap": "circular"}


def _pad(at: _At) -> None:
    state, node, index, x, ins, a, out, strict = at
    ndim = state.ndim
    mode = _text(a, "mode", "constant")
    pads = a.get("pads")
    if pads is None and len(ins) > 1 and isinstance(ins[1], _Const):
        pads = ins[1].values
    if pads is None or mode not in _FILLS:
        _report(state, node, index, Because.PAD_MODE.text(mode=mode), strict)
        return
    pads = _ints(pads)
    rank = len(pads) // 2
    before, after = pads[:rank][-ndim:], pads[rank:][-ndim:]
    if any(pads[:rank][: rank - ndim]) or any(pads[rank:][: rank - ndim]):
        _report(state, node, index, "padding of the batch or channel axes", strict)
        return
    if all(v >= 0 for v in before + after):
        name = _reads_x(
            at,
            op=Op.PAD,
            padding_mode=_FILLS[mode],
            padding=tuple(Padding(before=b, after=e) for b, e in zip(before, after, strict=True)),
        )
    elif all(v <= 0 for v in before + after):
        name = _reads_x(
            at,
            op=Op.CROP,
            padding=tuple(Padding(before=-b, after=-e) for b, e in zip(before, after, strict=True)),
        )
    else:
        _report(state, node, index, Because.CROP_AND_PAD, strict)
        return
    state.tensors[out] = Map(name, channels=x.channels)


def _slice(at: _At) -> None:
    state, node, index, x, ins, _, out, strict = at
    consts = [t.values if isinstance(t, _Const) else None for t in ins[1:]]
    rank = 2 + state.ndim
    if len(consts) > 2 and consts[2] is not None and all(int(v) % rank < 2 for v in consts[2]):
        # a slice of the channels (ShuffleNet's split), whatever its bounds
        state.tensors[out] = Map(x.layer, x.unit)
        state.folded.append(state.note(_site(state, node, index), Because.CHANNEL_SLICE))
        return
    if len(consts) < 2 or consts[0] is None or consts[1] is None:
        _report(state, node, index, "a slice whose bounds are computed", strict)
        return
    starts, ends = _ints(consts[0]), _ints(consts[1])
    rank = 2 + state.ndim
    axes = (
        _ints(consts[2]) if len(consts) > 2 and consts[2] is not None else list(range(len(starts)))
    )
    steps = _ints(consts[3]) if len(consts) > 3 and consts[3] is not None else [1] * len(starts)
    crop = [Padding() for _ in range(state.ndim)]
    for axis, s, e, step in zip(axes, starts, ends, steps, strict=True):
        axis %= rank
        if axis < 2:
            continue  # batch or channels
        if step != 1 or s < 0 or not (e < 0 or e >= 1 << 30):
            _report(state, node, index, Because.SPATIAL_SLICE, strict)
            return
        crop[axis - 2] = Padding(before=s, after=0 if e >= 1 << 30 else -e)
    if all(p.before == 0 and p.after == 0 for p in crop):
        state.tensors[out] = x
        state.folded.append(state.note(_site(state, node, index), Because.CHANNEL_SLICE))
        return
    name = _reads_x(at, op=Op.CROP, padding=tuple(crop))
    state.tensors[out] = Map(name, channels=x.channels)


def _merge(state: _State, node: Any, index: int, maps: list[Map], out: str, op: Op) -> None:
    def made(name: str, pooled: bool, channels: int | None) -> Map:
        return Map(name, unit=pooled, channels=channels)

    state.merge(_site(state, node, index), out, maps, op, made)


#: the ops read on a map in (N, C, spatial) layout, by the function that reads them
_MAP_OPS: dict[str, Callable[[_At], None]] = {
    "Conv": _conv,
    "ConvTranspose": _conv,
    "MaxPool": _pool,
    "AveragePool": _pool,
    "LpPool": _pool,
    "GlobalAveragePool": _global_pool,
    "GlobalMaxPool": _global_pool,
    "GlobalLpPool": _global_pool,
    "Resize": _resize,
    "Upsample": _resize,
    "Pad": _pad,
    "Slice": _slice,
    "DepthToSpace": _depth_space,
    "SpaceToDepth": _depth_space,
    **dict.fromkeys(BINARY, _binary),
    "Concat": _concat,
    "Split": _split,
}
