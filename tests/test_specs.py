"""The example specs are golden tests: published and hand-derived numbers, clean lint,
valid JSON documents."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import rfcalc
from rfcalc.cli import main
from rfcalc.render.values import json_value

ROOT = Path(__file__).parents[1]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
SCHEMA = json.loads((ROOT / "rfcalc" / "schema" / "analyze.schema.json").read_text())


def spec(name: str) -> str:
    return str(ROOT / "specs" / f"{name}.yaml")


def axis0(name: str, layer: str, size: list[int | str] | None = None) -> rfcalc.engine.AxisResult:
    return rfcalc.analyze(spec(name), size)[layer].axes[0]


def test_vgg16_matches_the_published_table_at_224() -> None:
    # TF-Slim's receptive field table: vgg_16 pool5: RF 212, stride 32, padding 90
    a = axis0("vgg16", "pool5", [224, 224])
    assert (a.size, a.receptive_field, a.jump, a.effective_padding) == (7, 212, 32, 90)


#: VGG-16 per stage at 224 px: (output, receptive field, jump, effective padding), the
#: figures of the receptive-field recurrence (Araujo et al., Distill 2019) as the
#: per-layer tables of VGG-16 publish them; pool5 is TF-Slim's 212 / 32 / 90
VGG16_STAGES = {
    "conv1_1": (224, 3, 1, 1),
    "conv1_2": (224, 5, 1, 2),
    "pool1": (112, 6, 2, 2),
    "conv2_2": (112, 14, 2, 6),
    "pool2": (56, 16, 4, 6),
    "conv3_3": (56, 40, 4, 18),
    "pool3": (28, 44, 8, 18),
    "conv4_3": (28, 92, 8, 42),
    "pool4": (14, 100, 16, 42),
    "conv5_3": (14, 196, 16, 90),
    "pool5": (7, 212, 32, 90),
}


@pytest.mark.parametrize("layer", VGG16_STAGES)
def test_vgg16_per_stage(layer: str) -> None:
    a = axis0("vgg16", layer, [224, 224])
    assert (a.size, a.receptive_field, a.jump, a.effective_padding) == VGG16_STAGES[layer]


def test_vgg16_symbolic_sizes_are_single_floors() -> None:
    result = rfcalc.analyze(spec("vgg16"))
    sizes = {r.name: json_value(r.axes[0].size) for r in result.layers}
    assert sizes["pool1"] == "floor(H/2)"
    assert sizes["conv3_3"] == "floor(H/4)"
    assert sizes["pool5"] == "floor(H/32)"
    assert json_value(result["pool5"].axes[1].size) == "floor(W/32)"


def test_seed_conv_4x4_gives_2x2() -> None:
    a = axis0("seed_conv_4x4", "conv")
    assert (a.size, a.receptive_field) == (2, 3)


def test_seed_transposed_examples() -> None:
    result = rfcalc.analyze(spec("seed_transposed_2x2"))
    # (2-1)*1 + 2 = 3; with padding 1: 3 - 2 = 1; stride 2: (2-1)*2 + 2 = 4
    assert [result[n].output_size for n in ("plain", "padded", "strided")] == [
        (3, 3),
        (1, 1),
        (4, 4),
    ]


def test_seed_conv_and_transposed_twin_round_trip_16() -> None:
    result = rfcalc.analyze(spec("seed_conv_tconv_16"), [16, 16])
    assert result["down"].output_size == (6, 6)  # floor((16 + 4 - 5)/3) + 1
    assert result["up"].output_size == (16, 16)  # (6 - 1)*3 - 4 + 5
    # ... but not for every size: 17 comes back as 16
    assert rfcalc.analyze(spec("seed_conv_tconv_16"), [17, 17])["up"].output_size == (16, 16)


def test_dilated_stack_receptive_fields() -> None:
    result = rfcalc.analyze(spec("dilated_1_2_4"))
    assert [result[n].axes[0].receptive_field for n in ("d1", "d2", "d4")] == [3, 7, 15]


def test_wavenet_receptive_field() -> None:
    result = rfcalc.analyze(spec("wavenet"))
    # one stack: 1 + (1 + 2 + ... + 512) = 1024; two: 1 + 2*1023 = 2047
    assert result["stack.0.dilated.9"].axes[0].receptive_field == 1024
    assert result["out"].axes[0].receptive_field == 2047
    assert json_value(result["out"].axes[0].size) == "T"  # causal padding keeps the length


def test_unet_skips_agree_at_multiples_of_8() -> None:
    good = rfcalc.analyze(spec("unet_small"), [256, 256])
    assert not any(r.mismatched_axes for r in good.layers)
    assert good["head"].output_size == (256, 256)
    # 250 -> 125 -> 62 -> 31: up3 gives 62 = enc3, up2 gives 124 != 125, up1 248 != 250
    bad = rfcalc.analyze(spec("unet_small"), [250, 250])
    assert [r.name for r in bad.layers if r.mismatched_axes] == ["skip2", "skip1"]


def test_transposed_phases() -> None:
    a = axis0("transposed_phases", "uneven", [64])
    # enc: RF 3, jump 2; k=3 s=2 transposed: phases read 2 and 1 enc units: 3 + 2 and 3
    assert (a.receptive_field, a.receptive_field_min, a.jump) == (5, 3, 1)
    b = axis0("transposed_phases", "even", [64])
    assert (b.receptive_field, b.receptive_field_min) == (5, None)


def test_resnet_stage() -> None:
    result = rfcalc.analyze(spec("resnet_stage"))
    assert result["rest.2.out"].output_size == (28, 28)
    assert result["first.out"].axes[0].jump == 2


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_every_spec_documents_validate(path: Path) -> None:
    jsonschema.validate(rfcalc.to_dict(rfcalc.analyze(str(path)), str(path)), SCHEMA)


def test_every_spec_has_a_golden_test() -> None:
    source = Path(__file__).read_text()
    missing = [p.stem for p in SPECS if f'"{p.stem}"' not in source]
    assert not missing, f"add a golden test for {missing}"


def test_shipped_specs_are_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--isolated", "--fail-on", "info", "-f", "text", str(ROOT / "specs")])
    out = capsys.readouterr().out
    assert (code, out) == (0, "")


def test_analyze_json_of_all_specs_is_an_array(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", *map(str, SPECS), "-f", "json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    jsonschema.validate(docs, SCHEMA)
    assert [d["name"] for d in docs] == [rfcalc.load(p).name for p in SPECS]


def test_readme_examples_are_valid_specs() -> None:
    """Every YAML example in the README that is a whole spec reads and analyses."""
    import re

    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)
    whole = [b for b in blocks if b.lstrip().startswith("rfcalc: 1")]
    assert len(whole) >= 3
    for text in whole:
        rfcalc.analyze(rfcalc.load("README.md", text))


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text().splitlines()
    commands = readme[readme.index("```sh") + 1 : readme.index("```sh") + 3]
    assert commands == [
        "pip install . && rfcalc analyze specs/vgg16.yaml --input 224x224",
        "pip install '.[test]' && pytest",
    ]
    assert (ROOT / "specs" / "vgg16.yaml").is_file()


#: the ten real designs of issue #12, each written from its paper or reference code
DESIGNS = (
    "resnet18",
    "mobilenet_v2",
    "fpn_resnet18",
    "unet_tconv",
    "wavenet",
    "hrnet_fusion",
    "deeplabv3plus",
    "wav2vec2_encoder",
    "unet3d",
    "yolov3_tiny",
)


@pytest.mark.parametrize("name", DESIGNS)
def test_the_real_designs_state_every_field_and_fit_80_columns(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    network = rfcalc.load(spec(name))
    sizes = [network.input_size, *network.sizes]
    for size in sizes:
        analysis = rfcalc.analyze(network, list(size))
        for r in analysis.layers:
            for a in r.axes:
                where = (name, size, r.name)
                assert a.receptive_field is not None, where
                assert a.jump is not None, where
                assert a.effective_padding is not None, where
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["analyze", spec(name)]) == 0
    out = capsys.readouterr().out
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "…" not in out
    assert "left out" not in out  # every column shown
    assert main(["check", spec(name)]) == 0  # clean, or with the reasons written in


def test_the_real_designs_match_their_published_figures() -> None:
    # torchvision's ResNet-18: the last block sees 435 pixels, jump 32 (padding 217)
    a = axis0("resnet18", "layer4_1.out")
    assert (a.size, a.receptive_field, a.jump, a.effective_padding) == (7, 435, 32, 217)
    # MobileNetV2 at 224: 491 / 32
    a = axis0("mobilenet_v2", "head")
    assert (a.size, a.receptive_field, a.jump) == (7, 491, 32)
    # wav2vec 2.0: a frame sees 400 samples (25 ms) every 320 (20 ms); 49 frames a second
    a = axis0("wav2vec2_encoder", "conv6")
    assert (a.size, a.receptive_field, a.jump) == (49, 400, 320)
    # 3-D U-Net: 132 x 132 x 116 in, 44 x 44 x 28 out
    out = rfcalc.analyze(spec("unet3d"))["head"].output_size
    assert tuple(int(v) for v in out) == (44, 44, 28)
    # parameters without BatchNorm and classifier: torchvision's totals less those
    resnet = rfcalc.to_dict(rfcalc.analyze(spec("resnet18")), "r")
    assert resnet["params"] == 11_689_512 - 513_000 - 9_600
    mobile = rfcalc.to_dict(rfcalc.analyze(spec("mobilenet_v2")), "m")
    assert mobile["params"] == 3_504_872 - 1_281_000 - 34_112
