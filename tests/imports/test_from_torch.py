"""PyTorch import (``torch.export``) against PyTorch itself: real architectures written
in plain PyTorch (``torch_nets.py``), read with dynamic and fixed spatial axes.  Every
imported layer's output size must be the size PyTorch computes for that node at an
input the export never saw; the receptive field and input region of the last layer's
central unit must be the model's gradient (positive weights, so every tap reaches it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.scale import CI_ONLY, FULL

import rfcalc
from rfcalc.imports.torch_graph import export, read_program, read_torch

torch = pytest.importorskip("torch", reason="the PyTorch oracle needs torch==2.13.0")

from support.torch_nets import FPN, TORCH_CASES, ResNetish, positive  # noqa: E402  (after the skip)

nn = torch.nn
F = torch.nn.functional

IDS = [c.__name__ for c, _ in TORCH_CASES]


def _shapes(program: Any, x: Any) -> dict[str, list[int]]:
    """Every node's spatial output size when the exported program runs on ``x``."""
    seen: dict[str, list[int]] = {}

    class Record(torch.fx.Interpreter):
        def run_node(self, n: Any) -> Any:
            out = super().run_node(n)
            value = out[0] if isinstance(out, (tuple, list)) and out else out
            if isinstance(value, torch.Tensor) and value.dim() == x.dim():
                seen[n.name] = list(value.shape[2:])
            return out

    with torch.no_grad():
        Record(program.module()).run(x)
    return seen


def _other(program: Any, shape: list[int]) -> tuple[list[int], dict[str, list[int]]]:
    """A second input the export never saw (odd sizes where the model's guards allow
    them, else 32 more) and every node's size there."""
    for extra in (3, 32):
        size = [*shape[:2], *(n + extra for n in shape[2:])]
        try:
            return size, _shapes(program, torch.ones(*size))
        except AssertionError:  # a guard: the model needs, say, H = 0 (mod 4)
            continue
    raise AssertionError("no second input passes the model's guards")


@pytest.mark.parametrize("dynamic", [True, False], ids=["dynamic", "fixed"])
@pytest.mark.parametrize(("cls", "shape"), TORCH_CASES, ids=IDS)
def test_every_layer_has_the_size_pytorch_computes(
    cls: Any, shape: list[int], dynamic: bool
) -> None:
    model = positive(cls())
    x = torch.ones(*shape)
    program = export(model, x, dynamic)
    imported = read_program(program, x)
    assert not imported.unsupported, imported.unsupported
    network = imported.network
    if dynamic:
        assert all(not s.is_Integer for s in network.input_size), network.input_size
        size, seen = _other(program, shape)
    else:
        size, seen = shape, _shapes(program, x)
    analysis = rfcalc.analyze(network, size[2:])
    for r in analysis.layers:
        assert [int(s) for s in r.output_size] == seen[r.layer.loc.node], (r.name, r.layer.loc)
    with torch.no_grad():
        out = model(torch.ones(*size))
    if out.dim() == len(size):
        assert [int(s) for s in analysis.layers[-1].output_size] == list(out.shape[2:])


def _gradient_support(model: Any, x: Any, unit: list[int]) -> set[tuple[int, ...]]:
    """The input pixels whose gradient at ``unit`` of the output's first channel is not
    zero (summed over the input's channels)."""
    x = x.clone().requires_grad_()
    y = model(x)
    (g,) = torch.autograd.grad(y[(0, 0, *unit)], x)
    g = g[0].abs().sum(0)
    return {tuple(int(i) for i in p) for p in torch.nonzero(g).tolist()}


@pytest.mark.parametrize(("cls", "shape"), TORCH_CASES, ids=IDS)
def test_the_last_map_sees_what_the_gradient_shows(cls: Any, shape: list[int]) -> None:
    """The central unit of the last map, and the unit one period further: each one's
    exact support (borders included) is the set of pixels with a non-zero gradient, and
    the second is the first moved by the field's advance (the jump)."""
    from rfcalc.engine.unit import unit_support

    model = positive(cls())
    imported = read_torch(model, torch.ones(*shape))
    analysis = rfcalc.analyze(imported.network, shape[2:])
    last = analysis.layers[-1]
    torch.manual_seed(0)  # positive and generic: normalisations see varied values
    x = torch.rand(*shape).add_(0.5)
    with torch.no_grad():
        y = model(x)
    if y.dim() != len(shape):
        assert imported.stopped  # a classifier: read up to its head
        return
    unit = [n // 2 for n in y.shape[2:]]
    for axis, a in enumerate(last.axes):
        assert a.field is not None, (last.name, axis)
    want = _gradient_support(model, x, unit)
    got = {
        p
        for p in unit_support(analysis, last.name, unit)
        if all(0 <= v < n for v, n in zip(p, shape[2:], strict=True))
    }
    assert got == want, (last.name, sorted(got ^ want)[:8])
    further = [u + a.field.period for u, a in zip(unit, last.axes, strict=True)]
    if all(u < n for u, n in zip(further, y.shape[2:], strict=True)):
        moved = _gradient_support(model, x, further)
        shift = tuple(int(a.field.advance) for a in last.axes)
        inner = {
            p
            for p in want
            if all(0 <= v + s < n for v, s, n in zip(p, shift, shape[2:], strict=True))
        }
        assert {tuple(v + s for v, s in zip(p, shift, strict=True)) for p in inner} <= moved


def test_the_written_spec_reads_back_as_the_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``rfcalc import --torch package.module:factory --input NxCxHxW`` writes a spec
    that analyses as the module itself (names are module paths)."""
    from rfcalc.cli import main

    spec = tmp_path / "fpn.yaml"
    args = ["import", "--torch", "support.torch_nets:FPN", "--input", "1x3x64x64", "-o", str(spec)]
    assert main(args) == 0
    written = rfcalc.analyze(rfcalc.load(str(spec)), [61, 47])
    direct = rfcalc.analyze(rfcalc.from_torch(positive(FPN()), torch.ones(1, 3, 64, 64)), [61, 47])
    assert [r.name for r in written.layers] == [r.name for r in direct.layers]
    assert [r.name for r in written.layers][:4] == ["c2", "c3", "c4", "l4"]
    for a, b in zip(written.layers, direct.layers, strict=True):
        assert [(x.size, x.receptive_field, x.jump, x.effective_padding) for x in a.axes] == [
            (y.size, y.receptive_field, y.jump, y.effective_padding) for y in b.axes
        ]
    assert main(["import", "--torch", "support.torch_nets:FPN", "--input", "64x64"]) == 2
    assert main(["import", "--torch", "support.torch_nets:Nope", "--input", "1x3x64x64"]) == 1
    assert "support.torch_nets has no attribute 'Nope'" in capsys.readouterr().err


EXITING = """
import sys
import torch


def at_import():
    return torch.nn.Conv2d(3, 3, 3)


def factory():
    sys.exit(0)


class Forward(torch.nn.Module):
    def forward(self, x):
        sys.exit(3)
"""


@pytest.mark.parametrize(
    ("module", "factory", "said"),
    [
        ("exiting", "factory", "factory() called sys.exit(0)"),
        ("exiting", "Forward", "it called sys.exit(3)"),
        ("exiting_at_import", "at_import", "cannot import exiting_at_import: it called sys.exit"),
    ],
)
def test_a_factory_that_exits_is_an_error_and_writes_nothing(
    module: str,
    factory: str,
    said: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue #27: ``sys.exit()`` in a factory (or at import, or in ``forward``) ended
    ``rfcalc import`` with exit 0 and no file."""
    from rfcalc.cli import main

    (tmp_path / "exiting.py").write_text(EXITING)
    (tmp_path / "exiting_at_import.py").write_text(EXITING + "\nsys.exit(0)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "out.yaml"
    args = ["import", "--torch", f"{module}:{factory}", "--input", "1x3x16x16", "-o", str(out)]
    assert main(args) == 1
    assert said in capsys.readouterr().err
    assert not out.exists()


def test_an_example_input_too_large_to_make_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue #27: ``--input 1x3x100000x100000`` was PyTorch's allocator error as an
    internal error; the sizes are symbols in the import, so a small example serves."""
    from rfcalc.cli import main

    out = tmp_path / "out.yaml"
    args = [
        "import",
        "--torch",
        "support.torch_nets:FPN",
        "--input",
        "1x3x100000x100000",
        "-o",
        str(out),
    ]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "the example input 1x3x100000x100000 holds 30,000,000,000 values" in err
    assert not out.exists()


class Rolled(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(1, 1, 3)
        self.b = nn.Conv2d(1, 1, 3)

    def forward(self, x: Any) -> Any:
        return self.b(torch.roll(self.a(x), 1, dims=2))


def test_what_rfcalc_cannot_express_is_a_warning_or_refused() -> None:
    x = torch.ones(1, 1, 16, 16)
    with pytest.warns(UserWarning, match=r"node roll: roll: rfcalc cannot express roll"):
        network = rfcalc.from_torch(Rolled(), x)
    assert [layer.name for layer in network.layers] == ["a", "b"]
    with pytest.raises(rfcalc.SpecError, match="roll"):
        rfcalc.from_torch(Rolled(), x, strict=True)


def test_a_classifier_is_read_up_to_its_head() -> None:
    imported = read_torch(ResNetish(), torch.ones(1, 3, 64, 64))
    assert {n.op_type for n in imported.stopped} >= {"flatten"}
    names = [layer.name for layer in imported.network.layers]
    assert names[:2] == ["conv1", "maxpool"]
    assert "layer2.0.downsample.0" in names
    assert "layer1.0.add_" in names
    analysis = rfcalc.analyze(imported.network, [224, 224])
    assert analysis.layers[-1].name == "avgpool"


def _classifiers() -> list[Any]:
    """Each classifier read at 224 and with symbolic sizes; the symbolic export of the
    three that cost torch.export most (tens of seconds) runs in the ci profile."""
    from support.torch_nets import CLASSIFIERS

    cases = []
    for build, shape in CLASSIFIERS:
        for dynamic in (True, False):
            marks = (
                [pytest.mark.skipif(not FULL, reason=CI_ONLY)]
                if dynamic and build.__name__ != "resnet50"
                else []
            )
            name = f"{build.__name__}-{'dynamic' if dynamic else 'fixed'}"
            cases.append(pytest.param(build, shape, dynamic, id=name, marks=marks))
    return cases


@pytest.mark.parametrize(("build", "shape", "dynamic"), _classifiers())
def test_a_standard_classifier_reads_like_a_review(
    build: Any, shape: list[int], dynamic: bool
) -> None:
    """torchvision's ResNet-50, VGG-16, AlexNet and DenseNet-121 at 224 (and with symbolic
    sizes): no finding above info.  ResNet's 1x1 stride-2 projections are facts (info,
    naming the add whose other branch reads the skipped pixels), not problems."""
    from rfcalc.lint import lint_network

    network = rfcalc.from_torch(build(), torch.ones(*shape), dynamic=dynamic)
    findings = lint_network(network)
    assert all(str(f.severity) == "info" for f in findings), (build, findings)
    skips = sorted(f.layer or "" for f in findings if f.rule == "RF202")
    if build.__name__ == "resnet50":
        assert skips == [f"layer{i}.0.downsample.0" for i in (2, 3, 4)]
        assert all(
            "merges a branch that reads them" in f.message for f in findings if f.rule == "RF202"
        )
    else:
        assert skips == []


@pytest.mark.parametrize(
    ("name", "ratio"),
    [
        ("resnet50", 0.5),
        pytest.param(
            "DenseNet121",
            0.7,
            marks=pytest.mark.skipif(not FULL, reason=CI_ONLY),
        ),
    ],
)
def test_a_repeating_graph_is_written_with_blocks(name: str, ratio: float) -> None:
    """The units a model repeats (``layer3.1``, ``layer3.2``, ...) become blocks and
    instances with the same names; the spec reads back to the same analysis."""
    from support import torch_nets

    from rfcalc.imports.write import spec_text

    imported = read_torch(getattr(torch_nets, name)(), torch.ones(1, 3, 224, 224))
    text = spec_text(imported, name)
    assert "\nblocks:" in text
    items = text.split("\nlayers:\n", 1)[1].splitlines()
    # DenseNet's concats sit outside its units (in the network's own forward)
    assert len(items) < ratio * len(imported.network.layers)
    written = rfcalc.analyze(rfcalc.load(f"{name}.yaml", text), [224, 224])
    direct = rfcalc.analyze(imported.network, [224, 224])
    assert [r.name for r in written.layers] == [r.name for r in direct.layers]
    for a, b in zip(written.layers, direct.layers, strict=True):
        assert [(x.size, x.receptive_field, x.jump, x.effective_padding) for x in a.axes] == [
            (y.size, y.receptive_field, y.jump, y.effective_padding) for y in b.axes
        ], a.name


class Normalised(nn.Module):
    """A LayerNorm over the map's height and width (its statistics read the whole map),
    one over the channels of a channels-last view, and an antialiased resize."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(1, 4, 3)
        self.spatial = nn.LayerNorm([14, 14])
        self.channels = nn.LayerNorm(4)
        self.b = nn.Conv2d(4, 4, 3)

    def forward(self, x: Any) -> Any:
        y = self.spatial(self.a(x))
        y = self.channels(y.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        y = self.b(y)
        return F.interpolate(y, scale_factor=0.5, mode="bilinear", antialias=True)


def test_normalisations_and_antialiasing_are_named_for_what_they_read() -> None:
    imported = read_torch(Normalised(), torch.ones(1, 1, 16, 16), dynamic=False)
    why = {n.node: n.why for n in imported.folded}
    assert (
        why["spatial.layer_norm"] == "normalisation statistics over the whole map are not counted"
    )
    assert why["channels.layer_norm"] == "a normalisation of the channels"
    ((node, reason),) = [(n.op_type, n.why) for n in imported.unsupported]
    assert (node, reason) == ("_upsample_bilinear2d_aa", "antialiased interpolation")
    assert [layer.name for layer in imported.network.layers] == ["a", "b"]
