"""One way to open what a user names: a spec file or a model file, as a ``Network``.

Every command, the linter, the design answers and the Python API open their input here,
so "is this a spec or a model?" is decided in one place.  A model's import report (the
nodes folded, reported or where its structure ends) travels with the network as data;
:meth:`Source.messages` words it for whoever shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import Network, Refused
from .wording import unsupported_text

if TYPE_CHECKING:
    from .imports import Imported

__all__ = [
    "Source",
    "import_messages",
    "is_model",
    "open_source",
    "spec_source",
    "unknown_items",
]


def is_model(path: str) -> bool:
    """Whether ``path`` names a model (ONNX) rather than a spec: by its suffix."""
    return path.lower().endswith(".onnx")


@dataclass(frozen=True)
class Source:
    """A network and where it came from: a spec (``root``: its parsed YAML, to build it
    again with other repeat counts without reading the file twice) or a model
    (``imported``: its import report)."""

    path: str
    network: Network
    imported: Imported | None = None
    root: Any = field(default=None, repr=False, compare=False)

    def with_repeats(self, repeats: Mapping[str, int]) -> Network:
        """The network with these ``repeat`` counts for top-level items (a spec only;
        :class:`SpecError` when a count makes it invalid)."""
        from .spec.parse import parse_network

        if self.root is None:
            raise Refused("--repeat needs a spec; a model has no repeat counts")
        return parse_network(self.root, self.path, repeats)

    def require_items(self, repeats: Mapping[str, int]) -> None:
        """:class:`Refused` when ``repeats`` names no top-level item of the network."""
        missing = unknown_items(self.network, repeats)
        if missing:
            raise Refused(f"{self.path}: no top-level layer or block instance named {missing[0]!r}")

    def messages(self) -> list[str]:
        """What reading a model reported, one line each (nothing for a spec)."""
        return [] if self.imported is None else import_messages(self.imported, self.path)


def open_source(path: str, repeats: Mapping[str, int] | None = None) -> Source:
    """The spec or model at ``path``; a spec with ``repeats`` applied (see
    :meth:`Source.require_items` for names it does not have).

    Raises :class:`SpecError` for a file that cannot be read as either."""
    if is_model(path):
        from .imports import read_onnx

        imported = read_onnx(path)
        return Source(path, imported.network, imported)
    from .spec import read_text

    return spec_source(read_text(path), path, repeats)


def spec_source(
    text: str, path: str = "<spec>", repeats: Mapping[str, int] | None = None
) -> Source:
    """A spec given as text (read from ``path``), with ``repeats`` applied."""
    from .spec.parse import load_root, parse_network

    root = load_root(text, path)
    return Source(path, parse_network(root, path, repeats or {}), None, root)


def unknown_items(network: Network, counts: Mapping[str, int]) -> list[str]:
    """The names ``counts`` gives that are no top-level item of ``network``."""
    from .spec import has_item

    return [name for name in counts if not has_item(network, name)]


def import_messages(imported: Imported, path: str) -> list[str]:
    """An import report in words: each node analysed as the identity or where the
    analysis stopped, then the folded nodes counted by kind."""
    lines = [
        f"{note.loc}: {unsupported_text(note.op_type, note.why)}" for note in imported.unsupported
    ]
    lines += [f"{note.loc}: {note.op_type}: {note.why}; stopped there" for note in imported.stopped]
    if imported.folded:
        kinds: dict[str, int] = {}
        for note in imported.folded:
            kinds[note.op_type] = kinds.get(note.op_type, 0) + 1
        listed = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in kinds.items())
        lines.append(f"{path}: folded as spatially the identity: {listed}")
    return lines
