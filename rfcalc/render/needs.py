"""What a picture, a page or an ERF needs of an analysis before it is drawn: a concrete
input, every size a number, no empty map, a bounded page.  Each unmet need is a
:class:`~rfcalc.model.Refused` whose message says what to give instead."""

from __future__ import annotations

from ..engine import Analysis
from ..engine.sizes import is_concrete
from ..model import Network, Refused


def concrete_input(result: Analysis, path: str, what: str) -> None:
    """``what`` (``--erf``, ``a report``) needs a concrete input."""
    if not all(is_concrete(s) for s in result.input_size):
        raise Refused(f"{path}: {what} needs a concrete input: give --input, such as 224x224")


def reportable(network: Network, result: Analysis, path: str) -> None:
    """A report needs every size as a number, no empty output and a page of bounded
    work (:func:`rfcalc.render.report.too_large`)."""
    from .report import too_large

    concrete_input(result, path, "a report")
    if network.bounds or not all(is_concrete(a.size) for r in result.layers for a in r.axes):
        raise Refused(
            f"{path}: a report needs every size as a number; a hyperparameter is left open "
            "(give it a value in the spec)"
        )
    empty = next((r.name for r in result.layers if any(int(a.size) < 1 for a in r.axes)), None)
    if empty is not None:
        raise Refused(f"{path}: {empty} has an empty output at this input: choose a larger --input")
    why = too_large(result)
    if why is not None:
        raise Refused(f"{path}: no report at this input: {why}; give a smaller --input")


def page_size(page: str, path: str) -> None:
    """A page past :data:`~rfcalc.render.report.MAX_PAGE_CHARS` is not written."""
    from .report import MAX_PAGE_CHARS

    if len(page) > MAX_PAGE_CHARS:
        raise Refused(
            f"{path}: no report at this input: the page would be {len(page) >> 20} MiB, more "
            f"than {MAX_PAGE_CHARS >> 20} MiB; give a smaller --input"
        )
