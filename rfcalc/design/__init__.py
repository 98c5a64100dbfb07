"""Design questions answered exactly, on a :class:`~rfcalc.model.Network` (never on
text): which inputs are valid (``valid.py``), what a table shows beyond the analysis
(``annotate.py``: cost, constant cells), which ``output_padding`` brings an
encoder-decoder back to its input size (``roundtrip.py``), the smallest hyperparameters
or repeat count reaching a receptive field (``search.py``), and ``rfcalc solve``'s whole
report (``solve.py``).

Everything works on the network analysed with a symbol per axis and decides conditions
by exact evaluation over one period of the input (see engine/solve.py).
"""

from ..answers import (
    Annotations,
    AxisAnswer,
    AxisSolution,
    ConstantCell,
    HyperAnswer,
    HyperSearch,
    NeedsSymbols,
    OutputCheck,
    RepeatAnswer,
    RoundTrip,
    RoundTripCase,
    SizeCheck,
    SolveGroup,
    SolveReport,
    SolveRequest,
)
from ..engine import INPUT
from ..engine.conditions import Condition
from ..engine.solve import min_input
from .annotate import CONSTANT_LAYERS, annotate
from .roundtrip import MAX_COMBINATIONS, roundtrip_output_padding, tconv_names
from .search import MAX_SEARCH, smallest_hyperparameters, smallest_repeat
from .solve import solve
from .valid import (
    CONSTANT_CAP,
    DesignError,
    InputCheck,
    answer_axis,
    check_input,
    conditions,
    constant_when_valid,
    free_analysis,
    inputs_for_output,
    nearest_valid,
    solve_axis,
)

__all__ = [
    "CONSTANT_CAP",
    "CONSTANT_LAYERS",
    "INPUT",
    "MAX_COMBINATIONS",
    "MAX_SEARCH",
    "Annotations",
    "AxisAnswer",
    "AxisSolution",
    "Condition",
    "ConstantCell",
    "DesignError",
    "HyperAnswer",
    "HyperSearch",
    "InputCheck",
    "NeedsSymbols",
    "OutputCheck",
    "RepeatAnswer",
    "RoundTrip",
    "RoundTripCase",
    "SizeCheck",
    "SolveGroup",
    "SolveReport",
    "SolveRequest",
    "annotate",
    "answer_axis",
    "check_input",
    "conditions",
    "constant_when_valid",
    "free_analysis",
    "inputs_for_output",
    "min_input",
    "nearest_valid",
    "roundtrip_output_padding",
    "smallest_hyperparameters",
    "smallest_repeat",
    "solve",
    "solve_axis",
    "tconv_names",
]
