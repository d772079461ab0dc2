"""What calibration holds each observation against: the model's closed-form mean and variance.

An observation of a scenario period (kg seized, armed clashes, interdictions, engagements, the
conflict share) is computed from the compiled phases: expected outcome counts over the period
(:func:`bordersim.model.seizures.expected_outcomes`: rate x sector choice x outcome probabilities,
summed over days), then the metric's formula (kg = interdicted x kg/group, clashes = interdicted x
P(resist), the share of sectors with an event = mean over sectors of 1 - exp(-expected events)). The
closed form leaves out what only the simulation has (a breach lowering detection, per-replication
escalation, adaptive choice); the posterior predictive, simulated through the engine, checks it.

A single fight observed on its own (the 12th outpost) is held against the engagement model's closed
form (:func:`bordersim.model.engagement.resolve_engagements`), over the observed range of attackers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bordersim.experiments.calibration_space import Emulator, Prior, Standardiser
from bordersim.model.compile import Compiled, compile_scenario, with_overrides
from bordersim.model.engagement import BREACH, resolve_engagements
from bordersim.model.seizures import expected_outcomes
from bordersim.scenario.observations import Observation
from bordersim.scenario.schema import Scenario

__all__ = [
    "CLOSED_FORM_METRICS",
    "ENGAGEMENT_PARAMS",
    "REPORTING_ERROR",
    "Target",
    "compiled_for",
    "engagement_moments",
    "loglik_terms",
    "period_moments",
    "targets_of",
]

FloatArray = NDArray[np.float64]

#: Metrics of a scenario period with a closed form here (others are refused with the reason).
CLOSED_FORM_METRICS = (
    "attempts",
    "interdicted",
    "seized_kg",
    "armed_clashes",
    "clash_deaths",
    "engagements",
    "conflict_sector_share",
)
#: Reporting error of an observed figure, as a fraction of the model's mean (sd).
REPORTING_ERROR = 0.1
#: Attacker strengths at which a single fight's range is evaluated (evenly over low..high).
ATTACKER_POINTS = 5


@dataclass(frozen=True)
class Target:
    """One observation calibration uses: which model output, over which period and sectors."""

    obs: Observation
    start: object  # dt.date or None (the scenario's period)
    days: int | None

    @property
    def id(self) -> str:
        return self.obs.id

    @property
    def is_engagement(self) -> bool:
        return self.obs.engagement is not None

    @property
    def is_share(self) -> bool:
        return self.obs.metric.endswith("_share")


def targets_of(observations: tuple[Observation, ...]) -> tuple[list[Target], list[tuple[str, str]]]:
    """The observations calibration can use, and (id, reason) for those it cannot."""
    ok: list[Target] = []
    skipped: list[tuple[str, str]] = []
    for o in observations:
        if o.engagement is None and o.metric not in CLOSED_FORM_METRICS:
            skipped.append((o.id, f"no closed form for {o.metric} over a period"))
            continue
        ok.append(Target(o, o.start, o.days))
    return ok, skipped


def _mask(c: Compiled, o: Observation) -> NDArray[np.bool_]:
    if o.sectors:
        return np.array([s in o.sectors for s in c.sector_ids], dtype=bool)
    if o.group is None or o.group == "all":
        return np.ones(c.n_sectors, dtype=bool)
    return np.array([g == o.group for g in c.sector_groups], dtype=bool)


def _phase_days(c: Compiled) -> FloatArray:
    starts = [p.start_day for p in c.phases]
    return np.diff(np.array([*starts, c.days], dtype=float))


def period_moments(c: Compiled, o: Observation) -> tuple[float, float]:
    """(mean, variance) of ``o``'s metric over compiled period ``c`` in closed form (see the module
    docstring). Counts are Poisson given the rates; kg seized are kg/group x Poisson."""
    ph = c.phases
    days = _phase_days(c)
    exp = expected_outcomes(
        np.array([p.covert_rate for p in ph]),
        np.array([p.choice_q for p in ph]),
        np.array([p.outcome_p for p in ph]),
        days,
    )  # (S, Ac, 4)
    m = _mask(c, o)
    cov = np.array([o.actor is None or a == o.actor for a in c.covert_ids], dtype=bool)
    cy = c.covert_yield
    interdicted = exp[:, :, 0][m][:, cov]  # (S', Ac')
    armed = np.tensordot(days, np.array([p.armed_rate for p in ph]), axes=(0, 0))  # (Aa, S)
    arm = np.array([o.actor is None or a == o.actor for a in c.armed_ids], dtype=bool)
    engaged = armed[arm][:, m].sum(axis=0) if c.armed_ids else np.zeros(int(m.sum()))
    covert_only = o.actor in c.covert_ids
    clashes = (interdicted * cy.resist[cov]).sum(axis=1)  # (S',)
    if o.metric == "attempts":
        mu = float(exp[m][:, cov].sum())
        return mu, mu
    if o.metric == "interdicted":
        mu = float(interdicted.sum())
        return mu, mu
    if o.metric == "seized_kg":
        kg = cy.kg_per_group[cov]
        return float((interdicted * kg).sum()), float((interdicted * kg * kg).sum())
    if o.metric == "armed_clashes":
        mu = float(clashes.sum() + (0.0 if covert_only else engaged.sum()))
        return mu, mu
    if o.metric == "clash_deaths":
        d = cy.deaths_per_clash[cov]
        per = interdicted * cy.resist[cov]
        return float((per * d).sum()), float((per * d * d).sum())
    if o.metric == "engagements":
        mu = float(engaged.sum())
        return mu, mu
    if o.metric == "conflict_sector_share":
        p = 1.0 - np.exp(-(clashes + (0.0 if covert_only else engaged)))
        n = max(1, p.size)
        return float(p.mean()), float((p * (1 - p)).sum() / n**2)
    raise ValueError(f"no closed form for {o.metric}")


def engagement_moments(
    o: Observation, params: dict[str, FloatArray]
) -> tuple[FloatArray, FloatArray]:
    """(mean, variance) per parameter row of a single observed fight's defender losses (or breach
    indicator), over attackers evenly spread across the observed range; the variance adds the
    spread over attackers to a counting term (the mean, as for a Poisson count).

    ``params`` holds arrays (n,) of alpha, beta, fortification, break_defender, break_attacker and
    time_limit_hours."""
    e = o.engagement
    assert e is not None
    att = np.linspace(e.attackers_low, e.attackers_high, ATTACKER_POINTS)
    n = next(iter(params.values())).shape[0]
    k = len(e.reinforcement_after_hours)
    times = np.broadcast_to(np.array(e.reinforcement_after_hours, dtype=float), (n, 1, k))
    size = np.zeros((n, 1, k))
    res = resolve_engagements(
        np.full((n, 1), float(e.defenders)),
        att[None, :],
        params["alpha"][:, None],
        params["beta"][:, None],
        times if k else None,
        size if k else None,
        fortification=params["fortification"][:, None],
        break_defender=params["break_defender"][:, None],
        break_attacker=params["break_attacker"][:, None],
        time_limit_hours=params["time_limit_hours"][:, None],
    )
    val = res.defender_losses if o.metric == "defender_losses" else (res.outcome == BREACH) * 1.0
    mu = val.mean(axis=1)
    count = mu if o.metric == "defender_losses" else mu * (1 - mu)
    return mu, val.var(axis=1) + count


#: The incursion parameters a single fight depends on (factor names ``incursions.<name>``).
ENGAGEMENT_PARAMS = (
    "alpha",
    "beta",
    "fortification",
    "break_defender",
    "break_attacker",
    "time_limit_hours",
)


def compiled_for(scenario: Scenario, t: Target, overrides: dict[str, float]) -> Compiled:
    """The scenario compiled over ``t``'s period (the scenario's own when it gives none)."""
    sc = with_overrides(scenario, overrides)
    return compile_scenario(sc, start=t.start, days=t.days)  # type: ignore[arg-type]


def loglik_terms(
    x: FloatArray,
    priors: tuple[Prior, ...],
    std: Standardiser,
    targets: Sequence[Target],
    emus: dict[str, Emulator],
    nominal_inc: dict[str, float],
) -> FloatArray:
    """(n, n_targets) log-likelihood of each target at parameter rows x (n, k)."""
    z = std.z(x)
    idx = {p.name: i for i, p in enumerate(priors)}
    out = np.zeros((len(x), len(targets)))
    for j, t in enumerate(targets):
        if t.is_engagement:
            params = {
                k: x[:, idx[f"incursions.{k}"]]
                if f"incursions.{k}" in idx
                else np.full(len(x), nominal_inc[k])
                for k in ENGAGEMENT_PARAMS
            }
            mu, var = engagement_moments(t.obs, params)
        else:
            mu, var = emus[t.id].moments(z)
        sd = np.sqrt(var + (REPORTING_ERROR * mu) ** 2 + 1e-12)
        lo, hi = t.obs.interval
        d = np.maximum(lo - mu, 0.0) + np.maximum(mu - hi, 0.0)
        out[:, j] = -0.5 * (d / sd) ** 2 - np.log(sd)
    return out
