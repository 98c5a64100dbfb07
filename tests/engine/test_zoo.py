"""The network zoo against published figures (sources in each spec's header)."""

from __future__ import annotations

from pathlib import Path

import pytest

import rfcalc
from rfcalc.cli import main
from rfcalc.design import free_analysis, solve_axis
from rfcalc.engine.cost import network_cost
from rfcalc.engine.sizes import size_symbol
from rfcalc.render.design_text import solution_text
from rfcalc.render.values import json_value

ZOO = Path(__file__).parents[2] / "specs" / "zoo"


def zoo(name: str, size: list[int | str] | None = None) -> rfcalc.engine.Analysis:
    return rfcalc.analyze(str(ZOO / f"{name}.yaml"), size)


def figures(a: rfcalc.engine.Analysis, layer: str) -> tuple[object, ...]:
    x = a[layer].axes[0]
    return (x.receptive_field, x.jump, x.effective_padding)


#: AlexNet per stage: receptive field and jump as the AlexNet receptive-field tables
#: give them (11, 19, 51, 67, 99, 131, 163, 195 at jumps 4, 8, 8, 16, 16, 16, 16, 32);
#: effective padding in TF-Slim's layout (VALID conv1 and pools, SAME 5x5 and 3x3)
ALEXNET_STAGES = {
    "conv1": (11, 4, 0),
    "pool1": (19, 8, 0),
    "conv2": (51, 8, 16),
    "pool2": (67, 16, 16),
    "conv3": (99, 16, 32),
    "conv4": (131, 16, 48),
    "conv5": (163, 16, 64),
    "pool5": (195, 32, 64),
}


def test_alexnet_v2_tf_slim_table() -> None:
    # TF-Slim receptive-field table: alexnet_v2 pool5: 195, 32, 64
    a = zoo("alexnet_v2", [224, 224])
    assert figures(a, "pool5") == (195, 32, 64)
    assert {name: figures(a, name) for name in ALEXNET_STAGES} == ALEXNET_STAGES
    assert [a[n].output_size[0] for n in ALEXNET_STAGES] == [54, 26, 26, 12, 12, 12, 12, 5]


def test_resnet50_v1_tf_slim_table() -> None:
    # TF-Slim receptive-field table: resnet_v1_50: 483, 32, 239 at 224 px
    a = zoo("resnet50_v1", [224, 224])
    assert figures(a, "out") == (483, 32, 239)
    assert a["out"].output_size == (7, 7)
    # the convolution weights of ResNet-50 (torchvision: 25,557,032 in all, of which
    # 2,049,000 are the classifier and 53,120 batch-norm parameters)
    assert network_cost(a).params == 25_557_032 - 2_049_000 - 53_120


def test_resnet50_v1_symbolic_padding_is_exact() -> None:
    # where the table would need a concrete size, rfcalc states the padding in H
    a = zoo("resnet50_v1")
    padding = a["out"].axes[0].effective_padding
    height = size_symbol("H")
    assert {int(padding.subs(height, h)) for h in (224, 256, 512)} == {239}
    assert {int(padding.subs(height, h)) for h in (226, 258)} == {241}
    for h in (224, 225, 226, 227):
        assert (
            padding.subs(height, h) == zoo("resnet50_v1", [h, h])["out"].axes[0].effective_padding
        )


def test_mobilenet_v1() -> None:
    # TF-Slim receptive-field table: mobilenet_v1: 315, 32, padding "None" (SAME)
    a = zoo("mobilenet_v1", [224, 224])
    # at 224 px the SAME stride-2 paddings resolve: TF-Slim's table gives 126
    assert figures(a, "out") == (315, 32, 126)
    assert json_value(zoo("mobilenet_v1")["out"].axes[0].effective_padding) != "None"
    cost = network_cost(a)
    # Howard et al. 2017, Table 1 / slim: 4.2M parameters and 569M mult-adds in all,
    # of which the 1024 -> 1001 classifier holds 1,025,025 parameters and 1,025,024 MACs
    # (1,024,000 MACs plus the bias); the feature extractor has no biases (batch norm)
    assert cost.params == 3_185_088
    assert round((cost.macs + 1_024_000) / 1e6) == 569


def test_unet_original_572_to_388() -> None:
    # Ronneberger et al. 2015, Fig. 1: a 572x572 tile gives a 388x388 output map
    a = zoo("unet_original", [572, 572])
    assert a["head"].output_size == (388, 388)
    assert a["bottom.b"].output_size == (28, 28)
    assert a["dec4.crop"].output_size == (56, 56)  # 64 cropped to the up-conv's 56
    # "all 2x2 max-pooling operations are applied to a layer with an even size"
    sol = solve_axis(free_analysis(rfcalc.load(str(ZOO / "unet_original.yaml"))), 0)
    assert solution_text(sol) == "H = 16n + 12 for n >= 11 (H ≡ 12 (mod 16), smallest 188)"
    assert sol.valid is not None
    assert sol.valid.holds(572)


def test_deeplabv3_output_stride_16() -> None:
    a = zoo("deeplabv3_aspp", [513, 513])
    # the DeepLab crop of 513 gives a 33x33 map at output stride 16
    assert a["project"].output_size == (33, 33)
    assert a["aspp18"].axes[0].jump == 16
    # each ASPP rate widens layer4's field by (3 - 1) * rate * 16
    base = a["layer4.2.out"].axes[0].receptive_field
    for rate in (6, 12, 18):
        assert a[f"aspp{rate}"].axes[0].receptive_field == base + 2 * rate * 16
    assert a["image_up"].axes[0].jump == 0  # image pooling: every unit sees the same
    # with it, the concat's moving window is aspp18's; the pooled branch is the global
    # context: every input pixel the image pooling reads (the DeepLab crop: all of 513)
    aspp = a["aspp"].axes[0]
    assert aspp.jump == 16
    assert aspp.note is None
    window = a["aspp18"].axes[0]
    assert (aspp.receptive_field, aspp.effective_padding) == (
        window.receptive_field,
        window.effective_padding,
    )
    assert aspp.context == (0, 512)
    assert a["aspp"].context_through == ("aspp",)
    assert a["project"].context_through == ("aspp",)
    # symbolic: the same window, and the context
    free = zoo("deeplabv3_aspp")
    assert free["aspp"].axes[0].receptive_field == free["aspp18"].axes[0].receptive_field
    assert free["aspp"].axes[0].context is not None
    # symbolic: the W axis, renamed from H, speaks of W
    contexts = [str(x.context) for x in free["project"].axes]
    assert "H" in contexts[0]
    assert "W" not in contexts[0]
    assert "W" in contexts[1]
    assert "H" not in contexts[1]


def test_tcn_receptive_field() -> None:
    # Bai et al. 2018: 1 + 2*(k - 1)*(2**n - 1) with k = 3, n = 4 levels
    assert zoo("tcn")["head"].axes[0].receptive_field == 1 + 2 * 2 * 15


def test_hdc_sawtooth() -> None:
    assert figures(zoo("hdc_sawtooth", [512, 512]), "hdc5c")[:2] == (399, 8)


@pytest.mark.parametrize("path", sorted(ZOO.glob("*.yaml")), ids=lambda p: p.stem)
def test_zoo_is_clean(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--isolated", "--fail-on", "info", "-f", "text", str(path)])
    assert (code, capsys.readouterr().out) == (0, "")


def test_every_zoo_spec_is_tested() -> None:
    source = Path(__file__).read_text()
    missing = [p.stem for p in ZOO.glob("*.yaml") if f'"{p.stem}"' not in source]
    assert not missing


def test_inception_v3_tf_slim_table() -> None:
    # TF-Slim receptive-field table: inception_v3 Mixed_7c: 1311, effective stride 32;
    # at 299 px the VALID reductions give 149, 147, 73, 71, 35, 17 and 8
    a = zoo("inception_v3", [299, 299])
    # the stride-2 layers are VALID and the SAME ones stride 1: the padding (618) holds
    # at every input size, as the table prints it
    assert figures(a, "Mixed_7c.out") == (1311, 32, 618)
    assert zoo("inception_v3")["Mixed_7c.out"].axes[0].effective_padding == 618
    sizes = [
        a[n].output_size[0]
        for n in (
            "Conv2d_1a_3x3",
            "Conv2d_2a_3x3",
            "MaxPool_3a_3x3",
            "Conv2d_4a_3x3",
            "MaxPool_5a_3x3",
            "Mixed_6a",
            "Mixed_7a",
        )
    ]
    assert sizes == [149, 147, 73, 71, 35, 17, 8]
    # Szegedy et al. 2016: about 5.7 billion multiply-adds at 299 px
    assert round(int(network_cost(a).macs) / 1e9, 1) == 5.7


@pytest.mark.parametrize(
    ("depth", "units", "published"),
    [
        (50, (4, 6), (483, 32, 239)),
        (101, (4, 23), (1027, 32, 511)),
        (152, (8, 36), (1507, 32, 751)),
        (200, (24, 36), (1763, 32, 879)),
    ],
)
def test_deeper_resnets_by_repeat_count(
    depth: int, units: tuple[int, int], published: tuple[int, int, int]
) -> None:
    # TF-Slim's receptive-field table for resnet_v1_50/101/152/200 at 224 px: the same
    # spec with more units in blocks 2 and 3 (the middle units are one `repeat` item)
    b2, b3 = units
    repeats = {"block2_mid": b2 - 2, "block3_mid": b3 - 2}
    network = rfcalc.load(ZOO / "resnet50_v1.yaml", repeats=repeats)
    assert figures(rfcalc.analyze(network, [224, 224]), "out") == published
