"""rfcalc matrix and the path counts against PyTorch (needs torch)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.scale import examples

from rfcalc.engine.convmatrix import conv_matrix, transpose
from rfcalc.engine.support import dilated_paths

torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0)"
)


@settings(max_examples=examples(60), deadline=None)
@given(
    n=st.integers(3, 7),
    k=st.integers(1, 3),
    s=st.integers(1, 3),
    p=st.integers(0, 2),
    d=st.integers(1, 2),
    data=st.data(),
)
def test_matrix_is_pytorchs_conv_and_its_transpose(
    n: int, k: int, s: int, p: int, d: int, data: st.DataObject
) -> None:
    try:
        out, c = conv_matrix([n, n + 1], [k, k], [s, s], [p, p], [d, d])
    except ValueError:
        return
    weights = torch.tensor(
        data.draw(st.lists(st.integers(-4, 4), min_size=k * k, max_size=k * k)), dtype=torch.float64
    ).reshape(1, 1, k, k)
    x = torch.tensor(
        data.draw(st.lists(st.integers(-5, 5), min_size=n * (n + 1), max_size=n * (n + 1))),
        dtype=torch.float64,
    )

    def dense(m: list[list[tuple[int, ...] | None]]) -> object:
        return torch.tensor(
            [[0.0 if t is None else float(weights[0, 0, t[0], t[1]]) for t in row] for row in m],
            dtype=torch.float64,
        )

    y = torch.nn.functional.conv2d(
        x.reshape(1, 1, n, n + 1), weights, stride=s, padding=p, dilation=d
    )
    assert list(y.shape[2:]) == out
    assert torch.equal(dense(c) @ x, y.flatten())
    # the transposed conv with the same weight is C^T (output_padding fills the rest)
    v = torch.arange(y.numel(), dtype=torch.float64)
    op = [
        n - ((out[0] - 1) * s - 2 * p + d * (k - 1) + 1),
        n + 1 - ((out[1] - 1) * s - 2 * p + d * (k - 1) + 1),
    ]
    if all(0 <= o < max(s, d) for o in op):
        t = torch.nn.functional.conv_transpose2d(
            v.reshape(1, 1, *out), weights, stride=s, padding=p, dilation=d, output_padding=op
        )
        assert torch.equal(dense(transpose(c)) @ v, t.flatten())


@settings(max_examples=examples(60), deadline=None)
@given(k=st.integers(2, 4), rates=st.lists(st.integers(1, 6), min_size=1, max_size=4))
def test_path_counts_are_the_gradient(k: int, rates: list[int]) -> None:
    counts = list(dilated_paths(k, rates))
    n = 3 * len(counts)
    x = torch.zeros(1, 1, n, dtype=torch.float64, requires_grad=True)
    y = x
    for r in rates:
        y = torch.nn.functional.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), dilation=r)
    y[0, 0, 0].backward()
    assert x.grad is not None
    assert [int(v) for v in x.grad[0, 0, : len(counts)].tolist()] == counts


@settings(max_examples=examples(80), deadline=None)
@given(
    ndim=st.integers(1, 2),
    ks=st.lists(st.integers(1, 3), min_size=2, max_size=2),
    ns=st.lists(st.integers(1, 5), min_size=2, max_size=2),
    s=st.integers(1, 3),
    p=st.integers(0, 2),
    d=st.integers(1, 2),
    transposed=st.booleans(),
    data=st.data(),
)
def test_matrix_products_are_pytorchs(
    ndim: int,
    ks: list[int],
    ns: list[int],
    s: int,
    p: int,
    d: int,
    transposed: bool,
    data: st.DataObject,
) -> None:
    """``rfcalc matrix --weights --values`` against conv / conv_transpose in float64
    (halves and small integers: every sum is exact in float64)."""
    import json

    from rfcalc.cli import main

    ks, ns = ks[:ndim], ns[:ndim]
    half = st.integers(-8, 8).map(lambda v: v / 2)
    w = data.draw(st.lists(half, min_size=_prod(ks), max_size=_prod(ks)))
    x = data.draw(st.lists(half, min_size=_prod(ns), max_size=_prod(ns)))
    args = ["matrix", "-s", str(s), "-p", str(p), "-d", str(d), "-f", "json"]
    args += ["--weights", _text(w, ks), "--values", _text(x, ns)]
    args += ["--transposed"] if transposed else []
    wt = torch.tensor(w, dtype=torch.float64).reshape(1, 1, *ks)
    xt = torch.tensor(x, dtype=torch.float64).reshape(1, 1, *ns)
    fn = {
        (1, False): torch.nn.functional.conv1d,
        (2, False): torch.nn.functional.conv2d,
        (1, True): torch.nn.functional.conv_transpose1d,
        (2, True): torch.nn.functional.conv_transpose2d,
    }[(ndim, transposed)]
    try:
        want = fn(xt, wt, stride=s, padding=p, dilation=d)[0, 0]
    except RuntimeError:  # an empty or negative output: rfcalc refuses it too
        assert main(args) == 2
        return
    if want.numel() == 0 or min(want.shape) < 1:
        assert main(args) == 2
        return
    import io
    from contextlib import redirect_stdout

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = main(args)
    assert code == 0
    got = json.loads(buffer.getvalue())["product"]
    assert torch.equal(torch.tensor(_floats(got), dtype=torch.float64), want)


def _prod(xs: list[int]) -> int:
    out = 1
    for v in xs:
        out *= v
    return out


def _text(values: list[float], shape: list[int]) -> str:
    """Rows as the user writes them (``1 2; 3 4``), or JSON for a 1-D input and a
    one-row 2-D one (the row form cannot tell those apart)."""
    import json

    if len(shape) == 1 or shape[0] == 1:
        nested: object = values if len(shape) == 1 else [values]
        return json.dumps(nested)
    cells = [str(v) for v in values]
    return "; ".join(" ".join(cells[i : i + shape[1]]) for i in range(0, len(cells), shape[1]))


def _floats(nested: object) -> object:
    from fractions import Fraction

    if isinstance(nested, list):
        return [_floats(v) for v in nested]
    return float(Fraction(str(nested)))
