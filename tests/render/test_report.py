"""``rfcalc report``: the page's data and text, without a browser (the browser tests are
``test_report_browser.py``).

The page's script walks each layer's reads (``reads_table``); here the same walk is
written again in Python over the data the page embeds, and must give
``unit_support``'s counts for every unit of generated networks: the page carries what the
engine follows, border rules included.  The graph's lanes never cross an edge's rows
twice; the page is self-contained (no address to fetch) and small."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.generated_specs import spec
from support.report_page import page_data, row_at, walk
from support.scale import examples

import rfcalc
from rfcalc.cli import main
from rfcalc.design import annotate
from rfcalc.engine.erf import every_erf
from rfcalc.engine.unit import unit_support
from rfcalc.lint import lint_network
from rfcalc.model import SpecError
from rfcalc.render.report import graph_lanes, report_html, runs

ROOT = Path(__file__).parents[2]


def _report(path: Path, size: str, *extra: str) -> str:
    out = path.with_suffix(".html")
    code = main(["report", str(path), "-i", size, "-o", str(out), "--isolated", *extra])
    assert code == 0
    return out.read_text()


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("vgg16", "64x64"),
        ("resnet_stage", "32x32"),
        ("unet_tconv", "64x64"),
        ("deeplabv3plus", "65x65"),
        ("hrnet_fusion", "64x48"),
        ("transposed_phases", "40"),
    ],
)
def test_the_page_carries_the_engines_support(
    name: str, size: str, tmp_path: Path, capsys: Any
) -> None:
    source = tmp_path / f"{name}.yaml"
    source.write_text((ROOT / "specs" / f"{name}.yaml").read_text())
    data = page_data(_report(source, size))
    assert f"wrote {source.with_suffix('.html')}" in capsys.readouterr().err
    analysis = rfcalc.analyze(rfcalc.load(source), [int(s) for s in size.split("x")])
    for r in analysis.layers:
        sizes = [int(a.size) for a in r.axes]
        corners = {tuple(0 for _ in sizes), tuple(n - 1 for n in sizes)}
        corners.add(tuple(n // 2 for n in sizes))
        for unit in corners:
            assert walk(data, r.name, unit) == unit_support(analysis, r.name, unit), (r.name, unit)


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rng=st.randoms(use_true_random=False))
def test_generated_pages_carry_the_engines_support(
    rng: random.Random, tmp_path_factory: pytest.TempPathFactory
) -> None:
    text = spec(rng)
    try:
        network = rfcalc.load("generated.yaml", text)
    except SpecError:
        return
    if network.bounds:
        return
    size = [rng.randint(8, 40) for _ in range(network.ndim)]
    analysis = rfcalc.analyze(network, size)
    if any(int(a.size) < 1 for r in analysis.layers for a in r.axes):
        return
    data = page_data(
        report_html(analysis, "generated.yaml", [], None, shown=annotate(analysis, constants=False))
    )
    r = analysis.layers[-1]
    unit = tuple(rng.randrange(int(a.size)) for a in r.axes)
    assert walk(data, r.name, unit) == unit_support(analysis, r.name, unit), (text, size, unit)
    for layer, r in zip(data["layers"], analysis.layers, strict=True):
        for axis, spans in enumerate(layer["regions"]):
            f = r.axes[axis].field
            if spans is None:
                continue
            assert f is not None
            for u in range(layer["size"][axis]):
                span = row_at(spans, u)
                region = f.moving_region(u)  # the moving window (the context is apart)
                assert span == (None if region is None else [region.start, region.end])


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=3), min_size=1, max_size=40))
def test_graph_lanes_never_share_a_row(choices: list[list[int]]) -> None:
    """Every edge drawn on a lane owns the rows between its ends; the spine is every row
    that reads the row above."""
    rows = ["input"] + [f"l{i}" for i in range(len(choices))]
    inputs: list[list[str]] = [[]]
    for i, picks in enumerate(choices, start=1):
        inputs.append([rows[p % i] for p in picks])
    spine, edges = graph_lanes(rows, inputs)
    assert spine == {i for i, names in enumerate(inputs) if rows[i - 1] in names and i > 0}
    for a in edges:
        assert a.dst > a.src + 1
        assert a.lane >= 1
        for b in edges:
            if a is not b and a.lane == b.lane:
                assert a.dst < b.src or b.dst < a.src
    drawn = {(e.src, e.dst) for e in edges}
    wanted = {
        (rows.index(n), i) for i, names in enumerate(inputs) for n in names if rows.index(n) < i - 1
    }
    assert drawn == wanted


def test_the_page_is_self_contained_and_says_everything(tmp_path: Path) -> None:
    """No address to fetch; every layer is a row, every finding beside its layer and in
    the list; the ERF is the engine's."""
    source = tmp_path / "gridded.yaml"
    source.write_text((ROOT / "tests" / "fixtures" / "check" / "hdc_2_4_8.yaml").read_text())
    page = _report(source, "48x48")
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    assert "<link" not in page
    assert "@import" not in page
    assert "url(" not in page
    assert "fetch(" not in page
    assert "XMLHttpRequest" not in page
    data = page_data(page)
    analysis = rfcalc.analyze(rfcalc.load(source), [48, 48])
    for r in analysis.layers:
        assert f'data-layer="{r.name}"' in page
    findings = lint_network(rfcalc.load(source))
    assert {f.rule for f in findings} >= {"RF201"}
    for f in findings:
        assert f'<span class="badge {f.severity}">{f.rule}</span>' in page
        if f.layer:
            row = re.search(rf'<tr [^>]*data-layer="{f.layer}".*?</tr>', page)
            assert row is not None
            assert f">{f.rule}</a>" in row.group(0)
    erfs = every_erf(analysis)
    for r in analysis.layers:
        erf = erfs[r.name]
        assert not isinstance(erf, str)
        shown = data["erf"][r.name]
        assert shown["paths"] == str(erf.paths)
        assert [a["widths"] for a in shown["axes"]] == [list(a.widths) for a in erf.axes]


@pytest.mark.slow
def test_resnet50_report_is_a_few_hundred_kib(tmp_path: Path) -> None:
    source = tmp_path / "resnet50.yaml"
    source.write_text((ROOT / "specs" / "zoo" / "resnet50_v1.yaml").read_text())
    page = _report(source, "224x224", "--no-erf")  # the ERF adds 70 short entries
    assert len(page.encode()) < 1_000_000
    data = page_data(page)
    assert len(data["layers"]) == len(rfcalc.load(source).layers)


def test_report_refuses_what_it_cannot_draw(tmp_path: Path, capsys: Any) -> None:
    """A symbolic input, an open hyperparameter, an empty map: exit 2 with the reason; a
    spec that cannot be read: exit 1, located."""
    vgg = str(ROOT / "specs" / "vgg16.yaml")
    out = str(tmp_path / "x.html")
    assert main(["report", vgg, "-o", out]) == 2
    assert "a report needs a concrete input: give --input" in capsys.readouterr().err
    assert main(["report", vgg, "-i", "16x16", "-o", out]) == 2
    assert "pool5 has an empty output at this input" in capsys.readouterr().err
    hyper = tmp_path / "hyper.yaml"
    hyper.write_text(
        "rfcalc: 1\ninput: {size: [32, 32]}\nsymbols: {K: {min: 1, max: 5}}\n"
        "layers:\n  - {op: conv, kernel: K}\n"
    )
    assert main(["report", str(hyper), "-o", out]) == 2
    assert "a hyperparameter is left open" in capsys.readouterr().err
    same = tmp_path / "same.yaml"  # sizes stay numbers while the window is a symbol
    same.write_text(
        "rfcalc: 1\ninput: {size: [32, 32]}\nsymbols: {D: {min: 1, max: 3}}\n"
        "layers:\n  - {op: conv, kernel: 3, dilation: D, padding: same}\n"
    )
    assert main(["report", str(same), "-o", out]) == 2
    assert "a hyperparameter is left open" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("rfcalc: 1\ninput: {size: [32, 32]}\nlayers:\n  - {op: conv, kernal: 3}\n")
    assert main(["report", str(bad), "-o", out]) == 1
    assert f"{bad}:4:" in capsys.readouterr().err
    assert main(["report", vgg, "-i", "64x64", "-o", out, "--repeat", "nosuch=2"]) == 2
    assert "no top-level layer or block instance named 'nosuch'" in capsys.readouterr().err
    assert not Path(out).exists()
    assert main(["report", vgg, "-i", "64x64", "-o", str(tmp_path / "no" / "x.html")]) == 2


def test_findings_are_of_the_network_the_page_shows(tmp_path: Path) -> None:
    """With ``--repeat``, the findings are those of the repeated network: each names a
    layer that is a row of the page, and the gridding reaches the last repetition."""
    source = tmp_path / "stack.yaml"
    source.write_text(
        "rfcalc: 1\ninput: {size: [64, 64]}\nlayers:\n"
        "  - {name: d, op: conv, kernel: 3, dilation: 2, padding: same, repeat: 2}\n"
    )
    page = _report(source, "64x64", "--repeat", "d=4")
    rows = set(re.findall(r'<tr tabindex="0" data-layer="([^"]+)"', page))
    assert "d.3" in rows
    named = re.findall(r'<button type="button" class="show" data-layer="([^"]+)"', page)
    assert named
    assert set(named) <= rows
    assert "an output unit of d.3 sees its receptive field with holes" in page


def test_a_long_signal_is_stored_compactly(tmp_path: Path) -> None:
    """Issue #23: a 1-D TCN at 16,000 samples wrote an 8.3 MB page (every unit's reads and
    field spelled out); runs of rows that move by one step per unit keep it small, and
    the page's walk still gives the engine's support at any unit."""
    source = tmp_path / "tcn.yaml"
    source.write_text((ROOT / "specs" / "zoo" / "tcn.yaml").read_text())
    page = _report(source, "16000", "--no-erf")
    assert len(page.encode()) < 1_000_000
    data = page_data(page)
    analysis = rfcalc.analyze(rfcalc.load(source), [16000])
    last = analysis.layers[-1].name
    for unit in [(0,), (7,), (8000,), (15999,)]:
        assert walk(data, last, unit) == unit_support(analysis, last, unit)


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.builds(
                lambda start, width, step, n: [
                    [start + u * step + j for j in range(width)] for u in range(n)
                ],
                st.integers(-5, 5),
                st.integers(0, 3),
                st.integers(-2, 3),
                st.integers(1, 6),
            ),
        ),
        max_size=6,
    )
)
def test_runs_give_back_every_row(pieces: list[Any]) -> None:
    rows: list[Any] = []
    for piece in pieces:
        rows += [None] if piece is None else piece
    stored = runs(rows)
    assert [row_at(stored, u) for u in range(len(rows))] == rows
    # each piece moves by one step per row: it costs a run, two where greed pairs its
    # first row with a lone row before it
    assert len(stored) <= 2 * len(pieces)
