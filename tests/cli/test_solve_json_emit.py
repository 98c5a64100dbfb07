"""``rfcalc solve --format json`` and ``--emit``, against brute force and the libraries.

The JSON document validates against its schema for every shipped spec, and its closed
forms are the brute-force valid sizes of generated networks (``brute_valid.py``: each
size analysed).  Each ``--emit`` snippet is executed: the ``torch`` function, and the
MONAI and albumentations transforms through the real libraries (installed by
``.ci/run``; skipped with the reason elsewhere), must pad every size to the smallest
valid size at or above it; mmsegmentation's and detectron2's snippets (not installable
here: compiled extensions) are checked against their documented padding formula,
``ceil(size / divisor) * divisor`` at the bottom and right."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.brute_valid import valid_at
from support.generated_specs import spec
from support.optional import library
from support.scale import examples

import rfcalc
from rfcalc.cli import main
from rfcalc.design import SolveRequest
from rfcalc.design import solve as solve_report
from rfcalc.model import Network, SpecError
from rfcalc.render.emit import CannotEmit, axis_rules, emit, next_valid
from rfcalc.sources import open_source, spec_source

ROOT = Path(__file__).parents[2]
SCHEMA = json.loads((ROOT / "rfcalc" / "schema" / "solve.schema.json").read_text())
SPECS = sorted([*(ROOT / "specs").glob("*.yaml"), *(ROOT / "specs" / "zoo").glob("*.yaml")])
BIG = 1 << 12


def _solve(path: Path, capsys: Any, *args: str) -> tuple[int, Any]:
    code = main(["solve", str(path), "-f", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_every_spec_documents_validate(path: Path, capsys: Any) -> None:
    network = rfcalc.load(path)
    size = "x".join(["500"] * network.ndim)
    code, doc = _solve(path, capsys, "--size", size, "--roundtrip", "--output", "4")
    jsonschema.validate(doc, SCHEMA)
    assert doc["exit_code"] == code
    assert doc["schema"] == 1
    for group in doc["groups"]:
        for axis in group["axes"]:
            assert axis["size"]["value"] == 500
            valid = axis["valid"]
            if valid["status"] in ("residues", "any"):
                holds = valid["start"] <= 500 and (500 % valid["modulus"]) in valid["residues"]
                assert axis["size"]["valid"] is (holds or 500 in valid["sporadic"])


def _generated(rng: random.Random, ndim: int) -> tuple[str, Network] | None:
    text = spec(rng, ndim=ndim, max_items=5)
    try:
        network = rfcalc.load("generated.yaml", text)
    except SpecError:
        return None
    return None if network.bounds else (text, network)


@pytest.mark.slow
@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False))
def test_json_closed_forms_are_the_brute_force_valid_sizes(rng: random.Random) -> None:
    from rfcalc.render.design_json import solve_document

    case = _generated(rng, rng.choice((1, 2)))
    if case is None:
        return
    text, network = case
    report = solve_report(
        spec_source(text, "generated.yaml"), SolveRequest(size=(37,) * network.ndim)
    )
    doc = solve_document(report)
    jsonschema.validate(doc, SCHEMA)
    (group,) = doc["groups"]
    for axis in group["axes"]:
        valid = axis["valid"]
        others = [BIG] * network.ndim
        brute = {n: valid_at(network, axis["axis"], n, others, True) for n in range(1, 130)}
        if valid["status"] == "no_output":
            assert all(v is None for v in brute.values())
            continue
        if valid["status"] == "unknown":
            continue
        for n, v in brute.items():
            said = n >= valid["minimum"] and (
                n in valid.get("sporadic", [])
                or (
                    valid["status"] != "none"
                    and n >= valid["start"]
                    and n % valid["modulus"] in valid["residues"]
                )
            )
            assert said == bool(v), (n, v, valid)
        size = axis["size"]
        assert size["valid"] == bool(brute[37])
        for bound, step in (("below", -1), ("above", 1)):
            near = size[bound]
            if near is None or brute[37]:
                continue
            assert valid_at(network, axis["axis"], near, others, True)
            between = range(37 + step, near, step)
            assert not any(valid_at(network, axis["axis"], n, others, True) for n in between)


def _snippet(text: str, target: str) -> str:
    return emit(solve_report(spec_source(text, "net.yaml"), SolveRequest()), target)


def _check_padding(
    network: Network, pad: Any, sizes: list[tuple[int, ...]], minimal: bool = True
) -> None:
    """``pad`` maps a size tuple to the padded one: each axis must become a valid size
    (brute force, the other axes held large), the smallest at or above its own."""
    for size in sizes:
        padded = pad(size)
        for axis, (n, p) in enumerate(zip(size, padded, strict=True)):
            others = [BIG] * network.ndim
            assert valid_at(network, axis, p, others, True), (size, padded)
            if minimal:
                smaller = [m for m in range(n, p) if valid_at(network, axis, m, others, True)]
                assert not smaller, (size, padded, smaller)


@pytest.mark.slow
@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False))
def test_torch_snippet_pads_to_the_next_valid_size(rng: random.Random) -> None:
    torch = pytest.importorskip("torch", reason="the torch snippet needs torch==2.13.0")
    case = _generated(rng, rng.choice((1, 2, 3)))
    if case is None:
        return
    text, network = case
    try:
        code = _snippet(text, "torch")
    except CannotEmit:
        return
    space: dict[str, Any] = {}
    exec(compile(code, "snippet.py", "exec"), space)  # the snippet as a user pastes it
    sizes = [tuple(rng.randint(1, 70) for _ in range(network.ndim)) for _ in range(4)]

    def pad(size: tuple[int, ...]) -> tuple[int, ...]:
        out = space["pad_to_valid"](torch.zeros(1, 1, *size))
        return tuple(out.shape[2:])

    _check_padding(network, pad, sizes)


#: specs whose valid sizes are multiples of a divisor from a smallest size above it
DIVISOR_SPECS = {
    "multiple": """rfcalc: 1
input: {size: [H, W]}
layers:
  - {op: conv, kernel: 3, stride: 2, padding: 1}
  - {op: max_pool, kernel: 2, stride: 2}
  - {name: down, op: conv, kernel: 3, stride: 2, padding: 1}
  - {name: up, op: upsample, scale: 8, inputs: [down]}
  - {op: add, inputs: [input, up]}
""",
    "with a minimum": """rfcalc: 1
input: {size: [H, W]}
layers:
  - {op: conv, kernel: 5}
  - {op: conv, kernel: 5}
  - {op: max_pool, kernel: 2, stride: 2}
  - {op: conv, kernel: 5}
  - {op: max_pool, kernel: 2, stride: 2}
""",
    "per axis": """rfcalc: 1
input: {size: [H, W]}
layers:
  - {op: max_pool, kernel: [2, 4], stride: [2, 4]}
  - {op: max_pool, kernel: 2, stride: 2}
""",
}


def _divisor_cases() -> list[Any]:
    return [pytest.param(t, id=k) for k, t in DIVISOR_SPECS.items()] + [
        pytest.param((ROOT / "specs" / "unet_tconv.yaml").read_text(), id="unet_tconv"),
        pytest.param((ROOT / "specs" / "vgg16.yaml").read_text(), id="vgg16"),
    ]


def _sizes(network: Network) -> list[tuple[int, ...]]:
    rng = random.Random(7)
    return [tuple(rng.randint(1, 90) for _ in range(network.ndim)) for _ in range(7)]


@pytest.mark.parametrize("text", _divisor_cases())
def test_monai_snippet_through_monai(text: str) -> None:
    np = library("numpy")
    library("monai")
    network = rfcalc.load("net.yaml", text)
    space: dict[str, Any] = {}
    exec(compile(_snippet(text, "monai"), "snippet.py", "exec"), space)

    def pad(size: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(space["pad_to_valid"](np.zeros((1, *size), dtype=np.float32)).shape[1:])

    _check_padding(network, pad, _sizes(network))


@pytest.mark.parametrize("text", _divisor_cases())
def test_albumentations_snippet_through_albumentations(text: str) -> None:
    np = library("numpy")
    library("albumentations")
    network = rfcalc.load("net.yaml", text)
    space: dict[str, Any] = {}
    exec(compile(_snippet(text, "albumentations"), "snippet.py", "exec"), space)

    def pad(size: tuple[int, ...]) -> tuple[int, ...]:
        image = np.zeros((*size, 3), dtype=np.uint8)
        return tuple(space["pad_to_valid"](image=image)["image"].shape[:2])

    _check_padding(network, pad, _sizes(network))


@pytest.mark.parametrize("target", ["mmseg", "detectron2"])
@pytest.mark.parametrize("text", _divisor_cases())
def test_batch_padding_snippets_by_their_documented_formula(text: str, target: str) -> None:
    """mmseg's ``stack_batch`` and detectron2's ``ImageList.from_tensors`` pad to
    ``ceil(size / d) * d``: for every size from the smallest valid one, that is the
    next valid size; below it the snippet says the sizes stay invalid."""
    network = rfcalc.load("net.yaml", text)
    code = _snippet(text, target)
    compile(code, "snippet.py", "exec")  # valid Python as pasted
    found = re.search(r"(?:size_divisor=|SIZE_DIVISIBILITY = )(\d+)", code)
    assert found is not None
    d = int(found.group(1))
    rules = axis_rules(solve_report(spec_source(text, "net.yaml"), SolveRequest()))
    smallest = [r.smallest for r in rules]
    sizes = [s for s in _sizes(network) if all(n >= m for n, m in zip(s, smallest, strict=True))]
    sizes.append(tuple(smallest))
    one = len({r.divisor for r in rules}) == 1  # else the snippet pads to their lcm
    _check_padding(network, lambda s: tuple(-(-n // d) * d for n in s), sizes, one)
    assert ("stay invalid" in code) == any(m > d for m in smallest)


def test_emit_refuses_what_a_target_cannot_express(tmp_path: Path, capsys: Any) -> None:
    unet3d = str(ROOT / "specs" / "unet3d.yaml")  # valid sizes 8n + 4: no divisor form
    assert main(["solve", unet3d, "--emit", "monai"]) == 2
    err = capsys.readouterr().err
    assert "cannot express that; --emit torch writes a padding function" in err
    assert main(["solve", unet3d, "--emit", "torch"]) == 0
    code = capsys.readouterr().out
    rules = axis_rules(solve_report(open_source(unet3d), SolveRequest()))
    assert [next_valid(r, 101) for r in rules] == [108, 108, 108]
    assert "VALID = [(8, (4,), " in code
    wavenet = str(ROOT / "specs" / "wavenet.yaml")
    assert main(["solve", wavenet, "--emit", "albumentations"]) == 2
    assert "pads 2-D images; this spec has 1 axes" in capsys.readouterr().err
    hyper = tmp_path / "hyper.yaml"
    hyper.write_text(
        "rfcalc: 1\ninput: {size: [H]}\nsymbols: {S: {min: 1, max: 3}}\n"
        "layers:\n  - {op: conv, kernel: 3, stride: S}\n"
    )
    assert main(["solve", str(hyper), "--emit", "torch"]) == 2
    assert "open hyperparameters" in capsys.readouterr().err


def test_json_carries_the_rf_answers(tmp_path: Path, capsys: Any) -> None:
    """``--rf`` with symbols (the README's TCN: ``K = 8``) and with ``--layers`` (the
    fewest repetitions), as the text says them."""
    tcn = tmp_path / "tcn.yaml"
    tcn.write_text(
        "rfcalc: 1\ninput: {size: [T]}\nsymbols: {K: {min: 2, max: 8}}\nlayers:\n"
        "  - {name: c, op: conv, kernel: K, dilation: $(2 ** rep), padding: causal, repeat: 4}\n"
    )
    code, doc = _solve(tcn, capsys, "--rf", "100")
    jsonschema.validate(doc, SCHEMA)
    assert code == 0
    assert doc["rf"]["kind"] == "hyperparameters"
    assert doc["rf"]["values"] == {"K": 8}
    assert doc["rf"]["fields"] == [106]
    assert doc["rf"]["complete"] is True
    plain = tmp_path / "plain.yaml"
    plain.write_text(
        "rfcalc: 1\ninput: {size: [T]}\nlayers:\n"
        "  - {name: c, op: conv, kernel: 3, dilation: $(2 ** rep), padding: causal, repeat: 2}\n"
    )
    code, doc = _solve(plain, capsys, "--rf", "60", "--layers", "c")
    jsonschema.validate(doc, SCHEMA)
    assert (code, doc["rf"]["kind"], doc["rf"]["count"]) == (0, "repeat", 5)
    assert doc["rf"]["fields"] == [63]
    code, doc = _solve(plain, capsys, "--rf", "60")
    assert (code, doc["rf"]["kind"], doc["exit_code"]) == (2, "needs_symbols", 2)
