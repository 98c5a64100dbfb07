"""Every command on generated networks, the way ``analyze`` is tested against PyTorch.

Hypothesis writes specs of every op (``generated_specs.py``): chains and DAGs, 1 to 3
axes, concrete and symbolic inputs, hyperparameters within bounds, ``input.sizes``,
blocks.  Each command (``analyze`` in both formats, ``check`` in every format, ``solve``
with each option, ``--show-support``) must exit 0 or 1, with a located message, never 3.
``solve``'s answers are checked against brute force: the network evaluated at every
concrete input up to a bound.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.brute_valid import valid_at
from support.generated_specs import spec
from support.scale import FULL, examples

from rfcalc.cli import main
from rfcalc.design import (
    free_analysis,
    inputs_for_output,
    smallest_hyperparameters,
    solve_axis,
)
from rfcalc.engine import analyze_network
from rfcalc.engine.hyper import instances
from rfcalc.lint import Config, lint_text
from rfcalc.model import OPS, Network, SpecError
from rfcalc.render.design_text import solution_text
from rfcalc.rules import RULES
from rfcalc.rules.base import size_text
from rfcalc.spec import load_spec

#: what the suites generated, printed at the end of the run (conftest.py)
COUNTS: Counter[str] = Counter()
LOCATED = re.compile(r"^.+:\d+:\d+: ", re.MULTILINE)

COMMANDS: list[list[str]] = [
    ["analyze", "-f", "json"],
    ["analyze", "-f", "table"],
    ["check", "--isolated", "-f", "text"],
    ["check", "--isolated", "-f", "json"],
    ["check", "--isolated", "-f", "github"],
    ["check", "--isolated", "-f", "sarif"],
    ["check", "--isolated", "-f", "rich", "--details"],
    ["solve"],
    ["solve", "--size", "37"],
    ["solve", "--output", "3"],
    ["solve", "--roundtrip"],
    ["solve", "--rf", "12"],
    ["solve", "--no-drops"],
]


def _load(text: str) -> Network | None:
    try:
        return load_spec(text, "generated.yaml")
    except SpecError:
        COUNTS["specs refused by the reader (located SpecError)"] += 1
        return None


@pytest.mark.slow
@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rng=st.randoms(use_true_random=False))
def test_every_command_answers_every_generated_network(
    rng: random.Random, tmp_path_factory: pytest.TempPathFactory, capsys: Any
) -> None:
    text = spec(rng)
    path = tmp_path_factory.mktemp("gen") / "generated.yaml"
    path.write_text(text)
    network = _load(text)
    commands = list(COMMANDS)
    if network is not None:
        ndim = network.ndim
        size = "x".join(["37"] * ndim)
        commands = [[*c[:1], *(["--size", size] if "--size" in c else c[1:])] for c in commands]
        commands.append(["analyze", "--show-support", network.layers[-1].name])
        commands.append(["analyze", "-i", size, "--erf", "-f", "json"])  # open symbols: reasons
        if not network.bounds:  # a unit's own support needs numbers (exit 2 otherwise)
            last = network.layers[-1].name
            commands.append(["analyze", "-i", size, "--show-support", last, "--unit", "0"])
        if not network.bounds:  # --rf without symbols is a usage error (exit 2)
            commands = [c for c in commands if "--rf" not in c]
        repeated = [
            line.split("name: ")[1].split(",")[0]
            for line in text.splitlines()
            if line.startswith("  - {name: ") and "repeat: " in line
        ]
        if repeated:  # the fewest repetitions of a repeated item
            commands.append(["solve", "--rf", "30", "--layers", repeated[0]])
        page = str(path.with_suffix(".html"))
        commands.append(["report", "-i", size, "-o", page, "--isolated", "--no-erf"])
    for command in commands:
        code = main([command[0], str(path), *command[1:]])
        out, err = capsys.readouterr()
        where = (command, text, out[-2000:], err[-2000:])
        if command[0] == "report" and code == 2:  # empty maps, or hyperparameters left open
            reason = "a hyperparameter is left open" if network.bounds else "has an empty output"
            assert reason in err, where
            continue
        assert code in (0, 1), where
        assert "Traceback" not in out + err, where
        assert "internal error" not in out + err, where
        if code == 1 and command[0] == "analyze":
            assert LOCATED.search(err), where
    for name in {c[0] for c in commands}:
        COUNTS[f"networks run through rfcalc {name}"] += 1
    COUNTS["generated networks, every command"] += 1


def test_every_rule_and_op_fires_on_generated_networks() -> None:
    """Seeded networks (no shrinking needed): every rule that can fire on a valid spec
    fires on some, and every op the generator knows was generated."""
    fired: Counter[str] = Counter()
    ops: set[str] = set()
    for seed in range(400):
        text = spec(random.Random(seed))
        result = lint_text(text, "generated.yaml", Config())
        assert result.crashed is None, (result.crashed, text)
        fired.update(f.rule for f in result.findings)
        network = _load(text)
        if network is not None:
            ops |= {layer.op for layer in network.layers}
            if FULL or seed % 3 == 0:  # the default profile: a third of them
                fired.update(f.rule for f in _drift_against_brute_force(network, seed))
    assert set(OPS) - ops == set()
    COUNTS.update({f"rule {r} fired (seeded run of 400)": n for r, n in fired.items()})
    assert {r.id for r in RULES} - set(fired) == set()


def _quantities(network: Network, sizes: Any) -> list[Any]:
    a = analyze_network(network, list(sizes))
    return [
        [(x.size, x.receptive_field, x.jump, x.effective_padding) for x in r.axes] for r in a.layers
    ]


def _drift_against_brute_force(network: Network, seed: int) -> list[Any]:
    """RF601 on a network and a copy with one window layer's kernel grown by 1: silent
    on the network itself; on the copy, exactly one finding per input where some layer's
    numbers differ, on the first such layer (the analyses compared value by value)."""
    from dataclasses import replace

    from rfcalc.compare import drift

    if network.bounds:
        return []  # hyperparameters: drift compares concrete networks
    assert drift(network, network) == []
    windows = [i for i, layer in enumerate(network.layers) if layer.op in ("conv", "max_pool")]
    if not windows:
        return []
    i = random.Random(seed).choice(windows)
    layer = network.layers[i]
    grown = tuple(k + 1 for k in layer.kernel)
    mutated = replace(
        network,
        layers=(*network.layers[:i], replace(layer, kernel=grown), *network.layers[i + 1 :]),
    )
    found = drift(network, mutated)
    # the changed hyperparameter itself, said once on its layer
    said = [f for f in found if "the model's kernel is" in f.message]
    assert [f.layer for f in said] == [layer.name], found
    # and per input compared, the first layer whose numbers differ (at the spec's
    # inputs as computed here; a symbolic input is also compared at a few valid sizes)
    numbers = [f for f in found if "the model gives" in f.message]
    runs = [
        tuple(network.input_size),
        *(s for s in network.sizes if tuple(s) != tuple(network.input_size)),
    ]
    for sizes in runs:
        ours, theirs = _quantities(network, sizes), _quantities(mutated, sizes)
        first = next((j for j, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b), None)
        if first is not None:
            at = f"(at input {size_text(sizes)})"
            assert any(f.layer == network.layers[first].name and at in f.message for f in numbers)
    assert len(numbers) <= len(runs) + 3, found
    return found


# --- solve against brute force ---------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), drops=st.booleans())
def test_solve_agrees_with_brute_force(rng: random.Random, drops: bool) -> None:
    network = _load(spec(rng, ndim=1, max_items=5))
    if network is None:
        return
    cases = [c.network for c in instances(network)[0]] if network.bounds else [network]
    for case in cases[:4]:
        free = free_analysis(case)
        for axis in range(case.ndim):
            sol = solve_axis(free, axis, drops)
            others = [1 << 12] * case.ndim  # the solver holds the other axes large
            limit = 160
            brute = {n: valid_at(case, axis, n, others, drops) for n in range(1, limit)}
            runs = [n for n, v in brute.items() if v is not None]
            if sol.minimum is None:
                assert not runs, (sol, runs[:5])
                continue
            assert sol.minimum == min(runs, default=sol.minimum), (sol.minimum, runs[:5])
            COUNTS["solve: valid-size sets checked by brute force"] += 1
            if sol.valid is None:
                COUNTS["solve: answered unknown"] += 1
                continue
            for n, v in brute.items():
                said = n >= sol.minimum and sol.valid.holds(n)
                assert said == bool(v), (n, v, solution_text(sol))
            if case.ndim == 1:
                target = 3
                found = inputs_for_output(free, axis, target)
                want = [
                    n
                    for n in range(1, limit)
                    if brute[n] is not None
                    and int(analyze_network(case, [n]).layers[-1].axes[0].size) == target
                ]
                if found is None:
                    assert not want, want
                else:
                    lo, hi = found
                    top = limit - 1 if hi is None else min(hi, limit - 1)
                    assert list(range(lo, top + 1)) == want, (found, want)


@settings(max_examples=examples(60), deadline=None)
@given(rng=st.randoms(use_true_random=False), rf=st.integers(1, 60))
def test_smallest_hyperparameters_agree_with_brute_force(rng: random.Random, rf: int) -> None:
    text = spec(rng, ndim=1, max_items=4, hyper=True)
    network = _load(text)
    if network is None or not network.bounds:
        return
    search = smallest_hyperparameters(network, rf)
    if search is None:  # the field is unstated, or depends on the input size
        return
    best = None
    for case in instances(network)[0]:
        last = analyze_network(case.network).layers[-1].axes[0].receptive_field
        if last is not None and int(last) >= rf:
            key = (sum(case.values.values()), tuple(case.values.values()))
            best = key if best is None or key < best else best
    assert search.complete
    got = None if search.values is None else tuple(search.values.values())
    assert got == (None if best is None else best[1]), (text, rf, search, best)
    COUNTS["solve --rf answers checked by brute force"] += 1


@st.composite
def encoder_decoders(draw: Any) -> str:
    """Strided convs down, transposed convs up (1-D, symbolic input): the roundtrip
    question has an answer that depends on the input's residue."""
    lines = ["rfcalc: 1", "input: {size: [H]}", "layers:"]
    downs = draw(st.integers(1, 3))
    for i in range(downs):
        k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        pad = draw(st.sampled_from(["valid", "same", "1"]))
        lines.append(f"  - {{name: d{i}, op: conv, kernel: {k}, stride: {s}, padding: {pad}}}")
    for i in range(draw(st.integers(1, 2))):
        k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        p = draw(st.integers(0, (k - 1) // 2))
        lines.append(
            f"  - {{name: u{i}, op: conv_transpose, kernel: {k}, stride: {s}, padding: {p}}}"
        )
    return "\n".join(lines) + "\n"


@settings(max_examples=examples(40), deadline=None)
@given(text=encoder_decoders())
def test_roundtrip_agrees_with_brute_force(text: str) -> None:
    import itertools
    from dataclasses import replace

    from rfcalc.design import roundtrip_output_padding

    network = load_spec(text, "ed.yaml")
    answers = roundtrip_output_padding(network, 1)
    assert answers is not None
    tconvs = [i for i, layer in enumerate(network.layers) if layer.op == "conv_transpose"]
    start = solve_axis(free_analysis(network), 0).minimum
    if start is None:
        return
    choices = [range(max(int(network.layers[i].window(0)[1]), 1)) for i in tconvs]
    for n in range(start, start + 60):
        want = set()
        for combo in itertools.product(*choices):
            layers = list(network.layers)
            for i, v in zip(tconvs, combo, strict=True):
                layers[i] = replace(layers[i], output_padding=(v,))
            a = analyze_network(replace(network, layers=tuple(layers)), [n])
            sizes = [int(x.size) for r in a.layers for x in r.axes]
            if min(sizes) >= 1 and sizes[-1] == n:
                want.add(combo)
        got = set()
        for trip in answers:
            assert trip.inputs is not None, trip  # decided: never "unknown" here
            if trip.inputs.holds(n):
                got |= set(trip.combos)
        assert got == want, (n, text, answers)
    COUNTS["solve --roundtrip answers checked by brute force"] += 1


@settings(max_examples=examples(30), deadline=None)
@given(k=st.integers(2, 5), base=st.integers(1, 3), growth=st.booleans(), rf=st.integers(2, 60))
def test_fewest_repetitions_agree_with_brute_force(
    k: int, base: int, growth: bool, rf: int
) -> None:
    from rfcalc.design import smallest_repeat
    from rfcalc.sources import spec_source

    dilation = "$(2 ** rep)" if growth else str(base)
    text = (
        "rfcalc: 1\ninput: {size: [T]}\nlayers:\n"
        f"  - {{name: c, op: conv, kernel: {k}, dilation: {dilation}, padding: causal, "
        "repeat: 2}\n"
    )
    got = smallest_repeat(spec_source(text, "tcn.yaml"), "c", rf)
    want = None
    for count in range(1, 400):
        try:
            net = load_spec(text, "tcn.yaml", {"c": count})
        except SpecError:
            break
        field = analyze_network(net).layers[-1].axes[0].receptive_field
        if int(field) >= rf:
            want = count
            break
    assert (None if got is None else got[0]) == want, (text, rf, got)
    COUNTS["solve --layers answers checked by brute force"] += 1
