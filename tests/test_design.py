"""rfcalc solve: valid inputs in closed form, output sizes, round trips, hyperparameters."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import run_merged

import rfcalc
from rfcalc.design import free_analysis, inputs_for_output, solve_axis
from rfcalc.render.design_text import solution_text
from rfcalc.spec import load_spec

FIXTURES = Path(__file__).parent / "fixtures" / "check"
ROOT = Path(__file__).parents[1]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    return run_merged(capsys, "solve", *args)


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return str(path)


def test_unet_needs_multiples_of_16(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, str(FIXTURES / "unet_mod16.yaml"), "--size", "500x512")
    assert code == 1
    assert "valid H = 16n for n >= 1 (H ≡ 0 (mod 16), smallest 16)" in out
    assert "H = 500 is not valid: pad 12 to 512 or crop 4 to 496" in out
    assert "W = 512 is valid" in out


def test_vgg_like_chain_in_closed_form() -> None:
    layers = "".join(
        "  - {op: conv, kernel: 3, padding: 1}\n  - {op: max_pool, kernel: 2}\n" for _ in range(5)
    )
    net = load_spec(f"rfcalc: 1\ninput: {{size: [H]}}\nlayers:\n{layers}", "v.yaml")
    sol = solve_axis(free_analysis(net), 0)
    assert solution_text(sol) == "H = 32n for n >= 1 (H ≡ 0 (mod 32), smallest 32)"
    assert solution_text(solve_axis(free_analysis(net), 0, drops=False)) == "any H >= 32"
    # 7 output units (VGG's 7x7) for H from 224 to 255
    assert inputs_for_output(free_analysis(net), 0, 7) == (224, 255)


def test_seed_round_trip_output_padding(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # seed 002: conv k=5 p=2 s=3 and its transposed twin give 16 back from 16 (H ≡ 1 mod 3)
    path = _write(
        tmp_path,
        "rfcalc: 1\ninput: {size: [16]}\nlayers:\n"
        "  - {name: down, op: conv, kernel: 5, padding: 2, stride: 3}\n"
        "  - {name: up, op: conv_transpose, kernel: 5, padding: 2, stride: 3}\n",
    )
    code, out = run(capsys, path, "--roundtrip")
    assert code == 0
    assert "H ≡ 0 (mod 3): 2\n    H ≡ 1 (mod 3): 0\n    H ≡ 2 (mod 3): 1" in out


def test_symbolic_kernel_smallest_value(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "rfcalc: 1\ninput: {size: [T]}\nsymbols: {K: {min: 2, max: 8}}\nlayers:\n"
        "  - {name: c, op: conv, kernel: K, dilation: $(2 ** rep), padding: causal, repeat: 4}\n",
    )
    analysis = free_analysis(load_spec(Path(path).read_text(), path))
    assert str(analysis["c.3"].axes[0].receptive_field) == "15*K - 14"
    code, out = run(capsys, path, "--rf", "100")
    assert code == 0
    assert "smallest: K = 8 (receptive field 106 at c.3)" in out
    code, out = run(capsys, path, "--rf", "200")
    assert code == 1
    assert "no values within the symbols' bounds reach 200" in out


def test_how_many_layers_cover_n_steps(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "rfcalc: 1\ninput: {size: [T]}\nlayers:\n"
        "  - {name: c, op: conv, kernel: 3, dilation: $(2 ** rep), padding: causal, repeat: 2}\n",
    )
    # kernel 3, rates 1, 2, 4, ...: RF after n layers is 2**(n+1) - 1; 1000 needs n = 9
    code, out = run(capsys, path, "--rf", "1000", "--repeat", "c")
    assert code == 0
    assert "9 x c reach a receptive field of 1000: 1023 at c.8" in out
    assert run(capsys, path, "--rf", "1000", "--repeat", "nope")[0] == 2


def test_values_constant_on_every_valid_input_are_that_constant() -> None:
    """A U-Net crop's effective padding is a formula in H, but one number for every
    valid H: checked by brute force over the valid inputs of two periods and more."""
    from rfcalc.design import constant_when_valid

    network = rfcalc.load(str(ROOT / "specs" / "zoo" / "unet_original.yaml"))
    free = free_analysis(network)
    valid = solve_axis(free, 0).valid
    assert valid is not None
    found = {}
    for r in free.layers:
        a = r.axes[0]
        for what in ("receptive_field", "jump", "effective_padding"):
            value = getattr(a, what)
            if value is None or not getattr(value, "free_symbols", None):
                continue
            constant = constant_when_valid(free, 0, value, valid)
            seen = {
                getattr(rfcalc.analyze(network, [n, n])[r.name].axes[0], what)
                for n in range(valid.start, valid.start + 400)
                if valid.holds(n)
            }
            if constant is not None:
                assert seen == {constant}, (r.name, what)
                found[r.name] = constant
            else:
                assert len(seen) > 1, (r.name, what)
    assert found == {"dec3.crop": -64, "dec2.crop": -80, "dec1.crop": -88}
