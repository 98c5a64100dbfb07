"""The analyze table fits the width it is printed at: nothing cut, no column squeezed to
nothing, names broken at separators; golden renderings of the zoo at 80 and 120 columns
(``RFCALC_UPDATE_GOLDEN=1 pytest tests/render`` rewrites them after a deliberate change)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rfcalc.cli import main
from rfcalc.render.table import wrap_at_separators, wrap_formula

ROOT = Path(__file__).parents[2]
SPECS = sorted([*(ROOT / "specs").glob("*.yaml"), *(ROOT / "specs" / "zoo").glob("*.yaml")])
ZOO = sorted((ROOT / "specs" / "zoo").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden"


def _table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    width = args[-1]
    monkeypatch.setenv("COLUMNS", width)
    assert main(["analyze", *args[:-1]]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("width", [60, 80, 100, 120])
@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_every_spec_fits_without_cutting_a_value(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    path: Path,
    width: int,
) -> None:
    for extra in ([], ["--cost"]):
        out = _table(capsys, monkeypatch, str(path), *extra, str(width))
        lines = out.splitlines()
        assert all(len(line) <= width for line in lines), max(lines, key=len)
        assert "…" not in out  # rich's ellipsis: a cut value
        headers = [line for line in lines if line.startswith("┃")]
        if not headers:  # the last resort: a block of lines per layer, every value whole
            assert any(line.startswith("  RF: ") for line in lines)
            continue
        cells = headers[0].strip("┃").split("┃")
        assert all(cell.strip() for cell in cells), headers[0]  # no column squeezed away
        assert "layer" in cells[0]


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("path", ZOO, ids=lambda p: p.stem)
def test_the_zoo_renders_as_its_golden_file(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    path: Path,
    width: int,
) -> None:
    out = _table(capsys, monkeypatch, str(path.relative_to(ROOT)), "--cost", str(width))
    golden = GOLDEN / f"{path.stem}_{width}.txt"
    if os.environ.get("RFCALC_UPDATE_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text()


def test_names_break_at_separators_never_inside_a_part() -> None:
    assert wrap_at_separators("dec4.upconv", 6) == "dec4.\nupconv"
    assert wrap_at_separators("concat ← enc4.pool, dec4.upconv", 12) == (
        "concat ←\nenc4.pool,\ndec4.upconv"
    )
    assert wrap_at_separators("3/2/same/1", 4) == "3/2/same/1"  # no break inside values
    assert wrap_at_separators("/encoder/layer1/Conv", 9) == "/encoder/\nlayer1/Conv"


def test_formulas_break_between_terms_never_inside_one() -> None:
    value = "(H mod 2) + 4(⌈H/4⌉ mod 2) + 2(⌈H/2⌉ mod 2) + 14"
    assert wrap_formula(value, 20) == "(H mod 2)\n+ 4(⌈H/4⌉ mod 2)\n+ 2(⌈H/2⌉ mod 2)\n+ 14"
    assert wrap_formula("123456789", 3) == "123456789"


def test_the_global_context_is_a_column_and_one_sentence(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Below a squeeze-and-excitation gate every layer also sees the pooled region: the
    RF column stays the moving window, a "global" column says the context, and one
    sentence for the whole network says where it enters (issue #22)."""
    spec = tmp_path / "se.yaml"
    spec.write_text(
        "rfcalc: 1\ninput: {size: [32, 32]}\nlayers:\n"
        "  - {name: c1, op: conv, kernel: 3, padding: 1}\n"
        "  - {name: g, op: global_pool}\n"
        "  - {name: up, op: resize, to: c1}\n"
        "  - {name: se, op: mul, inputs: [c1, up]}\n"
        "  - {name: c2, op: conv, kernel: 3, stride: 2}\n"
        "  - {name: c3, op: conv, kernel: 3}\n"
    )
    out = _table(capsys, monkeypatch, str(spec), "200")
    header = next(line for line in out.splitlines() if line.startswith("┃"))
    head = [c.strip() for c in header.split("┃")[1:-1]]
    assert head == ["layer", "op", "k/s/p/d", "output", "RF", "global", "jump", "eff. pad"]
    rows = {
        cells[0]: cells
        for cells in ([c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines())
        if cells
    }
    assert rows["se"][4:] == ["3", "all", "1", "1"]
    assert rows["c3"][4:] == ["9", "all", "2", "1"]
    assert rows["g"][5] == ""
    flat = " ".join(out.split())
    assert flat.count("global context:") == 1
    assert (
        "global context: from se on, every unit also sees every input pixel through a "
        "pooled branch broadcast at se; RF, jump and eff. pad are the moving window's"
    ) in flat
    assert "fixed region" not in flat


def test_a_condition_is_said_once_where_it_starts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Issue #22: a note the layers below a merge inherit (branches of different jumps)
    was printed again on every later layer; it is said where it starts, and one line
    names the layers it holds at too."""
    spec = tmp_path / "jumps.yaml"
    spec.write_text(
        "rfcalc: 1\ninput: {size: [64]}\nlayers:\n"
        "  - {name: a, op: conv, kernel: 3, padding: 1}\n"
        "  - {name: d, op: conv, kernel: 3, stride: 3, padding: 1}\n"
        "  - {name: up, op: resize, to: a}\n"
        "  - {name: m, op: add, inputs: [a, up]}\n"
        + "".join(f"  - {{name: c{i}, op: conv, kernel: 3, padding: 1}}\n" for i in range(6))
    )
    out = " ".join(_table(capsys, monkeypatch, str(spec), "100").split())
    assert out.count("branches move by different jumps") == 1
    assert "m: branches move by different jumps (1, 33/32)" in out
    assert "c0, c1, c2, c3, c4, c5: as m" in out


@pytest.mark.parametrize("width", [40, 80])
@pytest.mark.parametrize(
    ("spec", "size"),
    [
        ("specs/unet3d.yaml", "116x116x100"),
        ("specs/vgg16.yaml", "64x64"),
        ("specs/shuffle.yaml", ""),
    ],
    ids=["3d", "2d", "names"],
)
def test_the_erf_table_never_cuts_a_value(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    spec: str,
    size: str,
    width: int,
) -> None:
    """Issue #22: at 80 columns ``--erf`` cut values (``100.…``) and split names; every
    value of the JSON stays whole in the text, at any width."""
    import json

    if not size:  # long layer names with separators, a 1-D input
        path = tmp_path / "shuffle.yaml"
        path.write_text(
            "rfcalc: 1\ninput: {size: [400]}\nlayers:\n"
            + "".join(
                f"  - {{name: stage{i}.shuffle_block.depthwise_conv, op: conv, kernel: 5,"
                f" dilation: {i + 1}}}\n"
                for i in range(4)
            )
        )
        spec, size = str(path), "400"
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(["analyze", spec, "-i", size, "--erf", "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert main(["analyze", spec, "-i", size, "--erf"]) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    assert all(len(line) <= width for line in out.splitlines())
    computed = [layer for layer in doc["layers"] if "not_computed" not in layer["erf"]]
    names = _first_cells(out, [layer["name"] for layer in computed])
    assert [name for name, _ in names] == [layer["name"] for layer in computed]
    for (_, parts), layer in zip(names, computed, strict=True):
        # a name is broken only after a separator
        assert all(part[-1] in "._-/" for part in parts[:-1]), parts
        for axis in layer["erf"]["axes"]:
            assert str(axis["widths"]["95%"]) in out


def _first_cells(out: str, want: list[str]) -> list[tuple[str, list[str]]]:
    """Each layer of the ERF table: its name whole, and the pieces it was printed in
    (in a table, a row's next lines have nothing in its unit cell; as records, the name's
    lines come before the row's ``  unit:`` line)."""
    lines = out.splitlines()
    heads = [
        i
        for i, line in enumerate(lines)
        if line.startswith("┃") and any(c.strip() == "unit" for c in line.split("┃"))
    ]
    rows: list[tuple[str, list[str]]] = []
    if not heads:  # records: each name's lines come right before its "  unit:" line
        starts = [i for i, line in enumerate(lines) if line.startswith("  unit: ")]
        for i, name in zip(starts, want, strict=True):
            k = i
            while "".join(x.strip() for x in lines[k:i]) != name and k > 0:
                k -= 1
            pieces = [x.strip() for x in lines[k:i]]
            rows.append(("".join(pieces), pieces))
        return rows
    head = lines[heads[0]]
    per_axis = [c.strip() for c in head.split("┃")[1:-1]][1] == "axis"
    for line in lines[heads[0] :]:
        if not line.startswith("│"):
            if rows and line.startswith("└"):
                break
            continue
        cells = [c.strip() for c in line.split("│")[1:-1]]
        axis, unit = (cells[1], cells[2]) if per_axis else ("", cells[1])
        if unit and axis in ("", "H"):  # a row's first line
            rows.append((cells[0], [cells[0]]))
        elif cells[0]:
            rows[-1] = (rows[-1][0] + cells[0], [*rows[-1][1], cells[0]])
    return rows
