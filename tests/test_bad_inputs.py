"""The bad-input suite: every input a user can get wrong gives one located message, exit code 2, no
traceback, and nothing changed on disk.

The cases are tables in ``bad_inputs_cases.py`` (adding a case is one line). Every case runs in a
fresh temporary directory that is also the working directory; the directory is snapshotted (names,
sizes, modification times) before and after. ``bad-input cases: N`` is printed at the end of the
session.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from bad_inputs_base import Case
from bad_inputs_cases import CASES
from typer.testing import CliRunner

from bordersim.cli.app import app

runner = CliRunner()

# --- the checks ------------------------------------------------------------------------------------

_BOX = re.compile("[│╭╮╰╯─]+")


def _normal(text: str) -> str:
    return " ".join(_BOX.sub(" ", text).split())


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> None:
    """Print ``bad-input cases: N`` at the end of the session."""

    class Summary:
        def pytest_terminal_summary(self, terminalreporter: object) -> None:
            terminalreporter.write_line(f"bad-input cases: {len(CASES)}")  # type: ignore[attr-defined]

    if not request.config.pluginmanager.has_plugin("bad-input-summary"):
        request.config.pluginmanager.register(Summary(), "bad-input-summary")


def test_cases_are_many_and_distinct() -> None:
    ids = [c.id for c in CASES]
    assert len(set(ids)) == len(ids), [i for i in ids if ids.count(i) > 1]
    assert len(CASES) >= 150, len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_located_message(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    if case.id == "include-symlink-out":
        (tmp_path / "outside").mkdir()
        (tmp_path / "outside" / "x.yaml").write_text("x: 1\n", encoding="utf-8")
        sub = tmp_path / "sc"
        sub.mkdir()
        (sub / "link.yaml").symlink_to(tmp_path / "outside" / "x.yaml")
        argv = case.build(sub)
    else:
        argv = case.build(tmp_path)
    before = _snapshot(tmp_path)
    result = runner.invoke(app, argv, env={"COLUMNS": "200"})
    out = result.output
    assert result.exit_code == 2, f"exit {result.exit_code}:\n{out}\n{result.exception!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in out
    text = _normal(out)
    for w in case.words:
        assert _normal(w) in text, f"expected {w!r} in:\n{out}"
    if case.located is not None:
        assert f"{tmp_path}/{case.located}" in text or f"{tmp_path}/sc/{case.located}" in text, (
            f"expected {case.located!r} in:\n{out}"
        )
    assert len(re.findall(r"(?:^|\s)(?:error:|Error|Usage:)", out)) <= 2, out  # one message
    assert _snapshot(tmp_path) == before, "the failed command changed files on disk"
