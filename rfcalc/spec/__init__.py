"""Spec files to :class:`~rfcalc.model.Network` records, every value kept with its place."""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from pathlib import Path

from ..engine.sizes import size_symbol
from ..model import Expr, Loc, Network, SpecError
from .parse import FORMAT_VERSION, SPEC_KEY, classify, is_spec, load_spec
from .yamlread import MAX_BYTES

__all__ = [
    "FORMAT_VERSION",
    "classify",
    "decode",
    "has_item",
    "input_sizes",
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
    return decode(raw, path)


#: byte order marks YAML allows, longest first (UTF-32's begins like UTF-16's)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(raw: bytes, path: str) -> str:
    """The text of a spec's bytes (a file's, standard input's): UTF-8, or UTF-16 or
    UTF-32 led by their byte order mark, as YAML reads them; anything else is a
    :class:`SpecError` that says what it is, at the first byte that is not text."""
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), None)
    if encoding is None and b"\x00" in raw:
        raise SpecError("a binary file, not a YAML spec", Loc(path))
    try:
        text = raw.decode(encoding or "utf-8")
    except UnicodeDecodeError as exc:
        if encoding is not None:
            raise SpecError(f"the file is not {encoding.upper()} text", Loc(path)) from None
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError("the file is not UTF-8 text", Loc(path, line, col)) from None
    if "\x00" in text:
        raise SpecError("a binary file, not a YAML spec", Loc(path))
    return text.removeprefix("\ufeff")


def looks_like_spec_file(path: str) -> bool:
    """For a file that cannot be read as a spec (too large, not UTF-8, binary): does its
    beginning declare an ``rfcalc`` key?  If not, it is some other YAML, to be skipped."""
    try:
        with open(path, "rb") as f:
            raw = f.read(1 << 16)
    except OSError:
        return True  # cannot even be opened: say so
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), "utf-8")
    head = raw.decode(encoding, errors="replace")
    return SPEC_KEY.search(head) is not None


def read_spec_file(path: str) -> Network:
    return load_spec(read_text(path), path)


def has_item(network: Network, name: str) -> bool:
    """``name`` is a top-level item of the spec (what ``repeat`` counts apply to): read
    with a count for it, the network has its first instance."""
    return any(x.name == f"{name}.0" or x.name.startswith(f"{name}.0.") for x in network.layers)


def input_sizes(network: Network, override: Sequence[int | str]) -> list[Expr]:
    """``--input`` for ``network``: integers, or names that become size symbols; a
    :class:`SpecError` at the spec's input when the axes do not fit or a name is one of
    the spec's hyperparameters."""
    if len(override) != network.ndim:
        raise SpecError(
            f"--input gives {len(override)} axes but the spec's input has {network.ndim}",
            network.loc,
        )
    hyper_names = {str(s) for s in network.bounds}
    clash = [s for s in override if isinstance(s, str) and s in hyper_names]
    if clash:
        raise SpecError(
            f"--input names {clash[0]}, which the spec declares as a "
            "hyperparameter (symbols:): an input size needs a name of its own",
            network.loc,
        )
    return [size_symbol(s) if isinstance(s, str) else s for s in override]
