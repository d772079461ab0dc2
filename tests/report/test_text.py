"""Hostile names in a scenario (issue 11): markup and mathtext in an actor's, a crossing's and a
detachment's name render as text in the report, and nothing raises.

Matplotlib reads a pair of ``$`` as mathtext and raised on ``$x^2$``-like names before the report
escaped them; the HTML shows every name through Jinja2's autoescaping.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.report.html import render_report
from bordersim.report.text import clean_text, mpl_text
from bordersim.scenario.builtin import DATA_DIR

HOSTILE_ACTOR = "<script>alert(1)</script>$x^2$"
HOSTILE_CROSSING = "Kokul $\\frac{$ & <i>bold</i>"  # not valid mathtext: raised before
HOSTILE_GROUP = "Py$a$nj"
runner = CliRunner()


def hostile_scenario(tmp: Path) -> Path:
    """The built-in 2021 scenario with hostile names, as files in ``tmp``."""
    data = tmp / "scenario"
    shutil.copytree(DATA_DIR, data)
    main = data / "tajik-afghan-2021.yaml"
    text = main.read_text(encoding="utf-8")
    # (a control character in a name is refused where it enters: see test_control_characters_*)
    text = text.replace('name: "Drug traffickers"', f'name: "{HOSTILE_ACTOR}"', 1)
    main.write_text(text, encoding="utf-8")
    border = data / "tj-af-border.yaml"
    text = border.read_text(encoding="utf-8")
    text = text.replace('name: "Kokul (Farkhor)"', 'name: "Kokul $\\\\frac{$ & <i>bold</i>"', 1)
    text = text.replace("group: Pyanj", f'group: "{HOSTILE_GROUP}"')
    border.write_text(text, encoding="utf-8")
    return main


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("hostile")
    scenario = hostile_scenario(tmp)
    run_dir = tmp / "run"
    res = runner.invoke(
        app, ["run", str(scenario), "-n", "40", "--days", "20", "--out", str(run_dir)]
    )
    assert res.exit_code == 0, res.output
    out = render_report(run_dir, scenario_path=scenario)  # must not raise
    return out.html_path.read_text(encoding="utf-8")


def test_script_in_a_name_is_escaped(hostile_report: str) -> None:
    assert "<script" not in hostile_report.lower()
    assert "<i>bold</i>" not in hostile_report
    # the actor's name is shown, escaped, in the tables and in the figures' SVG text
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;$x^2$"
    assert hostile_report.count(escaped) >= 3
    assert "Kokul $\\frac{$ &amp; &lt;i&gt;bold&lt;/i&gt;" in hostile_report  # the map's label
    assert HOSTILE_GROUP in hostile_report


def test_control_characters_are_refused_where_they_enter(tmp_path: Path) -> None:
    """A bell character in an actor's name is a located error at load (issue 11), so it never
    reaches a terminal, a page or a figure; the page holds no control character either."""
    scenario = hostile_scenario(tmp_path)
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text.replace(f'name: "{HOSTILE_ACTOR}"', 'name: "bell\\a"', 1), "utf-8")
    res = runner.invoke(app, ["validate", str(scenario)])
    assert res.exit_code == 2
    assert "control character U+0007" in res.output


def test_the_page_holds_no_control_character(hostile_report: str) -> None:
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", hostile_report)


def test_mpl_text_draws_dollars_as_written() -> None:
    fig = Figure()
    FigureCanvasAgg(fig)
    for name in (HOSTILE_ACTOR, HOSTILE_CROSSING, "$", "a\\$b$", "$\\alpha"):
        t = fig.text(0.1, 0.5, mpl_text(name))
        shown, is_math = t._preprocess_math(t.get_text())
        assert not is_math and shown == name
    fig.draw_without_rendering()  # would raise a mathtext ValueError without the escaping


def test_mpl_text_and_clean_text_drop_control_characters() -> None:
    assert clean_text("a\x00b\x07c\td\ne\x9f") == "abc\td\ne"
    assert mpl_text("two\nlines\x1b[31m") == "two lines[31m"
