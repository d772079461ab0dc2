"""The redesign keeps every number: the golden ``--json`` outputs stay byte-identical.

The fixture (``tests/golden/*.out``) was written by ``cd tests && python -m golden.regen`` before the
redesign moved a line; it may change only in a commit that names the field that changed and why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from golden.cases import GOLDEN_CASES
from golden.outputs import golden_outputs

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return golden_outputs(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("name", [*GOLDEN_CASES, "sweep-6"])
def test_output_is_byte_identical(outputs: dict[str, str], name: str) -> None:
    expected = (GOLDEN / f"{name}.out").read_text(encoding="utf-8")
    assert outputs[name] == expected, f"golden output {name} changed"
