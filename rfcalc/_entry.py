"""The process entry point of the ``rfcalc`` command (and ``python -m rfcalc``).

A pre-commit hook starts rfcalc on every commit, so the process is tuned for a short
life, the way Instagram's web workers are (gc.freeze, skipped teardown):

* the cyclic garbage collector runs rarely (a young-generation threshold of 200,000
  allocations instead of 700): importing sympy and building expressions allocates
  hundreds of thousands of objects that live until exit, and collecting them over and
  over cost ~30 ms a run; memory stays bounded because collections still happen;
* at exit, after stdout and stderr are flushed, the process ends with ``os._exit``
  instead of tearing down every module and object one by one (~80 ms with sympy loaded).

``rfcalc.cli.main`` (what tests and the Python API call) is untouched by either.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys

#: allocations between young-generation collections (CPython's default is 700)
GC_THRESHOLD = 200_000


def run() -> None:
    gc.set_threshold(GC_THRESHOLD, 20, 20)
    from .cli import main

    code = main()
    for stream in (sys.stdout, sys.stderr):
        # closed early (| head): main has already handled it and said what it must
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
