"""docs/new-border.md runs as written: each command's output is the one the doc shows (timings aside).

The tutorial goes from the synthetic lake-river border's GeoJSON line to a comparison table of two
policies; ``python tests/tutorial.py --write`` refreshes the shown outputs after a deliberate change.
"""

from __future__ import annotations

from pathlib import Path

from tutorial import DOC, blocks, normalise, run_all


def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    steps = blocks(DOC.read_text(encoding="utf-8"))
    commands = [cmd for cmd, _ in steps]
    assert commands[0].startswith("bordersim new ")
    assert any(c.startswith("bordersim validate ") for c in commands)
    assert commands[-1].startswith("bordersim compare ")
    results = run_all(commands, tmp_path)
    for (cmd, shown), (rc, out) in zip(steps, results, strict=True):
        assert rc == 0, f"`{cmd}` exited with {rc}:\n{out}"
        assert normalise(out) == normalise(shown or ""), f"`{cmd}`: output differs from the doc"
    # it ends in a comparison table for a border that is not the Tajik-Afghan one
    last = results[-1][1]
    assert last.startswith("lake-river from 2025-01-01")
    assert "P(better)" in last and "minus baseline" in last and "reserve-on-border" in last
