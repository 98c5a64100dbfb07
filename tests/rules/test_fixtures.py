"""Fixture specs carry their expected findings on the offending line: ``# expect: RF201``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rfcalc.lint import Config, lint_path

FIXTURES = Path(__file__).parents[1] / "fixtures" / "check"
EXPECT = re.compile(r"#\s*expect:\s*(RF\d{3}(?:\s*,\s*RF\d{3})*)")


def _expected(path: Path) -> set[tuple[int, str]]:
    out = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            out |= {(number, rule.strip()) for rule in match.group(1).split(",")}
    return out


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_findings_are_exactly_the_annotated_ones(path: Path) -> None:
    result = lint_path(str(path), Config())
    assert result.crashed is None
    got = {(f.loc.line, f.rule) for f in result.findings}
    assert got == _expected(path), "\n".join(
        f"{f.loc.line}: {f.rule} {f.severity}: {f.message}" for f in result.findings
    )


def _messages(name: str, rule: str) -> list[str]:
    result = lint_path(str(FIXTURES / name), Config())
    return [f.message for f in result.findings if f.rule == rule]


def test_hdc_1_2_9_prints_the_m_values() -> None:
    (message,) = _messages("hdc_1_2_9.yaml", "RF204")
    assert "M = [3, 5, 9], M_2 = 5 > K = 3" in message


def test_hdc_2_4_8_fails_on_the_common_factor() -> None:
    (message,) = _messages("hdc_2_4_8.yaml", "RF203")
    assert message == "dilation rates [2, 4, 8] share the factor 2: the output sees 1 input in 2"


def test_resnet_projection_ignores_three_of_four_which_the_main_branch_reads() -> None:
    result = lint_path(str(FIXTURES / "resnet_shortcut.yaml"), Config())
    (finding,) = [f for f in result.findings if f.rule == "RF202"]
    assert finding.message == (
        "proj ignores 3 of every 4 input pixels: its taps miss some positions between "
        "strides; sum merges a branch that reads them (together they read every pixel)"
    )
    assert str(finding.severity) == "info"


def test_a_skip_no_branch_makes_up_for_stays_a_warning(tmp_path: Path) -> None:
    """Both branches subsample: the merged output has holes, so the skip matters."""
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "rfcalc: 1\ninput: {size: [56, 56]}\nlayers:\n"
        "  - {name: a, op: conv, kernel: 1, stride: 2}\n"
        "  - {name: b, op: max_pool, kernel: 1, stride: 2, inputs: [input]}\n"
        "  - {name: sum, op: add, inputs: [a, b]}\n"
    )
    found = [f for f in lint_path(str(spec), Config()).findings if f.rule == "RF202"]
    assert [(f.layer, str(f.severity)) for f in found] == [("a", "warning"), ("b", "warning")]


def test_unet_merges_need_a_multiple_of_16() -> None:
    messages = _messages("unet_mod16.yaml", "RF103")
    assert "merges c4, c3, c2, c1 need H ≡ 0 (mod 16) (valid: 16, 32, 48, 64, ...)" in messages
    at_500 = [m for m in messages if "at input 500x500" in m]
    assert len(at_500) == 3
    assert all("(nearest H: 496 and 512)" in m for m in at_500)
    assert not [m for m in messages if "512x512" in m]  # 512 is valid


def test_fixed_size_map_is_not_helped_by_a_larger_input() -> None:
    (message,) = _messages("fixed_size_empty.yaml", "RF101")
    assert "no input size helps" in message
    assert "does not depend on the input" in message


def test_drifting_branches_agree_at_a_few_sizes() -> None:
    (message,) = _messages("drifting_merge.yaml", "RF103")
    assert "at input 66" in message
    assert "H in {62, 63, 64, 65} makes them agree (nearest H: 65)" in message
