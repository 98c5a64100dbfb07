"""A corpus of bad specs: each file's first line is the exact error, with line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rfcalc.model import SpecError
from rfcalc.spec import read_spec_file

CORPUS = Path(__file__).parents[1] / "corpus" / "bad"


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_spec_gives_the_exact_located_error(path: Path) -> None:
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("# error: ")
    where, _, message = header[len("# error: ") :].partition(": ")
    line, col = (int(x) for x in where.split(":"))
    if message.startswith("invalid YAML") and not yaml.__with_libyaml__:
        pytest.skip("the YAML syntax messages in the corpus are libyaml's")
    with pytest.raises(SpecError) as info:
        read_spec_file(str(path))
    err = info.value
    assert (err.loc.line, err.loc.col, err.message) == (line, col, message)
    assert err.loc.path == str(path)
