"""Robust comparison: which policy holds up across what the sources leave open, and when it fails.

:func:`robust` draws ``N`` points of the uncertain inputs (Latin hypercube over the ledger's ranges),
runs every policy on every draw with common random numbers inside the draw, and summarises the
policy × draw matrix: per policy and metric the mean and spread over draws and the regret (gap to
the best policy of the draw: mean, 90th percentile, maximum), the satisficing share (draws meeting
every threshold), how often each conditional lever acted, and PRIM boxes saying in which part of
the input space the favoured policy (or a chosen one) fails its thresholds.

Without a threshold, the study states one: ``breaches<=Q`` with ``Q`` the median of breaches over
every policy and draw (``defender_losses`` when that median is 0, ``undetected`` for a scenario
without armed actors), i.e. "worse than typical", so that a favoured policy and its failure region
can always be named; the summary marks it ``"default_threshold": true``.

The draws come from the ledger's ranges, or with ``posterior`` (a ``bordersim calibrate`` directory)
or ``uncertainty="posterior"`` (a built-in scenario's shipped calibration) the calibrated quantities
are drawn jointly from the posterior and the others from the prior
(:mod:`bordersim.experiments.posterior`); the summary then names the calibration.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bordersim.api.scenarios import Scenario, ScenarioLike, as_scenario, parse_date
from bordersim.api.uncertainty import Uncertainty, UncertaintyError, draw_source
from bordersim.experiments.compare import METRIC_INFO
from bordersim.experiments.levers import LEVERS, lever_notes
from bordersim.experiments.robust import (
    RobustError,
    Threshold,
    favoured_policy,
    parse_threshold,
    prim_boxes,
    regret_table,
    satisficing,
)
from bordersim.model.compile import CompileError, compile_scenario

if TYPE_CHECKING:  # imported where used: xarray and the engine are slow to import
    import xarray as xr

__all__ = ["RobustError", "RobustStudy", "robust"]

#: Fewer failing draws than this and a PRIM box is a description of a handful of points.
MIN_FAILURES = 10
ARMED_METRICS = ("breaches", "defender_losses", "first_reinforcement_hours")


@dataclass(frozen=True)
class RobustStudy:
    """A robustness study: the policy × draw matrix and what it says. Get one with :func:`robust`.

    Attributes:
        dataset: dims ``policy`` × ``draw``: every metric's mean over the draw's replications (with
            ``<metric>_se``), ``lever_<key>`` activity shares, ``factor_value`` (draw × factor).
        thresholds: the satisficing thresholds (the stated default when the caller gave none).
        default_threshold: whether ``thresholds`` is the stated default.
        prim_policy: the policy whose failures PRIM explains.
        favoured: the highest satisficing share, ties broken by the lowest mean regret.
        escalation: per policy, its escalation mode (``never`` policies ask no one for help).
    """

    dataset: xr.Dataset
    thresholds: tuple[Threshold, ...]
    default_threshold: bool
    prim_policy: str
    favoured: str
    escalation: dict[str, str]
    command: tuple[str, ...] | None = None

    @property
    def policies(self) -> list[str]:
        return [str(p) for p in self.dataset["policy"].values]

    def lever_activity(self) -> dict[str, dict[str, float]]:
        """Per policy and lever: the mean over draws of the share of replications it acted in."""
        ds = self.dataset
        out: dict[str, dict[str, float]] = {}
        for k, p in enumerate(self.policies):
            out[p] = {
                key: float(np.nanmean(ds[f"lever_{key}"].values[k]))
                for key in LEVERS
                if f"lever_{key}" in ds.data_vars
            }
        return out

    def lever_notes(self) -> list[str]:
        """Sentences for the policies whose conditional levers did not always act."""
        acts = {
            p: {"escalation": self.escalation[p],
                "levers": {k: {"share": v} for k, v in levers.items()}}
            for p, levers in self.lever_activity().items()
        }  # fmt: skip
        return lever_notes(acts)

    def boxes(self) -> dict[str, Any]:
        """PRIM boxes of the draws in which ``prim_policy`` fails any threshold."""
        ds = self.dataset
        k = self.policies.index(self.prim_policy)
        met = np.ones(ds.sizes["draw"], dtype=bool)
        for t in self.thresholds:
            met &= t.met(np.asarray(ds[t.metric].values[k], dtype=float))
        failing = ~met
        names = factor_labels(ds)
        found = prim_boxes(np.asarray(ds["factor_value"].values), names, failing)
        text = " and ".join(str(t) for t in self.thresholds)
        few = int(failing.sum()) < MIN_FAILURES
        return {
            "policy": self.prim_policy,
            "fails": text,
            "failing_draws": int(failing.sum()),
            "draws": int(failing.size),
            "caution": (
                f"only {int(failing.sum())} failing draws: a box describes them, it is no "
                "finding; run more draws or set a stricter --threshold"
                if few
                else None
            ),
            "boxes": [
                {**b.as_dict(), "sentence": b.describe(self.prim_policy, text)} for b in found
            ],
        }

    def summary(self) -> dict[str, Any]:
        """The dict ``bordersim robust --json`` prints (NaN as ``None``, floats rounded)."""
        from bordersim.engine.results import clean_for_json  # engine imports xarray: lazy

        ds = self.dataset
        table = regret_table(ds)
        sat = satisficing(ds, self.thresholds)
        report: dict[str, Any] = {
            "scenario": ds.attrs["scenario"],
            "seed": int(ds.attrs["seed"]),
            "replications": int(ds.attrs["replications"]),
            "draws": int(ds.sizes["draw"]),
            "input_source": ds.attrs["input_source"],
            "factors": [str(f) for f in ds["factor"].values],
            "policies": self.policies,
            "thresholds": [str(t) for t in self.thresholds],
            "default_threshold": self.default_threshold,
            "favoured": self.favoured,
            "regret": table,
            "satisficing": sat,
            "lever_activity": self.lever_activity(),
            "lever_notes": self.lever_notes(),
            "boxes": self.boxes(),
            "draw_values": {
                t.metric: {
                    p: [float(x) for x in ds[t.metric].values[k]]
                    for k, p in enumerate(self.policies)
                }
                for t in self.thresholds
            },
        }
        if self.command is not None:
            report["command"] = list(self.command)
        if "posterior" in ds.attrs:  # only for posterior draws, so prior summaries keep their keys
            report["posterior"] = json.loads(ds.attrs["posterior"])
        data: dict[str, Any] = json.loads(json.dumps(clean_for_json(report), sort_keys=True))
        return data

    def write(self, out: str | Path) -> Path:
        """Write ``robust.zarr`` (the labelled policy × draw matrix) and ``robust.json`` (the
        summary) into the folder ``out``; returns the folder."""
        from bordersim.experiments.store import write_json  # imports xarray: lazy

        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        # Zarr format 2, as the run folder and the sweep store: its string coordinates are stable.
        self.dataset.to_zarr(folder / "robust.zarr", mode="w", consolidated=True, zarr_format=2)
        write_json(folder / "robust.json", self.summary())
        return folder


def factor_labels(ds: xr.Dataset) -> list[str]:
    """Factor names for PRIM's sentences: a ledger group's factor is the shared quantile of its
    quantities' ranges (0 = every low end, 1 = every high end), and says so."""
    names = [str(f) for f in ds["factor"].values]
    if "factor_kind" not in ds.coords:
        return names
    kinds = [str(k) for k in ds["factor_kind"].values]
    return [f"{n} (quantile)" if k == "evidence" else n for n, k in zip(names, kinds, strict=True)]


def default_thresholds(ds: xr.Dataset) -> tuple[Threshold, ...]:
    """``METRIC<=median`` over every policy and draw: breaches; defender losses when the median
    of breaches is 0 (breaches are rare, and "no breach in any replication" leaves a good policy
    a handful of failing draws, too few for PRIM); undetected got-aways without armed actors."""
    for metric in ("breaches", "defender_losses", "undetected"):
        if metric not in ds.data_vars:
            continue
        median = float(np.nanmedian(np.asarray(ds[metric].values, dtype=float)))
        if median > 0 or metric == "undetected":
            return (Threshold(metric, "<=", median),)
    raise RobustError("no metric to set a default threshold on; give --threshold")


def check_policies(sc: Scenario, policies: Sequence[str]) -> dict[str, str]:
    """Each policy's escalation mode; ``RobustError`` for fewer than two policies, a repeated one
    or one the scenario lacks."""
    if len(policies) < 2:
        raise RobustError("give at least two --policy options to compare")
    if len(set(policies)) != len(policies):
        raise RobustError("each --policy may appear only once")
    modes: dict[str, str] = {}
    for p in policies:
        try:
            compiled = compile_scenario(sc.model, policy=p, days=1)
        except CompileError as exc:
            raise RobustError(f"--policy {p!r}: {exc}") from None
        modes[p] = str(compiled.escalation.get("mode", "never"))
    return modes


def robust(
    scenario: ScenarioLike,
    policies: Sequence[str],
    *,
    draws: int = 64,
    replications: int = 100,
    days: int | None = None,
    start: dt.date | str | None = None,
    seed: int = 2021,
    thresholds: Sequence[str | Threshold] = (),
    prim_policy: str | None = None,
    posterior: str | Path | None = None,
    uncertainty: Uncertainty | None = None,
    workers: int = 1,
    command: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> RobustStudy:
    """Every policy on the same ``draws`` draws of the uncertain inputs (CRN within a draw).

    ``thresholds`` as ``"breaches<=0.5"`` text or :class:`Threshold`; ``workers`` > 1 runs draws
    in local processes (identical numbers). Raises :class:`RobustError` for a user error (a
    malformed threshold, an unknown metric or policy, fewer than two policies, a posterior that
    cannot be drawn from).

    Example:
        >>> import bordersim as bs
        >>> st = bs.robust("tajik-afghan-2021", ["tajik-only", "csto-on-call"], draws=4,
        ...                replications=10, days=10)  # doctest: +SKIP
        >>> st.summary()["favoured"]  # doctest: +SKIP
        'tajik-only'
    """
    from bordersim.experiments.executors import make_backend  # the engine: lazy for start-up
    from bordersim.experiments.uncertainty import evaluate_draws

    sc = as_scenario(scenario)
    try:
        source = draw_source(uncertainty, posterior, sc.model)
    except UncertaintyError as exc:
        raise RobustError(str(exc)) from None
    names = list(policies)
    modes = check_policies(sc, names)
    parsed = tuple(t if isinstance(t, Threshold) else parse_threshold(t) for t in thresholds)
    if prim_policy is not None and prim_policy not in names:
        raise RobustError(f"--prim-policy {prim_policy!r} is not one of the --policy options")
    armed = bool(compile_scenario(sc.model, policy=names[0], days=1).armed_ids)
    for t in parsed:
        if t.metric in ARMED_METRICS and not armed:
            raise RobustError(
                f"--threshold {t}: the scenario has no armed actors, so no {t.metric}"
            )
    if draws < 2 or replications < 2:
        raise RobustError("--draws and --replications must each be at least 2")
    inputs = source(sc.model, draws, seed)
    backend = make_backend(workers)
    try:
        ds = evaluate_draws(
            sc.model, names, inputs, replications=replications, seed=seed, days=days,
            start=parse_date(start, "start"), progress=progress, backend=backend,
        )  # fmt: skip
    finally:
        backend.close()
    if inputs.provenance is not None:  # JSON text: a store attribute holds flat values
        ds.attrs["posterior"] = json.dumps(inputs.provenance, sort_keys=True)
    chosen = parsed or default_thresholds(ds)
    metric = chosen[0].metric if chosen[0].metric in METRIC_INFO else "undetected"
    favoured = favoured_policy(ds, chosen, metric)
    return RobustStudy(
        ds, chosen, not parsed, prim_policy or favoured, favoured, modes,
        None if command is None else tuple(command),
    )  # fmt: skip
