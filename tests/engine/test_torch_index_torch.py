"""The emulated single-precision nearest index against PyTorch itself (needs torch):
every map size up to 40, sizes and scale factors, 1-, 2- and 3-D kernels."""

from __future__ import annotations

from fractions import Fraction

import pytest

from rfcalc.engine.torch_index import torch_nearest_index

torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0)"
)
F = torch.nn.functional

SCALES = ["0.3", "0.5", "0.75", "1.1", "1.25", "1.5", "2", "2.2", "2.5", "3", "7"]


def _read(ndim: int, n: int, mode: str, **kw: object) -> list[int]:
    """The input unit each output unit reads, from PyTorch: interpolate the indices."""
    shape = [1] * (ndim - 1) + [n]
    x = torch.arange(n, dtype=torch.float32).reshape(1, 1, *shape)
    if "scale_factor" in kw:
        kw["scale_factor"] = [1.0] * (ndim - 1) + [kw["scale_factor"]]
    if "size" in kw:
        kw["size"] = [1] * (ndim - 1) + [kw["size"]]
    return [int(v) for v in F.interpolate(x, mode=mode, **kw).reshape(-1).tolist()]


#: where PyTorch's 1-D and 3-D nearest-exact kernels read one unit further than single
#: precision gives (a 2-unit map at these output sizes, where (u + 1/2) * 2/m is 1
#: exactly); rfcalc follows the 2-D kernel there (README, "Limits")
KNOWN = {(2, 41), (2, 47), (2, 55)}


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
def test_the_index_is_pytorchs(ndim: int, mode: str) -> None:
    exact = mode == "nearest-exact"
    checked = 0
    differ = set()
    for n in range(1, 41):
        for m in range(1, 61):  # by sizes (resize, recompute_scale_factor)
            want = _read(ndim, n, mode, size=m)
            got = [min(torch_nearest_index(u, n, m, None, exact, ndim), n - 1) for u in range(m)]
            if got != want:
                differ.add((n, m))
            checked += 1
        for text in SCALES:  # by a scale factor (upsample)
            scale = Fraction(text)
            if int(n * float(scale)) < 1:
                continue
            want = _read(ndim, n, mode, scale_factor=float(scale), recompute_scale_factor=False)
            m = len(want)
            got = [min(torch_nearest_index(u, n, m, scale, exact, ndim), n - 1) for u in range(m)]
            assert got == want, (n, text)
            checked += 1
    assert differ == (KNOWN if exact and ndim != 2 else set())
    assert checked > 2400
