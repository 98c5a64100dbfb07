"""The rule registry: ids, names, documentation, and every documented example behaves."""

from __future__ import annotations

import pkgutil
import re
import textwrap
from pathlib import Path

import pytest

import rfcalc.rules
from rfcalc.lint import Config, lint_text
from rfcalc.rules import RULES

README = (Path(__file__).parents[2] / "README.md").read_text()


def _block(doc: str, label: str) -> str:
    match = re.search(rf"^{label}::\n\n((?:    .*\n|\n)+)", doc, re.MULTILINE)
    assert match, f"no {label}:: block"
    return textwrap.dedent(match.group(1))


def test_every_module_is_registered() -> None:
    modules = {
        m.name for m in pkgutil.iter_modules(rfcalc.rules.__path__) if not m.name.startswith("_")
    }
    helpers = {"base", "solving", "dilation_runs"}
    registered = {r.check.__module__.rsplit(".", 1)[1] for r in RULES if r.check is not None}
    registered |= {"spec_error", "model_drift"}  # reported by the reader, by --model
    assert modules - helpers == registered


def test_ids_and_names_are_unique_and_well_formed() -> None:
    ids = [r.id for r in RULES]
    names = [r.name for r in RULES]
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    for r in RULES:
        assert re.fullmatch(r"RF\d{3}", r.id)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", r.name)
        assert r.summary
        assert r.doc


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_in_the_readme_table(rule: rfcalc.rules.Rule) -> None:
    assert f"| {rule.id} | `{rule.name}` |" in README


#: RF601 compares a spec with a model: its oracle is tests/imports/test_drift.py
EXAMPLED = [r for r in RULES if r.id != "RF601"]


@pytest.mark.parametrize("rule", EXAMPLED, ids=[f"{r.id}-{r.name}" for r in EXAMPLED])
def test_documented_examples_behave_as_labelled(rule: rfcalc.rules.Rule) -> None:
    config = Config(select=(rule.id,))
    bad_text = _block(rule.doc, "Bad")
    bad = lint_text(bad_text, "bad.yaml", config)
    good = lint_text(_block(rule.doc, "Good"), "good.yaml", config)
    marked = {
        number
        for number, line in enumerate(bad_text.splitlines(), start=1)
        if f"# expect: {rule.id}" in line
    }
    assert marked, "the Bad example marks its offending line with '# expect: RFnnn'"
    assert {f.loc.line for f in bad.findings if f.rule == rule.id} == marked, bad
    assert not [f for f in good.findings if f.rule == rule.id], good.findings
    # the Good example is clean under every rule at its own level (error) too
    assert not [f for f in good.findings if f.severity >= rule.severity and f.rule == rule.id]


def test_readme_rule_table_is_generated_from_the_registry() -> None:
    from rfcalc.render.findings import rules_markdown

    start = README.index("<!-- rules-table")
    body = README[README.index("\n", start) + 1 : README.index("<!-- /rules-table -->")]
    assert body == rules_markdown(), "regenerate with: rfcalc rules --markdown"
