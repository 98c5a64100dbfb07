"""``rfcalc hdc``: a dilation schedule's check, and the design search, as text."""

from __future__ import annotations

from ..engine.hdc import MAX_GROUP, MAX_LAYERS, MAX_PATH_FIELD, MAX_RATE, Schedule, ScheduleCheck
from ..engine.support import offset_counts
from ..wording import plural
from .support_picture import summary, text_picture


def searched_text(kernel: int, max_layers: int = MAX_LAYERS) -> str:
    """What the design search covers, for people."""
    text = (
        f"searched: one group of 1 to {MAX_GROUP} increasing rates from 1 (each at most "
        f"the field reached before it, so the support is dense; M_2 <= K = {kernel}), "
        f"repeated whole, up to {max_layers} layers and rates up to {MAX_RATE}"
    )
    return text + ("; a kernel of 1 has no field to grow" if kernel < 2 else "")


def design_text(kernel: int, rf: int, found: Schedule | None) -> str:
    lines = [searched_text(kernel)]
    if found is None:
        lines.append(f"no schedule in that space reaches a receptive field of {rf}")
    else:
        lines.append(
            f"proposed: {list(found.rates)} ({plural(len(found.rates), 'layer')}, kernel {kernel}, "
            f"receptive field {found.receptive_field})"
        )
    return "\n".join(lines) + "\n"


def support_counts(check: ScheduleCheck) -> list[int]:
    """Path counts per offset where computed, else 1 per offset that reaches the unit."""
    return offset_counts(check.paths, check.support)


def check_text(check: ScheduleCheck) -> str:
    kernel = check.kernel
    lines = [f"rates {list(check.rates)}, kernel {kernel}"]
    for g in check.groups:
        m = list(g.m)
        m_text = f"M = {m}" + (
            f", M_2 = {m[1]} {'<=' if g.m2_ok else '>'} K = {kernel}" if len(m) > 1 else ""
        )
        lines.append(
            f"  group {list(g.rates)}: common factor {g.common_factor} "
            f"({'ok' if g.factor_ok else 'grids'}); {m_text} ({'ok' if g.m2_ok else 'fails'})"
        )
    if check.long_growth is not None:
        grow = list(check.long_growth)
        lines.append(
            f"  sawtooth (HDC rule 2): the group {grow} grows for "
            f"{plural(len(grow), 'layer')}; repeating a short group keeps local detail"
        )
    holes = check.holes
    lines.append(
        f"  exact coverage: receptive field {check.support.bit_length()}, "
        + ("no holes" if not holes else f"{plural(holes, 'hole')} (gridding)")
    )
    counts = support_counts(check)
    lines.append(text_picture([counts, counts]))
    if check.paths is not None:
        lines.append(summary([counts, counts]))
    else:  # path counts cost a pass per tap over the whole field: holes only
        lines.append(f"  (path counts are drawn up to a field of {MAX_PATH_FIELD})")
    lines.append(verdict_text(check))
    return "\n".join(lines) + "\n"


def verdict_text(check: ScheduleCheck) -> str:
    """The one-line answer: the schedule grids, breaks an HDC rule, or passes (with the
    sawtooth advice where a group grows long); what the exit code says."""
    broken = []
    if check.holes:
        broken.append(f"grids ({plural(check.holes, 'hole')})")
    if not all(g.factor_ok for g in check.groups):
        broken.append("breaks HDC rule 1 (a common factor)")
    if not all(g.m2_ok for g in check.groups):
        broken.append(f"breaks HDC rule 3 (M_2 > K = {check.kernel})")
    if broken:
        return "verdict: fails: " + "; ".join(broken)
    advice = ""
    if check.long_growth is not None:
        advice = (
            f"; advice (HDC rule 2): a sawtooth instead of {len(check.long_growth)} growing rates"
        )
    return (
        "verdict: passes: every pixel of the field reaches the unit, HDC rules 1 and 3 hold"
        + advice
    )
