"""``rfcalc hdc``: a dilation schedule checked without a spec, or one designed."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..model import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .output import say, write_output


def hdc(
    rates: Annotated[
        list[int] | None, typer.Argument(help="Dilation rates of stacked stride-1 convs.")
    ] = None,
    kernel: Annotated[int, typer.Option("--kernel", "-k", help="The kernel size K.")] = 3,
    design: Annotated[
        bool, typer.Option("--design", help="Propose a sawtooth schedule reaching --rf.")
    ] = False,
    rf: Annotated[
        int | None, typer.Option("--rf", help="With --design: the field to reach.")
    ] = None,
    svg_path: Annotated[
        str | None, typer.Option("--svg", help="Also write the support picture as SVG.")
    ] = None,
) -> int:
    """Check a dilation schedule without a spec (HDC rules, exact coverage), or design one.

    Exit codes: 0 the schedule passes, 1 it grids or breaks an HDC rule, 2 usage error.
    """
    from ..engine.hdc import check_schedule, design_schedule
    from ..render import hdc_text

    if kernel < 1 or kernel > 64:
        say("rfcalc: --kernel takes 1 to 64")
        return EXIT_USAGE
    if design:
        if rf is None or rf < 1:
            say("rfcalc: --design needs --rf N (the receptive field to reach)")
            return EXIT_USAGE
        found = design_schedule(kernel, rf)
        sys.stdout.write(hdc_text.design_text(kernel, rf, found))
        if found is None:
            return EXIT_FINDINGS
        rates = list(found.rates)
    if not rates:
        say("rfcalc: give dilation rates (e.g. rfcalc hdc 1 2 5) or --design --rf N")
        return EXIT_USAGE
    if any(r < 1 or r > 1 << 16 for r in rates) or len(rates) > 256:
        say("rfcalc: rates are integers from 1 to 65536, at most 256 of them")
        return EXIT_USAGE
    check = check_schedule(kernel, rates)
    sys.stdout.write(hdc_text.check_text(check))
    if svg_path is not None:
        from ..render.support_picture import svg

        counts = hdc_text.support_counts(check)
        write_output(svg_path, svg([counts, counts], f"rates {rates}, kernel {kernel}"))
    return EXIT_OK if check.ok else EXIT_FINDINGS
