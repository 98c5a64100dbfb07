"""repeat and parameterised blocks: expansion, naming, references and located errors."""

from __future__ import annotations

import textwrap

import pytest

import rfcalc
from rfcalc.model import SpecError
from rfcalc.spec import load_spec

SPEC = """\
rfcalc: 1
input: {size: [224, 224], channels: 3}
blocks:
  basic:
    params: {channels: 64, stride: 1}
    layers:
      - {name: conv1, op: conv, kernel: 3, stride: $stride, padding: 1, channels: $channels}
      - {name: conv2, op: conv, kernel: 3, padding: 1, channels: $(channels * 2 // 2)}
      - {name: proj, op: conv, kernel: 1, stride: $stride, channels: $channels, inputs: [$input]}
      - {name: out, op: add, inputs: [conv2, proj]}
layers:
  - {name: stem, op: conv, kernel: 7, stride: 2, padding: 3, channels: 64}
  - {name: pool, op: max_pool, kernel: 3, stride: 2, padding: 1}
  - {name: layer1, block: basic, repeat: 2}
  - {name: layer2, block: basic, repeat: 2, args: {channels: 128}, first: {stride: 2}}
  - {name: wide, op: conv, kernel: 1, channels: 4, repeat: 1}
  - {name: head, op: conv, kernel: 1, channels: 10, inputs: [layer1]}
"""


def test_expansion_names_and_wiring() -> None:
    net = load_spec(SPEC, "b.yaml")
    names = [layer.name for layer in net.layers]
    assert names[:7] == [
        "stem",
        "pool",
        "layer1.0.conv1",
        "layer1.0.conv2",
        "layer1.0.proj",
        "layer1.0.out",
        "layer1.1.conv1",
    ]
    by = {layer.name: layer for layer in net.layers}
    assert by["layer1.0.conv1"].inputs == ("pool",)
    assert by["layer1.0.proj"].inputs == ("pool",)
    assert by["layer1.1.proj"].inputs == ("layer1.0.out",)
    assert by["layer2.0.conv1"].stride == (2, 2)
    assert by["layer2.1.conv1"].stride == (1, 1)
    assert by["layer2.1.conv2"].channels == 128
    assert by["head"].inputs == ("layer1.1.out",)  # an instance stands for its last layer
    # positions point at the line the user wrote, in the block
    assert by["layer2.1.conv2"].loc.line == 8


def test_expanded_network_analyses_like_the_written_out_one() -> None:
    result = rfcalc.analyze(load_spec(SPEC, "b.yaml"))
    # ResNet-18-like: after layer1 the receptive field is 43, after layer2 99
    assert result["layer1.1.out"].axes[0].receptive_field == 43
    assert result["layer2.1.out"].axes[0].receptive_field == 99
    assert result["layer2.1.out"].axes[0].jump == 8


@pytest.mark.parametrize(
    ("old", "new", "message", "line"),
    [
        ("stride: $stride,", "stride: $strid,", "$strid names no parameter", 7),
        (
            "args: {channels: 128}",
            "args: {chanels: 128}",
            "block 'basic' has no parameter 'chanels'",
            15,
        ),
        ("basic, repeat: 2}", "basic, repeat: 0}", "repeat must be an integer from 1 to 10000", 14),
        (
            "layer1, block: basic",
            "layer1, block: basik",
            "no block named 'basik' (did you mean 'basic'?)",
            14,
        ),
        ("$(channels * 2 // 2)", "$(channels *)", "cannot read the expression", 8),
        ("$(channels * 2 // 2)", "$(channels / 2)", "expressions take integers", 8),
    ],
)
def test_errors_point_at_what_the_user_wrote(old: str, new: str, message: str, line: int) -> None:
    assert old in SPEC
    with pytest.raises(SpecError) as info:
        load_spec(SPEC.replace(old, new, 1), "b.yaml")
    assert message in info.value.message
    assert info.value.loc.line == line


def test_parameters_outside_blocks_are_errors() -> None:
    text = textwrap.dedent(
        """\
        rfcalc: 1
        input: {size: [8]}
        layers:
          - {op: conv, kernel: $k}
        """
    )
    with pytest.raises(SpecError, match=r"\$k is a block parameter"):
        load_spec(text, "b.yaml")


def test_repeat_of_a_plain_layer_chains() -> None:
    text = "rfcalc: 1\ninput: {size: [H]}\nlayers:\n  - {name: c, op: conv, kernel: 3, repeat: 3}\n"
    net = load_spec(text, "r.yaml")
    assert [(x.name, x.inputs) for x in net.layers] == [
        ("c.0", ("input",)),
        ("c.1", ("c.0",)),
        ("c.2", ("c.1",)),
    ]
    assert rfcalc.analyze(net)["c.2"].axes[0].receptive_field == 7


def test_expansion_stops_at_the_layer_bound() -> None:
    """``repeat`` and blocks cannot write out more layers than a network may have: the
    expansion stops there (its own cap was silently 2,000,000, the values' bound, as the
    module assigned one name twice)."""
    from rfcalc.model import MAX_LAYERS
    from rfcalc.spec import load_spec

    items = "".join("  - {op: conv, kernel: 1, repeat: 10000}\n" for _ in range(6))
    with pytest.raises(SpecError, match=f"expands to more than {MAX_LAYERS:,} layers") as err:
        load_spec(f"rfcalc: 1\ninput: {{size: [H]}}\nlayers:\n{items}", "t.yaml")
    assert (err.value.loc.line, err.value.loc.col) == (9, 5)
