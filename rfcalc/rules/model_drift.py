"""The spec and the model it describes disagree (``rfcalc check SPEC --model MODEL``).

Why: a spec kept as the reviewed design drifts from the code the day someone changes a
stride in the model.  With ``--model`` (an ONNX file) ``check`` reads the model too,
analyses both at the spec's input (and each of ``input.sizes``), and reports, on the
spec's lines: layers of the spec the model lacks, layers of the model the spec lacks,
layers whose op or inputs differ, and the first layer whose output size, receptive
field, jump or effective padding differs (the layers after it differ as a
consequence, and are counted, not listed).  Layers are paired by name, as
``rfcalc import`` writes them; a spec written by hand with other names is paired
layer by layer in order when both have as many layers.

Example: the spec says ``{name: layer2.0.conv2, op: conv, kernel: 3, stride: 2}`` and
the model's node has stride 1: ``layer2.0.conv2: the model gives output 56x56,
receptive field 35, jump 4 where the spec gives 28x28, 35, 8 (at input 224x224)``.

Fix: change the spec to what the model does (``rfcalc import`` writes it afresh), or
the model back to the design.
"""

from __future__ import annotations

from ..model import Severity
from .base import Rule

RULE = Rule(
    id="RF601",
    name="model-drift",
    severity=Severity.ERROR,
    summary="the spec and its model (check --model) differ in structure, sizes or fields",
    check=None,
    doc=__doc__ or "",
)
