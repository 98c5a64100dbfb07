"""rfcalc hdc, rfcalc matrix and the support pictures."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scale import examples

from rfcalc.cli import main
from rfcalc.engine.convmatrix import conv_matrix, transpose
from rfcalc.engine.hdc import (
    MAX_GROUP,
    common_factor,
    design_schedule,
    holes,
    meets_m2,
    support_1d,
)
from rfcalc.render.support_picture import dilated_counts, svg, text_picture


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out + err


def test_hdc_verdicts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "hdc", "1", "2", "5", "--kernel", "3")
    assert code == 0 and "M = [1, 2, 5], M_2 = 2 <= K = 3 (ok)" in out and "no holes" in out
    code, out = run(capsys, "hdc", "1", "2", "9")
    assert code == 1 and "M = [3, 5, 9], M_2 = 5 > K = 3 (fails)" in out
    code, out = run(capsys, "hdc", "2", "4", "8")
    assert code == 1 and "common factor 2 (grids)" in out
    assert run(capsys, "hdc")[0] == 2


def test_pictures_of_known_patterns() -> None:
    # [2, 2, 2] with K=3: a checkerboard, every other row and column empty
    counts = dilated_counts(3, [2, 2, 2])
    assert counts == [1, 0, 3, 0, 6, 0, 7, 0, 6, 0, 3, 0, 1]
    rows = text_picture([counts, counts]).splitlines()
    assert rows[1] == "·" * 13 and rows[0][1::2] == "·" * 6
    # [1, 2, 5]: a dense 17x17 square, no hole anywhere
    dense = dilated_counts(3, [1, 2, 5])
    assert len(dense) == 17 and 0 not in dense
    assert "·" not in text_picture([dense, dense])


def test_svg_is_standalone_and_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    counts = dilated_counts(3, [2, 2])
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
        best, searched = design_schedule(3, rf)
        assert best is not None and "searched" in searched
        schedule, field = best
        assert field >= rf and field == 1 + 2 * sum(schedule)
        assert holes(support_1d(3, schedule)) == 0
        group = schedule[: schedule.index(1, 1)] if schedule.count(1) > 1 else schedule
        assert meets_m2(group, 3)
        assert common_factor(group) == 1 and len(group) <= MAX_GROUP


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
        got, _ = design_schedule(kernel, rf)
        if best_key is None:
            assert got is None
            continue
        assert got is not None, (kernel, rf)
        schedule, field = got
        assert len(schedule) == best_key[0], (kernel, rf, schedule, best_key)
        assert max(schedule) == best_key[1]
        assert field >= rf and holes(support_1d(kernel, schedule)) == 0
    best, _ = design_schedule(3, 150)
    assert best is not None and len(best[0]) == 8


def test_design_of_a_huge_field_is_answered_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    for rf in ("100000000", "1000000000"):
        code, out = run(capsys, "hdc", "--design", "--rf", rf)
        assert code == 1 and f"no schedule in that space reaches a receptive field of {rf}" in out


def test_seed_matrix_4x16(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "matrix", "--input", "4x4", "--kernel", "3")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("C: 4x16")
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


torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0)"
)


@settings(max_examples=examples(60), deadline=None)
@given(
    n=st.integers(3, 7),
    k=st.integers(1, 3),
    s=st.integers(1, 3),
    p=st.integers(0, 2),
    d=st.integers(1, 2),
    data=st.data(),
)
def test_matrix_is_pytorchs_conv_and_its_transpose(
    n: int, k: int, s: int, p: int, d: int, data: st.DataObject
) -> None:
    try:
        out, c = conv_matrix([n, n + 1], [k, k], [s, s], [p, p], [d, d])
    except ValueError:
        return
    weights = torch.tensor(
        data.draw(st.lists(st.integers(-4, 4), min_size=k * k, max_size=k * k)), dtype=torch.float64
    ).reshape(1, 1, k, k)
    x = torch.tensor(
        data.draw(st.lists(st.integers(-5, 5), min_size=n * (n + 1), max_size=n * (n + 1))),
        dtype=torch.float64,
    )

    def dense(m: list[list[tuple[int, ...] | None]]) -> object:
        return torch.tensor(
            [[0.0 if t is None else float(weights[0, 0, t[0], t[1]]) for t in row] for row in m],
            dtype=torch.float64,
        )

    y = torch.nn.functional.conv2d(
        x.reshape(1, 1, n, n + 1), weights, stride=s, padding=p, dilation=d
    )
    assert list(y.shape[2:]) == out
    assert torch.equal(dense(c) @ x, y.flatten())
    # the transposed conv with the same weight is C^T (output_padding fills the rest)
    v = torch.arange(y.numel(), dtype=torch.float64)
    op = [
        n - ((out[0] - 1) * s - 2 * p + d * (k - 1) + 1),
        n + 1 - ((out[1] - 1) * s - 2 * p + d * (k - 1) + 1),
    ]
    if all(0 <= o < max(s, d) for o in op):
        t = torch.nn.functional.conv_transpose2d(
            v.reshape(1, 1, *out), weights, stride=s, padding=p, dilation=d, output_padding=op
        )
        assert torch.equal(dense(transpose(c)) @ v, t.flatten())


@settings(max_examples=examples(60), deadline=None)
@given(k=st.integers(2, 4), rates=st.lists(st.integers(1, 6), min_size=1, max_size=4))
def test_path_counts_are_the_gradient(k: int, rates: list[int]) -> None:
    counts = dilated_counts(k, rates)
    n = 3 * len(counts)
    x = torch.zeros(1, 1, n, dtype=torch.float64, requires_grad=True)
    y = x
    for r in rates:
        y = torch.nn.functional.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), dilation=r)
    y[0, 0, 0].backward()
    assert x.grad is not None
    assert [int(v) for v in x.grad[0, 0, : len(counts)].tolist()] == counts


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
    assert lines[1] == "░·░·░·░·░" and lines[2] == "·" * 9 and lines[5] == "░·▓·█·▓·░"
    assert "9 x 9 receptive field; holes per axis: 4, 4" in out
    ElementTree.fromstring((tmp_path / "b.svg").read_text())
    assert run(capsys, "analyze", str(spec), "--show-support", "nope")[0] == 2


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
    assert code == 0 and out.splitlines()[1:3] == ["w500500500", "w500500499"]
