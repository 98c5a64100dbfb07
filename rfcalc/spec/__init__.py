"""Spec files to :class:`~rfcalc.model.Network` records, every value kept with its place."""

from __future__ import annotations

from pathlib import Path

from ..model import Loc, Network, SpecError
from .parse import FORMAT_VERSION, SPEC_KEY, classify, is_spec, load_spec
from .yamlread import MAX_BYTES

__all__ = [
    "FORMAT_VERSION",
    "classify",
    "is_spec",
    "load_spec",
    "looks_like_spec_file",
    "read_spec_file",
    "read_text",
]


def read_text(path: str) -> str:
    """The text of a spec file, or a :class:`SpecError` that says what is wrong with it."""
    p = Path(path)
    where = Loc(path)
    try:
        if p.is_dir():
            raise SpecError("is a directory, not a spec file", where)
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise SpecError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB", where)
        raw = p.read_bytes()
    except FileNotFoundError:
        raise SpecError("no such file", where) from None
    except PermissionError:
        raise SpecError("permission denied", where) from None
    except OSError as exc:
        raise SpecError(f"cannot read the file: {exc.strerror or exc}", where) from None
    if b"\x00" in raw:
        raise SpecError("a binary file, not a YAML spec", where)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError("the file is not UTF-8 text", Loc(path, line, col)) from None


def looks_like_spec_file(path: str) -> bool:
    """For a file that cannot be read as a spec (too large, not UTF-8, binary): does its
    beginning declare an ``rfcalc`` key?  If not, it is some other YAML, to be skipped."""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16).decode("utf-8", errors="replace")
    except OSError:
        return True  # cannot even be opened: say so
    return SPEC_KEY.search(head) is not None


def read_spec_file(path: str) -> Network:
    return load_spec(read_text(path), path)
