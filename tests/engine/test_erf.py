"""The ERF table in the README is what ``rfcalc.engine.erf`` computes (the PyTorch
oracle for the numbers themselves is ``test_erf_torch.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import rfcalc
from rfcalc.engine.erf import unit_erf

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()
SPECS = {"VGG-16": "vgg16", "ResNet-50 v1": "zoo/resnet50_v1", "HDC sawtooth": "zoo/hdc_sawtooth"}
ROW = re.compile(
    r"^\| (?P<net>[^|(]+) \((?P<size>\d+)\) \| (?P<layer>\w+) \| (?P<rf>\d+) \| "
    r"(?P<w50>\d+) / (?P<w95>\d+) / (?P<w99>\d+) \| (?P<ratio>[\d.]+) % \|$",
    re.MULTILINE,
)


def test_the_readme_has_erf_rows() -> None:
    assert len(ROW.findall(README)) == 4


@pytest.mark.parametrize("row", [m.groupdict() for m in ROW.finditer(README)], ids=str)
def test_every_readme_erf_row_is_computed(row: dict[str, str]) -> None:
    network = rfcalc.load(ROOT / "specs" / f"{SPECS[row['net'].strip()]}.yaml")
    size = int(row["size"])
    analysis = rfcalc.analyze(network, [size] * network.ndim)
    axis = unit_erf(analysis, row["layer"]).axes[0]
    assert axis.receptive_field == int(row["rf"])
    assert [str(w) for w in (axis.widths[0], axis.widths[2], axis.widths[3])] == [
        row["w50"],
        row["w95"],
        row["w99"],
    ]
    assert axis.ratio95 is not None
    assert f"{float(axis.ratio95) * 100:.1f}" == row["ratio"]
