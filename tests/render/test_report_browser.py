"""``rfcalc report`` in a real browser: headless Chromium (Debian's ``chromium``) driven by
Playwright with ``executable_path`` (Playwright never downloads a browser here).

Each test writes a report, opens it from disk, selects layers (by mouse and by keyboard),
moves the mouse over output units, then reads the drawn input canvas back: the pixels
shaded as read must be exactly the engine's support of that unit (``unit_support``),
the pixels drawn as holes exactly the unit's field minus its support, and the page's
counts the engine's exact integers.  No console message may be an error or a warning.
Screenshots go to ``test-artifacts/`` (``RFCALC_ARTIFACTS`` elsewhere).

Without Chromium or Playwright the tests skip with the reason; where
``RFCALC_REQUIRE_BROWSER`` or ``CI`` is set (``.ci/run``), they fail instead."""

from __future__ import annotations

import math
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support.generated_specs import spec
from support.optional import BROWSER, missing
from support.scale import examples, sampled

import rfcalc
from rfcalc.cli import main
from rfcalc.engine.unit import unit_support
from rfcalc.model import SpecError

ROOT = Path(__file__).parents[2]
ARTIFACTS = Path(os.environ.get("RFCALC_ARTIFACTS", ROOT / "test-artifacts"))


def _pictures() -> Any:
    """``docs/pictures.py`` (the README's pictures; it holds the Chromium flags too)."""
    import importlib.util

    loader = importlib.util.spec_from_file_location("pictures", ROOT / "docs" / "pictures.py")
    assert loader is not None
    assert loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


PICTURES = _pictures()
#: Chromium as root in a closed network: no sandbox, no background connections
FLAGS: list[str] = PICTURES.FLAGS


def _missing(reason: str) -> NoReturn:
    missing(reason, *BROWSER)


def chromium_path() -> str | None:
    return (
        os.environ.get("RFCALC_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the browser tests need playwright (pip install playwright)")
    path = chromium_path()
    if path is None:
        _missing("the browser tests need Chromium (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=FLAGS)
        yield b
        b.close()


class Page:
    """One report open in a tab, with its console watched."""

    def __init__(self, browser: Any, html: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1500, "height": 1000})
        self.page.set_default_timeout(15_000)
        self.messages: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.messages.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.messages.append(f"pageerror: {e}"))
        self.page.goto(html.resolve().as_uri())
        self.page.wait_for_function("window.rfcalcReport !== undefined")

    def state(self) -> Any:
        return self.page.evaluate("window.rfcalcReport.state()")

    def click_layer(self, name: str) -> None:
        self.page.click(f'#layers tr[data-layer="{name}"]')
        assert self.state()["layer"] == name

    def hover(self, unit: tuple[int, ...]) -> None:
        """Move the mouse over ``unit`` of the output map (3-D: choose the slice first)."""
        ndim = len(unit)
        if ndim == 3 and self.state()["unit"][0] != unit[0]:
            self.page.fill("#unit-0", str(unit[0]))
            self.page.dispatch_event("#unit-0", "change")
        box = self.page.locator("#out").bounding_box()
        data = self.page.evaluate("({...document.getElementById('out').dataset})")
        r = 0 if ndim == 1 else unit[-2]
        # mouse events arrive at whole pixels and the map may sit at a fractional
        # offset: the first whole pixel inside the cell (cells are at least 1 px)
        x = math.ceil(box["x"] + unit[-1] * int(data["cellW"]))
        y = math.ceil(box["y"] + r * int(data["cellH"]))
        self.page.mouse.move(x, y)
        self.page.wait_for_function(
            f"JSON.stringify(window.rfcalcReport.state().unit) === '{list(unit)}'.replace(/ /g, '')"
        )

    def drawn(self) -> dict[str, set[tuple[int, int]]]:
        """The input canvas read back: each view pixel's colour at its cell's centre,
        classified against the theme's colours."""
        return {
            key: {tuple(p) for p in pixels}
            for key, pixels in self.page.evaluate(
                """() => {
                const c = document.getElementById("in-shade");
                const d = c.dataset;
                const root = getComputedStyle(document.documentElement);
                const css = (n) => root.getPropertyValue(n).trim();
                const probe = document.createElement("canvas")
                  .getContext("2d", {willReadFrequently: true});
                const rgb = (colour) => { probe.fillStyle = colour; probe.fillRect(0, 0, 1, 1);
                  return Array.from(probe.getImageData(0, 0, 1, 1).data.slice(0, 3)).join(); };
                const unseen = rgb(css("--unseen")), hole = rgb(css("--hole"));
                const pad = rgb(css("--pad"));
                const img = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
                const out = {read: [], hole: [], pad: []};
                for (let r = 0; r < +d.rows; r++) for (let col = 0; col < +d.cols; col++) {
                  const x = (col + +d.marginCols) * +d.cellW + Math.floor(+d.cellW / 2);
                  const y = (r + +d.marginRows) * +d.cellH + Math.floor(+d.cellH / 2);
                  const k = (y * c.width + x) * 4;
                  const here = [img[k], img[k + 1], img[k + 2]].join();
                  if (here === hole) out.hole.push([r, col]);
                  else if (here === pad) out.pad.push([r, col]);
                  else if (here !== unseen) out.read.push([r, col]);
                }
                return out;
            }"""
            ).items()
        }

    def counts(self) -> dict[tuple[int, ...], int]:
        return {tuple(p): int(c) for p, c in self.page.evaluate("window.rfcalcReport.support()")}

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"report-{name}.png"))

    def close(self) -> None:
        assert self.messages == []
        self.page.close()


def _view(pixel: tuple[int, ...], ndim: int, slice_: int) -> tuple[int, int] | None:
    if ndim == 1:
        return (0, pixel[0])
    if ndim == 2:
        return (pixel[0], pixel[1])
    return (pixel[1], pixel[2]) if pixel[0] == slice_ else None


def check_unit(page: Page, analysis: Any, name: str, unit: tuple[int, ...]) -> None:
    """The drawn unit against the engine: read pixels, holes, exact counts."""
    page.hover(unit)
    support = unit_support(analysis, name, unit)
    assert page.counts() == {p: c for p, c in support.items() if c}, (name, unit)
    ndim = len(unit)
    slice_ = page.state()["slice"]
    drawn = page.drawn()
    read = {_view(p, ndim, slice_) for p, c in support.items() if c} - {None}
    assert drawn["read"] == read, (name, unit)
    assert drawn["pad"] == set()
    fields = []
    for axis, a in enumerate(analysis[name].axes):
        region = None if a.field is None else a.field.region(unit[axis])
        fields.append(None if region is None else (int(region.start), int(region.end)))
    if all(f is not None for f in fields):
        inside = [
            range(max(lo, 0), min(hi, int(n) - 1) + 1)
            for (lo, hi), n in zip(fields, analysis.input_size, strict=True)
        ]  # type: ignore[misc]
        if ndim == 3 and slice_ not in inside[0]:
            box: set[tuple[int, int]] = set()
        elif ndim == 1:
            box = {(0, c) for c in inside[0]}
        else:
            box = {(r, c) for r in inside[-2] for c in inside[-1]}
        assert drawn["hole"] == box - read, (name, unit)


def _write(tmp_path: Path, name: str, text: str, size: str) -> tuple[Path, Any]:
    source = tmp_path / f"{name}.yaml"
    source.write_text(text)
    out = tmp_path / f"{name}.html"
    assert main(["report", str(source), "-i", size, "-o", str(out), "--isolated"]) == 0
    analysis = rfcalc.analyze(rfcalc.load(source), [int(s) for s in size.split("x")])
    return out, analysis


GRIDDED = (ROOT / "tests" / "fixtures" / "check" / "hdc_2_4_8.yaml").read_text()
#: a 1-D stack whose counts pass 2^53: the page must switch to exact integers
DEEP = "rfcalc: 1\ninput: {size: [400]}\nlayers:\n" + "  - {op: conv, kernel: 9, padding: 4}\n" * 20
#: 3-D: a gridded dilation and a transposed conv (phases), seen slice by slice
VOLUME = """rfcalc: 1
input: {size: [12, 14, 16]}
layers:
  - {name: a, op: conv, kernel: 3, dilation: 2, padding: 2}
  - {name: down, op: conv, kernel: 3, stride: 2, padding: 1}
  - {name: up, op: conv_transpose, kernel: 3, stride: 2, padding: 1, output_padding: 1}
"""

#: an output map of 1-pixel cells at a fractional offset (found by the generated test in
#: CI: the mouse must land inside the cell)
TINY = """rfcalc: 1
input: {size: [X0, W]}
layers:
  - {name: l0, op: pixel_shuffle, scale: 2}
  - {name: l1, op: pixel_shuffle, scale: 2}
  - {name: l2, op: pixel_shuffle, scale: 2}
  - {name: l3, op: crop, crop: 1}
"""

CASES = [
    ("vgg16", (ROOT / "specs" / "vgg16.yaml").read_text(), "64x64", ["pool5", "conv3_3"]),
    ("gridded", GRIDDED, "48x48", None),
    ("resnet_stage", (ROOT / "specs" / "resnet_stage.yaml").read_text(), "32x32", None),
    ("unet_tconv", (ROOT / "specs" / "unet_tconv.yaml").read_text(), "64x64", None),
    ("deeplabv3plus", (ROOT / "specs" / "deeplabv3plus.yaml").read_text(), "65x65", None),
    ("transposed_phases", (ROOT / "specs" / "transposed_phases.yaml").read_text(), "40", None),
    ("deep", DEEP, "400", None),
    ("volume", VOLUME, "12x14x16", ["a", "up"]),
    ("tiny_cells", TINY, "28x13", None),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "text", "size", "layers"),
    sampled(
        CASES,
        [c[0] for c in CASES],
        {"vgg16", "gridded", "resnet_stage", "transposed_phases", "deep", "volume", "tiny_cells"},
    ),
)
def test_hovered_units_show_the_engines_support(
    browser: Any, tmp_path: Path, name: str, text: str, size: str, layers: Any
) -> None:
    html, analysis = _write(tmp_path, name, text, size)
    page = Page(browser, html)
    chosen = layers or [analysis.layers[-1].name, analysis.layers[len(analysis.layers) // 2].name]
    rng = random.Random(name)
    for layer in chosen:
        page.click_layer(layer)
        sizes = [int(a.size) for a in analysis[layer].axes]
        units = {tuple(n // 2 for n in sizes), tuple(0 for _ in sizes)}
        units.add(tuple(n - 1 for n in sizes))
        units.add(tuple(rng.randrange(n) for n in sizes))
        for unit in sorted(units):
            check_unit(page, analysis, layer, unit)
        page.shot(f"{name}-{layer}")
    if name == "gridded":
        assert page.drawn()["hole"], "a gridded stack draws holes"
    if name == "deep":
        page.click_layer(chosen[0])
        check_unit(page, analysis, chosen[0], (200,))
        assert max(page.counts().values()) >= 2**53
    page.close()


@pytest.mark.slow
def test_keyboard_alone_reaches_every_unit(browser: Any, tmp_path: Path) -> None:
    """Tab to a row, arrows between rows, Enter selects; arrows move the unit on the
    focused output map; Home returns to the centre."""
    html, analysis = _write(tmp_path, "vgg16", CASES[0][1], "64x64")
    page = Page(browser, html)
    p = page.page
    p.focus('#layers tr[data-layer="conv3_2"]')
    p.keyboard.press("ArrowDown")
    p.keyboard.press("Enter")
    assert page.state()["layer"] == "conv3_3"
    assert p.evaluate("document.activeElement.dataset.layer") == "conv3_3"
    p.focus("#out")
    start = page.state()["unit"]
    p.keyboard.press("ArrowRight")
    p.keyboard.press("ArrowDown")
    moved = (start[0] + 1, start[1] + 1)
    assert tuple(page.state()["unit"]) == moved
    support = unit_support(analysis, "conv3_3", moved)
    assert page.counts() == {q: c for q, c in support.items() if c}
    p.keyboard.press("Home")
    assert page.state()["unit"] == [8, 8]
    for _ in range(20):
        p.keyboard.press("ArrowLeft")
    assert page.state()["unit"] == [8, 0]
    p.keyboard.press("Tab")  # focus leaves the map: the page does not trap it
    assert p.evaluate("document.activeElement.id") != "out"
    page.close()


#: names that end a script block, open an HTML comment or put the tokenizer in its
#: double-escaped state (issues #27, #28), beside quotes, markup and unicode
HOSTILE_NAMES = [
    "</script><script>alert(1)</script>",
    "<!--<script>",
    "-->",
    "q\"uote's & <b>bold</b>",
    "é 中文 🙂",
]


@pytest.mark.parametrize(
    "names",
    [HOSTILE_NAMES, ["<!--<script>", "a"], ["x", "<!--<script>"]],
    ids=["all", "comment-first", "comment-last"],
)
def test_hostile_names_leave_the_page_whole(names: list[str], browser: Any, tmp_path: Path) -> None:
    """The page's scripts are ours alone, it runs, no console message, and each hostile
    name reads back as written in the table and in the selected layer.  (A ``-->`` in a
    later name closes the comment ``<!--<script>`` opens: alone, it swallowed the page's
    script.)"""
    layers = "".join(
        f"  - {{name: '{n.replace(chr(39), chr(39) * 2)}', op: conv, kernel: 3, dilation: 2}}\n"
        for n in names
    )
    html, _ = _write(
        tmp_path, "hostile", f"rfcalc: 1\ninput: {{size: [24, 24]}}\nlayers:\n{layers}", "24x24"
    )
    page = Page(browser, html)
    p = page.page
    assert p.evaluate("document.scripts.length") == 2
    assert p.evaluate("typeof alert === 'function' && !window.__pwned") is True
    rows = p.evaluate(
        "[...document.querySelectorAll('#layers tr[data-layer]')].map(r => r.dataset.layer)"
    )
    assert [r for r in rows if r != "input"] == names
    for i, name in enumerate(names):
        p.evaluate(f"document.querySelectorAll('#layers tr[data-layer]')[{i + 1}].click()")
        assert page.state()["layer"] == name
    assert p.evaluate("document.title").startswith("hostile")
    page.close()


@pytest.mark.slow
def test_dark_theme_redraws_with_its_colours(browser: Any, tmp_path: Path) -> None:
    html, _analysis = _write(tmp_path, "gridded", GRIDDED, "48x48")
    page = Page(browser, html)
    light = page.drawn()
    page.page.click("#theme")
    assert page.page.evaluate("document.documentElement.dataset.theme") == "dark"
    background = page.page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 23, 28)"
    assert page.drawn() == light  # the same pixels, read against the dark colours
    assert page.page.get_attribute("#theme", "aria-pressed") == "true"
    page.shot("gridded-dark")
    page.close()


@pytest.mark.slow
def test_the_readme_pictures_come_from_the_script(browser: Any, tmp_path: Path) -> None:
    """``docs/pictures.py`` makes both README pictures (PNG) in a fresh directory."""
    made = PICTURES.make(tmp_path, browser)
    readme = (ROOT / "README.md").read_text()
    for png in made:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 20_000
        assert f"](docs/{png.name})" in readme
        assert (ROOT / "docs" / png.name).exists()


@pytest.mark.slow
@settings(
    max_examples=examples(12),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: pages are slow
)
@given(rng=st.randoms(use_true_random=False))
def test_generated_networks_in_the_browser(
    browser: Any, tmp_path_factory: pytest.TempPathFactory, rng: random.Random
) -> None:
    text = spec(rng, max_items=5)
    try:
        network = rfcalc.load("generated.yaml", text)
    except SpecError:
        return
    if network.bounds:
        return
    size = "x".join(str(rng.randint(6, 30)) for _ in range(network.ndim))
    analysis = rfcalc.analyze(network, [int(s) for s in size.split("x")])
    if any(int(a.size) < 1 for r in analysis.layers for a in r.axes):
        return
    html, analysis = _write(tmp_path_factory.mktemp("gen"), "generated", text, size)
    page = Page(browser, html)
    try:
        last = analysis.layers[-1]
        sizes = [int(a.size) for a in last.axes]
        for unit in ((0,) * len(sizes), tuple(rng.randrange(n) for n in sizes)):
            check_unit(page, analysis, last.name, unit)
    finally:
        page.page.close()
    assert page.messages == []
