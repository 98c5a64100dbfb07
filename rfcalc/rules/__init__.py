"""The rule registry: every rule, with a stable id and name, in one explicit tuple.

Ids are never reused: a retired rule keeps its id out of circulation.
"""

from __future__ import annotations

from . import (
    asymmetric_same,
    bad_suppression,
    blind_output,
    causal_leak,
    checkerboard,
    dilation_common_factor,
    dilation_sawtooth,
    dropped_pixels,
    empty_output,
    expectation,
    fill_too_wide,
    framework_padding,
    gridding,
    hdc_recurrence,
    merge_mismatch,
    misaligned_merge,
    model_drift,
    pool_padding,
    receptive_field_input,
    spec_error,
    stride_skip,
)
from .base import Context, Report, Rule, Run

RULES: tuple[Rule, ...] = (
    spec_error.RULE,
    bad_suppression.RULE,
    empty_output.RULE,
    dropped_pixels.RULE,
    merge_mismatch.RULE,
    fill_too_wide.RULE,
    misaligned_merge.RULE,
    blind_output.RULE,
    gridding.RULE,
    stride_skip.RULE,
    dilation_common_factor.RULE,
    hdc_recurrence.RULE,
    dilation_sawtooth.RULE,
    pool_padding.RULE,
    framework_padding.RULE,
    asymmetric_same.RULE,
    causal_leak.RULE,
    checkerboard.RULE,
    expectation.RULE,
    receptive_field_input.RULE,
    model_drift.RULE,
)

BY_ID = {rule.id: rule for rule in RULES}

__all__ = ["BY_ID", "RULES", "Context", "Report", "Rule", "Run"]
