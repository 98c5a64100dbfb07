"""Benchmarks: cold-start wall time and peak memory of rfcalc commands, and the closest
tool a user would otherwise run (torchinfo on the equivalent PyTorch model).

    python tests/benchmarks/run.py [--repeat 3] [--quick] [--markdown]

Every measurement is a fresh process (what a pre-commit hook pays), best of --repeat
runs; peak memory is the child's maximum resident set size (os.wait4).  Results go to
stdout; BENCHMARKS.md records a run with the machine and the command.  Not a test:
timings are never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def measure(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Best wall time (s) and peak RSS (MiB) of ``cmd`` over ``repeat`` fresh runs."""
    best_t, best_m = float("inf"), 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
        best_t = min(best_t, elapsed)
        best_m = max(best_m, usage.ru_maxrss / 1024)
    return best_t, best_m


def chain(n: int, residual: bool, symbolic: bool) -> str:
    """n layers of 3x3 convs; with ``residual``, every third layer adds l(i-1) and l(i-3)."""
    size = "[H, W]" if symbolic else "[224, 224]"
    lines = ["rfcalc: 1", f"input: {{size: {size}, channels: 16}}", "layers:"]
    for i in range(n):
        if residual and i % 3 == 2:
            skip = f"l{i - 3}" if i >= 3 else "input"
            lines.append(f"  - {{name: l{i}, op: add, inputs: [l{i - 1}, {skip}]}}")
        else:
            lines.append(f"  - {{name: l{i}, op: conv, kernel: 3, padding: 1, channels: 16}}")
    return "\n".join(lines) + "\n"


TORCHINFO = """
import sys, time
t0 = time.perf_counter()
import torch
from torchinfo import summary
n, residual = int(sys.argv[1]), sys.argv[2] == "1"
class Net(torch.nn.Module):  # the same network as the rfcalc spec
    def __init__(self):
        super().__init__()
        self.convs = torch.nn.ModuleDict(
            {str(i): torch.nn.Conv2d(16, 16, 3, padding=1)
             for i in range(n) if not (residual and i % 3 == 2)})
    def forward(self, x):
        out = {-1: x}
        for i in range(n):
            if residual and i % 3 == 2:
                out[i] = out[i - 1] + out[i - 3 if i >= 3 else -1]
            else:
                out[i] = self.convs[str(i)](out[i - 1])
        return out[n - 1]
summary(Net(), input_size=(1, 16, 224, 224), verbose=0)
"""


#: a model summarised the way each tool is used on it, as a whole process (argv: tool,
#: factory in tests/torch_nets.py; the ONNX file for rfcalc is written beforehand)
SUMMARY = """
import sys
import torch, torch_nets
tool, factory = sys.argv[1], sys.argv[2]
model = getattr(torch_nets, factory)().eval()
if tool == "torchinfo":
    from torchinfo import summary
    summary(model, input_size=(1, 3, 224, 224), verbose=0)
else:
    from torchscan import summary
    summary(model, (3, 224, 224), receptive_field=True)
"""

EXPORT = """
import sys, warnings
import torch, torch_nets
model = getattr(torch_nets, sys.argv[1])().eval()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    torch.onnx.export(model, (torch.ones(1, 3, 224, 224),), sys.argv[2], dynamo=False,
                      input_names=["x"], dynamic_axes={"x": {2: "height", 3: "width"}})
"""


def models(row: Callable[..., float], rfcalc: list[str], tmp: str) -> None:
    """Real models in: rfcalc reading an ONNX file and a PyTorch module, beside torchinfo
    and torchscan summarising the same module (each a fresh process)."""
    tests = str(ROOT / "tests")
    os.environ["PYTHONPATH"] = tests + os.pathsep + os.environ.get("PYTHONPATH", "")
    summary = Path(tmp) / "summary.py"
    summary.write_text(SUMMARY)
    export = Path(tmp) / "export.py"
    export.write_text(EXPORT)
    for factory in ("resnet50", "DenseNet121"):
        onnx_path = Path(tmp) / f"{factory}.onnx"
        subprocess.run([PY, str(export), factory, str(onnx_path)], check=True)
        mib = onnx_path.stat().st_size / 2**20
        row(
            f"rfcalc analyze {factory}.onnx ({mib:.0f} MiB, symbolic)",
            [*rfcalc, "analyze", "-f", "json", str(onnx_path)],
        )
        row(
            f"rfcalc check {factory}.onnx",
            [*rfcalc, "check", "--isolated", "-f", "text", str(onnx_path)],
        )
        row(
            f"rfcalc import --torch {factory} (torch.export)",
            [*rfcalc, "import", "--torch", f"torch_nets:{factory}", "--input", "1x3x224x224"],
        )
        for tool in ("torchinfo", "torchscan"):
            if subprocess.run([PY, "-c", f"import {tool}"], capture_output=True).returncode:
                print(f"{tool} is not installed: no comparison")
                continue
            row(f"{tool}.summary {factory} (224, CPU)", [PY, str(summary), tool, factory])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="skip the 10,000-layer runs")
    ap.add_argument("--models", action="store_true", help="only the real-model rows")
    args = ap.parse_args()
    rfcalc = [PY, "-m", "rfcalc"]
    rows: list[tuple[str, float, float, str]] = []

    def row(label: str, cmd: list[str], note: str = "") -> float:
        t, m = measure(cmd, args.repeat)
        rows.append((label, t, m, note))
        print(f"{label:58s} {t:7.3f} s {m:7.1f} MiB  {note}", flush=True)
        return t

    print(
        f"# {platform.node()}: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    base = row("python -c 'import sympy' (baseline)", [PY, "-c", "import sympy"])
    if args.models:
        with tempfile.TemporaryDirectory() as tmp:
            models(row, rfcalc, tmp)
        return 0
    row("rfcalc --help", [*rfcalc, "--help"])
    for spec in sorted((ROOT / "specs" / "zoo").glob("*.yaml")):
        t = row(
            f"rfcalc check {spec.stem}", [*rfcalc, "check", "--isolated", "-f", "text", str(spec)]
        )
        rows[-1] = (*rows[-1][:3], f"{t / base:.2f}x sympy import")
        print(f"{'':58s} -> {t / base:.2f}x the sympy import")
        row(f"rfcalc analyze {spec.stem} (symbolic)", [*rfcalc, "analyze", "-f", "json", str(spec)])
    sizes = [100, 1000] if args.quick else [100, 1000, 10000]
    with tempfile.TemporaryDirectory() as tmp:
        for residual in (False, True):
            for symbolic in (True, False):
                for n in sizes:
                    path = Path(tmp) / f"chain_{n}_{residual}_{symbolic}.yaml"
                    path.write_text(chain(n, residual, symbolic))
                    kind = ("residual" if residual else "chain") + (" H,W" if symbolic else " 224")
                    t = row(
                        f"rfcalc analyze {kind} {n} layers",
                        [*rfcalc, "analyze", "-f", "json", str(path)],
                    )
                    print(f"{'':58s} -> {1000 * (t - base) / n:.3f} ms per layer")
                    rows[-1] = (*rows[-1][:3], f"{1000 * (t - base) / n:.3f} ms/layer")
        # asked in a child: importing torch here would inflate every later child's
        # peak memory (a forked child starts as a copy of this process)
        probe = subprocess.run([PY, "-c", "import torchinfo"], capture_output=True)
        if probe.returncode:
            print("torchinfo is not installed: no comparison (pip install torchinfo numpy)")
        else:
            script = Path(tmp) / "ti.py"
            script.write_text(TORCHINFO)
            for n in (100, 1000):
                for residual in (False, True):
                    kind = "residual" if residual else "chain"
                    row(
                        f"torchinfo.summary {kind} {n} layers (224, CPU)",
                        [PY, str(script), str(n), "1" if residual else "0"],
                    )
                    row(
                        f"rfcalc check {kind} {n} layers (224)",
                        [
                            *rfcalc,
                            "check",
                            "--isolated",
                            "-f",
                            "text",
                            str(Path(tmp) / f"chain_{n}_{residual}_False.yaml"),
                        ],
                    )
        if not subprocess.run([PY, "-c", "import torch, onnx"], capture_output=True).returncode:
            models(row, rfcalc, tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
