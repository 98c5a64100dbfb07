"""Immutable records shared by the spec reader, the engine, the linter and the renderers.

Nothing here does any work: a :class:`Network` is what a spec says, with every value
kept next to the place in the file it came from.  Per-axis values are sympy
expressions (integers, or symbols for sizes and hyperparameters left open).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Expr = Any  # a sympy expression; sympy ships no type hints


class Op(str, enum.Enum):
    """Every operation a spec may name (the value is the spec's spelling)."""

    CONV = "conv"
    CONV_TRANSPOSE = "conv_transpose"
    MAX_POOL = "max_pool"
    AVG_POOL = "avg_pool"
    ADAPTIVE_POOL = "adaptive_pool"
    GLOBAL_POOL = "global_pool"
    UPSAMPLE = "upsample"
    RESIZE = "resize"
    PIXEL_SHUFFLE = "pixel_shuffle"
    PIXEL_UNSHUFFLE = "pixel_unshuffle"
    PAD = "pad"
    CROP = "crop"
    ADD = "add"
    MUL = "mul"
    CONCAT = "concat"
    IDENTITY = "identity"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    #: equal to its spelling, so hashed like it (sets, dicts); str's own hash is that of
    #: the spelling, without the enum's property lookup
    __hash__ = str.__hash__


#: The spellings of every op, in the order the documentation lists them.
OPS = tuple(op.value for op in Op)
#: Ops that join branches (``inputs:`` of two or more layers).  For the field, ``mul``
#: (gates, squeeze-and-excitation) is ``add``: each output unit reads the same unit of
#: every branch.
MERGES = frozenset({Op.ADD, Op.MUL, Op.CONCAT})
#: Pools whose stride defaults to their kernel.
POOLS = frozenset({Op.MAX_POOL, Op.AVG_POOL})
#: Ops that slide a window over their input (kernel, stride, dilation, padding).
WINDOWS = frozenset({Op.CONV, *POOLS})
#: Ops with learned weights (channels, groups, bias).
CONVS = frozenset({Op.CONV, Op.CONV_TRANSPOSE})
#: Ops whose every output unit reads the whole map, or a share of it fixed by sizes.
GLOBAL_READS = frozenset({Op.RESIZE, Op.ADAPTIVE_POOL, Op.GLOBAL_POOL})

#: The name by which layers refer to the network's input (``inputs: [input]``).
INPUT = "input"

#: Frameworks whose padding and stride rules a spec may target (``target:``).
TARGETS = ("pytorch", "tensorflow", "onnx")

#: Exit codes of every command: success; findings (or a spec that cannot be read);
#: usage or configuration error (or an output that cannot be written); a bug in rfcalc.
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3

#: How axes are named when the input gives them no symbol.
AXIS_NAMES = ("H", "W", "D")

#: Interpolation modes of upsample and resize, as PyTorch names them (linear, bilinear
#: and trilinear are one mode, named for 1, 2 and 3 axes; any of them is accepted).
INTERPOLATION_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "trilinear", "bicubic")
#: The modes that weigh neighbours (where ``align_corners`` means something).
WEIGHING_MODES = frozenset({"linear", "bilinear", "trilinear", "bicubic"})

#: Named padding modes (the README's "Layers" table says what each means).
PADDING_MODES = ("valid", "same", "same_lower", "full", "half", "causal")

#: What fills padding: a conv's ``padding_mode`` as PyTorch names it (``pad`` layers say
#: ``constant`` for ``zeros``, as ``F.pad`` does).  Zeros (and a pool's padding) add
#: nothing; the others read pixels of the map: mirrored without the edge (reflect), the
#: edge repeated (replicate), or the other end (circular).
PAD_FILLS = ("zeros", "reflect", "replicate", "circular")


#: characters that move, colour or hide text on a terminal or in a CI log: C0 and C1
#: controls (newline, escape, NUL...), line and paragraph separators, bidirectional
#: overrides and isolates, lone surrogates
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str, limit: int | None = None) -> str:
    """``text`` with each of those characters written as its escape (``\\n``,
    ``\\x1b``, ``\\u202e``): what a name or a path looks like on one line of output.
    ``limit``: at most that many characters of ``text``, then how many more there are
    (a message quotes a value; it never echoes megabytes)."""
    if limit is not None and len(text) > limit:
        return f"{visible(text[:limit])}... ({len(text) - limit} more characters)"
    if _INVISIBLE.search(text) is None:
        return text

    def escape(m: re.Match[str]) -> str:
        c = m.group()
        o = ord(c)
        return _NAMED.get(c) or (f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}")

    return _INVISIBLE.sub(escape, text)


@dataclass(frozen=True, order=True)
class Loc:
    """A place in a file; line and column count from 1.  In a model (ONNX, PyTorch) the
    place is a node, named by ``node``; ``line`` is then its position in the graph, for
    ordering only (renderers show the node and point at the file's start)."""

    path: str = "<spec>"
    line: int = 1
    col: int = 1
    node: str = ""

    def __str__(self) -> str:
        if self.node:
            return f"{self.path}: node {self.node}"
        return f"{self.path}:{self.line}:{self.col}"

    @property
    def text_line(self) -> int:
        """The line to show (1 for a node of a model)."""
        return 1 if self.node else self.line

    @property
    def text_col(self) -> int:
        return 1 if self.node else self.col


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Padding:
    """Padding of one axis: a named mode, or explicit amounts before and after."""

    mode: str | None = None
    before: Expr = 0
    after: Expr = 0


@dataclass(frozen=True)
class Expectation:
    """One ``expect:`` entry: a quantity, a comparison and the value(s) relied on.

    ``what`` is ``receptive_field``, ``output_size``, ``jump`` or ``effective_padding``
    (on a layer), or ``valid_input`` / ``min_receptive_field`` (on the network);
    ``op`` is ``==``, ``>=`` or ``<=``; ``value`` has one entry per axis (``None``
    where an axis is not constrained); for ``valid_input`` it is one input size.
    """

    what: str
    op: str
    value: tuple[Any, ...]
    loc: Loc = Loc()


@dataclass(frozen=True)
class Suppression:
    """``suppress: {RF201: "why"}``: a rule (id, name or prefix) off here, with a reason."""

    rule: str
    reason: str
    loc: Loc = Loc()


@dataclass(frozen=True)
class Layer:
    """One node of the network, as the spec describes it (per-axis tuples)."""

    name: str
    op: Op
    inputs: tuple[str, ...]
    loc: Loc = Loc()
    kernel: tuple[Expr, ...] = ()
    stride: tuple[Expr, ...] = ()
    dilation: tuple[Expr, ...] = ()
    padding: tuple[Padding, ...] = ()
    output_padding: tuple[Expr, ...] = ()
    ceil_mode: bool = False
    #: conv / pad: what fills the padding (:data:`PAD_FILLS`)
    padding_mode: str = "zeros"
    #: upsample factor, pixel (un)shuffle factor
    scale: tuple[Expr, ...] = ()
    #: interpolation mode of upsample / resize, as written (:data:`INTERPOLATION_MODES`)
    mode: str = "nearest"
    #: upsample / resize with a linear or cubic mode: PyTorch's ``align_corners``
    align_corners: bool = False
    #: upsample by a scale: the source index uses in/out sizes (True) or 1/scale (False,
    #: PyTorch's default ``recompute_scale_factor=None``)
    recompute_scale_factor: bool = False
    #: adaptive_pool output size
    output_size: tuple[Expr, ...] = ()
    #: resize / crop: take the spatial size of this layer
    target: str | None = None
    channels: int | None = None
    groups: int = 1
    #: conv / conv_transpose: one learned bias per output channel (PyTorch's default)
    bias: bool = True
    #: what the authors rely on (``expect:``): key -> Expectation
    expect: tuple[Expectation, ...] = ()
    #: rules switched off on this layer (``suppress:``)
    suppress: tuple[Suppression, ...] = ()
    #: where each key of the layer's mapping was written
    key_locs: Mapping[str, Loc] = field(default_factory=dict)

    def at(self, key: str) -> Loc:
        """The place of ``key`` in the spec, or of the layer when the key is absent."""
        return self.key_locs.get(key, self.loc)

    def param(self, key: str, axis: int) -> Expr:
        """The value of a per-axis parameter on ``axis``, with its default when the spec
        leaves it out: the one place defaults live (a pool strides by its kernel, an
        upsampling or pixel (un)shuffle scales by 2, an adaptive pool outputs 1 unit,
        everything else is 1 or 0)."""
        values = getattr(self, key)
        if values:
            return values[axis]
        if key == "stride" and self.op in POOLS:
            return self.param("kernel", axis)
        return _DEFAULTS[key]

    def window(self, axis: int) -> tuple[Expr, Expr, Expr]:
        """Kernel, stride and dilation on ``axis`` with their defaults."""
        return self._windows(axis)[0]

    def int_window(self, axis: int) -> tuple[int, int, int] | None:
        """:meth:`window` as plain ints, or None when a value is a symbol."""
        return self._windows(axis)[1]

    def _windows(self, axis: int) -> tuple[tuple[Expr, Expr, Expr], tuple[int, int, int] | None]:
        # the engine and the rules ask for a layer's window dozens of times: it is read
        # once per axis (the record stays immutable: the memo is not a field)
        memo = self.__dict__.get("_window_memo")
        if memo is None:
            memo = self.__dict__["_window_memo"] = {}
        found = memo.get(axis)
        if found is None:
            values = (
                self.param("kernel", axis),
                self.param("stride", axis),
                self.param("dilation", axis),
            )
            ints = None
            if all(isinstance(v, int) or getattr(v, "is_Integer", False) for v in values):
                k, s, d = (int(v) for v in values)
                ints = (k, s, d)
            found = memo[axis] = (values, ints)
        return found


#: Defaults of the per-axis parameters a spec may leave out (:meth:`Layer.param`).
_DEFAULTS: Mapping[str, int] = {
    "kernel": 1,
    "stride": 1,
    "dilation": 1,
    "output_padding": 0,
    "scale": 2,
    "output_size": 1,
}
#: The per-axis parameters of a layer (tuples with one value per axis, or empty).
PER_AXIS = (*_DEFAULTS, "padding")


#: the most layers a network may have (a spec, or a model read)
MAX_LAYERS = 50_000
#: the largest kernel, stride, dilation, padding, scale or output size accepted
MAX_PARAM = 1 << 24
#: per-axis values that are at least 1 (the rest of a layer's numbers are at least 0)
_POSITIVE = ("kernel", "stride", "dilation", "scale", "output_size")


def check_values(layer: Layer) -> None:
    """Refuse, at the layer's place, the values the spec reader refuses: a kernel,
    stride, dilation, scale or output size below 1, a padding below 0, any of them
    above :data:`MAX_PARAM`, an output padding not below the stride or the dilation
    (PyTorch's rule).  An importer calls it on every layer it makes: a model's
    attributes are input like a spec's keys."""
    from fractions import Fraction

    def number(v: Any) -> Fraction | None:
        try:
            return Fraction(str(v))
        except (ValueError, ZeroDivisionError):
            return None  # a symbol: bounded where it is declared

    def within(key: str, v: Any, low: int) -> None:
        x = number(v)
        if x is None:
            return
        if x < low:
            raise SpecError(f"{key} {v} must be at least {low}", layer.loc)
        if x > MAX_PARAM or x.denominator > MAX_PARAM:
            raise SpecError(f"{key} {v} is larger than rfcalc accepts ({MAX_PARAM})", layer.loc)

    for key in _POSITIVE:
        for v in getattr(layer, key):
            within(key, v, 1)
    for pad in layer.padding:
        within("padding", pad.before, 0)
        within("padding", pad.after, 0)
    for axis, v in enumerate(layer.output_padding):
        within("output_padding", v, 0)
        x = number(v)
        stride = number(layer.param("stride", axis))
        dilation = number(layer.param("dilation", axis))
        if x is None or stride is None or dilation is None:
            continue
        if x >= max(stride, dilation):
            raise SpecError(
                f"output_padding {v} must be smaller than the stride or the dilation "
                f"({stride}, {dilation})",
                layer.loc,
            )
    if layer.groups < 1:
        raise SpecError(f"groups {layer.groups} must be at least 1", layer.loc)


@dataclass(frozen=True)
class Network:
    name: str
    input_size: tuple[Expr, ...]
    layers: tuple[Layer, ...]
    input_channels: int | None = None
    description: str = ""
    path: str = "<spec>"
    loc: Loc = Loc()
    key_locs: Mapping[str, Loc] = field(default_factory=dict)
    #: concrete input sizes the network is also used at (``input.sizes``)
    sizes: tuple[tuple[int, ...], ...] = ()
    #: the framework whose rules apply (``target:``), None for the configured default
    target: str | None = None
    expect: tuple[Expectation, ...] = ()
    suppress: tuple[Suppression, ...] = ()
    #: hyperparameter symbols (``symbols:``) and the integer range each may take
    bounds: Mapping[Any, tuple[int, int]] = field(default_factory=dict)

    @property
    def ndim(self) -> int:
        return len(self.input_size)


@dataclass(frozen=True)
class Finding:
    """One problem the linter or the reader reports, at a place in a file."""

    loc: Loc
    rule: str
    name: str
    severity: Severity
    message: str
    layer: str | None = None
    #: the exact input support the finding is about, per axis (path counts from the
    #: first offset, 0 = a hole): formats that show pictures draw it under the message
    support: tuple[tuple[int, ...], ...] = ()

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.loc.path, self.loc.line, self.loc.col, self.rule)


class SpecError(Exception):
    """A spec that cannot be read; carries the place and a message for a person."""

    def __init__(self, message: str, loc: Loc, excerpt: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc
        #: the line of the spec at ``loc`` with a caret under the column, where known
        self.excerpt = excerpt

    def __str__(self) -> str:
        return f"{self.loc}: {self.message}"


class Refused(Exception):
    """A question the input cannot answer as asked (a usage error, exit 2): a report of
    a symbolic size, a repeat count for an item the spec lacks, a unit outside the map.
    The message is complete (it names the file or option); the command line prints it."""
