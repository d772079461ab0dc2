"""Results of a simulation: labelled arrays, summaries with confidence intervals, and storage.

Summaries use replications as independent observations. Counts: mean and a normal 95% CI from the
standard error across replications. Rates (true and observed interdiction) are ratio estimators
sum(numerator)/sum(denominator) over replications with a delta-method CI, which stays well defined when
single replications see few attempts; the gap between the two rates uses the same linearisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from bordersim.engine.incursions import IncursionOutcome
from bordersim.engine.observables import conflict_events
from bordersim.engine.rundir import clean_json, dumps_json
from bordersim.model.codes import Side
from bordersim.model.compile import Compiled
from bordersim.model.metrics import COVERT_METRICS, cf_attrs
from bordersim.model.outcomes import (
    DETECTED_GOT_AWAY,
    INTERDICTED,
    OUTCOMES,
    TURNED_BACK,
    UNDETECTED_GOT_AWAY,
)
from bordersim.model.seizures import conflict_share

if TYPE_CHECKING:
    import xarray as xr

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    mean: float
    lo: float
    hi: float
    se: float

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "lo": self.lo, "hi": self.hi, "se": self.se}


def mean_ci(x: NDArray[np.float64]) -> Estimate:
    """Mean of per-replication values with a normal 95% CI."""
    x = np.asarray(x, dtype=float)
    n = x.size
    m = float(x.mean()) if n else float("nan")
    se = float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return Estimate(m, m - Z95 * se, m + Z95 * se, se)


def ratio_ci(num: NDArray[np.float64], den: NDArray[np.float64]) -> Estimate:
    """Ratio estimator sum(num)/sum(den) with a delta-method 95% CI (nan when den is all zero)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    n = num.size
    dbar = den.mean() if n else 0.0
    if dbar <= 0:
        return Estimate(float("nan"), float("nan"), float("nan"), float("nan"))
    r = float(num.sum() / den.sum())
    infl = (num - r * den) / dbar
    se = float(infl.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return Estimate(r, r - Z95 * se, r + Z95 * se, se)


def gap_ci(
    num1: NDArray[np.float64],
    den1: NDArray[np.float64],
    num2: NDArray[np.float64],
    den2: NDArray[np.float64],
) -> Estimate:
    """(sum num1/sum den1) - (sum num2/sum den2), delta-method CI from the joint linearisation."""
    n = np.asarray(num1).size
    d1, d2 = float(np.mean(den1)), float(np.mean(den2))
    if d1 <= 0 or d2 <= 0:
        return Estimate(float("nan"), float("nan"), float("nan"), float("nan"))
    r1, r2 = float(np.sum(num1) / np.sum(den1)), float(np.sum(num2) / np.sum(den2))
    infl = (np.asarray(num1) - r1 * np.asarray(den1)) / d1 - (
        np.asarray(num2) - r2 * np.asarray(den2)
    ) / d2
    se = float(np.std(infl, ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    g = r1 - r2
    return Estimate(g, g - Z95 * se, g + Z95 * se, se)


METRICS: tuple[str, ...] = tuple(m.name for m in COVERT_METRICS)


def covert_metrics(counts: NDArray[np.int64]) -> dict[str, Estimate]:
    """Metrics of per-replication outcome counts (reps, 4): the table's columns."""
    c = counts.astype(float)
    attempts = c.sum(axis=1)
    seen = c[:, INTERDICTED] + c[:, TURNED_BACK]
    detected = seen + c[:, DETECTED_GOT_AWAY]
    return {
        "attempts": mean_ci(attempts),
        "interdicted": mean_ci(c[:, INTERDICTED]),
        "turned_back": mean_ci(c[:, TURNED_BACK]),
        "detected_got_away": mean_ci(c[:, DETECTED_GOT_AWAY]),
        "undetected_got_away": mean_ci(c[:, UNDETECTED_GOT_AWAY]),
        "true_rate": ratio_ci(c[:, INTERDICTED], attempts),
        "observed_rate": ratio_ci(seen, detected),
        "rate_gap": gap_ci(seen, detected, c[:, INTERDICTED], attempts),
    }


@dataclass(frozen=True)
class Results:
    """What a simulation produced, with its provenance."""

    compiled: Compiled
    seed: int
    replications: int
    rep_start: int
    days: int
    covert_totals: NDArray[np.int64]  # (R, S, Ac, 4)
    covert_daily: NDArray[np.int32] | None  # (R, T, S, Ac, 4) in daily mode (lazy when streamed)
    daily_sum: NDArray[np.float64]  # (T, Ac, 4) sums over replications (and sectors)
    daily_sq: NDArray[np.float64]  # (T, Ac, 4) sums of squares over replications
    flee_arrived: NDArray[np.int64]  # (R, P)
    flee_received: NDArray[np.int64]  # (R, P)
    flee_waiting: NDArray[np.int64]  # (R, P) still waiting at the end
    flee_longest: NDArray[np.int64]  # (R, P) longest wait in days
    flee_daily: NDArray[np.float64]  # (T, P, 3) sums over replications: arrived, received, waiting
    scenario_hash: str
    version: str
    incursions: IncursionOutcome | None = None
    degraded_days: NDArray[np.int32] | None = None  # (R, S) sector-days with lowered detection
    covert_clashes: NDArray[np.int64] | None = None  # (R, S, Ac) interdicted groups that resisted

    # ---- summaries -------------------------------------------------------------------------------
    def summary_rows(self) -> list[dict[str, Any]]:
        """One row per actor x sector group (and 'all'), with each metric's mean and 95% CI."""
        c = self.compiled
        groups = list(dict.fromkeys(c.sector_groups))
        gidx = np.array([groups.index(g) for g in c.sector_groups])
        rows = []
        for a, actor in enumerate(c.covert_ids):
            for g, name in [*enumerate(groups), (-1, "all")]:
                mask = gidx == g if g >= 0 else np.ones_like(gidx, dtype=bool)
                counts = self.covert_totals[:, mask, a, :].sum(axis=1)
                est = covert_metrics(counts)
                est.update(self._yield_estimates(a, mask))
                row: dict[str, Any] = {"actor": actor, "group": name}
                for k, e in est.items():
                    row[k] = e.mean
                    row[f"{k}_lo"] = e.lo
                    row[f"{k}_hi"] = e.hi
                rows.append(row)
        return rows

    def _yield_estimates(self, a: int, mask: NDArray[np.bool_]) -> dict[str, Estimate]:
        """kg seized, armed clashes and clash deaths of covert actor ``a`` over the sectors in
        ``mask``, for an actor the scenario gives them (none otherwise)."""
        cy = self.compiled.covert_yield
        out: dict[str, Estimate] = {}
        if cy.has_seizure[a]:
            interdicted = self.covert_totals[:, mask, a, INTERDICTED].sum(axis=1).astype(float)
            out["seized_kg"] = mean_ci(interdicted * cy.kg_per_group[a])
        if cy.has_clash[a] and self.covert_clashes is not None:
            clashes = self.covert_clashes[:, mask, a].sum(axis=1).astype(float)
            out["armed_clashes"] = mean_ci(clashes)
            out["clash_deaths"] = mean_ci(clashes * cy.deaths_per_clash[a])
        return out

    def conflict_summary(self) -> dict[str, float]:
        """Share of the border's sectors that saw an armed clash or incursion in the period."""
        e = mean_ci(conflict_share(conflict_events(self)))
        return {"sector_share": e.mean, "sector_share_lo": e.lo, "sector_share_hi": e.hi}

    def fleeing_rows(self) -> list[dict[str, Any]]:
        """People fleeing per reception crossing: arrived, received, waiting at the end, longest wait."""
        c = self.compiled
        rows: list[dict[str, Any]] = []
        if not c.fleeing_ids:
            return rows
        for p, cid in enumerate(c.crossing_ids):
            if self.flee_arrived[:, p].sum() == 0:
                continue
            row: dict[str, Any] = {"crossing": cid}
            for key, arr in (
                ("arrived", self.flee_arrived[:, p]),
                ("received", self.flee_received[:, p]),
                ("waiting", self.flee_waiting[:, p]),
                ("longest_wait_days", self.flee_longest[:, p]),
            ):
                e = mean_ci(arr.astype(float))
                row[key], row[f"{key}_lo"], row[f"{key}_hi"] = e.mean, e.lo, e.hi
            rows.append(row)
        return rows

    def incursion_rows(self) -> list[dict[str, Any]]:
        """Armed incursions per armed actor (and 'all' when there are several): per-replication
        counts and losses (mean [95% CI]); time to first reinforcement is the mean over
        engagements that had one (ratio estimator, delta-method CI)."""
        inc = self.incursions
        c = self.compiled
        if inc is None or not c.armed_ids:
            return []
        targets: list[tuple[str, slice | int]] = [(a, i) for i, a in enumerate(c.armed_ids)]
        if len(c.armed_ids) > 1:
            targets.append(("all", slice(None)))
        rows: list[dict[str, Any]] = []
        for name, idx in targets:

            def pick(x: NDArray[Any], idx: slice | int = idx) -> NDArray[np.float64]:
                v = np.asarray(x[:, idx], dtype=float)
                return v if v.ndim == 1 else v.sum(axis=1)

            est = {
                "engagements": mean_ci(pick(inc.engagements)),
                "breaches": mean_ci(pick(inc.breaches)),
                "repelled": mean_ci(pick(inc.repelled)),
                "undecided": mean_ci(pick(inc.undecided)),
                "defender_losses": mean_ci(pick(inc.defender_losses)),
                "attacker_losses": mean_ci(pick(inc.attacker_losses)),
                "breach_share": ratio_ci(pick(inc.breaches), pick(inc.engagements)),
                "first_reinforcement_hours": ratio_ci(
                    pick(inc.first_reinf_hours_sum), pick(inc.first_reinf_count)
                ),
            }
            row: dict[str, Any] = {"actor": name}
            for k, e in est.items():
                row[k], row[f"{k}_lo"], row[f"{k}_hi"] = e.mean, e.lo, e.hi
            rows.append(row)
        return rows

    def escalation_summary(self) -> dict[str, Any]:
        """The escalation lever and when help was requested: share of replications with a request
        and the mean request day among them (day 0 = the first day of the run)."""
        c = self.compiled
        out: dict[str, Any] = {"mode": c.escalation.get("mode", "never")}
        if self.incursions is None:
            return out
        req = self.incursions.request_day
        asked = np.isfinite(req) & (req < self.days)
        out["requested_share"] = float(asked.mean())
        out["request_day_mean"] = float(req[asked].mean()) if asked.any() else float("nan")
        return out

    def cost_summary(self) -> dict[str, float]:
        """Personnel-days by side and cost (deterministic given the compiled phases); cost per
        interdiction is the ratio of means (the period's cost over the mean interdictions, as
        ``compare`` computes it) with its delta-method 95% CI."""
        c = self.compiled
        idx = c.phase_index()[: self.days]
        personnel = np.array([c.phases[i].personnel for i in idx]).sum(axis=0)
        cost = float(sum(c.phases[i].cost_rub_per_day for i in idx)) + c.aid_cost_rub_per_day * len(
            idx
        )
        interdicted = self.covert_totals[..., INTERDICTED].sum(axis=(1, 2)).astype(float)
        mean_int = float(interdicted.mean())
        per = ratio_ci(np.full(interdicted.size, cost), interdicted)
        return {
            "personnel_days_TJ": float(personnel[Side.TJ]),
            "personnel_days_RU": float(personnel[Side.RU]),
            "personnel_days_CSTO": float(personnel[Side.CSTO]),
            "cost_rub": cost,
            "cost_per_interdiction_rub": cost / mean_int if mean_int > 0 else float("nan"),
            "cost_per_interdiction_rub_lo": per.lo,
            "cost_per_interdiction_rub_hi": per.hi,
        }

    def provenance(self) -> dict[str, Any]:
        c = self.compiled
        return {
            "scenario": c.scenario_id,
            "policy": c.policy,
            "start": c.start.isoformat(),
            "days": self.days,
            "replications": self.replications,
            "seed": self.seed,
            "scenario_hash": self.scenario_hash,
            "bordersim_version": self.version,
        }

    def summary(self) -> dict[str, Any]:
        """Everything the `run` command prints, as plain JSON-able data."""
        return {
            **self.provenance(),
            "covert": self.summary_rows(),
            "fleeing": self.fleeing_rows(),
            "costs": self.cost_summary(),
            **(
                {"conflict": self.conflict_summary()}
                if self.compiled.armed_ids or self.compiled.covert_yield.has_clash.any()
                else {}
            ),
            **(
                {
                    "incursions": self.incursion_rows(),
                    "escalation": self.escalation_summary(),
                }
                if self.compiled.armed_ids
                else {}
            ),
        }

    def summary_json(self) -> str:
        return dumps_json(self.summary())

    # ---- labelled arrays -------------------------------------------------------------------------
    def to_xarray(self) -> xr.Dataset:
        """The results as an xarray Dataset with named dimensions and provenance in attrs."""
        c = self.compiled
        reps = np.arange(self.rep_start, self.rep_start + self.replications)
        dates = np.array(
            [np.datetime64(c.start) + np.timedelta64(d, "D") for d in range(self.days)]
        )
        coords: dict[str, Any] = {
            "replication": reps,
            "sector": list(c.sector_ids),
            "actor": list(c.covert_ids),
            "outcome": list(OUTCOMES),
            "crossing": list(c.crossing_ids),
            "day": dates,
            "sector_group": ("sector", list(c.sector_groups)),
            "length_km": ("sector", c.length_km),
        }
        data: dict[str, Any] = {
            "covert": (("replication", "sector", "actor", "outcome"), self.covert_totals),
            "daily_mean": (("day", "actor", "outcome"), self.daily_sum / self.replications),
            "daily_sd": (
                ("day", "actor", "outcome"),
                np.sqrt(
                    np.maximum(
                        self.daily_sq / self.replications
                        - (self.daily_sum / self.replications) ** 2,
                        0.0,
                    )
                ),
            ),
            "flee_arrived": (("replication", "crossing"), self.flee_arrived),
            "flee_received": (("replication", "crossing"), self.flee_received),
            "flee_waiting": (("replication", "crossing"), self.flee_waiting),
            "flee_longest_wait": (("replication", "crossing"), self.flee_longest),
            "flee_daily_mean": (
                ("day", "crossing", "flee_quantity"),
                self.flee_daily / self.replications,
            ),
        }
        coords["flee_quantity"] = ["arrived", "received", "waiting"]
        if self.covert_daily is not None:
            data["covert_daily"] = (
                ("replication", "day", "sector", "actor", "outcome"),
                self.covert_daily,
            )
        inc = self.incursions
        if inc is not None and c.armed_ids:
            coords["armed_actor"] = list(c.armed_ids)
            dims = ("replication", "armed_actor")
            for key in (
                "engagements",
                "breaches",
                "repelled",
                "undecided",
                "defender_losses",
                "attacker_losses",
                "first_reinf_hours_sum",
                "first_reinf_count",
            ):
                data[f"incursion_{key}"] = (dims, getattr(inc, key))
            # "never requested" is NaN in the store (inf in memory, where it orders comparisons)
            req = np.where(np.isfinite(inc.request_day), inc.request_day, np.nan)
            data["request_day"] = (("replication",), req)
            coords["incursion_quantity"] = ["engagements", "breaches"]
            data["incursion_daily_mean"] = (
                ("day", "incursion_quantity"),
                inc.daily_sum / self.replications,
            )
            if inc.daily is not None:
                data["incursion_daily"] = (
                    ("replication", "day", "sector", "incursion_quantity"),
                    inc.daily,
                )
        if self.covert_clashes is not None and c.covert_yield.has_clash.any():
            data["covert_clashes"] = (("replication", "sector", "actor"), self.covert_clashes)
        if self.degraded_days is not None:
            data["degraded_days"] = (("replication", "sector"), self.degraded_days)
        attrs = {k: (v if v is not None else "") for k, v in self.provenance().items()}
        import xarray as xr  # heavy (pandas too): only a run that writes its results needs it

        ds = xr.Dataset(data, coords=coords, attrs=attrs)
        for name, var in ds.variables.items():
            var.attrs.update(cf_attrs(str(name)))
        return ds


#: The public name of the JSON cleaner (rounds floats to 10 digits, NaN -> null) for other layers;
#: the one cleaner lives in :mod:`bordersim.engine.rundir`.
clean_for_json = clean_json
