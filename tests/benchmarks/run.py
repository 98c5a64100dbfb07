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


def measure(cmd: list[str], repeat: int) -> tuple[float, float, float]:
    """Best CPU time (user + system, s), best wall time (s) and peak RSS (MiB) of ``cmd``
    over ``repeat`` fresh runs (CPU time is the figure on a shared machine)."""
    best_c, best_t, best_m = float("inf"), float("inf"), 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
        best_c = min(best_c, usage.ru_utime + usage.ru_stime)
        best_t = min(best_t, elapsed)
        best_m = max(best_m, usage.ru_maxrss / 1024)
    return best_c, best_t, best_m


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
#: factory in tests/support/torch_nets.py; the ONNX file for rfcalc is written beforehand)
SUMMARY = """
import sys
import torch
from support import torch_nets
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
import torch
from support import torch_nets
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
            [
                *rfcalc,
                "import",
                "--torch",
                f"support.torch_nets:{factory}",
                "--input",
                "1x3x224x224",
            ],
        )
        for tool in ("torchinfo", "torchscan"):
            if subprocess.run([PY, "-c", f"import {tool}"], capture_output=True).returncode:
                print(f"{tool} is not installed: no comparison")
                continue
            row(f"{tool}.summary {factory} (224, CPU)", [PY, str(summary), tool, factory])


#: every zoo spec at the size the README and the tests give it
ZOO_SIZES = {
    "alexnet_v2": "224x224",
    "deeplabv3_aspp": "513x513",
    "hdc_sawtooth": "512x512",
    "inception_v3": "299x299",
    "mobilenet_v1": "224x224",
    "resnet50_v1": "224x224",
    "tcn": "256",
    "unet_original": "572x572",
}


def deeplabv3_os8(text: str) -> str:
    """The zoo's DeepLabv3 at output stride 8 (torchvision's layout): layer3 dilated by
    2 and layer4 by 4 instead of striding, ASPP rates 12, 24, 36."""
    for old, new in (
        (
            "args: {width: 256},\n     first: {block: bottleneck, stride: 2}",
            "args: {width: 256, dilation: 2},\n     first: {block: bottleneck, dilation: 1}",
        ),
        (
            "args: {width: 512, dilation: 2},\n     first: {block: bottleneck, dilation: 1}",
            "args: {width: 512, dilation: 4},\n     first: {block: bottleneck, dilation: 2}",
        ),
        ("dilation: 18, padding: 18", "dilation: 36, padding: 36"),
        ("dilation: 12, padding: 12", "dilation: 24, padding: 24"),
        ("dilation: 6, padding: 6", "dilation: 12, padding: 12"),
        ("expect: {jump: 16}", "expect: {jump: 8}"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    return text


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="skip the 10,000-layer runs")
    ap.add_argument(
        "--suite",
        choices=["startup", "erf", "report", "long", "models", "all"],
        default="startup",
        help="startup: check/analyze per zoo spec and chains (issue #5); erf and report: "
        "the ERF and the HTML report (issue #23); long: 10,000- and 50,000-layer chains; "
        "models: ONNX and torch.export beside torchinfo/torchscan",
    )
    ap.add_argument("--models", action="store_true", help="the same as --suite models")
    args = ap.parse_args()
    suite = "models" if args.models else args.suite
    rfcalc = [PY, "-m", "rfcalc"]

    def row(label: str, cmd: list[str], note: str = "") -> float:
        c, t, m = measure(cmd, args.repeat)
        ratio = f"{c / base:5.2f}x" if base else ""
        print(f"{label:60s} {c:7.3f} s CPU {t:7.3f} s {m:7.1f} MiB {ratio} {note}", flush=True)
        return c

    print(
        f"# {platform.node()}: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        "best of runs: CPU (user + system), wall, peak RSS, CPU as a multiple of the baseline"
    )
    base = 0.0
    base = row("python -c 'import sympy' (baseline)", [PY, "-c", "import sympy"])
    zoo = sorted((ROOT / "specs" / "zoo").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        os8 = Path(tmp) / "deeplabv3_os8.yaml"
        os8.write_text(deeplabv3_os8((ROOT / "specs" / "zoo" / "deeplabv3_aspp.yaml").read_text()))
        if suite in ("models", "all"):
            models(row, rfcalc, tmp)
        if suite in ("startup", "all"):
            startup(row, rfcalc, tmp, zoo, [100, 1000] if args.quick else [100, 1000, 10000])
        if suite in ("erf", "all"):
            for spec in [*zoo, os8]:
                size = ZOO_SIZES.get(spec.stem, "513x513")
                row(
                    f"rfcalc analyze --erf {spec.stem} {size}",
                    [*rfcalc, "analyze", "-f", "json", "--erf", "-i", size, str(spec)],
                )
        if suite in ("report", "all"):
            for spec in [*zoo, os8]:
                size = ZOO_SIZES.get(spec.stem, "513x513")
                out = Path(tmp) / f"{spec.stem}.html"
                row(
                    f"rfcalc report {spec.stem} {size}",
                    [*rfcalc, "report", "--isolated", "-i", size, "-o", str(out), str(spec)],
                    f"{out.stat().st_size / 1024:,.0f} KiB" if out.exists() else "",
                )
            tcn = ROOT / "specs" / "zoo" / "tcn.yaml"
            out = Path(tmp) / "tcn16000.html"
            row(
                "rfcalc report tcn 16000",
                [*rfcalc, "report", "--isolated", "-i", "16000", "-o", str(out), str(tcn)],
            )
            print(f"{'':60s} -> the page: {out.stat().st_size / 1024:,.0f} KiB")
            onnx_reports(row, rfcalc, tmp)
        if suite in ("long", "all"):
            long_chains(row, rfcalc, tmp)
    return 0


def onnx_reports(row: Callable[..., float], rfcalc: list[str], tmp: str) -> None:
    """The report of ResNet-50 and EfficientNet-B0 read from ONNX files at 224."""
    if subprocess.run([PY, "-c", "import torch, onnx"], capture_output=True).returncode:
        print("torch and onnx are not installed: no ONNX reports")
        return
    tests = str(ROOT / "tests")
    os.environ["PYTHONPATH"] = tests + os.pathsep + os.environ.get("PYTHONPATH", "")
    export = Path(tmp) / "export.py"
    export.write_text(EXPORT)
    for factory in ("resnet50", "EfficientNetB0"):
        onnx_path = Path(tmp) / f"{factory}.onnx"
        subprocess.run([PY, str(export), factory, str(onnx_path)], check=True)
        out = Path(tmp) / f"{factory}.html"
        row(
            f"rfcalc report {factory}.onnx 224",
            [*rfcalc, "report", "--isolated", "-i", "224x224", "-o", str(out), str(onnx_path)],
        )


def long_chains(row: Callable[..., float], rfcalc: list[str], tmp: str) -> None:
    """``check``, ``analyze -f json`` and the table of 10,000- and 50,000-layer chains,
    concrete and symbolic: the CPU per layer and the growth exponent between them."""
    import math

    for symbolic in (False, True):
        for what, extra in (
            ("check", ["check", "--isolated", "-f", "text"]),
            ("analyze -f json", ["analyze", "-f", "json"]),
            ("analyze (table)", ["analyze"]),
        ):
            times = []
            for n in (10000, 50000):
                path = Path(tmp) / f"long_{n}_{symbolic}.yaml"
                if not path.exists():
                    path.write_text(chain(n, False, symbolic))
                kind = "H,W" if symbolic else "224"
                times.append(
                    row(f"rfcalc {what} chain {kind} {n} layers", [*rfcalc, *extra, str(path)])
                )
            exponent = math.log(times[1] / times[0]) / math.log(5)
            per_layer = 1000 * (times[1] - times[0]) / 40000
            print(f"{'':60s} -> {per_layer:.3f} ms CPU per layer, growth exponent {exponent:.2f}")


def startup(
    row: Callable[..., float], rfcalc: list[str], tmp: str, zoo: list[Path], sizes: list[int]
) -> None:
    """``--help``, ``check`` and ``analyze`` of every zoo spec, and chains (issue #5)."""
    row("rfcalc --help", [*rfcalc, "--help"])
    for spec in zoo:
        row(f"rfcalc check {spec.stem}", [*rfcalc, "check", "--isolated", "-f", "text", str(spec)])
        row(f"rfcalc analyze {spec.stem} (symbolic)", [*rfcalc, "analyze", "-f", "json", str(spec)])
    for residual in (False, True):
        for symbolic in (True, False):
            for n in sizes:
                path = Path(tmp) / f"chain_{n}_{residual}_{symbolic}.yaml"
                path.write_text(chain(n, residual, symbolic))
                kind = ("residual" if residual else "chain") + (" H,W" if symbolic else " 224")
                row(
                    f"rfcalc analyze {kind} {n} layers",
                    [*rfcalc, "analyze", "-f", "json", str(path)],
                )
    # asked in a child: importing torch here would inflate every later child's
    # peak memory (a forked child starts as a copy of this process)
    probe = subprocess.run([PY, "-c", "import torchinfo"], capture_output=True)
    if probe.returncode:
        print("torchinfo is not installed: no comparison (pip install torchinfo numpy)")
        return
    script = Path(tmp) / "ti.py"
    script.write_text(TORCHINFO)
    for n in (100, 1000):
        for residual in (False, True):
            kind = "residual" if residual else "chain"
            row(
                f"torchinfo.summary {kind} {n} layers (224, CPU)",
                [PY, str(script), str(n), "1" if residual else "0"],
            )
            path = Path(tmp) / f"chain_{n}_{residual}_False.yaml"
            row(
                f"rfcalc check {kind} {n} layers (224)",
                [*rfcalc, "check", "--isolated", "-f", "text", str(path)],
            )


if __name__ == "__main__":
    raise SystemExit(main())
