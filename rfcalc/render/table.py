"""The ``analyze`` table as a rich renderable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.text import Text

from ..answers import Annotations
from ..engine import Analysis, AxisResult, LayerResult
from ..engine.sizes import is_concrete
from ..model import AXIS_NAMES, CONVS, WINDOWS, Layer, Op
from ..wording import maybe_note_text, merge_flags, residues_text
from .grid import Grid
from .values import per_axis, short

_WINDOW = ("kernel", "stride", "dilation")


def _params(r: LayerResult) -> str:
    """``k/s/p/d`` for window layers, the scale for resampling, blank otherwise."""
    layer = r.layer
    if layer.op in WINDOWS | CONVS:
        return _window_params(r)
    if layer.op in {Op.UPSAMPLE, Op.PIXEL_SHUFFLE, Op.PIXEL_UNSHUFFLE}:
        return f"×{per_axis(layer.scale, '×')}" + (
            f" {layer.mode}{_options(layer)}" if layer.op == Op.UPSAMPLE else ""
        )
    if layer.op in {Op.RESIZE, Op.CROP} and layer.target:
        return f"to {layer.target}"
    if layer.op == Op.RESIZE:
        return f"→{per_axis(layer.output_size, '×')} {layer.mode}{_options(layer)}"
    if layer.op in {Op.PAD, Op.CROP}:
        amounts = per_axis([f"{short(a.pad_before)},{short(a.pad_after)}" for a in r.axes], "×")
        fill = f" {layer.padding_mode}" if layer.padding_mode != "zeros" else ""
        return amounts + fill
    if layer.op == Op.ADAPTIVE_POOL:
        return f"→{per_axis(layer.output_size, '×')}"
    return ""


def _window_params(r: LayerResult) -> str:
    """``k/s/p/d`` (a padding mode, or the amounts per axis), then output padding, ceil
    mode, groups and a padding fill when they are not the defaults."""
    layer = r.layer
    axes = range(len(r.axes))
    k, s, d = (per_axis([layer.param(key, i) for i in axes], "×") for key in _WINDOW)
    pads = layer.padding
    if pads and all(p.mode is not None for p in pads) and len({p.mode for p in pads}) == 1:
        p = pads[0].mode or ""
    else:
        p = per_axis(
            [
                a.pad_before
                if a.pad_before == a.pad_after
                else f"{short(a.pad_before)},{short(a.pad_after)}"
                for a in r.axes
            ],
            "×",
        )
    text = f"{k}/{s}/{p}/{d}"
    if layer.output_padding and any(layer.output_padding):
        text += f" op{per_axis(layer.output_padding, '×')}"
    if layer.ceil_mode:
        text += " ceil"
    if layer.op in CONVS and layer.groups > 1:
        text += f" g{layer.groups}"
    if layer.padding_mode != "zeros":
        text += f" {layer.padding_mode}"
    return text


def _options(layer: Layer) -> str:
    """``align_corners`` and ``recompute_scale_factor`` where set, abbreviated."""
    return (" align" if layer.align_corners else "") + (
        " recompute" if layer.recompute_scale_factor else ""
    )


@dataclass
class _Row:
    name: str
    op: str
    params: str
    #: per axis: output size, receptive field, (global context,) jump, effective padding
    axes: list[tuple[str, ...]]
    cost: list[str]
    style: str | None = None


#: the columns after name, op and k/s/p/d, in the order they are dropped last-first
_VALUES = ("output", "RF", "jump", "eff. pad")
#: likewise, when some layer sees a global context (a broadcast branch's fixed region)
_CONTEXT_VALUES = ("output", "RF", "global", "jump", "eff. pad")


def analysis_table(result: Analysis, title: str, shown: Annotations) -> RenderableType:
    """The per-layer table, laid out for the width it is printed at: every column at
    its natural width when that fits; else names and ops wrapped at separators
    (``dec4.`` / ``upconv``), then one line per axis, then the kernel column folded into
    the op column, then columns left out (said under the table); a number is never cut.
    ``shown``: the cost columns (when it has a cost) and the constant cells."""
    rows, notes = _rows(result, shown)
    return _Layout(title, rows, notes, shown.cost is not None, result)


def _rows(result: Analysis, shown: Annotations) -> tuple[list[_Row], list[Text]]:
    costs = shown.cost
    cost = costs is not None
    ndim = len(result.input_size)
    context = any(r.context_through for r in result.layers)
    inputs = [(short(s), "1", *([""] if context else []), "1", "0") for s in result.input_size]
    rows = [_Row("input", "", "", inputs, ["", ""] if cost else [], "dim")]
    notes: list[Text] = []
    previous = "input"
    constants = _Constants(result, shown)
    #: a condition's words, once said, by the layer it starts at: the later layers it
    #: holds at too are listed together at the end
    said: dict[str, tuple[str, list[str]]] = {}
    for r in result.layers:
        op = str(r.layer.op)
        # name the inputs of merges, and of layers that do not read the row above
        if len(r.layer.inputs) > 1 or r.layer.inputs[0] != previous:
            op = f"{op} ← {', '.join(r.layer.inputs)}"
        previous = r.name
        style, flags, inherited = _flags(result, r)
        axes = [_axis_cells(result, r, i, constants, flags, context) for i in range(ndim)]
        c = costs.layers[r.name] if costs is not None else None
        cells = _cost_cells(c.params, c.macs) if c is not None else []
        rows.append(_Row(r.name, op, _params(r), axes, cells, style))
        for flag in dict.fromkeys(inherited):
            if flag in said:
                said[flag][1].append(r.name)
            else:
                said[flag] = (r.name, [])
                flags.append(flag)
        notes += [Text(f"{r.name}: {flag}", style="yellow") for flag in dict.fromkeys(flags)]
    notes += _likewise(said)
    notes += _context_note(result)
    if costs is not None:
        total = _cost_cells(costs.params, costs.macs)
        width = len(rows[0].axes[0])
        rows.append(_Row("total", "", "", [("",) * width] * ndim, total, "bold"))
    return rows, notes


def _axis_cells(
    result: Analysis,
    r: LayerResult,
    i: int,
    constants: _Constants,
    flags: list[str],
    context: bool,
) -> tuple[str, ...]:
    """One axis of a row: size, RF, (global context,) jump, eff. pad; a value constant on
    the valid inputs printed as that constant (its note added to ``flags``)."""
    a = r.axes[i]
    rf = constants.cell(r.name, i, "receptive_field", _rf(a), flags)
    jump = constants.cell(r.name, i, "jump", short(a.jump), flags)
    pad = constants.cell(r.name, i, "effective_padding", short(a.effective_padding), flags)
    seen = [_context_cell(result, i, a)] if context else []
    return (short(a.size), rf, *seen, jump, pad)


def _context_cell(result: Analysis, axis: int, a: AxisResult) -> str:
    """The global context on one axis: ``all`` (every input pixel), ``3..60``, or blank."""
    if a.context is None:
        return ""
    start, end = a.context
    last = result.input_size[axis] - 1
    if start == 0 and (
        end == last or (is_concrete(end) and is_concrete(last) and int(end) == int(last))
    ):
        return "all"
    return f"{short(start)}..{short(end)}"


def _context_note(result: Analysis) -> list[Text]:
    """One sentence for the whole network: where the global context enters, through
    which merges, and what the RF column then means."""
    first = next((r for r in result.layers if r.context_through), None)
    if first is None:
        return []
    merges = list(dict.fromkeys(n for r in result.layers for n in r.context_through))
    named = ", ".join(merges[:3]) + (f" and {len(merges) - 3} more" if len(merges) > 3 else "")
    whole = all(
        _context_cell(result, i, a) in ("all", "")
        for r in result.layers
        for i, a in enumerate(r.axes)
    )
    region = "every input pixel" if whole else "a fixed region of the input (the global column)"
    return [
        Text(
            f"global context: from {first.name} on, every unit also sees {region} through "
            f"a pooled branch broadcast at {named}; RF, jump and eff. pad are the moving "
            "window's",
            style="yellow",
        )
    ]


class _Constants:
    """Values that are formulas in the input symbol but one number on every valid input
    (the annotations found them): printed as that number with a ``*`` and a note."""

    def __init__(self, result: Analysis, shown: Annotations) -> None:
        self.result = result
        self.found = shown.constants

    def cell(self, name: str, axis: int, key: str, text: str, flags: list[str]) -> str:
        """``text``, or the constant with a ``*`` (and the note in ``flags``)."""
        found = self.found.get((name, axis, key))
        if found is None:
            return text
        sym = self.result.input_size[axis]
        flags.append(
            f"* {_SAID[key]} on {sym} is {short(found.value)} for every valid {sym} "
            f"({residues_text(found.valid, str(sym))}); {text} in general"
        )
        return f"{short(found.value)}*"


#: how the table names a quantity in a note
_SAID = {"receptive_field": "RF", "jump": "jump", "effective_padding": "eff. pad"}


def _flags(result: Analysis, r: LayerResult) -> tuple[str | None, list[str], list[str]]:
    """The row's style, what is said of this layer alone, and the notes it may share with
    earlier layers (said once, where they start)."""
    style = "red" if r.mismatched_axes else None
    flags = merge_flags(r.mismatched_axes, r.aligned, brief=True)
    axis_notes: list[str | None] = [maybe_note_text(a.note) for a in r.axes]
    if len(set(axis_notes)) == 1:
        axis_notes = axis_notes[:1]  # the same on every axis: said once
    inherited = [
        note if len(axis_notes) == 1 else f"on {_axis(result, i)}, {note}"
        for i, note in enumerate(axis_notes)
        if note
    ]
    for a in r.axes:
        if a.blind_phases and a.field is not None:
            inherited.append(f"{a.blind_phases} of {a.field.period} output phases see no input")
    if any(is_concrete(a.size) and int(a.size) < 1 for a in r.axes):
        style = "red"
        flags.append("empty output")
    return style, flags, inherited


#: where a word may break when it does not fit a line: after ``.`` or ``_``, after ``-``
#: that follows a letter, after ``/`` between letters (an exporter's ``/encoder/conv``;
#: never inside ``3/2/same/1`` or ``-1``)
_SEPARATORS = re.compile(r"(?<=[A-Za-z0-9][._])|(?<=[A-Za-z]-)|(?<=[A-Za-z]/)(?=[A-Za-z])")
#: the separators tried first: between the parts of a block's layer name (``layer4_0.``)
_DOTS = re.compile(r"(?<=[A-Za-z0-9]\.)")
#: where a line breaks first: after a space
_WORDS = re.compile(r"(?<= )")
#: where a formula breaks: before a term's operator (`` + ``, `` - ``, `` × ``)
_TERMS = re.compile(r"(?= [+\-−×] )")

#: value columns that may break a formula between terms when nothing else fits
_FORMULAS = frozenset({*_CONTEXT_VALUES, "params", "MACs"})

#: layouts tried in turn: (one line per axis, k/s/p/d folded into op, columns dropped)
_ATTEMPTS = (
    (False, False, 0),
    (True, False, 0),
    (False, True, 0),
    (True, True, 0),
    (True, True, 1),
    (True, True, 2),
)


def wrap_at_separators(text: str, width: int) -> str:
    """``text`` in lines of at most ``width``: broken between words, and a word longer
    than a line after a separator (``dec4.`` / ``upconv``), never inside a part (a part
    longer than ``width`` keeps a line of its own)."""
    if "\n" in text:
        return "\n".join(wrap_at_separators(line, width) for line in text.split("\n"))
    parts: list[str] = []
    for word in _WORDS.split(text):
        if len(word.rstrip()) <= width:
            parts.append(word)
            continue
        for piece in _DOTS.split(word):
            parts += _SEPARATORS.split(piece) if len(piece.rstrip()) > width else [piece]
    lines: list[str] = []
    line = ""
    for part in parts:
        if line and len(line) + len(part.rstrip()) > width:
            lines.append(line.rstrip())
            line = ""
        line += part
    lines.append(line.rstrip())
    return "\n".join(lines)


def wrap_formula(text: str, width: int) -> str:
    """A value in lines of at most ``width``, broken before an operator between terms
    (a term longer than ``width`` keeps a line of its own: a number is never cut)."""
    lines: list[str] = []
    for given in text.split("\n"):
        line = ""
        for term in _TERMS.split(given):
            if line and len(line) + len(term) > width:
                lines.append(line)
                term = term.lstrip()
                line = ""
            line += term
        lines.append(line)
    return "\n".join(lines)


def _longest_term(text: str) -> int:
    return max((len(t.strip()) for t in _TERMS.split(text)), default=0)


def _longest_part(text: str) -> int:
    """The narrowest a column can be for ``text`` without breaking inside a part."""
    return max(
        (len(p.rstrip()) for w in _WORDS.split(text) for p in _SEPARATORS.split(w)), default=0
    )


def _width(cells: list[str]) -> int:
    return max((len(line) for c in cells for line in c.split("\n")), default=0)


class _Layout:
    """The table, laid out at render time for the console's width."""

    def __init__(
        self, title: str, rows: list[_Row], notes: list[Text], cost: bool, result: Analysis
    ) -> None:
        self.title, self.rows, self.notes, self.cost = title, rows, notes, cost
        self.result = result
        self.ndim = len(result.input_size)
        context = any(len(a) == len(_CONTEXT_VALUES) for row in rows for a in row.axes)
        self.values = _CONTEXT_VALUES if context else _VALUES

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        for split in (False, True) if self.cost else (False,):
            cost = self.cost and not split  # the cost columns beside the others
            laid = []
            for per_axis_lines, fold, dropped in _ATTEMPTS:
                if per_axis_lines and self.ndim == 1:
                    continue
                found = self._table(width, per_axis_lines, fold, dropped, cost)
                if found is None:
                    continue
                laid.append((found, dropped))
                if not dropped and found[0] == len(self.rows):
                    break  # no cell wraps: no later layout can take fewer lines
            if not laid:
                continue
            # every column if possible; the first layout (in the order of _ATTEMPTS) that
            # takes at most a quarter more lines than the shortest
            fewest = min(d for _, d in laid)
            kept = [(f, d) for f, d in laid if d == fewest]
            shortest = min(f[0] for f, _ in kept)
            (_, table), dropped = next((f, d) for f, d in kept if 4 * f[0] <= 5 * shortest)
            yield table
            if dropped:
                left = ", ".join(self.values[len(self.values) - dropped :])
                yield Text(
                    f"({left} left out to fit {width} columns: widen the terminal,"
                    " or use --format json)",
                    style="dim",
                )
            if split:
                yield self._cost_table(width)
            yield from self.notes
            return
        yield from self._records(width)
        yield from self.notes

    def _cost_table(self, width: int) -> RenderableType:
        """Parameters and multiply-accumulates in a table of their own, under the first
        when both do not fit side by side."""
        headers = ["layer", "params", "MACs"]
        rows = [r for r in self.rows if r.name != "input"]
        body = [[r.name, *r.cost] for r in rows]
        widths = fit_columns(headers, body, ["layer"], width, names_first=True)
        if widths is None:
            return Text("\n".join(f"{r.name}: params {r.cost[0]}, MACs {r.cost[1]}" for r in rows))
        table = Grid(headers, widths, [h != "layer" for h in headers])
        for row, cells in zip(rows, body, strict=True):
            if row.name == "total":
                table.add_section()
            shown = [wrap_at_separators(cells[0], widths[0])]
            shown += [wrap_formula(c, w) for c, w in zip(cells[1:], widths[1:], strict=True)]
            table.add_row(shown, style=row.style)
        return table

    def _columns(
        self, per_axis_lines: bool, fold: bool, dropped: int, cost: bool
    ) -> tuple[list[str], list[list[str]], list[str]]:
        """Headers, the cells of every row, and the wrappable columns' names."""
        values = list(self.values[: len(self.values) - dropped])
        headers = ["layer", "op"] + ([] if fold else ["k/s/p/d"])
        if per_axis_lines:
            headers.append("axis")
        headers += values
        if cost:
            headers += ["params", "MACs"]
        body: list[list[str]] = []
        for row in self.rows:
            op = row.op if not fold or not row.params else f"{row.op}\n{row.params}"
            lead = [row.name, op] + ([] if fold else [row.params])
            count = len(values)
            if per_axis_lines:
                for i, axis in enumerate(row.axes):
                    name = _axis(self.result, i) if any(axis) else ""
                    cells = lead if i == 0 else [""] * len(lead)
                    costs = row.cost if cost else []
                    tail = costs if i == 0 else [""] * len(costs)
                    body.append([*cells, name, *axis[:count], *tail])
            else:
                joined = [_joined([a[k] for a in row.axes]) for k in range(count)]
                body.append([*lead, *joined, *(row.cost if cost else [])])
        return headers, body, ["layer", "op"]

    def _table(
        self, width: int, per_axis_lines: bool, fold: bool, dropped: int, cost: bool
    ) -> tuple[int, Grid] | None:
        """The table in one layout, with the lines its body takes; None: it cannot fit."""
        headers, body, wrappable = self._columns(per_axis_lines, fold, dropped, cost)
        widths = fit_columns(headers, body, wrappable, width)
        if widths is None:
            return None
        height = 0
        right = [h in ("RF", "global", "jump", "eff. pad", "params", "MACs") for h in headers]
        table = Grid(headers, widths, right, title=self.title)
        for row_cells, style in self._styles(body, per_axis_lines):
            cells = [
                wrap_at_separators(c, w)
                if h in wrappable
                else wrap_formula(c, w)
                if h in _FORMULAS
                else c
                for c, h, w in zip(row_cells, headers, widths, strict=True)
            ]
            if row_cells and row_cells[0] == "total":
                table.add_section()
            table.add_row(cells, style=style)
            height += max(c.count("\n") + 1 for c in cells)
        return height, table

    def _styles(
        self, body: list[list[str]], per_axis_lines: bool
    ) -> Iterator[tuple[list[str], str | None]]:
        step = self.ndim if per_axis_lines else 1
        for i, cells in enumerate(body):
            yield cells, self.rows[i // step].style

    def _records(self, width: int) -> Iterator[Text]:
        """The last resort: a layer per block of lines, every value in full."""
        yield Text(self.title)
        for row in self.rows:
            head = " ".join(x for x in (row.name, row.op, row.params) if x)
            style = row.style or ""
            yield Text(wrap_at_separators(head, width), style=style or "bold")
            for k, label in enumerate(self.values):
                shown = _joined([a[k] for a in row.axes]).replace("\n", " | ")
                yield Text(f"  {label}: {shown}", style=style)
            if row.cost and any(row.cost):
                yield Text(f"  params: {row.cost[0]}, MACs: {row.cost[1]}", style=style)


def fit_columns(
    headers: list[str],
    body: list[list[str]],
    wrappable: list[str],
    width: int,
    names_first: bool = False,
) -> list[int] | None:
    """Column widths that fit ``width``: each at least its header and its longest part
    (names broken at separators, formulas between terms), the spare room to the values
    first (or the names), each as it would use; None when even the least does not fit."""
    natural = [_width([h, *(r[i] for r in body)]) for i, h in enumerate(headers)]
    least = list(natural)
    for i, h in enumerate(headers):
        lines = [line for r in body for line in r[i].split("\n")]
        if h in wrappable:
            least[i] = max([len(h), *(_longest_part(line) for line in lines)])
        elif h in _FORMULAS:
            least[i] = max([len(h), *(_longest_term(line) for line in lines)])
    overhead = 3 * len(headers) + 1
    if sum(least) + overhead > width:
        return None
    widths = list(least)
    spare = width - overhead - sum(least)
    for i, h in enumerate(headers):  # a name of up to 14 characters keeps one line
        if h in wrappable:
            more = max(0, min(spare, min(natural[i], 14) - widths[i]))
            widths[i] += more
            spare -= more
    # values whole first (a formula on one line), then names and ops as they would use
    for group in (wrappable, _FORMULAS) if names_first else (_FORMULAS, wrappable):
        for i, h in enumerate(headers):
            if h in group:
                more = min(spare, natural[i] - widths[i])
                widths[i] += more
                spare -= more
    return widths


def _joined(texts: list[str]) -> str:
    """Every axis's value: one when they agree, else joined, parenthesised where a value
    is a sum (``(X − 2) × (Y − 2)``), or one per line when long."""
    if all(t == texts[0] for t in texts):
        return texts[0]
    shown = [f"({t})" if (" + " in t or " - " in t or " − " in t) else t for t in texts]
    joined = per_axis(shown)
    return joined if "\n" not in joined else "\n".join(texts)


def _cost_cells(params: Any, macs: Any) -> list[str]:
    """Parameters and multiply-accumulates: ``9,408``, a formula, ``?`` when unknown,
    blank for none."""

    def num(x: Any) -> str:
        if x is None:
            return "?"
        return f"{int(x):,}" if is_concrete(x) else short(x)

    return [num(params) if params != 0 else "", num(macs) if macs != 0 else ""]


def _rf(a: AxisResult) -> str:
    """``212``, or ``8..12`` where output phases see different amounts of input."""
    if a.receptive_field_min is None:
        return short(a.receptive_field)
    return f"{short(a.receptive_field_min)}..{short(a.receptive_field)}"


def _likewise(said: dict[str, tuple[str, list[str]]]) -> list[Text]:
    """One line per group of later layers that the notes of one earlier layer hold at
    too (a condition inherited from below: said where it starts)."""
    grouped: dict[tuple[str, tuple[str, ...]], None] = {}
    for first, later in said.values():
        if later:
            grouped[(first, tuple(later))] = None
    lines = []
    for first, names in grouped:
        listed = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        lines.append(Text(f"{listed}: as {first}", style="yellow"))
    return lines


def _axis(result: Analysis, axis: int) -> str:
    """An axis by its input symbol (H) or, for a concrete input, its usual name."""
    size = result.input_size[axis]
    return str(size) if getattr(size, "is_Symbol", False) else AXIS_NAMES[axis]
