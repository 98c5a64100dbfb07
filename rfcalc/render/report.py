"""``rfcalc report``: one self-contained HTML page (inline CSS, JavaScript and SVG; no
network access) with the network as a graph, the per-layer table, the lint findings
beside their layers, and an interactive picture of any unit's exact input support.

The page carries, per layer and axis, which units of the layer below each output unit
reads (:func:`rfcalc.engine.unit.reads_table`, the same readers as ``--show-support``)
and each unit's theoretical field; its script only sums path counts along those tables,
so the op semantics stay in the engine.  Everything else on the page (sizes, fields,
ERF metrics, findings) is the engine's and the linter's, written out here."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from math import prod
from string import Template
from typing import Any

from .._version import __version__
from ..answers import Annotations
from ..engine import Analysis
from ..engine.erf import SHARES, SQUARE_SHARES, THRESHOLDS, Erf
from ..engine.sizes import is_concrete
from ..engine.unit import reads_table
from ..model import MERGES, POOLS, Finding, Op
from ..wording import ERF_REASONS
from .analysis_json import analysis_document
from .values import root_float

#: one row of the table and of the graph beside it, in CSS pixels
ROW_HEIGHT = 26
#: the horizontal distance between two lanes of the graph
LANE = 12


@dataclass(frozen=True)
class Edge:
    """An edge of the graph from row ``src`` to row ``dst`` (``dst > src + 1``), drawn in
    lane ``lane`` (lane 0 is the spine, where consecutive rows meet)."""

    src: int
    dst: int
    lane: int


def graph_lanes(
    rows: Sequence[str], inputs: Sequence[Sequence[str]]
) -> tuple[set[int], list[Edge]]:
    """The spine (rows ``i`` with an edge from row ``i - 1``) and the longer edges with
    their lanes: an edge takes the lowest lane free over its rows (a lane is free again
    the row after its last edge ends), so branches and merges stay readable.
    ``inputs[i]`` are the names row ``i`` reads (row 0 is the input)."""
    at = {name: i for i, name in enumerate(rows)}
    spine: set[int] = set()
    long: list[tuple[int, int]] = []
    for i, names in enumerate(inputs):
        for name in dict.fromkeys(names):
            j = at[name]
            if j == i - 1:
                spine.add(i)
            else:
                long.append((j, i))
    busy: list[int] = []  # per lane above 0, the last row it is drawn on
    edges = []
    for src, dst in sorted(long):
        lane = next((k for k, end in enumerate(busy) if end < src), None)
        if lane is None:
            busy.append(dst)
            lane = len(busy) - 1
        else:
            busy[lane] = dst
        edges.append(Edge(src, dst, lane + 1))
    return spine, edges


def _row_svg(i: int, spine: set[int], edges: Sequence[Edge], width: int, merge: bool) -> str:
    """The graph's slice for row ``i``: the spine above and below, the node, and every
    lane that starts, ends or passes here."""
    h, mid, x0 = ROW_HEIGHT, ROW_HEIGHT // 2, 7
    parts = []
    if i in spine:
        parts.append(f'<line x1="{x0}" y1="0" x2="{x0}" y2="{mid}"/>')
    if i + 1 in spine:
        parts.append(f'<line x1="{x0}" y1="{mid}" x2="{x0}" y2="{h}"/>')
    for e in edges:
        x = x0 + e.lane * LANE
        if e.src == i:
            parts.append(f'<path d="M{x0} {mid} Q{x} {mid} {x} {h}"/>')
        elif e.dst == i:
            parts.append(f'<path d="M{x} 0 Q{x} {mid} {x0} {mid}"/>')
        elif e.src < i < e.dst:
            parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{h}"/>')
    if merge:
        node = f'<rect class="merge" x="{x0 - 5}" y="{mid - 5}" width="10" height="10" rx="2"/>'
    else:
        node = f'<circle cx="{x0}" cy="{mid}" r="4"/>'
    return (
        f'<svg class="graph" width="{width}" height="{h}" aria-hidden="true">'
        + "".join(parts)
        + node
        + "</svg>"
    )


def _joined(values: Sequence[Any]) -> str:
    texts = ["?" if v is None else str(v) for v in values]
    if all(t == texts[0] for t in texts):
        return texts[0]
    return " × ".join(texts)


def _percent(x: Any) -> str:
    return f"{float(x) * 100:.1f} %"


def _erf_cell(erf: Erf | str | None) -> tuple[str, str]:
    """The table's ERF cell (95 % width per axis, and over the field) and its tooltip."""
    if erf is None:
        return "", ""
    if isinstance(erf, str):
        return "–", ERF_REASONS[erf]
    widths = _joined([a.widths[2] for a in erf.axes])
    ratios = [a.ratio95 for a in erf.axes if a.ratio95 is not None]
    ratio = f" ({_percent(max(ratios))})" if ratios else ""
    return widths + ratio, "95 % of the paths of the central unit lie in this width"


def _erf_data(erf: Erf | str | None) -> Any:
    if erf is None:
        return None
    if isinstance(erf, str):
        return {"reason": ERF_REASONS[erf]}
    return {
        "unit": list(erf.unit),
        "paths": str(erf.paths),
        "axes": [
            {
                "centre": float(a.centre),
                "widths": list(a.widths),
                "std": f"{root_float(a.variance):.2f}",
                "ratio95": None if a.ratio95 is None else _percent(a.ratio95),
            }
            for a in erf.axes
        ],
        "areas": [_percent(v) for v in erf.areas],
        "squares": [None if q is None else [q[0], _percent(q[1])] for q in erf.squares],
    }


def _layer_data(
    result: Analysis, name: str, done: int = 0, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """What the page's script needs of one layer: its reads and each unit's field."""
    if progress is not None:
        progress(done)
    r = result[name]
    data: dict[str, Any] = {"name": name, "inputs": list(r.layer.inputs)}
    data["size"] = [int(a.size) for a in r.axes]
    if r.layer.op in MERGES:
        data["reads"] = "merge"
        spread = [
            [i for i, axes in enumerate(r.broadcast) if b in axes]
            for b in range(len(r.layer.inputs))
        ]
        if any(spread):
            data["broadcast"] = spread
    else:
        tables = reads_table(r)
        data["reads"] = [
            None if all(t == (u,) for u, t in enumerate(table)) else runs(table) for table in tables
        ]
    regions: list[list[Run] | None] = []
    periods = []
    for a, n in zip(r.axes, data["size"], strict=True):
        f = a.field
        periods.append(1 if f is None else f.period)
        if f is None or not is_concrete(f.advance):
            regions.append(None)  # not stated (the table's notes say why)
            continue
        spans: list[tuple[int, ...] | None] = []
        for u in range(n):
            reg = f.moving_region(u)
            if reg is None or not (is_concrete(reg.start) and is_concrete(reg.end)):
                spans.append(None)
            else:
                spans.append((int(reg.start), int(reg.end)))
        regions.append(runs(spans))
    data["regions"] = regions
    data["period"] = periods
    return data


#: ``[first, count, step, row]``: rows ``first .. first + count - 1`` of a table, row
#: ``first + k`` being ``row`` with ``k * step`` added to each value (None: no row)
Run = list[Any]


def runs(rows: Sequence[Sequence[int] | None]) -> list[Run]:
    """A table of rows (each unit's reads, each unit's field) as runs of rows that move by
    one step per unit: a window's reads, a field's regions, are a handful of runs where
    the rows themselves are thousands (the page's script expands the one it needs)."""
    out: list[Run] = []
    for u, row in enumerate(rows):
        if out:
            first, count, step, base = out[-1]
            if first + count == u and _continues(base, row, step, count):
                out[-1][1] += 1
                continue
            if count == 1 and _same_shape(base, row):  # a second row gives the step
                assert base is not None
                assert row is not None
                moved = {b - a for a, b in zip(base, row, strict=True)}
                if len(moved) <= 1:
                    out[-1][1], out[-1][2] = 2, (moved.pop() if moved else 0)
                    continue
        out.append([u, 1, 0, None if row is None else list(row)])
    return out


def _same_shape(a: Sequence[int] | None, b: Sequence[int] | None) -> bool:
    return a is not None and b is not None and len(a) == len(b)


def _continues(base: Sequence[int] | None, row: Sequence[int] | None, step: int, k: int) -> bool:
    if base is None or row is None:
        return base is None and row is None
    if len(base) != len(row):
        return False
    if len(row) == 1:  # one read per unit (a resampling): the common case, kept cheap
        return row[0] == base[0] + k * step
    moved = k * step
    return all(b == a + moved for a, b in zip(base, row, strict=True))


#: the page draws every unit of a map: at most this many units in one layer's map (a
#: 2048 x 2048 image)
MAX_MAP_UNITS = 1 << 22
#: the page's tables hold a row per unit and axis: at most this many over every layer
MAX_AXIS_UNITS = 1 << 20
#: and every unit's reads: at most this many over every layer and axis
MAX_READS = 1 << 23
#: the largest page written (the reads are stored as runs: a few KiB for most networks)
MAX_PAGE_CHARS = 32 << 20


def too_large(result: Analysis) -> str | None:
    """Why the page of ``result`` would be past the work it is bounded by (its maps, its
    rows, its reads: each is computed unit by unit), or None.  Cheap: from the sizes and
    windows alone, before any of it is computed."""
    rows = reads = 0
    for r in result.layers:
        sizes = [int(a.size) for a in r.axes]
        if prod(sizes) > MAX_MAP_UNITS:
            return (
                f"{r.name} has {prod(sizes):,} units, more than the {MAX_MAP_UNITS:,} a page "
                "draws of one map"
            )
        rows += sum(sizes)
        if r.layer.op not in MERGES:
            reads += sum(m * _taps(r, axis, m) for axis, m in enumerate(sizes))
    if rows > MAX_AXIS_UNITS:
        return (
            f"its maps have {rows:,} units along their axes, more than the "
            f"{MAX_AXIS_UNITS:,} a page holds"
        )
    if reads > MAX_READS:
        return f"its units read {reads:,} units below, more than the {MAX_READS:,} a page holds"
    return None


def _taps(r: Any, axis: int, m: int) -> int:
    """The most units one output unit of ``r`` reads on ``axis`` (a bound)."""
    layer = r.layer
    window = layer.int_window(axis)
    if window is None:
        return 4
    k, s = int(window[0]), int(window[1])
    if layer.op in (Op.CONV, *POOLS):
        return k
    if layer.op == Op.CONV_TRANSPOSE:
        return -(-k // s)
    if layer.op in (Op.ADAPTIVE_POOL, Op.GLOBAL_POOL):
        return int(r.input_sizes[0][axis]) // max(m, 1) + 2
    if layer.op == Op.PIXEL_UNSHUFFLE:
        return int(layer.param("scale", axis))
    return 4  # a resampling reads at most 4 units (cubic), a copy 1


def report_html(
    result: Analysis,
    path: str,
    findings: Sequence[Finding],
    erfs: dict[str, Erf | str] | None = None,
    progress: Callable[[int], None] | None = None,
    *,
    shown: Annotations,
) -> str:
    """The page for ``result`` (an analysis at a concrete input) of the spec or model at
    ``path``, with ``findings`` beside their layers and ``erfs`` per layer (or None), and
    the cost ``shown`` carries; ``progress`` is called with the number of layers written."""
    doc = analysis_document(result, path, shown)
    erfs = erfs or {}
    names = ["input"] + [r.name for r in result.layers]
    inputs: list[Sequence[str]] = [()] + [r.layer.inputs for r in result.layers]
    spine, edges = graph_lanes(names, inputs)
    ordered = sorted(findings, key=Finding.sort_key)
    by_layer: dict[str, list[int]] = {}
    for k, f in enumerate(ordered):
        by_layer.setdefault(f.layer or "", []).append(k)
    rows = _Rows(
        doc,
        erfs,
        names,
        ordered,
        by_layer,
        spine,
        edges,
        14 + LANE * max((e.lane for e in edges), default=0),
        any("global_context" in e for e in doc["layers"]),
        doc["macs"] is not None and any(e["channels"] for e in doc["layers"]),
    )
    body = [rows.first()]
    body += [
        rows.layer(i, r, entry)
        for i, (r, entry) in enumerate(zip(result.layers, doc["layers"], strict=True), start=1)
    ]
    table = (
        '<table id="layers"><thead><tr>'
        + "".join(f'<th scope="col">{html.escape(h)}</th>' for h in rows.head())
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )
    data = _page_data(result, path, erfs, progress)
    return _page(result, path, doc, table, _findings_list(ordered), data, rows.cost)


@dataclass(frozen=True)
class _Rows:
    """The table's rows: what every row needs of the page (the document, the ERFs, the
    findings by layer, the graph's lanes, which optional columns there are)."""

    doc: dict[str, Any]
    erfs: dict[str, Erf | str]
    names: list[str]
    ordered: list[Finding]
    by_layer: dict[str, list[int]]
    spine: Any
    edges: Any
    width: int
    context: bool
    cost: bool

    def head(self) -> list[str]:
        head = ["", "layer", "op", "output", "RF", *(["global"] if self.context else [])]
        head += ["jump", "eff. pad", "ERF 95 %"]
        if self.cost:
            head += ["params", "MACs"]
        return [*head, "findings"]

    def first(self) -> str:
        """The input's row."""
        cells = ["1", *([""] if self.context else []), "1", "0", ""]
        cells += ["", ""] if self.cost else []
        graph = _row_svg(0, self.spine, self.edges, self.width, False)
        return _row(0, "input", "", _joined(self.doc["input"]), cells, [], self.ordered, graph)

    def layer(self, i: int, r: Any, entry: dict[str, Any]) -> str:
        """Layer ``i``'s row: its fields, ERF, cost, findings and the graph beside it."""
        rf = entry["receptive_field"]
        if "receptive_field_min" in entry:
            rf = [f"{lo}..{hi}" for lo, hi in zip(entry["receptive_field_min"], rf, strict=True)]
        erf_text, erf_title = _erf_cell(self.erfs.get(r.name))
        texts = [_joined(rf)]
        if self.context:
            texts.append(_context_text(entry, self.doc["input"]))
        texts += [_joined(entry["jump"]), _joined(entry["effective_padding"])]
        cells = [html.escape(t) for t in texts]
        cells.append(f'<span title="{html.escape(erf_title)}">{html.escape(erf_text)}</span>')
        if self.cost:
            cells += [_number(entry["params"]), _number(entry["macs"])]
        op = entry["op"] + _options(entry)
        if len(r.layer.inputs) > 1 or r.layer.inputs[0] != self.names[i - 1]:
            op += " ← " + ", ".join(r.layer.inputs)
        graph = _row_svg(i, self.spine, self.edges, self.width, r.layer.op in MERGES)
        found = self.by_layer.get(r.name, [])
        size = _joined(entry["output_size"])
        notes = entry.get("notes", [])
        return _row(i, r.name, op, size, cells, found, self.ordered, graph, notes)


def _page_data(
    result: Analysis,
    path: str,
    erfs: dict[str, Erf | str],
    progress: Callable[[int], None] | None,
) -> dict[str, Any]:
    """What the page's script reads: each layer's reads and field, the ERFs, the shares."""
    return {
        "name": result.network.name,
        "path": path,
        "input": [int(s) for s in result.input_size],
        "thresholds": [float(t) for t in THRESHOLDS],
        "layers": [
            _layer_data(result, r.name, i + 1, progress) for i, r in enumerate(result.layers)
        ],
        "erf": {r.name: _erf_data(erfs.get(r.name)) for r in result.layers},
        "shares": [f"{float(s) * 100:g} %" for s in SHARES],
        "squareShares": [f"{float(s) * 100:g} %" for s in SQUARE_SHARES],
    }


def _context_text(entry: dict[str, Any], sizes: Sequence[int]) -> str:
    """The global context of a layer: ``all`` (every input pixel), ``3..60`` per axis, or
    blank (as the ``analyze`` table writes it)."""
    if "global_context" not in entry:
        return ""
    cells = [
        "" if span is None else "all" if span == [0, n - 1] else f"{span[0]}..{span[1]}"
        for span, n in zip(entry["global_context"]["region"], sizes, strict=True)
    ]
    return _joined(cells)


def _options(entry: dict[str, Any]) -> str:
    parts = []
    for key, short in (("kernel", "k"), ("stride", "s"), ("dilation", "d")):
        if key in entry:
            value = _joined(entry[key])
            if key == "kernel" or value != "1":
                parts.append(f"{short}{value}")
    return (" " + " ".join(parts)) if parts else ""


def _number(x: Any) -> str:
    if x is None:
        return "?"
    if isinstance(x, int):
        return f"{x:,}" if x else ""
    return html.escape(str(x))


def _row(
    i: int,
    name: str,
    op: str,
    size: str,
    cells: Sequence[str],  # HTML
    found: Sequence[int],
    ordered: Sequence[Finding],
    svg: str,
    notes: Sequence[str] = (),
) -> str:
    badges = "".join(
        f'<a class="badge {ordered[k].severity}" href="#finding-{k}" '
        f'title="{html.escape(ordered[k].message)}">{ordered[k].rule}</a>'
        for k in found
    )
    note = f' title="{html.escape("; ".join(notes))}"' if notes else ""
    mark = " *" if notes else ""
    return (
        f'<tr tabindex="0" data-layer="{html.escape(name)}" data-row="{i}"{note}>'
        f'<td class="g">{svg}</td><th scope="row">{html.escape(name)}{mark}</th>'
        f"<td>{html.escape(op)}</td><td>{html.escape(size)}</td>"
        + "".join(f"<td>{c}</td>" for c in cells)
        + f"<td>{badges}</td></tr>"
    )


def _findings_list(ordered: Sequence[Finding]) -> str:
    if not ordered:
        return '<p class="quiet">No findings: every enabled rule passed.</p>'
    items = []
    for k, f in enumerate(ordered):
        where = f"node {f.loc.node}" if f.loc.node else f"line {f.loc.line}, column {f.loc.col}"
        layer = (
            f' <button type="button" class="show" data-layer="{html.escape(f.layer)}">'
            f"show {html.escape(f.layer)}</button>"
            if f.layer
            else ""
        )
        items.append(
            f'<li id="finding-{k}"><span class="badge {f.severity}">{f.rule}</span> '
            f"<strong>{f.severity}</strong> [{html.escape(f.name)}] {html.escape(where)}: "
            f"{html.escape(f.message)}{layer}</li>"
        )
    return "<ol>" + "".join(items) + "</ol>"


def _script_json(data: Any) -> str:
    """JSON safe inside ``<script>``: no ``<``, ``>`` or ``&`` at all (a name holding
    ``</script>`` would end the block; ``<!--<script>`` would put the HTML tokenizer in
    its double-escaped state, where the page's own ``</script>`` no longer ends it), and
    no line separators (ASCII only: ``json.dumps`` escapes the rest)."""
    text = json.dumps(data, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    return (resources.files("rfcalc.render") / "assets" / name).read_text(encoding="utf-8")


def _page(
    result: Analysis,
    path: str,
    doc: dict[str, Any],
    table: str,
    findings: str,
    data: dict[str, Any],
    cost: bool,
) -> str:
    name = html.escape(result.network.name)
    size = " × ".join(str(s) for s in data["input"])
    context = ""
    if any("global_context" in e for e in doc["layers"]):
        context = (
            '\n<p class="help">global: the input pixels every unit also sees, wherever it '
            "is, through a pooled branch broadcast back over the map (a squeeze-and-"
            "excitation gate, image pooling); RF, jump and eff. pad are the moving "
            "window's.</p>"
        )
    totals = ""
    if cost:
        totals = f" · {_number(doc['params'])} parameters · {_number(doc['macs'])} MACs"
    page = Template(_asset("report.html"))
    return page.substitute(
        name=name,
        version=__version__,
        style=_asset("report.css"),
        path=html.escape(path),
        size=size,
        totals=totals,
        table=table,
        context=context,
        findings=findings,
        data=_script_json(data),
        script=_asset("report.js"),
    )
