"""``rfcalc solve --emit TARGET``: a snippet to paste that pads every input to a valid size.

The padding goes at the end of each axis (bottom and right), to the smallest valid size
at or above the input's, as the libraries' divisor padding does: MONAI's
``DivisiblePad`` (``method="end"``), albumentations' ``PadIfNeeded``
(``position="top_left"``), mmsegmentation's ``SegDataPreProcessor(size_divisor=...)``
and detectron2's ``ImageList.from_tensors(..., size_divisibility=...)``.  Those express
"a multiple of d, at least m"; valid sizes of another form (``H ≡ 4 (mod 8)``, a few
sporadic sizes) get :class:`CannotEmit` for them, and ``torch`` always works: a function
that computes the next valid size from the closed form.  Pure: report in, text out."""

from __future__ import annotations

from dataclasses import dataclass
from math import lcm

from ..answers import SolveReport
from ..engine.solve import Residues
from .design_text import solution_text

TARGETS = ("torch", "monai", "albumentations", "mmseg", "detectron2")


class CannotEmit(Exception):
    """The target cannot express these valid sizes; the message says why and what does."""


@dataclass(frozen=True)
class AxisRule:
    """The valid sizes of one axis: from ``minimum``, those ``valid`` holds for."""

    symbol: str
    valid: Residues
    minimum: int
    text: str

    @property
    def divisor(self) -> int | None:
        """d when the valid sizes are the multiples of d from the smallest one (None:
        another form)."""
        if self.valid.always:
            return 1
        if self.valid.sporadic or self.valid.residues != (0,):
            return None
        return self.valid.modulus

    @property
    def smallest(self) -> int:
        """The smallest valid size."""
        return next_valid(self, 1)


def next_valid(rule: AxisRule, n: int) -> int:
    """The smallest valid size at or above ``n`` (what the torch snippet computes)."""
    found = rule.valid.first(max(n, rule.minimum))
    if found is None:
        raise AssertionError("no valid size: refused before")
    return found


def axis_rules(report: SolveReport) -> list[AxisRule]:
    """The valid sizes of every axis, or :class:`CannotEmit` when they are not known as
    one closed form (hyperparameters left open, unknown, none)."""
    if len(report.groups) != 1 or report.groups[0].labels:
        raise CannotEmit(
            "the valid sizes depend on the spec's open hyperparameters: give them values "
            "to emit a padding"
        )
    rules = []
    for answer in report.groups[0].axes:
        sol = answer.solution
        if sol.minimum is None or sol.valid is None or sol.valid.never:
            raise CannotEmit(f"no padding makes {sol.name} valid: {solution_text(sol)}")
        rules.append(AxisRule(sol.name, sol.valid, sol.minimum, solution_text(sol)))
    return rules


def _header(report: SolveReport, rules: list[AxisRule], target: str) -> list[str]:
    lines = [f"# rfcalc solve {report.path} --emit {target}: pads inputs to valid sizes"]
    lines += [f"#   valid {r.text}" for r in rules]
    return lines


def _divisors(rules: list[AxisRule], target: str) -> list[int]:
    out = []
    for r in rules:
        if r.divisor is None:
            raise CannotEmit(
                f"valid {r.text}: {target} pads to a multiple of a divisor, which cannot "
                "express that; --emit torch writes a padding function that does"
            )
        out.append(r.divisor)
    return out


def _needs_ndim(rules: list[AxisRule], target: str, ndim: int) -> None:
    if len(rules) != ndim:
        raise CannotEmit(f"{target} pads {ndim}-D images; this spec has {len(rules)} axes")


def emit(report: SolveReport, target: str) -> str:
    """The snippet for ``target`` (:data:`TARGETS`)."""
    rules = axis_rules(report)
    head = _header(report, rules, target)
    if target == "torch":
        return _torch(head, rules)
    if target == "monai":
        return _monai(head, rules, _divisors(rules, target))
    _needs_ndim(rules, target, 2)
    divisors = _divisors(rules, target)
    if target == "albumentations":
        return _albumentations(head, rules, divisors)
    return _batch(head, rules, divisors, target)


def _torch(head: list[str], rules: list[AxisRule]) -> str:
    table = ", ".join(
        f"({r.valid.modulus}, {r.valid.residues!r}, {r.valid.start}, {r.valid.sporadic!r}, "
        f"{r.minimum})"
        for r in rules
    )
    return "\n".join(
        [
            *head,
            "import torch.nn.functional as F",
            "",
            "# per spatial axis: (modulus, residues, start, sporadic sizes below start, minimum)",
            f"VALID = [{table}]",
            "",
            "",
            "def valid_size(n, modulus, residues, start, sporadic, minimum):",
            '    """The smallest valid size at or above n."""',
            "    n = max(n, minimum)",
            "    best = min((v for v in sporadic if v >= n), default=None)",
            "    at = max(n, start)",
            "    for r in residues:",
            "        v = at + (r - at) % modulus",
            "        best = v if best is None else min(best, v)",
            "    return best",
            "",
            "",
            'def pad_to_valid(x, mode="constant", value=0.0):',
            '    """Pad the spatial axes of x (N, C, *spatial) at their end to valid sizes."""',
            "    pads = []",
            "    for n, rule in zip(reversed(x.shape[-len(VALID) :]), reversed(VALID)):",
            "        pads += [0, valid_size(n, *rule) - n]",
            '    return F.pad(x, pads, mode=mode, value=value if mode == "constant" else None)',
            "",
        ]
    )


def _monai(head: list[str], rules: list[AxisRule], divisors: list[int]) -> str:
    smallest = tuple(r.smallest for r in rules)
    steps = []
    if any(s > d for s, d in zip(smallest, divisors, strict=True)):
        steps.append(f'        SpatialPad(spatial_size={smallest}, method="end"),')
    steps.append(f'        DivisiblePad(k={tuple(divisors)}, method="end"),')
    return "\n".join(
        [
            *head,
            "from monai.transforms import Compose, DivisiblePad"
            + (", SpatialPad" if len(steps) > 1 else ""),
            "",
            "# channel-first arrays (C, *spatial), padded at the end of each spatial axis",
            "pad_to_valid = Compose(",
            "    [",
            *steps,
            "    ]",
            ")",
            "",
        ]
    )


#: albumentations' padding at the bottom and right, with zeros
_ALBU = ['position="top_left"', "border_mode=cv2.BORDER_CONSTANT", "fill=0"]


def _call(name: str, args: list[str]) -> list[str]:
    """A call inside a list, one argument per line (as ruff and black format it)."""
    return [f"        {name}(", *(f"            {a}," for a in args), "        ),"]


def _albumentations(head: list[str], rules: list[AxisRule], divisors: list[int]) -> str:
    h, w = (r.smallest for r in rules)
    steps = []
    if h > divisors[0] or w > divisors[1]:
        steps += _call("A.PadIfNeeded", [f"min_height={h}", f"min_width={w}", *_ALBU])
    steps += _call(
        "A.PadIfNeeded",
        [
            "min_height=None",
            "min_width=None",
            f"pad_height_divisor={divisors[0]}",
            f"pad_width_divisor={divisors[1]}",
            *_ALBU,
        ],
    )
    return "\n".join(
        [
            *head,
            "import albumentations as A",
            "import cv2",
            "",
            "# H x W (x C) images, padded at the bottom and right",
            "pad_to_valid = A.Compose(",
            "    [",
            *steps,
            "    ]",
            ")",
            "",
        ]
    )


def _batch(head: list[str], rules: list[AxisRule], divisors: list[int], target: str) -> str:
    d = lcm(*divisors)
    smallest = "x".join(str(r.smallest) for r in rules)
    lines = list(head)
    if len(set(divisors)) > 1:
        lines.append(f"# one divisor for both axes: {d}, the least common multiple of {divisors}")
    if any(r.smallest > d for r in rules):
        lines.append(
            f"# inputs smaller than {smallest} stay invalid: {target} pads to a multiple, "
            f"not to a minimum; keep crops and images at least {smallest}"
        )
    if target == "mmseg":
        lines += [
            "# mmsegmentation 1.x: the data preprocessor pads each batch at the bottom and",
            "# right to a multiple of size_divisor",
            "data_preprocessor = dict(",
            '    type="SegDataPreProcessor",',
            f"    size_divisor={d},",
            "    pad_val=0,",
            "    seg_pad_val=255,",
            ")",
            "",
        ]
    else:
        lines += [
            "# detectron2: ImageList pads every image of the batch at the bottom and right to",
            "# the batch's largest size rounded up to a multiple of size_divisibility (a",
            "# backbone states it as its size_divisibility property)",
            "from detectron2.structures import ImageList",
            "",
            f"SIZE_DIVISIBILITY = {d}",
            "",
            "",
            "def pad_to_valid(images):",
            '    """A list of (C, H, W) tensors as one padded batch."""',
            "    return ImageList.from_tensors(images, size_divisibility=SIZE_DIVISIBILITY)",
            "",
        ]
    return "\n".join(lines)
