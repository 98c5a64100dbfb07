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


def _bar(monkeypatch: pytest.MonkeyPatch) -> tuple[Bar, Clock, io.StringIO]:
    """A bar drawn on an 80-column terminal (the tests' own terminal is dumb: rich
    draws no bar there) that is a string, with a clock the test moves."""
    monkeypatch.setenv("TERM", "xterm")
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80, color_system=None)
    clock = Clock()
    return Bar(console, clock=clock), clock, out


def test_quick_work_draws_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    bar, clock, out = _bar(monkeypatch)
    tick = bar.stage("analysing net.yaml", 10)
    for done in range(1, 11):
        clock.now += 0.05
        tick(done)
    bar.close()
    assert out.getvalue() == ""


def test_long_work_shows_layers_done_of_the_total(monkeypatch: pytest.MonkeyPatch) -> None:
    bar, clock, out = _bar(monkeypatch)
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


def test_what_a_command_prints_stays_on_standard_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """While a bar shows on standard error, a table or a JSON document printed to
    standard output still goes there (rich's live display would send it to the bar's
    console: `rfcalc analyze big.yaml -f json > out.json` wrote the JSON to the
    terminal), and messages on standard error are kept above the bar."""
    import sys

    bar, clock, out = _bar(monkeypatch)
    tick = bar.stage("analysing net.yaml", 10)
    clock.now = 2.0
    tick(5)
    assert "5/10" in out.getvalue()  # the bar shows
    sys.stdout.write('{"layers": []}\n')
    sys.stderr.write("net.yaml: a message\n")
    bar.close()
    captured = capsys.readouterr()
    assert captured.out == '{"layers": []}\n'
    assert '{"layers"' not in out.getvalue()
    assert "a message" in out.getvalue() + captured.err
