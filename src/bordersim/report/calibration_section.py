"""The report's calibration section, and the headline's input interval re-estimated over a posterior.

A run drawn with ``--uncertainty posterior`` names its calibration in ``summary.json``
(``input_uncertainty.posterior``); ``bordersim report --posterior DIR`` names one for any run. The
section then shows what that calibration learnt, from its ``summary.json``: per free quantity the
prior and posterior 5-95% (a posterior only where the observations pin the quantity down alone),
the combinations they pin down instead, and per observation the observed value against the posterior
predictive, flagged where it falls outside, or where the model cannot produce it at all.

``report --posterior DIR`` on a run made with the prior also re-estimates the headline's input
interval over the posterior (the run's own draws, replications per draw and seed; the nominal
figures and the simulation-noise intervals are the run's): the run directory's files are not
changed, and the page says the interval was re-estimated for it.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bordersim.experiments.intervals import hold_fixed, input_uncertainty
from bordersim.experiments.posterior import (
    PosteriorError,
    load_posterior,
    posterior_inputs,
    shipped_calibration,
)
from bordersim.report.formatting import MISSING, fmt_number
from bordersim.report.run_data import ReportError, RunData
from bordersim.report.uncertainty_text import observation_verdict, quantile_span

__all__ = ["calibration_data", "calibration_dir", "drew_from", "reestimated_summary"]

#: Draws and replications per draw when the run recorded none (the CLI's defaults).
DEFAULT_DRAWS, DEFAULT_PER_DRAW = 32, 20


def calibration_dir(run: RunData, posterior: Path | None) -> Path | None:
    """The calibration the page shows: ``posterior`` when given, else the one the run drew from
    (``None`` when it drew from the prior, or its directory is gone)."""
    if posterior is not None:
        return Path(posterior)
    post = (run.summary.get("input_uncertainty") or {}).get("posterior")
    if not isinstance(post, Mapping):
        return None
    if post.get("shipped"):
        return shipped_calibration(str(post.get("calibration")))
    path = Path(str(post.get("calibration")))
    return path if path.is_dir() else None


def drew_from(run: RunData, directory: Path) -> bool:
    """Whether the run's input interval was drawn from the posterior in ``directory`` (the same
    posterior.csv, by its checksum)."""
    post = (run.summary.get("input_uncertainty") or {}).get("posterior")
    if not isinstance(post, Mapping) or not post.get("posterior_sha256"):
        return False
    try:
        mine = load_posterior(run.scenario, directory).provenance()["posterior_sha256"]
    except PosteriorError as exc:
        raise ReportError(str(exc)) from None
    return bool(mine == post["posterior_sha256"])


def _observed(o: Mapping[str, Any]) -> str:
    v = o.get("observed") or {}
    if "value" in v:
        return fmt_number(float(v["value"]))
    return f"{fmt_number(float(v['low']))}–{fmt_number(float(v['high']))}"


def _verdict(o: Mapping[str, Any]) -> str:
    """The shared verdict, with the model's range where the observation is out of its reach."""
    un = o.get("unreachable")
    if not isinstance(un, Mapping) or not un.get("model_range"):
        return observation_verdict(o)
    lo, hi = un["model_range"]
    return f"{observation_verdict(o)} (the model gives {fmt_number(lo)}–{fmt_number(hi)})"


def calibration_data(directory: Path) -> dict[str, Any]:
    """The section's values from a calibration directory's ``summary.json``.

    Raises:
        ReportError: the directory has no readable summary."""
    path = Path(directory) / "summary.json"
    try:
        s = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: not a readable calibration summary ({exc})") from None
    words = {True: "alone", "as a combination": "only as a combination", False: "no"}
    params = [
        [
            name,
            quantile_span(p.get("prior")),
            quantile_span(p.get("posterior")) if p.get("identified") is True else MISSING,
            words.get(p.get("identified"), str(p.get("identified"))),
        ]
        for name, p in sorted(s.get("parameters", {}).items())
    ]
    pinned = [r for r in params if r[3] != "no"]
    combos = [
        {
            "expression": c["expression"],
            "prior": quantile_span(c.get("prior")),
            "posterior": quantile_span(c.get("posterior")),
            "ratio": fmt_number(float(c.get("posterior_sd_over_prior", float("nan")))),
        }
        for c in s.get("combinations", [])
    ]
    obs = [
        [
            oid,
            _observed(o),
            quantile_span(o.get("predicted")),
            fmt_number(float((o.get("predicted") or {}).get("p50", float("nan")))),
            str((o.get("predicted") or {}).get("by", "")),
            _verdict(o),
        ]
        for oid, o in sorted(s.get("observations", {}).items())
    ]
    return {
        "directory": str(directory),
        "scenario": s.get("scenario", ""),
        "method": s.get("method", ""),
        "samples": s.get("samples"),
        "seed": s.get("seed"),
        "free": len(params),
        "pinned": len(pinned),
        "params": {
            "head": ("quantity", "prior 5–95%", "posterior 5–95%", "pinned down"),
            "rows": pinned,
            "cls": "compact",
        },
        "unpinned": [r[0] for r in params if r[3] == "no"],
        "combinations": combos,
        "observations": {
            "head": ("observation", "observed", "predicted 5–95%", "median", "by", "verdict"),
            "rows": obs,
            "cls": "compact",
        },
        "skipped": [
            f"{x[0]}: {x[1]}" if isinstance(x, list) else str(x) for x in s.get("skipped", [])
        ],
    }


def reestimated_summary(run: RunData, directory: Path) -> dict[str, Any]:
    """A copy of the run's summary whose headline input intervals (and their top factors) are
    re-estimated over posterior draws from ``directory``: the run's draws, replications per draw,
    seed, policy, period and ``--set`` values.

    Raises:
        ReportError: a posterior that cannot serve this run's scenario."""
    try:
        post = load_posterior(run.scenario, directory)
    except PosteriorError as exc:
        raise ReportError(str(exc)) from None
    summary = copy.deepcopy(run.summary)
    desc = summary.get("input_uncertainty") or {}
    draws = int(desc.get("draws") or DEFAULT_DRAWS)
    per_draw = int(desc.get("replications_per_draw") or DEFAULT_PER_DRAW)
    seed = int(run.manifest["seed"])
    inputs = hold_fixed(
        posterior_inputs(run.scenario, post, draws, seed=seed),
        {str(k): float(v) for k, v in (run.manifest.get("overrides") or {}).items()},
    )
    policy = run.manifest.get("policy") or None
    unc = input_uncertainty(
        run.scenario, None if policy == "baseline" else policy, inputs,
        replications=per_draw, seed=seed, days=int(run.manifest["days"]),
        start=dt.date.fromisoformat(str(run.manifest["start"])),
    )  # fmt: skip
    for e in summary.get("headline") or []:
        key = f"{e['section']}:{e['actor']}:{e['metric']}"
        if key in unc.keys:
            iv = unc.interval(key)
            e["input_interval"] = None if iv is None else list(iv)
            e["top_factors"] = [{"factor": f, "rho2": r} for f, r in unc.top_factors(key)]
        else:
            e["input_interval"], e["top_factors"] = None, []
    summary["input_uncertainty"] = {**unc.describe(), "reestimated_by_report": True}
    return summary
