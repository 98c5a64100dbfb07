"""``[tool.rfcalc]`` in ``pyproject.toml``: what ``rfcalc check`` checks and how strictly.

```toml
[tool.rfcalc]
select = ["RF1", "gridding"]     # ids, names or id prefixes; default: every rule
ignore = ["RF205"]
target = "pytorch"               # pytorch | tensorflow | onnx
fail-on = "warning"              # error (default) | warning | info
[tool.rfcalc.severity]
RF202 = "info"                   # error | warning | info | off
```
Unknown keys and bad values are configuration errors (exit code 2), never ignored.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import TARGETS, Severity, visible

if TYPE_CHECKING:
    from .rules import Rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

KEYS = ("select", "ignore", "target", "fail-on", "severity")
LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}


@dataclass(frozen=True)
class Config:
    """What to check and how strictly: ``[tool.rfcalc]`` and the command line."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: per-rule severity (by id, name or prefix); None switches the rule off
    severity: Mapping[str, Severity | None] = field(default_factory=dict)
    target: str = "pytorch"
    fail_on: Severity = Severity.ERROR


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and key."""


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start``."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


#: the largest configuration file read (a pyproject.toml is a few KiB)
MAX_CONFIG_BYTES = 4 << 20


def shown(value: Any) -> str:
    """A value as a message quotes it: at most a few dozen characters of it, nested
    lists a few levels deep, controls escaped (a 20 MB string is not echoed back)."""
    import reprlib

    short = reprlib.Repr()
    short.maxstring = short.maxother = 60
    short.maxlevel = 3
    return visible(short.repr(value))


def load_config(path: Path | None) -> Config:
    """The ``[tool.rfcalc]`` table of ``path`` (defaults when there is none)."""
    if path is None:
        return Config()
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES >> 20} MiB")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: its arrays or tables nest too deep to read") from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table, not {type(tool).__name__}")
    table = tool.get("rfcalc")
    if table is None:
        return Config()
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.rfcalc] must be a table")
    return apply(Config(), table, f"{path}: [tool.rfcalc]")


def apply(config: Config, table: Mapping[str, Any], where: str) -> Config:
    """``config`` with the keys of ``table`` applied; every key and value checked."""
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {shown(key)}; keys: {', '.join(KEYS)}")

    def selectors(key: str) -> tuple[str, ...]:
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise ConfigError(f"{where}: {key} must be a list of rule ids, names or prefixes")
        for s in value:
            check_selector(s, f"{where}: {key}")
        return tuple(value)

    if "select" in table:
        config = replace(config, select=selectors("select"))
    if "ignore" in table:
        config = replace(config, ignore=selectors("ignore"))
    if "target" in table:
        config = replace(config, target=parse_target(table["target"], f"{where}: target"))
    if "fail-on" in table:
        config = replace(config, fail_on=parse_level(table["fail-on"], f"{where}: fail-on"))
    if "severity" in table:
        sev = table["severity"]
        if not isinstance(sev, dict):
            raise ConfigError(f"{where}: severity must be a table of rule = level")
        levels: dict[str, Severity | None] = dict(config.severity)
        for rule, level in sev.items():
            check_selector(rule, f"{where}: severity")
            if level == "off":
                levels[rule] = None
            else:
                levels[rule] = parse_level(level, f"{where}: severity.{rule}")
        config = replace(config, severity=levels)
    return config


def check_selector(selector: str, where: str) -> None:
    from .rules import RULES

    if not any(rule.matches(selector) for rule in RULES):
        raise ConfigError(
            f"{where}: {shown(selector)} is no rule id, name or prefix (see rfcalc rules)"
        )


def parse_level(value: Any, where: str) -> Severity:
    if not isinstance(value, str) or value not in LEVELS:
        raise ConfigError(f"{where}: {shown(value)} is not a level; use error, warning or info")
    return LEVELS[value]


def parse_target(value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in TARGETS:
        raise ConfigError(f"{where}: {shown(value)} is not a target; use {', '.join(TARGETS)}")
    return str(value)


def from_options(
    *,
    isolated: bool = False,
    config_path: str | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    target: str | None = None,
    fail_on: str | None = None,
    severity: Sequence[str] = (),
    cwd: Path | None = None,
) -> Config:
    """The configuration ``rfcalc check`` runs with: the nearest ``pyproject.toml``'s
    ``[tool.rfcalc]`` (or ``config_path``'s, or none when ``isolated``), then the
    command-line options over it (comma-separated lists; ``RULE=LEVEL`` severities)."""
    if isolated:
        config = load_config(None)
    elif config_path is not None:
        if not Path(config_path).is_file():
            raise ConfigError(f"{config_path}: no such configuration file")
        config = load_config(Path(config_path))
    else:
        config = load_config(find_pyproject(cwd or Path.cwd()))
    table: dict[str, Any] = {}
    if select:
        table["select"] = list(_split(select))
    if ignore:
        table["ignore"] = list(_split(ignore))
    if target is not None:
        table["target"] = target
    if fail_on is not None:
        table["fail-on"] = fail_on
    if severity:
        levels: dict[str, str] = {}
        for item in _split(severity):
            rule, sep, level = item.partition("=")
            if not sep:
                raise ConfigError(f"--severity takes RULE=LEVEL, not {shown(item)}")
            levels[rule.strip()] = level.strip()
        table["severity"] = levels
    return apply(config, table, "command line")


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(x.strip() for v in values for x in v.split(",") if x.strip())


def enabled(rule: Rule, config: Config) -> bool:
    if config.select and not any(rule.matches(s) for s in config.select):
        return False
    if any(rule.matches(s) for s in config.ignore):
        return False
    return _override(rule, config) is not False


def _override(rule: Rule, config: Config) -> Severity | bool | None:
    """The configured severity (most specific selector wins); True when none; False: off."""
    best: tuple[int, Severity | None] | None = None
    for selector, level in config.severity.items():
        if rule.matches(selector):
            rank = 2 if selector in (rule.id, rule.name) else 1
            if best is None or rank > best[0]:
                best = (rank, level)
    if best is None:
        return True
    return False if best[1] is None else best[1]


def severity_of(rule: Rule, config: Config, reported: Severity | None) -> Severity:
    override = _override(rule, config)
    base = override if isinstance(override, Severity) else rule.severity
    return base if reported is None else min(base, reported)
