"""The HTML report: offline, complete, figures written, map colours follow the metric."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.report.html import SECTION_IDS
from bordersim.report.map import colour_scale, draw_map
from bordersim.report.map_metrics import MAP_METRICS, METRIC_SPECS, sector_metric
from bordersim.report.run_data import RunData, load_run

runner = CliRunner()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "run"
    res = runner.invoke(app, ["run", "-n", "250", "--days", "30", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def report_html(run_dir: Path) -> str:
    res = runner.invoke(app, ["report", str(run_dir)])
    assert res.exit_code == 0, res.output
    return (run_dir / "report.html").read_text(encoding="utf-8")


EXTERNAL_ATTR = re.compile(
    r"<(?:link|script|img|style|iframe|source|image|use|object|embed)\b[^>]*?"
    r"\b(?:src|href|xlink:href|data)\s*=\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)
EXTERNAL_URL = re.compile(r"url\(\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)


def test_report_is_self_contained(report_html: str) -> None:
    assert not EXTERNAL_ATTR.search(report_html)
    assert not EXTERNAL_URL.search(report_html)
    assert "@import" not in report_html
    assert "<script" not in report_html.lower()
    # the only external references allowed are plain anchors to sources
    for m in re.finditer(r"<(\w+)[^>]*\bhref=\"https?://", report_html):
        assert m.group(1).lower() == "a"


def test_report_has_every_section(report_html: str) -> None:
    for section in SECTION_IDS:
        assert f'id="{section}"' in report_html, section
    assert 'id="fleeing"' in report_html  # the built-in scenario simulates people fleeing
    for optional in ("compare", "optimize", "sensitivity"):
        assert f'id="{optional}"' not in report_html  # no such files: no such sections
    assert report_html.count("<svg") >= 3
    assert "Aini air base" in report_html
    assert "@media print" in report_html
    # the headline names the seed and the gap, and the sources flag disagreements
    assert "sources disagree" in report_html
    assert "percentage points" in report_html


def test_figures_written_next_to_report(run_dir: Path, report_html: str) -> None:
    for name in ("map", "timeseries", "sectors"):
        png = run_dir / "figures" / f"{name}.png"
        assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".report.html")]


def _luminance(rgba: np.ndarray) -> np.ndarray:
    return 0.2126 * rgba[:, 0] + 0.7152 * rgba[:, 1] + 0.0722 * rgba[:, 2]


@pytest.fixture(scope="module")
def run_data(run_dir: Path) -> RunData:
    return load_run(run_dir)


@pytest.mark.parametrize("metric", MAP_METRICS)
def test_map_colours_follow_the_metric(run_dir: Path, run_data: RunData, metric: str) -> None:
    values = sector_metric(run_data.covert_mean, run_data.length_km, metric)
    m = draw_map(run_data.scenario, values, run_data.compiled.phases[-1].control, metric)
    assert m.sector_ids == run_data.sector_ids
    ds = xr.open_zarr(run_dir / "results.zarr")
    c = ds["covert"].sum(("replication", "actor")).transpose("sector", "outcome").values
    c = c.astype(float)
    if metric == "undetected_per_km":
        expected = c[:, 3] / 250 / ds["length_km"].values
    elif metric == "true_rate":
        expected = c[:, 0] / c.sum(axis=1)
    else:
        expected = (c[:, 0] + c[:, 1]) / (c[:, 0] + c[:, 1] + c[:, 2])
    np.testing.assert_allclose(m.values, expected, rtol=1e-12)
    ok = np.isfinite(m.values)
    order = np.argsort(m.values[ok], kind="stable")
    lum = _luminance(m.rgba[ok][order])
    # red means worse: darker as the metric gets worse
    steps = np.diff(lum) if METRIC_SPECS[metric].higher_is_worse else -np.diff(lum)
    assert np.all(steps <= 1e-9), (metric, lum)
    assert lum[0] != lum[-1]
    # and the colour is the colormap at the normalised value
    np.testing.assert_allclose(m.rgba[ok], m.cmap(m.norm(m.values[ok])), atol=1e-12)


def test_colour_scale_greys_undefined_and_spreads_a_constant() -> None:
    spec = METRIC_SPECS["true_rate"]
    norm, _cmap, rgba = colour_scale(np.array([0.2, np.nan, 0.8]), spec)
    assert (norm.vmin, norm.vmax) == (0.2, 0.8)
    np.testing.assert_allclose(rgba[1], (0x9E / 255, 0x9E / 255, 0x9E / 255, 1.0))  # NaN: grey
    assert _luminance(rgba[[0]])[0] < _luminance(rgba[[2]])[0]  # a low true rate is worse: darker
    norm, _cmap, rgba = colour_scale(np.array([0.5, 0.5]), spec)
    assert norm.vmin < 0.5 < norm.vmax and np.all(rgba[0] == rgba[1])
    norm, _cmap, _rgba = colour_scale(np.array([np.nan]), spec)
    assert (norm.vmin, norm.vmax) == (0.0, 1.0)


def test_sector_metric_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="unknown map metric"):
        sector_metric(np.zeros((2, 1, 4)), np.ones(2), "nope")


def test_optional_sections_render_when_files_exist(run_dir: Path, tmp_path: Path) -> None:
    """optimize.json in the run dir, sensitivity.json (as `sensitivity --out` writes it, a ranked
    list) in another directory given with --with, and an unreadable compare.json."""
    rd = tmp_path / "run"
    shutil.copytree(run_dir, rd)
    sens = tmp_path / "sens"
    sens.mkdir()
    (sens / "sensitivity.json").write_text(
        json.dumps(
            [
                {"factor": "a-small", "mu_star": 0.1, "mu_star_conf": 0.01, "sourced": False},
                {"factor": "c-big", "mu_star": 0.6, "mu_star_conf": 0.05, "sourced": True},
            ]
        )
    )
    (sens / "sensitivity_meta.json").write_text(json.dumps({"method": "morris", "metric": "m"}))
    (rd / "optimize.json").write_text(
        json.dumps(
            {
                "adversary": "best",
                "actor": None,
                "guards": 100,
                "date": "2021-08-08",
                "best_before": {"sector": "s01", "value": 0.4},
                "best_after": {"sector": "s02", "value": 0.3},
                "predicted_before": 0.4,
                "predicted": 0.3,
                "method": "water-filling",
                "sectors": [
                    {"id": "s01", "name": "one", "current": 50, "recommended": 100,
                     "value_before": 0.4, "value_after": 0.3},
                    {"id": "s02", "name": "two", "current": 50, "recommended": 0,
                     "value_before": 0.2, "value_after": 0.3},
                ],
                "verification": None,
            }
        )
    )  # fmt: skip
    (rd / "compare.json").write_text("{not json")
    res = runner.invoke(
        app, ["report", str(rd), "-o", str(tmp_path / "x.html"), "--with", str(sens)]
    )
    assert res.exit_code == 0, res.output
    text = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert 'id="sensitivity"' in text and text.index("c-big") < text.index("a-small")  # ranked
    assert 'id="optimize"' in text and "s01 (value 0.400)" in text
    assert "leaves 1 sector(s) without guards (s02)" in text
    assert 'id="compare"' in text and "could not read compare.json" in text


def test_missing_or_invalid_run_dir_exits_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["report", str(tmp_path / "nope")])
    assert res.exit_code == 2
    assert "no such run directory" in res.output
    (tmp_path / "empty").mkdir()
    res = runner.invoke(app, ["report", str(tmp_path / "empty")])
    assert res.exit_code == 2
    assert "manifest.json" in res.output and "Traceback" not in res.output


def test_bad_metric_exits_2(run_dir: Path) -> None:
    res = runner.invoke(app, ["report", str(run_dir), "--metric", "bogus"])
    assert res.exit_code == 2
    assert "undetected_per_km" in res.output


def test_compare_section_renders_paired_differences(tmp_path: Path) -> None:
    """compare.json as `bordersim compare --out` writes it becomes a table in the report."""
    from typer.testing import CliRunner

    from bordersim.cli.app import app

    cli = CliRunner()
    out = tmp_path / "run"
    assert cli.invoke(app, ["run", "-n", "250", "--days", "10", "--out", str(out)]).exit_code == 0
    r = cli.invoke(
        app,
        ["compare", "-p", "tajik-only", "-p", "aid-equipment", "-n", "250", "--days", "10",
         "--out", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    r = cli.invoke(app, ["report", str(out)])
    assert r.exit_code == 0, r.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="compare"' in html
    assert "Paired differences against tajik-only" in html
    assert "P(better)" in html and "aid-equipment" in html
