"""Fuzzing the reader and the CLI: bad input never escapes as a traceback.

Random YAML structures, and random mutations of every shipped example spec and lint
fixture (deleted keys, swapped types, out-of-range numbers, renamed references): the
reader raises only ``SpecError`` with a line, and ``analyze`` / ``check`` exit with a
documented code and a located message.
"""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.scale import examples

from rfcalc.cli import main
from rfcalc.lint import Config, lint_text
from rfcalc.model import SpecError
from rfcalc.spec import load_spec

ROOT = Path(__file__).parents[2]
EXAMPLES = sorted((ROOT / "specs").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "fixtures" / "check").glob("*.yaml")
)
LOCATED = re.compile(r"^.+:\d+:\d+: ", re.MULTILINE)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(["conv", "same", "H", "input", "valid", "causal", "x"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                ["op", "name", "kernel", "stride", "padding", "dilation", "inputs", "size", "x"]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=20,
)
layer = st.dictionaries(
    st.sampled_from(
        [
            "op",
            "name",
            "kernel",
            "stride",
            "padding",
            "dilation",
            "inputs",
            "scale",
            "output_padding",
            "ceil_mode",
            "to",
            "mode",
            "crop",
            "expect",
            "suppress",
            "groups",
        ]
    ),
    values,
    max_size=5,
)
specs = st.fixed_dictionaries(
    {"rfcalc": st.sampled_from([1, 1, 1, 2, "1"])},
    optional={
        "input": st.one_of(
            values,
            st.fixed_dictionaries(
                {
                    "size": st.lists(
                        st.one_of(st.integers(-3, 300), st.sampled_from(["H", "W"])), max_size=4
                    )
                }
            ),
        ),
        "layers": st.one_of(values, st.lists(layer, max_size=5)),
        "name": values,
        "expect": values,
    },
)


def _survives(text: str) -> None:
    try:
        network = load_spec(text, "fuzz.yaml")
    except SpecError as exc:
        error = exc
    else:
        error = None
    if error is not None:  # refused: with a place and a message
        assert error.loc.line >= 1
        assert error.loc.col >= 1
        assert error.message
        return
    result = lint_text(text, "fuzz.yaml", Config())
    assert result.crashed is None, result.crashed
    del network


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs)
def test_random_structures_never_crash_the_reader_or_the_lint(spec: dict[str, Any]) -> None:
    _survives(yaml.safe_dump(spec, sort_keys=False))


@settings(max_examples=examples(150), deadline=None)
@given(st.text(alphabet="rfcalc:1 \n-{}[],:&*!#'\"|>%@`\t", max_size=80))
def test_random_text_never_crashes_the_reader(text: str) -> None:
    _survives(text)


def _mutate(data: Any, draw: Any) -> Any:
    """One random mutation somewhere in the tree."""
    paths: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k in list(node):
                paths.append((node, k))
                walk(node[k])
        elif isinstance(node, list):
            for i in range(len(node)):
                paths.append((node, i))
                walk(node[i])

    walk(data)
    if not paths:
        return data
    parent, key = draw(st.sampled_from(paths))
    action = draw(st.sampled_from(["delete", "type", "range", "rename", "huge"]))
    if action == "delete" and isinstance(parent, dict):
        del parent[key]
    elif action == "type":
        parent[key] = draw(scalars)
    elif action == "range":
        parent[key] = draw(st.sampled_from([0, -1, -100, 2, 3]))
    elif action == "rename":
        parent[key] = draw(st.sampled_from(["nope", "input", "conv1", "e1", "p1"]))
    else:
        parent[key] = draw(st.sampled_from([10**12, 2**24, 10**5]))
    return data


@pytest.mark.skipif(not EXAMPLES, reason="no example specs")
@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(path=st.sampled_from(EXAMPLES), data=st.data())
def test_mutated_examples_get_a_documented_exit_code(
    path: Path,
    data: st.DataObject,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = yaml.safe_load(path.read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        spec = _mutate(spec, data.draw)
    target = tmp_path_factory.mktemp("fuzz") / "mutant.yaml"
    target.write_text(yaml.safe_dump(spec, sort_keys=False))
    code = main(["check", "--isolated", "-f", "text", str(target)])
    out, err = capsys.readouterr()
    assert code in (0, 1), (code, out, err)
    assert "Traceback" not in out + err
    if code == 1:
        assert LOCATED.search(out), out
    code = main(["analyze", str(target), "-f", "json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), (code, err)
    assert "Traceback" not in out + err
    if code == 1:
        assert LOCATED.search(err), err


def test_billion_laughs_is_refused_fast_in_bounded_memory() -> None:
    lines = ["rfcalc: 1", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    text = "\n".join(lines) + "\n"
    tracemalloc.start()
    with pytest.raises(SpecError, match="expands to more than"):
        load_spec(text, "bomb.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 200 * 2**20  # refused before anything is expanded


@pytest.mark.parametrize(
    "layer",
    [
        "{op: conv, kernel: 16777216}",
        "{op: conv, kernel: 3, dilation: 16777216}",
        "{op: max_pool, kernel: 2, stride: 16777216}",
        "{op: conv_transpose, kernel: 3, stride: 4096, dilation: 4096}",
        "{op: upsample, scale: 16777216}",
    ],
)
def test_huge_values_give_findings_not_hangs(layer: str) -> None:
    text = f"rfcalc: 1\ninput: {{size: [H, 100]}}\nlayers:\n  - {layer}\n  - {layer}\n"
    result = lint_text(text, "huge.yaml", Config())
    assert result.crashed is None  # the work is bounded: tests/cli/test_bounds.py


def test_a_typo_is_never_analysed_as_if_the_key_were_absent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(
        "rfcalc: 1\ninput: {size: [64]}\nlayers:\n  - {op: conv, kernel: 3, dilaton: 4}\n"
    )
    assert main(["analyze", str(path), "-f", "json"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "unknown key 'dilaton' in a conv layer (did you mean 'dilation'?)" in err
    assert main(["check", "--isolated", "-f", "text", str(path)]) == 1
    assert "RF001" in capsys.readouterr().out


def test_a_hundred_thousand_layers_is_refused_not_analysed(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(
        "rfcalc: 1\ninput: {size: [H]}\nlayers:\n" + "  - {op: conv, kernel: 3}\n" * 100_000
    )
    with pytest.raises(SpecError, match="'layers' has 100000 entries, more than 50000"):
        load_spec(path.read_text(), str(path))
