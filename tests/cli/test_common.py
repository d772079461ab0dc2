"""Terminal tables fit the terminal: compact under the full tables' width, `--wide` on request."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from bordersim.cli import common
from bordersim.cli.app import app

runner = CliRunner()
RUN = ["run", "-n", "40", "--start", "2021-07-01", "--days", "20", "--seed", "1"]


def _widest(text: str) -> int:
    return max(len(line.rstrip()) for line in text.splitlines())


@pytest.mark.parametrize("columns", [80, 100])
def test_run_tables_respect_columns_when_piped(columns: int) -> None:
    env = {**os.environ, "COLUMNS": str(columns)}
    r = subprocess.run(
        [sys.executable, "-m", "bordersim", *RUN], capture_output=True, text=True, env=env,
        check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert _widest(r.stdout) <= columns
    for text in ("true rate", "drug_traffickers", "Pyanj", "People fleeing", "Armed incursions"):
        assert text in r.stdout
    assert "…" not in r.stdout  # no name or header cut short


def test_compact_run_table_has_one_line_per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.console, "_width", 80)
    r = runner.invoke(app, RUN)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    pyanj = [ln for ln in lines if ln.startswith("Pyanj")]
    assert len(pyanj) == 2  # one row per actor, no cell wrapped onto a second line
    assert all("%" in ln and "±" in ln for ln in pyanj)
    assert "--wide" in r.output


def test_wide_prints_the_full_table_with_every_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.console, "_width", 80)
    r = runner.invoke(app, [*RUN, "--wide"])
    assert r.exit_code == 0, r.output
    assert "detected got away" in r.output and "undetected got away" in r.output
    row = next(ln for ln in r.output.splitlines() if "Pyanj" in ln)
    assert row.count("[") == 7  # attempts ... gap, each with its CI, on one line
    assert common.console.width == 80  # restored after printing


def test_full_table_when_the_terminal_is_wide_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.console, "_width", 400)
    r = runner.invoke(app, RUN)
    assert r.exit_code == 0, r.output
    assert "detected got away" in r.output and "--wide" not in r.output


def test_compare_compact_fits_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.console, "_width", 80)
    r = runner.invoke(
        app, ["compare", "-p", "tajik-only", "-p", "russian-guards-return", "-p",
              "201st-to-border", "-n", "20", "--days", "10"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert _widest(r.output) <= 80
    assert "  201st-to-border" in r.output and "P(better)" in r.output
    wide = runner.invoke(
        app, ["compare", "-p", "tajik-only", "-p", "aid-equipment", "-n", "20", "--days", "10",
              "--wide"],
    )  # fmt: skip
    assert "Paired difference vs tajik-only" in wide.output
