"""Commands run in a process of their own, for the bounded-work tests: exit codes, CPU
seconds and the process's peak memory, as the process itself reports them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

#: a process still running after this long hangs (the cases take seconds to a minute)
HANG = 900

#: runs each command line of the JSON list in ``argv[1]`` through ``rfcalc.cli.main``;
#: with ``argv[2]``, under that many CPU seconds in all
RUNNER = """
import json, resource, sys, time
def peak_mib():
    # the peak resident size of this process (VmHWM): ru_maxrss would carry the
    # parent's peak across the fork and exec that started it
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
if len(sys.argv) > 2:
    cpu = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
from rfcalc.cli import main
codes = []
for argv in json.loads(sys.argv[1]):
    start = time.process_time()
    code = main(argv)
    sys.stdout.flush()
    codes.append([argv[0], code, round(time.process_time() - start, 1)])
sys.stderr.write("\\n" + json.dumps({"codes": codes, "peak_mib": peak_mib()}) + "\\n")
"""


def run_commands(
    argvs: list[list[str]], cwd: Path | None = None, cpu: int | None = None
) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    """Run ``argvs`` one after another in a new process (from ``cwd``, under ``cpu``
    seconds); the report is ``{"codes": [[command, exit code, CPU s], ...],
    "peak_mib": n}``."""
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(argvs), *([str(cpu)] if cpu else [])],
        capture_output=True,
        text=True,
        timeout=HANG,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stderr.strip().splitlines()[-1]), done
