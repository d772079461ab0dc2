"""Each report section's data function, the templates' environment and the report's number helpers.

The section functions return plain data (no HTML); these tests check the values they pick and how
they format them, against the run's own summary.json, so a section that shows the wrong actor, the
wrong sectors or an unformatted number fails here without reading any HTML.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from fnmatch import fnmatch
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from jinja2 import UndefinedError
from markupsafe import Markup
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.report.formatting import (
    MISSING,
    fmt_count,
    fmt_number,
    fmt_percent,
    fmt_quantity,
)
from bordersim.report.html import environment
from bordersim.report.map_geometry import nice_length
from bordersim.report.map_metrics import MAP_METRICS, METRIC_SPECS, sector_metric
from bordersim.report.optional_sections import (
    compare_data,
    generic_data,
    optimize_data,
    optional_sections,
    sensitivity_data,
)
from bordersim.report.run_data import RunData, load_run
from bordersim.report.sections import (
    actors_data,
    estimate,
    fleeing_data,
    headline_data,
    map_data,
    provenance_data,
    timeline_marks,
    timeseries_data,
    yields_data,
)
from bordersim.report.sources import sources_data
from bordersim.scenario.builtin import DATA_DIR
from bordersim.scenario.loading import load_scenario

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> RunData:
    out = tmp_path_factory.mktemp("sections") / "run"
    res = CliRunner().invoke(app, ["run", "-n", "60", "--days", "40", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return load_run(out)


# ---- number helpers --------------------------------------------------------------------------------


def test_number_helpers_share_the_missing_mark() -> None:
    assert fmt_percent(0.1234) == "12.3%" and fmt_percent(0.5, 0) == "50%"
    assert fmt_count(8000.4) == "8,000" and fmt_count(2.6) == "3"
    assert fmt_quantity(8000.0) == "8,000" and fmt_quantity(0.125) == "0.125"
    assert fmt_quantity(1234.56) == "1,234.6" and fmt_quantity(2.5) == "2.5"
    for f in (fmt_number, fmt_percent, fmt_count, fmt_quantity):
        assert f(None) == MISSING and f(math.nan) == MISSING


def test_estimate_cell() -> None:
    row = {"x": 12.34, "x_lo": 11.0, "x_hi": 13.5, "r": 0.25, "r_lo": 0.2, "r_hi": 0.3}
    assert estimate(row, "x") == {"text": "12.3", "ci": "[11.0, 13.5]"}
    assert estimate(row, "r", pct=True) == {"text": "25.0%", "ci": "[20.0%, 30.0%]"}
    assert estimate({"x": None}, "x") == {"text": MISSING}
    assert estimate({"x": math.nan}, "x") == {"text": MISSING}


def test_nice_length() -> None:
    assert [nice_length(k) for k in (7.0, 19.0, 120.0, 1.0)] == [5.0, 10.0, 100.0, 1.0]


# ---- core sections ---------------------------------------------------------------------------------


def _all_rows(run: RunData) -> list[dict[str, Any]]:
    return [r for r in run.summary["covert"] if r["group"] == "all"]


def test_headline_data(run: RunData) -> None:
    h = headline_data(run)
    assert h["title"] == run.scenario.title and h["replications"] == "60"
    assert h["period"] == "01 Jun 2021 – 10 Jul 2021" and h["days"] == 40
    assert not h["hash_changed"]
    rows = _all_rows(run)
    assert [r[0] for r in h["table"]["rows"]] == ["Drug traffickers", "Militant infiltrators"]
    first = h["table"]["rows"][0]
    assert first[1]["text"] == fmt_number(rows[0]["attempts"])
    assert first[4]["text"] == fmt_percent(rows[0]["true_rate"])
    worst = max(rows, key=lambda r: r["rate_gap"])
    assert h["gap"]["points"] == fmt_number(100 * worst["rate_gap"])
    assert h["gap"]["undetected"] == fmt_number(worst["undetected_got_away"])
    costs = run.summary["costs"]
    assert h["costs"]["tj"] == fmt_count(costs["personnel_days_TJ"])
    assert h["costs"]["bn_rub"] == fmt_number(costs["cost_rub"] / 1e9)
    changed = headline_data(dataclasses.replace(run, scenario_hash_matches=False))
    assert changed["hash_changed"]


@pytest.mark.parametrize("metric", MAP_METRICS)
def test_map_data_names_the_worst_sectors(run: RunData, metric: str) -> None:
    values = sector_metric(run.covert_mean, run.length_km, metric)
    d = map_data(run, metric, values)
    ok = np.isfinite(values)
    worse = values if METRIC_SPECS[metric].higher_is_worse else -values
    ranked = sorted((float(worse[i]), run.sector_ids[i]) for i in np.flatnonzero(ok))[::-1]
    assert d["worst"] == [sid for _v, sid in ranked[:3]]
    assert metric not in d["other_metrics"] and len(d["other_metrics"]) == len(MAP_METRICS) - 1
    assert [r[0] for r in d["table"]["rows"]] == list(run.sector_ids)
    fmt = fmt_percent if METRIC_SPECS[metric].percent else fmt_number
    assert [r[3] for r in d["table"]["rows"]] == [fmt(float(v)) for v in values]
    assert d["last_day"] == "2021-07-10"


def test_timeseries_data_numbers_the_events_in_the_period(run: RunData) -> None:
    marks = timeline_marks(run)
    d = timeseries_data(run, marks)
    assert [e["number"] for e in d["events"]] == list(range(1, len(marks) + 1))
    assert [e["date"] for e in d["events"]] == ["22 Jun 2021", "03 Jul 2021", "05 Jul 2021"]
    assert d["replications"] == "60"
    late = dataclasses.replace(run, manifest={**run.manifest, "start": "2030-01-01"})
    assert timeseries_data(late, timeline_marks(late))["events"] == []


def test_actors_data(run: RunData) -> None:
    d = actors_data(run)
    assert [a["name"] for a in d] == ["Drug traffickers", "Militant infiltrators"]
    by_group = [r for r in run.summary["covert"] if r["actor"] == "drug_traffickers"]
    rows = d[0]["table"]["rows"]
    assert [r[0]["text"] for r in rows] == [r["group"] for r in by_group]
    assert [r[0]["bold"] for r in rows] == [r["group"] == "all" for r in by_group]
    assert [r[3]["text"] for r in rows] == [fmt_number(r["turned_back"]) for r in by_group]
    assert len(d[0]["table"]["head"]) == len(rows[0])


def test_fleeing_data(run: RunData) -> None:
    t = fleeing_data(run)
    assert t is not None and len(t["rows"]) == len(run.summary["fleeing"])
    assert t["rows"][0][0] == "Shamsiddin Shohin (Shohon) bridge"
    assert fleeing_data(dataclasses.replace(run, summary={**run.summary, "fleeing": []})) is None


def test_provenance_data(run: RunData) -> None:
    p = dict(provenance_data(run))
    assert p["seed"] == "2021" and p["scenario hash"] == run.manifest["scenario_hash"]
    manifest = {**run.manifest, "command": ["bordersim", "run", "--out", "my dir"]}
    p = dict(provenance_data(dataclasses.replace(run, manifest=manifest)))
    assert p["command"] == "bordersim run --out 'my dir'"  # shell-quoted, ready to paste


def test_sources_data_groups_every_quantity_once(run: RunData) -> None:
    s = sources_data(run)
    names = [q["name"] for b in s["blocks"] for q in b["quantities"]]
    assert len(names) == len(set(names)) == s["n_quantities"]
    assert sorted(names) == sorted(n for n, _q in run.scenario.quantities())
    assert s["n_sourced"] + s["n_assumed"] == s["n_quantities"]
    assert s["conflicts"] == [
        {"anchor": b["anchor"], "label": b["key"]} for b in s["blocks"] if b["conflict"]
    ]
    anchors = [b["anchor"] for b in s["blocks"]]
    assert len(anchors) == len(set(anchors))
    length = next(b for b in s["blocks"] if b["key"] == "border-length")
    assert length["conflict"] and length["sourced"] and length["claims"]
    assert all(c["source"]["url"].startswith(("https://", "http://", "")) for c in length["claims"])
    unused = [q for b in s["blocks"] for q in b["quantities"] if not q["used"]]
    assert unused and all(q["name"].startswith("policies.") for q in unused)  # baseline run
    assert any(b["assumed"] for b in s["blocks"] if not b["sourced"])
    assert s["n_calibrated"] == 0  # the 2021 scenario cites no calibration
    assert not any(b["calibrated"] or b["n_calibrated_own"] for b in s["blocks"])


def test_sources_section_names_the_calibrated_entries_and_quantities(run: RunData) -> None:
    """The 2008 scenario's ledger as the report shows it: a calibrated entry's badge and its
    observations; a quantity calibrated on its own (its entry shared with others) marked in its
    row and named in its own line; the rest unchanged."""
    sc = load_scenario(DATA_DIR / "tajik-afghan-2008.yaml")
    s = sources_data(dataclasses.replace(run, scenario=sc))
    assert s["n_calibrated"] == 4
    blocks = {b["key"]: b for b in s["blocks"]}
    seizure = blocks["seizure-per-group"]
    assert seizure["calibrated"]["observations"] == [
        {"id": "tj-seizures-2008", "label": "seized_kg = 916 kg"},
        {"id": "tj-clashes-2008", "label": "armed_clashes = 17 clashes"},
    ]
    assert seizure["calibrated"]["identified"].startswith("pinned down only as a combination")
    rates = blocks["covert-rates"]
    assert rates["calibrated"] is None and rates["n_calibrated_own"] == 1
    own = {q["name"]: q["calibrated"] for q in rates["quantities"]}
    assert own["actors.militant_infiltrators.rate_per_day"] is None
    assert own["actors.drug_traffickers.rate_per_day"]["calibration"] == "tajik-afghan-2008"
    html = environment().get_template("sources.html").render({"sources": s})
    badge = '<span class="badge calibrated">calibrated</span>'
    assert html.count(badge) == 1 + 2 + 2  # the introduction, 2 entries, 2 quantities' rows
    assert html.count("<b>Calibrated</b>") == 4
    assert "<code>tj-clashes-2008</code> (armed_clashes = 17 clashes)" in html
    assert "4 of them are also" in " ".join(html.split())


# ---- optional sections -----------------------------------------------------------------------------

COMPARE = {
    "baseline": "a",
    "policies": ["a", "b"],
    "metrics": ["true_rate", "undetected"],
    "metric_labels": {"undetected": "undetected got-aways"},
    "per_policy": {
        "a": {"true_rate": {"mean": 0.25, "lo": 0.2, "hi": 0.3}, "undetected": {"mean": 203.4}},
        "b": {"true_rate": {"mean": 0.3, "lo": 0.25, "hi": 0.35}, "undetected": {"mean": None}},
    },
    "differences": [
        {
            "policy": "b",
            "metric": "true_rate",
            "mean": 0.05,
            "lo": 0.01,
            "hi": 0.09,
            "p_better": 0.9,
        }
    ],
    "replications": 100,
    "seed": 7,
}


def test_compare_data() -> None:
    d = compare_data(COMPARE)
    assert d["table"]["head"] == ["metric: mean [95% CI]", "a", "b"]
    rate, undetected = d["table"]["rows"]
    assert rate[1] == {"text": "25.0%", "ci": "[20.0%, 30.0%]"}
    assert undetected[0] == "undetected got-aways" and undetected[2] == {"text": MISSING}
    diff_rate, diff_undetected = d["differences"]["rows"]
    assert diff_rate[1]["text"] == "5.0%" and diff_rate[1]["note"] == "P(better) 0.900"
    assert diff_undetected[1] == {"text": MISSING}
    assert (d["baseline"], d["replications"], d["seed"]) == ("a", "100", "7")


OPTIMIZE = {
    "adversary": "best",
    "actor": None,
    "guards": 100.0,
    "date": "2021-08-08",
    "best_before": {"sector": "s01", "value": 0.4},
    "best_after": {"sector": "s02", "value": 0.3},
    "predicted_before": 0.4,
    "predicted": 0.3,
    "method": "water-filling",
    "sectors": [
        {"id": "s01", "name": "one", "current": 50, "recommended": 100.0, "value_before": 0.4},
        {"id": "s02", "name": "two", "current": 50, "recommended": 0, "value_before": 0.2},
    ],
    "verification": {
        "checks": [
            {"actor": "x", "choice": "adaptive", "predicted": 0.26, "flagged": True,
             "reasons": ["worse"], "simulated": {"mean": 0.2, "lo": 0.19, "hi": 0.21}},
            {"actor": "y", "choice": "best", "predicted": 1.8, "flagged": False},
        ]
    },
}  # fmt: skip


def test_optimize_data() -> None:
    d = optimize_data(OPTIMIZE)
    assert d["best_before"] == "s01 (value 0.400)" and d["unguarded"] == ["s02"]
    assert d["guards"] == "100" and d["actor"].startswith("all covert actors")
    assert d["table"]["rows"][0][3] == "100" and d["table"]["rows"][0][5] == MISSING
    flagged, ok = d["verification"]["rows"]
    assert flagged[4] == {"text": "flagged", "note": "worse", "badge": "conflict"}
    assert flagged[3] == {"text": "0.200", "ci": "[0.190, 0.210]"}
    assert ok[4]["text"] == "ok" and ok[3] == {"text": MISSING}
    assert optimize_data({**OPTIMIZE, "verification": None})["verification"] is None


def test_sensitivity_data_ranks_and_scales_bars() -> None:
    rows = [
        {"factor": "small", "mu_star": 0.1, "mu_star_conf": 0.01, "sourced": False},
        {"factor": "big", "mu_star": 0.4, "mu_star_conf": 0.05, "sourced": True},
        {"factor": "nan", "mu_star": None},
    ]
    d = sensitivity_data(rows, {"metric": "m", "points": 12})
    assert not d["sobol"] and d["method"] == "Morris" and d["points"] == "12"
    assert [f["name"] for f in d["factors"]] == ["big", "small", "nan"]
    assert [f["width"] for f in d["factors"]] == ["100.0", "25.0", "0.0"]
    assert [f["kind"] for f in d["factors"]] == ["sourced", "assumed", "assumed"]
    sobol = sensitivity_data([{"factor": "a", "S1": 0.2, "ST": 0.5, "ST_conf": 0.1}], None)
    assert sobol["sobol"] and sobol["method"] == "Sobol" and sobol["factors"][0]["s1"] == "0.200"


def test_generic_and_problem_sections() -> None:
    g = generic_data(
        {"method": "x", "predicted": 0.5, "simulated": {"mean": 1.0, "lo": 0.5, "hi": 1.5},
         "allocation": [{"sector": "s01", "guards": 12.0}, {"sector": "s02", "note": [1]}]},
        "allocation",
    )  # fmt: skip
    assert g["scalars"] == [
        ("method", "x"),
        ("predicted", "0.500"),
        ("simulated", "1.00 [0.500, 1.50]"),
    ]
    assert g["table"]["head"] == ["sector", "guards", "note"]
    assert g["table"]["rows"] == [["s01", "12.0", "None"], ["s02", "None", "[1]"]]
    ranked = generic_data({"factors": [{"name": "a", "index": 0.1}, {"name": "b", "index": 0.9}]},
                          "factors")  # fmt: skip
    assert [r[0] for r in ranked["table"]["rows"]] == ["b", "a"]
    secs = optional_sections({"compare": "could not read compare.json: x", "optimize": {"a": 1}})
    assert [(s["id"], s["kind"]) for s in secs] == [("compare", "problem"), ("optimize", "problem")]
    assert "expected shape" in secs[1]["data"]
    secs = optional_sections({"sensitivity": [{"factor": "a", "mu_star": 1}], "compare": COMPARE})
    assert [(s["id"], s["kind"]) for s in secs] == [
        ("compare", "compare"),
        ("sensitivity", "sensitivity"),
    ]


# ---- templates -------------------------------------------------------------------------------------


def test_table_macro_escapes_cells_and_strips_control_characters() -> None:
    tpl = environment().from_string('{% from "macros.html" import table %}{{ table(t) }}{{ svg }}')
    html = tpl.render(
        t={"head": ["<h>"], "rows": [["<b>x</b>\x07", {"text": "a&b", "ci": "[<1, 2]", "bold": True}]]},
        svg=Markup("<svg></svg>"),
    )  # fmt: skip
    assert "<th>&lt;h&gt;</th>" in html and "<td>&lt;b&gt;x&lt;/b&gt;</td>" in html
    assert '<td><b>a&amp;b</b><span class="ci">[&lt;1, 2]</span></td>' in html
    assert "<svg></svg>" in html and "\x07" not in html


def test_templates_are_strict_about_names() -> None:
    with pytest.raises(UndefinedError):
        environment().from_string("{{ nope.text }}").render()


def test_every_template_ships_as_package_data() -> None:
    globs = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]["bordersim"]
    templates = files("bordersim.report") / "templates"
    names = [p.name for p in templates.iterdir() if p.is_file()]
    assert "report.html" in names and "report.css" in names
    for name in names:
        assert any(fnmatch(f"report/templates/{name}", g) for g in globs), name


def test_kg_seized_says_what_it_rests_on(run: RunData) -> None:
    """The kg per group behind "kg seized" is named with its range, and whether a calibration pins
    it down: uncalibrated in 2021; in 2008 only in a product, and drawn from that posterior when
    the run's input interval was."""
    (note,) = yields_data(run)["kg_notes"]
    assert "20 kg per interdicted group, assumed with a range of 2–100 kg" in note
    assert "no observation of this period constrains it" in note
    sc = load_scenario(DATA_DIR / "tajik-afghan-2008.yaml")
    (note,) = yields_data(dataclasses.replace(run, scenario=sc))["kg_notes"]
    assert "calibration tajik-afghan-2008 (tj-seizures-2008, tj-clashes-2008)" in note
    assert "only in a product" in note and "--uncertainty posterior" in note
    post = {**run.summary, "input_uncertainty": {"source": "posterior"}}
    (note,) = yields_data(dataclasses.replace(run, scenario=sc, summary=post))["kg_notes"]
    assert "this run's input interval drew it from that posterior" in note
