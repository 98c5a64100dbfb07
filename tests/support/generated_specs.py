"""Random valid-looking specs for the command suites: every op, 1 to 3 axes, concrete and
symbolic inputs, hyperparameters left open within bounds, ``input.sizes``, blocks with
``repeat``, merges (residuals, strided branches resized back, copy-and-crop), and
``expect`` entries.

A spec is written from a ``random.Random``-like source of choices, so hypothesis drives
it (``st.randoms()``, shrinkable) and plain seeded loops do too (rule coverage counts).
The networks are not all valid: sizes may empty, merges may disagree.  That is the point:
every command must answer them with a finding or a located message, never a crash.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

#: ops the spec knows; each must appear in generated networks (tests count them)
KINDS = (
    "conv",
    "conv_sym",
    "pool",
    "tconv",
    "upsample",
    "shuffle",
    "unshuffle",
    "adaptive",
    "global",
    "broadcast",
    "gate",
    "resize",
    "residual",
    "pad",
    "crop",
    "skip",
    "identity",
    "block",
    "dilated",
)
SYMBOLS = {"K": (1, 5), "S": (1, 3), "D": (1, 3)}


def _axes(rng: random.Random, ndim: int, lo: int, hi: int) -> str:
    """One value for every axis, or a per-axis list."""
    if ndim == 1 or rng.random() < 0.6:
        return str(rng.randint(lo, hi))
    return "[" + ", ".join(str(rng.randint(lo, hi)) for _ in range(ndim)) + "]"


#: interpolation modes, with the names PyTorch gives linear for 1, 2 and 3 axes
MODES = ["nearest", "nearest-exact", "linear", "bilinear", "trilinear", "bicubic"]


def _options(rng: random.Random, mode: str) -> str:
    if mode.startswith("nearest") or rng.random() < 0.5:
        return ""
    return ", align_corners: true"


def _fill(rng: random.Random, key: str) -> str:
    """What fills padding, sometimes (a conv's ``padding_mode``, a pad's ``mode``)."""
    fill = rng.choice(["", "", "reflect", "replicate", "circular"])
    return f", {key}: {fill}" if fill else ""


def spec(  # noqa: C901 (one branch per op: the generator is a table)
    rng: random.Random, ndim: int | None = None, max_items: int = 6, hyper: bool = False
) -> str:
    """A spec text; ``hyper``: its first item has an open hyperparameter."""
    ndim = ndim or rng.choice((1, 1, 2, 2, 3))
    symbolic = rng.random() < 0.5
    names = ("H", "W", "D")
    size: list[Any] = []
    for i in range(ndim):
        if symbolic and rng.random() < 0.8:
            size.append(names[i] if rng.random() < 0.8 else f"X{i}")
        else:
            size.append(rng.randint(1, 70 if ndim < 3 else 24))
    lines = ["rfcalc: 1", f"name: gen{rng.randint(0, 999)}"]
    input_line = f"input: {{size: [{', '.join(map(str, size))}]"
    if rng.random() < 0.3:
        sizes = [[rng.randint(4, 90) for _ in range(ndim)] for _ in range(rng.randint(1, 3))]
        input_line += f", sizes: {sizes}"
    lines.append(input_line + "}")
    used_symbols = set()
    items: list[str] = []
    blocks: list[str] = []
    prev = "input"
    for i in range(rng.randint(1, max_items)):
        name = f"l{i}"
        kind = "conv_sym" if hyper and i == 0 else rng.choice(KINDS)
        src = f"inputs: [{prev}]"
        if kind == "conv":
            pad = rng.choice(["valid", "same", "same_lower", "causal", "full", "half", "ex", "0"])
            if pad == "ex":
                pad = f"[{rng.randint(0, 3)}, {rng.randint(0, 3)}]" if ndim == 1 else "1"
            items.append(
                f"{{name: {name}, op: conv, kernel: {_axes(rng, ndim, 1, 5)}, "
                f"stride: {_axes(rng, ndim, 1, 3)}, dilation: {_axes(rng, ndim, 1, 4)}, "
                f"padding: {pad}, channels: {rng.randint(1, 8)}{_fill(rng, 'padding_mode')}, "
                f"{src}}}"
            )
        elif kind == "conv_sym":  # an open hyperparameter
            key, sym = rng.choice([("kernel", "K"), ("stride", "S"), ("dilation", "D")])
            used_symbols.add(sym)
            other = "kernel: 3, " if key != "kernel" else ""
            pad = rng.choice(["valid", "causal", "same"])
            items.append(f"{{name: {name}, op: conv, {other}{key}: {sym}, padding: {pad}, {src}}}")
        elif kind == "pool":
            op = rng.choice(["max_pool", "avg_pool"])
            k = rng.randint(1, 4)
            pad = rng.choice(["valid", "same", str(rng.randint(0, k // 2)), str(rng.randint(0, k))])
            ceil = rng.choice(["true", "false"])
            dil = f", dilation: {rng.randint(1, 2)}" if op == "max_pool" else ""
            items.append(
                f"{{name: {name}, op: {op}, kernel: {k}, stride: {rng.randint(1, 3)}, "
                f"padding: {pad}, ceil_mode: {ceil}{dil}, {src}}}"
            )
        elif kind == "tconv":
            k, s, d = rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 2)
            pad = rng.choice(["valid", "same", str(rng.randint(0, (d * (k - 1)) // 2))])
            op = rng.randint(0, max(s, d) - 1) if pad != "same" else 0
            items.append(
                f"{{name: {name}, op: conv_transpose, kernel: {k}, stride: {s}, dilation: {d}, "
                f"padding: {pad}, output_padding: {op}, {src}}}"
            )
        elif kind == "upsample":
            mode = rng.choice(MODES)
            scale = rng.choice(["1", "2", "3", "'1.5'", "'0.5'", "'5/4'"])
            items.append(
                f"{{name: {name}, op: upsample, scale: {scale}, mode: {mode}"
                f"{_options(rng, mode)}, {src}}}"
            )
        elif kind == "shuffle":
            items.append(f"{{name: {name}, op: pixel_shuffle, scale: 2, {src}}}")
        elif kind == "unshuffle":
            items.append(f"{{name: {name}, op: pixel_unshuffle, scale: 2, {src}}}")
        elif kind == "adaptive":
            out = _axes(rng, ndim, 1, 9)
            items.append(f"{{name: {name}, op: adaptive_pool, output_size: {out}, {src}}}")
        elif kind == "global":
            items.append(f"{{name: {name}, op: global_pool, {src}}}")
        elif kind == "broadcast":  # image pooling
            mode = rng.choice(MODES)
            items += [
                f"{{name: {name}_g, op: global_pool, {src}}}",
                f"{{name: {name}_up, op: resize, to: {prev}, mode: {mode}}}",
                f"{{name: {name}, op: {rng.choice(['add', 'mul', 'concat'])}, "
                f"inputs: [{prev}, {name}_up]}}",
            ]
        elif kind == "gate":  # squeeze-and-excitation: a map times its pooled self
            pool = rng.choice(["global_pool", "adaptive_pool, output_size: 1"])
            gate = f"{name}_g"
            items.append(f"{{name: {gate}, op: {pool}, {src}}}")
            if rng.random() < 0.5:
                items.append(f"{{name: {name}_e, op: conv, kernel: 1, inputs: [{gate}]}}")
                gate = f"{name}_e"
            merge = rng.choice(["add", "mul"])
            items.append(f"{{name: {name}, op: {merge}, inputs: [{prev}, {gate}]}}")
        elif kind == "resize":  # a strided branch resized back and merged
            mode = rng.choice(MODES)
            items += [
                f"{{name: {name}_d, op: conv, kernel: {rng.randint(1, 3)}, "
                f"stride: {rng.randint(2, 3)}, {src}}}",
                f"{{name: {name}_up, op: resize, to: {prev}, mode: {mode}{_options(rng, mode)}}}",
                f"{{name: {name}, op: {rng.choice(['add', 'mul', 'concat'])}, "
                f"inputs: [{prev}, {name}_up]}}",
            ]
        elif kind == "residual":
            k = rng.choice([1, 2, 3, 5])
            s = rng.choice([1, 1, 2])
            pad = rng.choice(["same", "valid", "1"])
            items += [
                f"{{name: {name}_c, op: conv, kernel: {k}, stride: {s}, padding: {pad}, {src}}}",
                f"{{name: {name}, op: add, inputs: [{name}_c, {prev}]}}",
            ]
        elif kind == "pad":
            amounts = (
                f"[{rng.randint(0, 4)}, {rng.randint(0, 4)}]"
                if ndim == 1
                else str(rng.randint(0, 3))
            )
            items.append(
                f"{{name: {name}, op: pad, padding: {amounts}{_fill(rng, 'mode')}, {src}}}"
            )
        elif kind == "crop":
            items.append(f"{{name: {name}, op: crop, crop: {rng.randint(0, 2)}, {src}}}")
        elif kind == "skip":  # copy and crop (U-Net)
            items += [
                f"{{name: {name}_c, op: conv, kernel: {rng.randint(2, 7)}, {src}}}",
                f"{{name: {name}_s, op: crop, to: {name}_c, inputs: [{prev}]}}",
                f"{{name: {name}, op: concat, inputs: [{name}_c, {name}_s]}}",
            ]
        elif kind == "dilated":  # a stack of stride-1 dilated convs (the HDC rules)
            k = rng.choice([2, 3, 3, 5])
            rates = rng.choice(
                [
                    [2, 4],
                    [1, 2, 4, 8, 16],
                    [1, 2, 3],
                    [2, 4, 8],
                    [1, 3, 9],
                    [1, 5, 9],
                    [rng.randint(1, 9) for _ in range(rng.randint(2, 6))],
                ]
            )
            prev_layer = prev
            for j, r in enumerate(rates):
                last = j == len(rates) - 1
                lname = name if last else f"{name}_{j}"
                items.append(
                    f"{{name: {lname}, op: conv, kernel: {k}, dilation: {r}, padding: same, "
                    f"inputs: [{prev_layer}]}}"
                )
                prev_layer = lname
        elif kind == "identity":
            items.append(f"{{name: {name}, op: identity, {src}}}")
        else:  # a block with parameters, repeated
            bname = f"b{i}"
            if not blocks:
                blocks.append("blocks:")
            blocks += [
                f"  {bname}:",
                "    params: {k: 3, d: 1}",
                "    layers:",
                "      - {name: a, op: conv, kernel: $k, dilation: $(d * (rep + 1)), "
                "padding: same}",
                "      - {name: b, op: conv, kernel: 1, inputs: [$input]}",
                "      - {name: out, op: add, inputs: [a, b]}",
            ]
            items.append(
                f"{{name: {name}, block: {bname}, repeat: {rng.randint(1, 3)}, "
                f"args: {{k: {rng.choice([1, 3, 5])}, d: {rng.randint(1, 3)}}}, {src}}}"
            )
        if rng.random() < 0.1:
            items[-1] = items[-1][:-1] + ", expect: {receptive_field: {min: 1, max: 40}}}"
        elif rng.random() < 0.05:  # a suppression naming no rule: RF002
            items[-1] = items[-1][:-1] + ', suppress: {RF999: "no such rule"}}'
        elif rng.random() < 0.03:  # a typo: RF001
            items[-1] = items[-1][:-1] + ", kernal: 3}"
        prev = name
    if used_symbols:
        decl = ", ".join(
            f"{s}: {{min: {SYMBOLS[s][0]}, max: {SYMBOLS[s][1]}}}" for s in sorted(used_symbols)
        )
        lines.append(f"symbols: {{{decl}}}")
    if rng.random() < 0.15:
        lines.append(f"expect: {{context: {rng.randint(2, 60)}}}")
    lines += blocks
    lines.append("layers:")
    lines += [f"  - {item}" for item in items]
    return "\n".join(lines) + "\n"


def concrete_networks(low: int, high: int, high_3d: int) -> Iterator[tuple[int, Any]]:
    """Generated networks (1 to 3 axes) the reader takes, at a concrete input drawn in
    ``low..high`` per axis (``low..high_3d`` for 3 axes), with no hyperparameter left
    open, each with its seed; endless (the caller takes as many as it needs)."""
    import re

    import rfcalc
    from rfcalc.engine.sizes import is_concrete
    from rfcalc.model import SpecError

    written = re.compile(r"input: \{size: \[[^\]]*\]")
    seed = 0
    while True:
        seed += 1
        rng = random.Random(seed)
        text = spec(rng)
        ndim = text.split("input: {size: [", 1)[1].split("]", 1)[0].count(",") + 1
        top = high if ndim < 3 else high_3d
        size = ", ".join(str(rng.randint(low, top)) for _ in range(ndim))
        text = written.sub(f"input: {{size: [{size}]", text, count=1)
        try:
            network = rfcalc.load("g.yaml", text)
        except SpecError:
            continue
        if network.bounds or not all(is_concrete(s) for s in network.input_size):
            continue  # an open hyperparameter
        yield seed, network
