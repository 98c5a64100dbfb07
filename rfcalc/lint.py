"""The one place findings are assembled: rules, selection, severities, suppressions, exit code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .config import Config, enabled, severity_of
from .engine import analyze_network
from .model import (
    EXIT_BUG,
    EXIT_FINDINGS,
    EXIT_OK,
    Finding,
    Loc,
    Network,
    Severity,
    SpecError,
)
from .rules import RULES, Context, Run
from .rules.base import size_text
from .wording import unsupported_text


@dataclass(frozen=True)
class FileResult:
    path: str
    findings: tuple[Finding, ...] = ()
    #: not an rfcalc spec (no ``rfcalc:`` key): passed over, not failed
    skipped: bool = False
    #: an internal error while checking (a bug in rfcalc), with its message
    crashed: str | None = None
    #: the traceback of that error, for ``RFCALC_DEBUG=1``
    trace: str | None = None


def runs_of(network: Network) -> tuple[Run, ...]:
    """The spec's own input first, then each of ``input.sizes``."""
    runs = [Run(size_text(network.input_size), analyze_network(network))]
    for sizes in network.sizes:
        if tuple(sizes) != tuple(network.input_size):
            runs.append(Run(size_text(sizes), analyze_network(network, list(sizes))))
    return tuple(runs)


def lint_network(network: Network, config: Config = Config()) -> list[Finding]:
    """Every enabled rule's findings, suppressions applied.  With hyperparameters left
    open, each verdict is the one of the concrete networks: a finding that holds for
    only some values says which (``with S = 2: ...``)."""
    if not network.bounds:
        return _lint_one(network, config)
    from .engine.hyper import combinations, instances

    cases, complete = instances(network)
    found: dict[tuple[Loc, str, str], tuple[Finding, list[str]]] = {}
    for case in cases:
        for f in _lint_one(case.network, config):
            found.setdefault((f.loc, f.rule, f.message), (f, []))[1].append(case.label())
    out = []
    for f, labels in found.values():
        if len(labels) < len(cases) or not complete:
            shown = "; ".join(labels[:3]) + (
                f" and {len(labels) - 3} more" if len(labels) > 3 else ""
            )
            corners = (
                ""
                if complete
                else f" (checked at the corners of the symbols' bounds only, not all "
                f"{combinations(network)} combinations)"
            )
            f = replace(f, message=f"with {shown}: {f.message}{corners}")
        out.append(f)
    return sorted(out, key=Finding.sort_key)


def _lint_one(network: Network, config: Config) -> list[Finding]:
    ctx = Context(network, network.target or config.target, runs_of(network))
    by_layer = {layer.name: layer for layer in network.layers}
    findings: dict[tuple[Loc, str, str], Finding] = {}
    for rule in RULES:
        if rule.check is None or not enabled(rule, config):
            continue
        if rule.id != "RF002" and any(rule.matches(s.rule) for s in network.suppress):
            continue  # suppressed for the whole network: its findings would all be dropped
        for report in rule.check(ctx):
            suppressions = list(network.suppress)
            if report.layer in by_layer:
                suppressions += by_layer[report.layer].suppress
            if rule.id != "RF002" and any(rule.matches(s.rule) for s in suppressions):
                continue
            finding = Finding(
                loc=report.loc,
                rule=rule.id,
                name=rule.name,
                severity=severity_of(rule, config, report.severity),
                message=report.message,
                layer=report.layer,
                support=report.support,
            )
            findings.setdefault((finding.loc, finding.rule, finding.message), finding)
    return sorted(findings.values(), key=Finding.sort_key)


def spec_error_finding(exc: SpecError, config: Config) -> list[Finding]:
    rule = RULES[0]
    if not enabled(rule, config):
        return []
    return [Finding(exc.loc, rule.id, rule.name, severity_of(rule, config, None), exc.message)]


def lint_text(
    text: str,
    path: str,
    config: Config = Config(),
    explicit: bool = True,
    model: Network | None = None,
    repeats: Mapping[str, int] | None = None,
) -> FileResult:
    """Check a spec's text.  YAML that is not a spec is skipped; one that looks like a
    spec without its ``rfcalc: 1`` line, or an empty file named explicitly, is RF001."""
    from .spec import load_spec
    from .spec.parse import parse_network, read_classified

    kind, root = read_classified(text, path)
    if kind == "other" or (kind == "empty" and not explicit):
        return FileResult(path, skipped=True)
    if kind == "empty":
        empty = SpecError("the file is empty; a spec starts with 'rfcalc: 1'", Loc(path))
        return FileResult(path, tuple(spec_error_finding(empty, config)))
    if kind == "spec-like":
        missing = SpecError(
            "this looks like an rfcalc spec (it has 'input' and 'layers') but has no "
            "'rfcalc: 1' line, so it was not checked: add 'rfcalc: 1' at the top",
            Loc(path),
        )
        return FileResult(path, tuple(spec_error_finding(missing, config)))
    try:
        # the YAML is parsed once: it was parsed to classify it (None: it does not parse,
        # and reading it again says where)
        network = (
            load_spec(text, path, repeats) if root is None else parse_network(root, path, repeats)
        )
    except SpecError as exc:
        return FileResult(path, tuple(spec_error_finding(exc, config)))
    del root  # the YAML tree (a few KiB a layer) is not needed past the reading
    findings = _inline(lint_network(network, config), text, path, config)
    if model is not None:
        from .compare import drift

        findings = sorted([*findings, *drift(network, model, config)], key=Finding.sort_key)
    return FileResult(path, tuple(findings))


def _inline(findings: list[Finding], text: str, path: str, config: Config) -> list[Finding]:
    """``findings`` without those an inline ``# rfcalc: ignore[...]`` drops, with RF002
    for each ignore that names no rule or gives no reason."""
    from .rules.bad_suppression import inline_problems
    from .spec.inline import inline_ignores

    ignores = inline_ignores(text)
    if not ignores:
        return findings
    by_id = {rule.id: rule for rule in RULES}
    kept = [
        f
        for f in findings
        if f.rule == "RF002"
        or not any(
            i.line == f.loc.line and any(by_id[f.rule].matches(r) for r in i.rules) for i in ignores
        )
    ]
    rule = by_id["RF002"]
    if not enabled(rule, config):
        return kept
    for i in ignores:
        where = Loc(path, i.line, i.col)
        for message in inline_problems(i.rules, i.reason):
            kept.append(
                Finding(where, rule.id, rule.name, severity_of(rule, config, None), message)
            )
    return sorted(kept, key=Finding.sort_key)


def lint_path(
    path: str,
    config: Config = Config(),
    explicit: bool = True,
    model: Network | None = None,
    repeats: Mapping[str, int] | None = None,
) -> FileResult:
    """Check one file; a file that is not a spec is skipped unless it cannot be read at all.
    With ``model``, a spec is also compared with it (RF601 model-drift)."""
    from .sources import is_model
    from .spec import looks_like_spec_file, read_text

    if is_model(path):
        return lint_model(path, config)
    try:
        text = read_text(path)
    except SpecError as exc:
        if not explicit or (Path(path).is_file() and not looks_like_spec_file(path)):
            # found in a folder, or some other YAML too large or not UTF-8: not ours
            return FileResult(path, skipped=True)
        return FileResult(path, tuple(spec_error_finding(exc, config)))
    return lint_source(text, path, config, explicit, model, repeats)


def lint_bytes(
    raw: bytes,
    path: str,
    config: Config = Config(),
    model: Network | None = None,
) -> FileResult:
    """Check a spec given as bytes (standard input): decoded as a file is (UTF-8, or
    UTF-16/32 with a byte order mark), at most the size a file may have; what cannot be
    read is RF001 on it, as for a file named on the command line."""
    from .spec import decode
    from .spec.yamlread import MAX_BYTES

    try:
        if len(raw) > MAX_BYTES:
            raise SpecError(f"the input is larger than {MAX_BYTES // (1024 * 1024)} MiB", Loc(path))
        text = decode(raw, path)
    except SpecError as exc:
        return FileResult(path, tuple(spec_error_finding(exc, config)))
    return lint_source(text, path, config, True, model)


def lint_source(
    text: str,
    path: str,
    config: Config = Config(),
    explicit: bool = True,
    model: Network | None = None,
    repeats: Mapping[str, int] | None = None,
) -> FileResult:
    """:func:`lint_text`, with a network too deep to check as RF001 and a bug in rfcalc
    as the file's ``crashed`` (the other files are still checked)."""
    try:
        return lint_text(text, path, config, explicit, model, repeats)
    except RecursionError:
        deep = SpecError("the network is too deep to check", Loc(path))
        return FileResult(path, tuple(spec_error_finding(deep, config)))
    except Exception as exc:  # a bug: report it, keep checking the other files
        import traceback

        return FileResult(
            path, crashed=f"{type(exc).__name__}: {exc}", trace=traceback.format_exc()
        )


def lint_model(path: str, config: Config = Config(), imported: Any = None) -> FileResult:
    """Check an ONNX model: its network as imported, and every node rfcalc could not
    express (RF001, a warning, by node name: the analysis went on without it).
    ``imported``: the model as :func:`~rfcalc.imports.read_onnx` already read it."""
    from .imports import read_onnx

    try:
        imported = imported or read_onnx(path)
    except SpecError as exc:
        return FileResult(path, tuple(spec_error_finding(exc, config)))
    rule = RULES[0]
    notes = [
        Finding(
            n.loc,
            rule.id,
            rule.name,
            Severity.WARNING,
            unsupported_text(n.op_type, n.why),
            n.node,
        )
        for n in imported.unsupported
    ]
    return FileResult(path, (*notes, *lint_network(imported.network, config)))


def expand(paths: Sequence[str]) -> list[tuple[str, bool]]:
    """Files to check: those named, and the ``*.yaml`` / ``*.yml`` below named folders."""
    out: list[tuple[str, bool]] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(
                f for f in path.rglob("*") if f.suffix in (".yaml", ".yml") and f.is_file()
            )
            out.extend((str(f), False) for f in found)
        else:
            out.append((p, True))
    return out


def exit_code(results: Iterable[FileResult], fail_on: Severity) -> int:
    code = EXIT_OK
    for r in results:
        if r.crashed:
            return EXIT_BUG
        if any(f.severity >= fail_on for f in r.findings):
            code = EXIT_FINDINGS
    return code
