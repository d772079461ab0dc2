"""Every claim in the built-in scenarios quotes its source verbatim (short extracts, never copies).

The source texts live in ``<repo>/../shared/sources`` (beside the repository, as CI lays it out: a
fresh clone with a copy of shared/ next to it). Under ``CI=true`` a missing folder fails the test;
locally it skips with a clear reason rather than passing vacuously (``conftest.require_shared``).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from bordersim.scenario.builtin import builtin_names, load
from bordersim.scenario.evidence import MAX_QUOTE


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def _source_text(shared: Path, file: str) -> str:
    for base in (shared / "sources", shared):
        p = base / file
        if p.is_file():
            return _norm(p.read_text(encoding="utf-8", errors="replace"))
    raise FileNotFoundError(file)


@pytest.mark.parametrize("name", builtin_names())
def test_quotes_are_verbatim_and_short(name: str, shared_dir: Path) -> None:
    sc = load(name)
    claims = [(k, c) for k, ev in sc.evidence.items() for c in ev.claims]
    claims += [(q_name, c) for q_name, q in sc.quantities() for c in q.claims]
    assert claims, "a built-in scenario without sourced claims"
    missing = []
    for where, claim in claims:
        assert len(claim.quote) <= MAX_QUOTE
        src = sc.sources[claim.source]
        assert src.file, f"source {claim.source} has no file to check against"
        if _norm(claim.quote) not in _source_text(shared_dir, src.file):
            missing.append(f"{where}: [{claim.source}] {claim.quote!r}")
    assert not missing, "quotes not found verbatim:\n" + "\n".join(missing)
