"""rfcalc hdc, rfcalc matrix, the design search and --show-support, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from support.cli import run_merged as run

from rfcalc.engine.hdc import MAX_GROUP, common_factor, design_schedule, meets_m2
from rfcalc.engine.support import dilated_paths, dilated_support, holes
from rfcalc.render.support_picture import svg


def test_hdc_verdicts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "hdc", "1", "2", "5", "--kernel", "3")
    assert code == 0
    assert "M = [1, 2, 5], M_2 = 2 <= K = 3 (ok)" in out
    assert "no holes" in out
    code, out = run(capsys, "hdc", "1", "2", "9")
    assert code == 1
    assert "M = [3, 5, 9], M_2 = 5 > K = 3 (fails)" in out
    code, out = run(capsys, "hdc", "2", "4", "8")
    assert code == 1
    assert "common factor 2 (grids)" in out
    assert out.splitlines()[-1] == (
        "verdict: fails: grids (14 holes); breaks HDC rule 1 (a common factor); "
        "breaks HDC rule 3 (M_2 > K = 3)"
    )
    assert run(capsys, "hdc")[0] == 2


def test_hdc_says_a_verdict_where_a_group_grows_long(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue #22: a long growing run printed its growth and no verdict; it passes rules 1
    and 3 and covers every pixel (exit 0), with rule 2's advice said as advice."""
    code, out = run(capsys, "hdc", *map(str, range(1, 13)))
    assert code == 0
    assert "sawtooth (HDC rule 2): the group [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]" in out
    assert out.splitlines()[-1] == (
        "verdict: passes: every pixel of the field reaches the unit, HDC rules 1 and 3 hold; "
        "advice (HDC rule 2): a sawtooth instead of 12 growing rates"
    )
    code, out = run(capsys, "hdc", "1", "2", "5")
    assert out.splitlines()[-1].startswith("verdict: passes")
    assert "advice" not in out


def test_svg_is_standalone_and_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    counts = list(dilated_paths(3, [2, 2]))
    doc = svg([counts, counts], title="rates <2, 2> & more")
    root = ElementTree.fromstring(doc)
    assert root.tag.endswith("svg")
    assert "&lt;2, 2&gt; &amp; more" in doc
    rects = [e for e in root.iter() if e.tag.endswith("rect")]
    assert len(rects) == 9 * 9 + 2  # one per input pixel, two in the legend
    path = tmp_path / "s.svg"
    assert run(capsys, "hdc", "2", "2", "--svg", str(path))[0] == 1
    ElementTree.fromstring(path.read_text())


def test_design_meets_every_rule() -> None:
    for rf in (10, 50, 100, 333):
        best = design_schedule(3, rf)
        assert best is not None
        schedule, field = list(best.rates), best.receptive_field
        assert field >= rf
        assert field == 1 + 2 * sum(schedule)
        assert not holes(dilated_support(3, schedule))
        group = schedule[: schedule.index(1, 1)] if schedule.count(1) > 1 else schedule
        assert meets_m2(group, 3)
        assert common_factor(group) == 1
        assert len(group) <= MAX_GROUP


def _space(kernel: int) -> list[list[int]]:
    """Every group of the design space, written out without pruning."""
    out = []
    stack = [[1]]
    while stack:
        g = stack.pop()
        out.append(g)
        if len(g) < MAX_GROUP:
            field = 1 + (kernel - 1) * sum(g)
            stack += [[*g, r] for r in range(g[-1] + 1, field + 1)]
    return [g for g in out if meets_m2(g, kernel)]


@pytest.mark.parametrize("kernel", [2, 3, 5])
def test_design_has_the_fewest_layers_of_its_space(kernel: int) -> None:
    """Issue #10: --rf 150 proposed 12 layers while [1, 3, 9, 27] x 2 reaches 161 in 8."""
    space = _space(kernel)
    for rf in [*range(2, 160), 161, 250, 400, 999]:
        best_key = None
        for g in space:
            per = (kernel - 1) * sum(g)
            reps = max(1, -(-(rf - 1) // per))
            layers = reps * len(g)
            if layers <= 64:
                key = (layers, g[-1], g)
                best_key = key if best_key is None or key < best_key else best_key
        got = design_schedule(kernel, rf)
        if best_key is None:
            assert got is None
            continue
        assert got is not None, (kernel, rf)
        schedule, field = list(got.rates), got.receptive_field
        assert len(schedule) == best_key[0], (kernel, rf, schedule, best_key)
        assert max(schedule) == best_key[1]
        assert field >= rf
        assert not holes(dilated_support(kernel, schedule))
    best = design_schedule(3, 150)
    assert best is not None
    assert len(best.rates) == 8


def test_design_of_a_huge_field_is_answered_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    for rf in ("100000000", "1000000000"):
        code, out = run(capsys, "hdc", "--design", "--rf", rf)
        assert code == 1
        assert f"no schedule in that space reaches a receptive field of {rf}" in out


def test_seed_matrix_4x16(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "matrix", "--input", "4x4", "--kernel", "3")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith("C: 4x16")
    assert lines[1].split() == [
        "w00",
        "w01",
        "w02",
        "0",
        "w10",
        "w11",
        "w12",
        "0",
        "w20",
        "w21",
        "w22",
        "0",
        "0",
        "0",
        "0",
        "0",
    ]


def test_analyze_show_support(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "rfcalc: 1\ninput: {size: [64, 64]}\nlayers:\n"
        "  - {name: a, op: conv, kernel: 3, dilation: 2}\n"
        "  - {name: b, op: conv, kernel: 3, dilation: 2}\n"
    )
    code, out = run(
        capsys, "analyze", str(spec), "--show-support", "b", "--svg", str(tmp_path / "b.svg")
    )
    lines = out.splitlines()
    assert code == 0
    # paths per axis 1, 0, 2, 0, 3, 0, 2, 0, 1: the centre pixel is reached 9 ways
    assert lines[1] == "░·░·░·░·░"
    assert lines[2] == "·" * 9
    assert lines[5] == "░·▓·█·▓·░"
    assert "9 x 9 receptive field; holes per axis: 4, 4" in out
    ElementTree.fromstring((tmp_path / "b.svg").read_text())
    assert run(capsys, "analyze", str(spec), "--show-support", "nope")[0] == 2


def test_show_support_of_one_unit_at_a_border(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "rfcalc: 1\ninput: {size: [H, W]}\nlayers:\n"
        "  - {name: a, op: conv, kernel: 3, padding: 1, padding_mode: reflect}\n"
        "  - {name: b, op: conv, kernel: 3, padding: 2, dilation: 2, padding_mode: circular}\n"
    )
    svg_path = tmp_path / "b.svg"
    code, out = run(
        capsys,
        "analyze",
        str(spec),
        "-i",
        "16x16",
        "--show-support",
        "b",
        "--unit",
        "0,0",
        "--svg",
        str(svg_path),
    )
    assert code == 0
    lines = out.splitlines()
    # the corner reads its own corner (reflected: pixel 1 by 3 paths per axis) and, wrapped
    # around by the circular padding, the far rows and columns
    assert lines[0] == "s: unit (0, 0) of b"
    assert lines[1] == "░░░░·········░░░"
    assert lines[2] == "░█░░·········░░░"
    assert lines[5] == "·" * 16
    assert "input rows 0..15, columns 0..15 of 16x16: 49 pixels read, at most 9 paths" in out
    ElementTree.fromstring(svg_path.read_text())
    # negative indices count from the end; a unit outside, or a symbolic input: exit 2
    code, out = run(
        capsys, "analyze", str(spec), "-i", "16x16", "--show-support", "b", "--unit", "-1"
    )
    assert code == 0
    assert "unit (15, 15) of b" in out
    assert (
        run(capsys, "analyze", str(spec), "-i", "8x8", "--show-support", "b", "--unit", "8,0")[0]
        == 2
    )
    assert run(capsys, "analyze", str(spec), "--show-support", "b", "--unit", "0,0")[0] == 2
    assert (
        run(capsys, "analyze", str(spec), "-i", "8x8", "--show-support", "b", "--unit", "0,0,0")[0]
        == 2
    )


def test_taps_inside_are_those_of_the_whole_kernel() -> None:
    from rfcalc.engine.convmatrix import _taps_inside

    for first in range(-30, 30):
        for d in range(1, 5):
            for k in range(1, 8):
                for n in range(1, 10):
                    want = [t for t in range(k) if 0 <= first + t * d < n]
                    assert list(_taps_inside(first, d, k, n)) == want


def test_a_huge_kernel_on_a_tiny_input_is_answered_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # issue #10: over ten minutes (every one of 10^9 taps was visited per row)
    code, out = run(capsys, "matrix", "--input", "1x1x1", "--kernel", "1000", "--padding", "500")
    assert code == 0
    assert out.splitlines()[1:3] == ["w500500500", "w500500499"]


@pytest.mark.parametrize(
    ("args", "product"),
    [
        # the seed articles' worked example: a 2x2 kernel transposed over a 2x2 input
        ([], [[0, 0, 1], [0, 4, 6], [4, 12, 9]]),
        (["-p", "1"], [[4]]),
        (["-s", "2"], [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]),
    ],
)
def test_matrix_with_numbers_reproduces_the_seed_examples(
    capsys: pytest.CaptureFixture[str], args: list[str], product: list[list[int]]
) -> None:
    code, out = run(
        capsys,
        "matrix",
        "--transposed",
        "--weights",
        "[[0, 1], [2, 3]]",
        "--values",
        "0 1; 2 3",
        "-f",
        "json",
        *args,
    )
    assert code == 0
    assert json.loads(out)["product"] == product


def test_matrix_products_are_exact_fractions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "matrix", "--weights", "1/2 1/3", "--values", "1 0.5 3", "-f", "json")
    assert code == 0
    assert json.loads(out)["product"] == ["2/3", "5/4"]  # 1/2 + 1/6, 1/4 + 1


@pytest.mark.parametrize(
    "args",
    [
        ["--weights", "1 2"],  # the product needs both
        ["--weights", "1 2; 3", "--values", "1 2 3"],  # ragged
        ["--weights", "1 x", "--values", "1 2 3"],  # not a number
        ["--weights", "1 2", "--values", "1 2 3", "-k", "3"],  # the kernel sizes disagree
        ["--weights", "1 2", "--values", "1 2; 3 4"],  # axes disagree
    ],
)
def test_matrix_refuses_numbers_that_do_not_fit(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out = run(capsys, "matrix", *args)
    assert code == 2
    assert out.startswith("rfcalc: ")
