"""Every claim in the built-in scenarios quotes its source verbatim (short extracts, never copies).

The source texts live in ../shared (beside the repository, as in CI); where they are absent the test
skips with a clear reason rather than passing vacuously.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from bordersim.scenario.builtin import builtin_names, load
from bordersim.scenario.evidence import MAX_QUOTE

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def _source_text(file: str) -> str:
    for base in (SHARED / "sources", SHARED):
        p = base / file
        if p.is_file():
            return _norm(p.read_text(encoding="utf-8", errors="replace"))
    raise FileNotFoundError(file)


@pytest.mark.skipif(not (SHARED / "sources").is_dir(), reason=f"{SHARED} not present")
@pytest.mark.parametrize("name", builtin_names())
def test_quotes_are_verbatim_and_short(name: str) -> None:
    sc = load(name)
    claims = [(k, c) for k, ev in sc.evidence.items() for c in ev.claims]
    claims += [(q_name, c) for q_name, q in sc.quantities() for c in q.claims]
    assert claims, "a built-in scenario without sourced claims"
    missing = []
    for where, claim in claims:
        assert len(claim.quote) <= MAX_QUOTE
        src = sc.sources[claim.source]
        assert src.file, f"source {claim.source} has no file to check against"
        if _norm(claim.quote) not in _source_text(src.file):
            missing.append(f"{where}: [{claim.source}] {claim.quote!r}")
    assert not missing, "quotes not found verbatim:\n" + "\n".join(missing)
