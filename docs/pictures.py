"""Make the README's pictures: ``python docs/pictures.py [OUT_DIR]`` (default ``docs/``).

- ``report.png``: ``rfcalc report specs/vgg16.yaml -i 224x224`` in headless Chromium, the
  central unit of pool5 shown;
- ``erf.png``: the exact uniform-weight ERF (path counts) of one central unit in three
  networks side by side: VGG-16's pool5 at 224, a gridded dilated stack (rates 2, 4, 8)
  and the HDC sawtooth, drawn from ``unit_support`` by a page this script writes.

Needs Playwright and Chromium (``RFCALC_CHROMIUM`` or ``chromium`` on the PATH); the
browser tests run this script too, so the pictures stay reproducible."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: Chromium as root in a closed network: no sandbox, no background connections (the
#: browser tests launch it with these too)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: the three ERF panels: (spec, input, layer, caption)
PANELS = [
    ("specs/vgg16.yaml", [224, 224], "pool5", "VGG-16 pool5 at 224"),
    ("tests/fixtures/check/hdc_2_4_8.yaml", [64, 64], None, "dilation 2, 4, 8: gridded"),
    ("specs/zoo/hdc_sawtooth.yaml", [97, 97], None, "HDC sawtooth 1, 2, 5, ... at 97"),
]

FIGURE = """<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; font: 14px system-ui, sans-serif; background: #fff; color: #1b1f24; }
#figure { display: inline-flex; gap: 18px; padding: 14px; }
figure { margin: 0; }
figcaption { margin-top: 6px; width: 280px; }
canvas { display: block; image-rendering: pixelated; border: 1px solid #c9ced6; }
</style></head><body><div id="figure"></div><script>
const panels = __DATA__;
const host = document.getElementById("figure");
for (const p of panels) {
  const fig = document.createElement("figure");
  const canvas = document.createElement("canvas");
  const cell = Math.max(1, Math.floor(300 / Math.max(p.rows, p.cols)));
  canvas.width = p.cols * cell;
  canvas.height = p.rows * cell;
  canvas.style.width = "280px";
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#eceff3";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (const [r, c, n, hole] of p.pixels) {
    ctx.fillStyle = hole ? "#f2a7a7" : `rgba(12, 68, 160, ${0.15 + 0.85 * n / p.max})`;
    ctx.fillRect(c * cell, r * cell, cell, cell);
  }
  const caption = document.createElement("figcaption");
  caption.textContent = p.caption;
  fig.append(canvas, caption);
  host.append(fig);
}
</script></body></html>"""


def _panel(spec: str, size: list[int], layer: str | None, caption: str) -> dict[str, Any]:
    import rfcalc
    from rfcalc.engine.erf import unit_erf
    from rfcalc.engine.unit import unit_support

    analysis = rfcalc.analyze(rfcalc.load(ROOT / spec), size)
    name = layer or analysis.layers[-1].name
    erf = unit_erf(analysis, name)
    counts = unit_support(analysis, name, erf.unit)
    axes = analysis[name].axes
    box = [axes[i].field.region(erf.unit[i]) for i in range(2)]  # type: ignore[union-attr]
    pixels = [[r, c, n, False] for (r, c), n in counts.items() if n]
    for r in range(max(int(box[0].start), 0), min(int(box[0].end), size[0] - 1) + 1):
        for c in range(max(int(box[1].start), 0), min(int(box[1].end), size[1] - 1) + 1):
            if not counts.get((r, c)):
                pixels.append([r, c, 0, True])
    rf = axes[0].receptive_field
    w95 = erf.axes[0].widths[2]
    holes = sum(1 for p in pixels if p[3])
    return {
        "rows": size[0],
        "cols": size[1],
        "max": max(counts.values()),
        "pixels": pixels,
        "caption": f"{caption} ({name}): receptive field {rf}, 95 % of the paths "
        f"within {w95}" + (f"; {holes} holes (red)" if holes else ""),
    }


def make(out: Path, browser: Any) -> list[Path]:
    """Write ``report.png`` and ``erf.png`` into ``out`` with ``browser`` (Playwright's
    Chromium); returns their paths."""
    from rfcalc.cli import main

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "vgg16.html"
        code = main(
            [
                "report",
                str(ROOT / "specs" / "vgg16.yaml"),
                "-i",
                "224x224",
                "-o",
                str(page_path),
                "--isolated",
            ]
        )
        if code != 0:
            raise SystemExit(f"rfcalc report exited {code}")
        figure = Path(tmp) / "erf.html"
        data = [_panel(*p) for p in PANELS]
        figure.write_text(FIGURE.replace("__DATA__", json.dumps(data)))
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(page_path.as_uri())
        page.wait_for_function("window.rfcalcReport !== undefined")
        page.screenshot(path=str(out / "report.png"))
        page.goto(figure.as_uri())
        page.locator("#figure").screenshot(path=str(out / "erf.png"))
        page.close()
    return [out / "report.png", out / "erf.png"]


if __name__ == "__main__":
    chromium = os.environ.get("RFCALC_CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        sys.exit("docs/pictures.py needs Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=chromium, args=FLAGS)
        for path in make(target, chrome):
            print(path)
        chrome.close()
