"""Progress bars: drawn on a terminal once the work has run past a second, at most every
tenth of a second, and removed at the end; never when standard error is not a terminal
(a pipe, a CI log), and never for quick work."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

import rfcalc
from rfcalc.cli import main
from rfcalc.engine import analyze_network
from rfcalc.render.progress import Bar, progress

ROOT = Path(__file__).parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=80, color_system=None), out


def test_quick_work_draws_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    console, out = _terminal()
    clock = Clock()
    bar = Bar(console, clock=clock)
    tick = bar.stage("analysing net.yaml", 10)
    for done in range(1, 11):
        clock.now += 0.05
        tick(done)
    bar.close()
    assert out.getvalue() == ""


def test_long_work_shows_layers_done_of_the_total(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")  # the tests' own terminal is dumb: rich draws no bar
    console, out = _terminal()
    clock = Clock()
    bar = Bar(console, clock=clock)
    tick = bar.stage("analysing net.yaml", 200)
    for done in range(1, 201):
        clock.now += 0.01
        tick(done)
        if done == 150:
            drawn = out.getvalue()
    assert "analysing net.yaml" in drawn
    assert "/200 layers" in drawn
    assert "100/200" in drawn  # a second in: drawn, and redrawn as it goes
    assert "105/200" not in drawn  # drawn at most every tenth of a second (10 ticks)
    tick = bar.stage("ERF of net.yaml", 7)  # a new stage shows at once
    assert "ERF of net.yaml" in out.getvalue()
    bar.close()


def test_the_engine_ticks_once_a_layer() -> None:
    network = rfcalc.load(ROOT / "specs" / "vgg16.yaml")
    seen: list[int] = []
    analyze_network(network, progress=seen.append)
    assert seen == list(range(1, len(network.layers) + 1))


def test_not_a_terminal_no_bar(capsys: pytest.CaptureFixture[str]) -> None:
    with progress() as bar:  # pytest's standard error is not a terminal
        tick = bar.stage("analysing", 3)
        tick(1)
    assert main(["analyze", str(ROOT / "specs" / "vgg16.yaml"), "-i", "64x64", "--erf"]) == 0
    assert capsys.readouterr().err == ""
