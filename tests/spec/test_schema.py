"""The spec format's JSON Schema (``rfcalc/schema/spec.schema.json``) against the reader.

The shipped file is what ``rfcalc.spec.schema.spec_schema()`` generates from the
reader's tables.  Every spec the reader accepts (the shipped specs, the README's, generated
ones) the schema accepts; every spec it refuses (the bad corpus, generated specs with one
mistake written in) the schema refuses too, unless the reader's reason needs the network
itself: :data:`MEANING` lists those, each with the reason a schema cannot see it."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.generated_specs import spec
from support.scale import examples

import rfcalc
from rfcalc.cli import main
from rfcalc.model import SpecError
from rfcalc.spec.schema import spec_schema

ROOT = Path(__file__).parents[2]
SHIPPED = ROOT / "rfcalc" / "schema" / "spec.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(json.loads(SHIPPED.read_text()))
#: what only the reader can refuse: the reason is about the network, not the file's shape
MEANING = {
    "lists .* values but the input has .* axes": "a per-axis list against the input's axes",
    "duplicate key": "YAML mappings keep one value per key before a schema sees them",
    "duplicate layer name": "uniqueness across layers",
    "which is not an earlier layer": "a reference to another layer, and its order",
    "output_padding .* must be smaller than the stride": "one key against another",
    "must be an integer, not a number with a fraction": "JSON Schema counts 3.0 as an integer",
    "must be an integer, not a string": "a name is a hyperparameter only if symbols: has it",
    "already names an input size": "a symbol against the input's names",
    "needs channels divisible by": "channels flow through the network",
    "is a block parameter; it means nothing outside a block": "where a value sits",
}


def _meaning(message: str) -> bool:
    return any(re.search(pattern, message) for pattern in MEANING)


def test_the_shipped_schema_is_generated_and_valid(capsys: pytest.CaptureFixture[str]) -> None:
    generated = json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"
    assert SHIPPED.read_text() == generated, (
        "regenerate: python -m rfcalc.spec.schema > rfcalc/schema/spec.schema.json"
    )
    jsonschema.Draft202012Validator.check_schema(spec_schema())
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == generated
    for name in ("analyze", "check", "solve"):
        assert main(["schema", name]) == 0
        out = capsys.readouterr().out
        assert out == (ROOT / "rfcalc" / "schema" / f"{name}.schema.json").read_text()


SPECS = sorted((ROOT / "specs").rglob("*.yaml"))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: str(p.relative_to(ROOT / "specs")))
def test_every_shipped_spec_validates(path: Path) -> None:
    rfcalc.load(path)
    errors = list(VALIDATOR.iter_errors(yaml.safe_load(path.read_text())))
    assert not errors, jsonschema.exceptions.best_match(errors).message


def test_the_readmes_specs_validate() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    checked = 0
    for block in blocks:
        if not block.lstrip().startswith("rfcalc: 1") and "\nrfcalc: 1" not in block:
            continue
        data = yaml.safe_load(block)
        rfcalc.load("readme.yaml", block)
        errors = list(VALIDATOR.iter_errors(data))
        assert not errors, (block, jsonschema.exceptions.best_match(errors).message)
        checked += 1
    assert checked >= 3


CORPUS = sorted((ROOT / "tests" / "corpus" / "bad").glob("*.yaml"))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_the_bad_corpus_is_refused_by_both(path: Path) -> None:
    with pytest.raises(SpecError) as info:
        rfcalc.load(path)
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        return  # not YAML: no schema applies (the reader says where)
    refused = bool(list(VALIDATOR.iter_errors(data)))
    assert refused or _meaning(info.value.message), info.value.message


#: one mistake written into a valid spec: (what, edit of the first layer's mapping)
MISTAKES: list[tuple[str, Any]] = [
    ("unknown key", lambda layer: layer.update(dialation=2)),
    ("boolean kernel", lambda layer: layer.update(op="conv", kernel=True)),
    ("zero stride", lambda layer: layer.update(op="conv", kernel=3, stride=0)),
    ("negative padding", lambda layer: layer.update(op="conv", kernel=3, padding=-1)),
    ("unknown op", lambda layer: layer.update(op="convolution")),
    ("no op", lambda layer: layer.pop("op")),
    ("conv without kernel", lambda layer: (layer.clear(), layer.update(op="conv"))),
    ("a key of another op", lambda layer: (layer.clear(), layer.update(op="add", kernel=3))),
    ("unknown padding mode", lambda layer: layer.update(op="conv", kernel=3, padding="wide")),
    ("tconv causal", lambda layer: layer.update(op="conv_transpose", kernel=2, padding="causal")),
    ("bad mode", lambda layer: (layer.clear(), layer.update(op="upsample", scale=2, mode="area"))),
    ("no reason", lambda layer: layer.update(suppress={"RF201": ""})),
    ("string channels", lambda layer: layer.update(channels="many")),
    ("expect typo", lambda layer: layer.update(expect={"receptive_feld": 3})),
    ("repeat zero", lambda layer: layer.update(repeat=0)),
]
TOP_MISTAKES: list[tuple[str, Any]] = [
    ("version 2", lambda doc: doc.update(rfcalc=2)),
    ("unknown top key", lambda doc: doc.update(layer=[])),
    ("no layers", lambda doc: doc.pop("layers")),
    ("empty layers", lambda doc: doc.update(layers=[])),
    ("four axes", lambda doc: doc["input"].update(size=[4, 4, 4, 4])),
    ("input typo", lambda doc: doc["input"].update(chanels=3)),
    ("bad target", lambda doc: doc.update(target="jax")),
    ("bad symbol bounds", lambda doc: doc.update(symbols={"K": {"min": 0}})),
]


@settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(rng=st.randoms(use_true_random=False), mistake=st.integers(0, 10**6))
def test_generated_specs_are_judged_alike(rng: random.Random, mistake: int) -> None:
    """A generated spec: the reader and the schema agree on it; then with one mistake
    written in, both refuse it."""
    text = spec(rng, hyper=rng.random() < 0.2)
    data = yaml.safe_load(text)
    try:
        rfcalc.load("generated.yaml", text)
        accepted = True
        message = ""
    except SpecError as exc:
        accepted, message = False, exc.message
    errors = list(VALIDATOR.iter_errors(data))
    if accepted:
        assert not errors, (text, jsonschema.exceptions.best_match(errors).message)
    else:
        assert errors or _meaning(message), (text, message)
        return
    edits = MISTAKES + TOP_MISTAKES
    what, edit = edits[mistake % len(edits)]
    if (what, edit) in TOP_MISTAKES:
        edit(data)
    else:
        first = data["layers"][0]
        if "block" in first:
            first = data["layers"][0] = {"op": "identity"}
        edit(first)
    bad = yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(SpecError):
        rfcalc.load("mistake.yaml", bad)
    assert list(VALIDATOR.iter_errors(data)), (what, bad)
