"""Findings as text, JSON (schema 1), GitHub workflow commands and SARIF 2.1.0: pure functions."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from .._version import __version__
from ..lint import FileResult
from ..model import Finding, Severity, visible
from ..rules import RULES

CHECK_SCHEMA_VERSION = 1
INFO_URI = "https://github.com/rfcalc/rfcalc#rules"


def detail(f: Finding) -> str:
    """The picture drawn under a finding (its exact support), or ""."""
    if not f.support:
        return ""
    from .support_picture import text_picture

    return text_picture(f.support, anchor="start", max_cols=48, max_rows=16)  # beside text


def _all(results: Sequence[FileResult]) -> list[Finding]:
    return sorted((f for r in results for f in r.findings), key=Finding.sort_key)


def text(results: Sequence[FileResult], details: bool = False) -> str:
    """``path:line:col: RF201 error: message [gridding]``, one line per finding."""
    lines = []
    for f in _all(results):
        lines.append(f"{f.loc}: {f.rule} {f.severity}: {f.message} [{f.name}]")
        if details and f.support:
            lines.extend("    " + line for line in detail(f).splitlines())
    for r in results:
        if r.crashed:
            lines.append(f"{r.path}:1:1: internal error: {r.crashed}")
    # a path or a message never starts a line of its own, nor colours the terminal
    return "".join(visible(line) + "\n" for line in lines)


def summary(results: Sequence[FileResult]) -> dict[str, int]:
    counts = {str(s): 0 for s in sorted(Severity, reverse=True)}
    for f in _all(results):
        counts[str(f.severity)] += 1
    return counts


def as_json(results: Sequence[FileResult]) -> str:
    doc: dict[str, Any] = {
        "rfcalc": __version__,
        "schema": CHECK_SCHEMA_VERSION,
        "files": [
            {
                "path": r.path,
                "skipped": r.skipped,
                **({"internal_error": r.crashed} if r.crashed else {}),
            }
            for r in results
        ],
        "findings": [
            {
                "path": f.loc.path,
                "line": f.loc.text_line,
                "column": f.loc.text_col,
                **({"node": f.loc.node} if f.loc.node else {}),
                "rule": f.rule,
                "name": f.name,
                "severity": str(f.severity),
                "message": f.message,
                "layer": f.layer,
                **({"detail": detail(f)} if f.support else {}),
            }
            for f in _all(results)
        ],
        "summary": summary(results),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def rules_markdown() -> str:
    """The README's rule table, generated from the registry."""
    lines = ["| id | name | severity | what it catches |", "|---|---|---|---|"]
    lines += [f"| {r.id} | `{r.name}` | {r.severity} | {r.summary} |" for r in RULES]
    return "\n".join(lines) + "\n"


_GH_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _gh_data(s: str) -> str:
    """A workflow command's data: ``%``, CR and LF as GitHub decodes them, any other
    control character (an escape sequence, NUL) as visible text."""
    return visible(s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def github(results: Sequence[FileResult]) -> str:
    """GitHub Actions workflow commands: annotations on the offending lines."""
    lines = []
    for f in _all(results):
        where = f"line={f.loc.line},col={f.loc.col}," if not f.loc.node else ""
        props = f"file={_gh_prop(f.loc.path)},{where}title={_gh_prop(f'{f.rule} {f.name}')}"
        message = _located(f) + (f"\n{detail(f)}" if f.support else "")
        lines.append(f"::{_GH_LEVEL[f.severity]} {props}::{_gh_data(message)}")
    for r in results:
        if r.crashed:
            message = _gh_data(f"rfcalc internal error: {r.crashed}")
            lines.append(f"::error file={_gh_prop(r.path)}::{message}")
    return "".join(line + "\n" for line in lines)


def _located(f: Finding) -> str:
    """The message, led by the node of a model (annotations cannot point inside one)."""
    return f"node {f.loc.node}: {f.message}" if f.loc.node else f.message


def _sarif_location(f: Finding) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": f.loc.path.replace("\\", "/")}}
    if not f.loc.node:
        physical["region"] = {"startLine": f.loc.line, "startColumn": f.loc.col}
        return {"physicalLocation": physical}
    return {
        "physicalLocation": physical,
        "logicalLocations": [{"name": f.loc.node, "kind": "module"}],
    }


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _sarif_rule(rule: Any) -> dict[str, Any]:
    """A rule as SARIF's ``reportingDescriptor``, its documentation included."""
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": (rule.doc.strip().split("\n\n")[0] or rule.summary)},
        "help": {"text": rule.doc.strip() or rule.summary},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "helpUri": f"{INFO_URI}",
    }


def sarif(results: Sequence[FileResult]) -> str:
    """A SARIF 2.1.0 log with one run; rules carry their documentation."""
    index = {rule.id: i for i, rule in enumerate(RULES)}
    sarif_results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": _located(f) + (f"\n{detail(f)}" if f.support else "")},
            "locations": [_sarif_location(f)],
        }
        for f in _all(results)
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "rfcalc",
                        "version": __version__,
                        "informationUri": INFO_URI,
                        "rules": [_sarif_rule(rule) for rule in RULES],
                    }
                },
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def gitlab(results: Sequence[FileResult]) -> str:
    """GitLab's code quality report (a JSON array of issues, as ``ruff`` writes it): one
    issue per finding, with a fingerprint stable across runs (path, rule, layer or node,
    message; not the line, so an edit above does not make it a new issue)."""
    import hashlib

    issues = []
    for f in _all(results):
        key = "\0".join((f.loc.path, f.rule, f.layer or f.loc.node, f.message))
        issues.append(
            {
                "description": f"{f.rule} {_located(f)}",
                "check_name": f"{f.rule} {f.name}",
                "fingerprint": hashlib.sha256(key.encode()).hexdigest()[:32],
                "severity": _GITLAB_SEVERITY[f.severity],
                "location": {
                    "path": f.loc.path,
                    "lines": {"begin": f.loc.text_line, "end": f.loc.text_line},
                },
            }
        )
    for r in results:
        if r.crashed:
            key = f"{r.path}\0internal error"
            issues.append(
                {
                    "description": f"rfcalc internal error: {r.crashed}",
                    "check_name": "rfcalc internal error",
                    "fingerprint": hashlib.sha256(key.encode()).hexdigest()[:32],
                    "severity": "blocker",
                    "location": {"path": r.path, "lines": {"begin": 1, "end": 1}},
                }
            )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def junit(results: Sequence[FileResult]) -> str:
    """JUnit XML for CI dashboards: a test suite per file checked, a failing test case per
    finding (named by its rule), one passing case for a clean file (as ``ruff`` does)."""
    from xml.etree import ElementTree as ET

    checked = [r for r in results if not r.skipped]
    suites = ET.Element("testsuites", name="rfcalc")
    total = failures = errors = 0
    for r in checked:
        cases, found = _junit_suite(ET.SubElement(suites, "testsuite", name=visible(r.path)), r)
        total += cases
        failures += found
        errors += 1 if r.crashed else 0
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def _junit_suite(suite: Any, r: FileResult) -> tuple[int, int]:
    """One file's test cases in ``suite``: a failing case per finding, an error case when
    rfcalc crashed on it, one passing case when clean; (cases, failures)."""
    from xml.etree import ElementTree as ET

    findings = sorted(r.findings, key=Finding.sort_key)
    for f in findings:
        case = ET.SubElement(
            suite,
            "testcase",
            name=f"rfcalc.{f.rule}.{f.name}",
            classname=visible(r.path),
            line=str(f.loc.text_line),
            column=str(f.loc.text_col),
        )
        where = f"node {f.loc.node}" if f.loc.node else f"line {f.loc.line}, col {f.loc.col}"
        # XML 1.0 cannot hold most control characters, even escaped: they are shown
        failure = ET.SubElement(case, "failure", message=visible(f.message), type=str(f.severity))
        failure.text = visible(f"{where}, {f.rule} {f.severity}: {f.message} [{f.name}]")
    cases = len(findings)
    if r.crashed:
        case = ET.SubElement(suite, "testcase", name="rfcalc", classname=visible(r.path))
        crashed = visible(r.crashed)
        ET.SubElement(case, "error", message=crashed).text = crashed
        cases += 1
    elif not findings:
        ET.SubElement(suite, "testcase", name="rfcalc", classname=visible(r.path))
        cases += 1
    suite.set("tests", str(cases))
    suite.set("failures", str(len(findings)))
    suite.set("errors", "1" if r.crashed else "0")
    return cases, len(findings)


def statistics(results: Sequence[FileResult], as_json: bool = False) -> str:
    """``--statistics``: how many findings each rule has, most first (ruff's layout:
    count, id, name), or as JSON (``[{"code", "name", "count"}]``)."""
    counts: dict[tuple[str, str], int] = {}
    for f in _all(results):
        counts[(f.rule, f.name)] = counts.get((f.rule, f.name), 0) + 1
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if as_json:
        data = [{"code": rule, "name": name, "count": n} for (rule, name), n in rows]
        return json.dumps(data, indent=2) + "\n"
    width = max((len(str(n)) for _, n in rows), default=1)
    return "".join(f"{n:>{width}}\t{rule}\t{name}\n" for (rule, name), n in rows)


def _rich(results: Sequence[FileResult], details: bool) -> Any:
    from .findings_rich import findings_view

    return findings_view(results)


#: ``rfcalc check --format``: each renderer takes the results and whether pictures are
#: wanted, and returns text (or, for ``rich``, a renderable for the console)
FORMATS: dict[str, Callable[[Sequence[FileResult], bool], Any]] = {
    "rich": _rich,
    "text": text,
    "json": lambda results, details: as_json(results),
    "github": lambda results, details: github(results),
    "sarif": lambda results, details: sarif(results),
    "gitlab": lambda results, details: gitlab(results),
    "junit": lambda results, details: junit(results),
}
