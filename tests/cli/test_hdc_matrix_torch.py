"""rfcalc matrix and the path counts against PyTorch (needs torch)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scale import examples

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
