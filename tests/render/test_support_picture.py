"""The one picture renderer: shades, holes, and cropping around the centre or from the
first offset (findings: offsets in a message count from the picture's left edge)."""

from __future__ import annotations

from rfcalc.engine.support import counts_from_bits, dilated_paths, dilated_support
from rfcalc.render.support_picture import MAX_COLS, MAX_ROWS, text_picture


def test_pictures_of_known_patterns() -> None:
    # [2, 2, 2] with K=3: a checkerboard, every other row and column empty
    counts = list(dilated_paths(3, [2, 2, 2]))
    assert counts == [1, 0, 3, 0, 6, 0, 7, 0, 6, 0, 3, 0, 1]
    rows = text_picture([counts, counts]).splitlines()
    assert rows[1] == "·" * 13
    assert rows[0][1::2] == "·" * 6
    # [1, 2, 5]: a dense 17x17 square, no hole anywhere
    dense = list(dilated_paths(3, [1, 2, 5]))
    assert len(dense) == 17
    assert 0 not in dense
    assert "·" not in text_picture([dense, dense])


def test_a_wide_support_is_cropped_around_its_centre_or_from_its_start() -> None:
    counts = [i % 3 for i in range(MAX_COLS + 10)]  # holes every third offset
    centre = text_picture([counts])
    assert centre.startswith("…")
    assert centre.endswith("…")
    assert len(centre) == MAX_COLS + 2
    start = text_picture([counts], anchor="start")
    assert start.endswith("…")
    assert len(start) == MAX_COLS + 1
    assert [i for i, ch in enumerate(start[:-1]) if ch == "·"] == list(range(0, MAX_COLS, 3))


def test_a_tall_support_from_its_start_marks_the_rows_left_out() -> None:
    bits = dilated_support(2, [1] * (MAX_ROWS + 3))  # dense, MAX_ROWS + 4 wide
    axes = [counts_from_bits(bits), [1, 0, 1]]
    lines = text_picture(axes, anchor="start").splitlines()
    assert lines[-1] == "⋮"
    assert len(lines) == MAX_ROWS + 1
    assert all(line == "█·█" for line in lines[:-1])
    lines = text_picture(axes, anchor="start", max_rows=4).splitlines()
    assert len(lines) == 5
