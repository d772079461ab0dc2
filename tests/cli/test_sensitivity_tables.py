"""`bordersim sensitivity`'s evidence column: a factor whose quantities a calibration held against
observations is marked calibrated (all, or some of its quantities), its prior unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from bordersim.cli import common
from bordersim.cli.sensitivity_tables import mark_calibrated, print_sensitivity
from bordersim.experiments.factors import build_space
from bordersim.report.optional_sections import sensitivity_data
from bordersim.scenario.builtin import load


def _rows(name: str, grouping: str) -> list[dict[str, Any]]:
    sc = load(name)
    space = build_space(sc, grouping=grouping)  # type: ignore[arg-type]
    rows = [
        {
            "factor": f.name,
            "sourced": f.sourced,
            "quantities": [m.quantity for m in f.members],
            "mu_star": 1.0 / (i + 1),
            "mu_star_conf": 0.0,
            "sigma": 0.0,
            "rank": i + 1,
        }
        for i, f in enumerate(space.factors)
    ]
    mark_calibrated(rows, sc)
    return rows


def test_evidence_groups_name_their_calibrated_quantities() -> None:
    rows = {r["factor"]: r for r in _rows("tajik-afghan-2008", "evidence")}
    assert rows["seizure-per-group"]["calibrated"] == ["tj-seizures-2008", "tj-clashes-2008"]
    assert rows["covert-rates"]["calibrated_quantities"] == ["actors.drug_traffickers.rate_per_day"]
    assert len(rows["covert-rates"]["quantities"]) == 2
    assert rows["sweep-width"]["calibrated"] == [] == rows["sweep-width"]["calibrated_quantities"]
    assert not any(r["sourced"] for r in rows.values() if r["calibrated"])  # priors: assumptions


def test_no_other_builtin_factor_is_calibrated() -> None:
    assert not any(r["calibrated"] for r in _rows("tajik-afghan-2015", "quantity"))


def test_table_and_report_mark_calibrated_factors(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows("tajik-afghan-2008", "evidence")
    monkeypatch.setattr(common.console, "_width", 200)
    with common.console.capture() as cap:
        print_sensitivity("morris", "drug_traffickers:true_rate", "tajik-only", rows, 0.0)
    out = cap.get()
    assert out.count("calibrated (assumed)") == 2  # seizure-per-group, resisting-groups
    assert "calibrated 1 of 2 (assumed)" in out  # covert-rates: the traffickers' rate only
    kinds = {f["name"]: f["kind"] for f in sensitivity_data(rows, None)["factors"]}
    assert kinds["seizure-per-group"] == kinds["covert-rates"] == "calibrated"
    assert kinds["sweep-width"] == "assumed"
