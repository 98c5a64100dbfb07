"""``rfcalc.valid_input`` and ``rfcalc.testing.assert_valid_input`` against brute force.

For generated networks at random concrete sizes, the verdict is the brute-force one
(``brute_valid.py``: the network analysed at that size, every condition checked), and
the nearest valid sizes it names are valid with nothing valid in between; a failing
assertion reads, under pytest, as the reasons and the fixes."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.brute_valid import valid_at
from support.generated_specs import spec
from support.scale import examples

import rfcalc
from rfcalc.design import DesignError
from rfcalc.model import SpecError
from rfcalc.testing import assert_valid_input

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), drops=st.booleans())
def test_valid_input_is_the_brute_force_verdict(rng: random.Random, drops: bool) -> None:
    text = spec(rng, max_items=5)
    try:
        network = rfcalc.load("generated.yaml", text)
    except SpecError:
        return
    if network.bounds:
        with pytest.raises(DesignError):
            rfcalc.valid_input(network, [40] * network.ndim)
        return
    size = [rng.randint(1, 80) for _ in range(network.ndim)]
    check = rfcalc.valid_input(network, size, drops)
    axes = range(network.ndim)
    whole = all(valid_at(network, axis, size[axis], size, drops) for axis in axes)
    assert bool(check) == whole, (text, size, check.explain())
    big = [1 << 12] * network.ndim  # each axis on its own: the others large
    for axis in axes:
        ok = valid_at(network, axis, size[axis], big, drops)
        assert (not ok) == bool(check.empty[axis] or check.failed[axis]), (text, size, axis)
        below, above = check.nearest[axis]
        for near, step in ((below, -1), (above, 1)):
            if near is None:
                continue
            assert valid_at(network, axis, near, big, drops), (text, size, near)
            between = range(size[axis] + step, near, step)
            assert not any(valid_at(network, axis, n, big, drops) for n in between)


def test_valid_input_on_the_zoo() -> None:
    assert rfcalc.valid_input(ROOT / "specs" / "vgg16.yaml", 224)
    assert rfcalc.valid_input(ROOT / "specs" / "unet3d.yaml", (132, 132, 116))
    check = rfcalc.valid_input(ROOT / "specs" / "unet_tconv.yaml", (500, 512))
    assert not check
    assert check.nearest == ((496, 512), (None, None))
    assert check.explain() == (
        "input 500x512 is not valid:\n"
        "  H = 500: pool3: its windows tile its input; dec3.cat: enc3.conv2 and dec3.upconv "
        "agree in size (pad 12 to 512 or crop 4 to 496)"
    )
    with pytest.raises(DesignError, match="the input has 2 axes; 3 sizes given"):
        rfcalc.valid_input(ROOT / "specs" / "vgg16.yaml", (1, 2, 3))


def test_assert_valid_input_reads_well_under_pytest(tmp_path: Path) -> None:
    unet = ROOT / "specs" / "unet_tconv.yaml"
    assert_valid_input(unet, (512, 512))
    with pytest.raises(AssertionError, match="pad 12 to 512 or crop 4 to 496"):
        assert_valid_input(unet, (500, 512))
    test = tmp_path / "test_config.py"
    test.write_text(
        "from rfcalc.testing import assert_valid_input\n\n"
        "def test_crop_size():\n"
        f"    assert_valid_input({str(unet)!r}, (500, 512))\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "AssertionError: input 500x512 is not valid:" in done.stdout
    assert "H = 500: pool3: its windows tile its input" in done.stdout
    assert "rfcalc/testing.py" not in done.stdout  # the caller's line, not the helper's
