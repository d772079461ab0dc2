"""Verify a scenario plan by simulation: predicted adversary value vs what the engine produces.

The planner (:mod:`bordersim.plan.scenario_plan`) predicts the adversary's value per attempt under the
recommended allocation -- for a best responder ``max_s v_s (1 - p_d p_i)``. Here the plan is turned into
a policy (:func:`~bordersim.plan.scenario_plan.plan_as_policy`), the scenario is compiled with it over a
window starting on the plan's date, the covert actor(s) planned against are switched to

- ``best_response`` (a ``set_choice`` action): the adversary the plan assumes, and
- ``adaptive`` with a learning rate (default 0.2): an adversary that learns where crossings succeed,

and the engine is run for ``N`` replications. The simulated value per attempt is the ratio estimator
``sum_r sum_s v_s (attempts_rs - interdicted_rs) / sum_r attempts_r`` (an attempt that is not
interdicted succeeds, as in the engine's adaptive displacement and the planner's ``1 - p_d p_i``), with
a delta-method 95% CI (:func:`bordersim.engine.results.ratio_ci`).

Every other metric is checked too (:mod:`bordersim.experiments.verify_metrics`): each comparison
metric before and after the plan on common random numbers, under the scenario's own adversary,
with the paired difference's 95% CI; a metric that worsens beyond that interval is flagged, so a
plan that cuts covert crossings by emptying the sectors where armed groups attack shows its rising
breaches.

A check is *flagged* when the prediction lies outside the CI widened on both sides by ``tolerance x
|prediction|`` (default 2%: the planner's bisection tolerance is far smaller, so the margin is for model
differences, not numerics). Each flag lists the likely reasons that apply: the adaptive adversary has
not converged (it moves toward sectors where crossings succeed, without weighing their value), the
compiled policy does not reproduce the plan's guards, timeline events inside the window, reserves that
may be activated by escalation (their response changes ``p_i`` but is not in the plan), whole-guard
rounding, or armed incursions whose breaches may lower detection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from bordersim.engine.kernel import simulate
from bordersim.engine.results import Estimate, ratio_ci
from bordersim.experiments.verify_metrics import MetricCheck, MetricChecks, metric_checks
from bordersim.model.choice import quantal_response
from bordersim.model.compile import compile_scenario
from bordersim.model.outcomes import INTERDICTED
from bordersim.plan.scenario_plan import ScenarioPlan, plan_as_policy
from bordersim.scenario.evidence import Assumption, Quantity
from bordersim.scenario.schema import Choice, Policy, Scenario, SetChoice

__all__ = [
    "ActorCheck",
    "MetricCheck",
    "MetricChecks",
    "Verification",
    "metric_checks",
    "verify_plan",
]

PLAN_POLICY = "optimized"


@dataclass(frozen=True)
class ActorCheck:
    """Predicted vs simulated value per attempt for one actor under one choice model."""

    actor: str
    choice: str  # "best_response", "quantal" or "adaptive"
    predicted: float
    simulated: Estimate
    lo: float  # CI widened by the tolerance
    hi: float
    attempts: float  # mean attempts per replication
    flagged: bool
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "choice": self.choice,
            "predicted": self.predicted,
            "simulated": self.simulated.as_dict(),
            "accept_lo": self.lo,
            "accept_hi": self.hi,
            "attempts_per_replication": self.attempts,
            "flagged": self.flagged,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Verification:
    """The result of :func:`verify_plan`."""

    start: dt.date
    days: int
    replications: int
    seed: int
    tolerance: float
    learning_rate: float
    guards_error: float  # max |compiled guards - plan| / max(plan), on the window's first day
    phases_in_window: int
    checks: tuple[ActorCheck, ...]
    metrics: MetricChecks | None = None

    @property
    def flagged(self) -> bool:
        return any(c.flagged for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "days": self.days,
            "replications": self.replications,
            "seed": self.seed,
            "tolerance": self.tolerance,
            "learning_rate": self.learning_rate,
            "guards_error": self.guards_error,
            "phases_in_window": self.phases_in_window,
            "flagged": self.flagged,
            "checks": [c.as_dict() for c in self.checks],
            **({} if self.metrics is None else {"metrics": self.metrics.as_dict()}),
        }


def _choice_policy(actors: list[str], choice: Choice) -> Policy:
    return Policy(
        description=f"verification: covert actors choose by {choice.model}",
        actions=tuple(SetChoice(kind="set_choice", actor=a, choice=choice) for a in actors),
    )


def verify_plan(
    plan: ScenarioPlan,
    scenario: Scenario,
    *,
    replications: int = 200,
    days: int = 60,
    start: dt.date | None = None,
    seed: int = 2021,
    learning_rate: float = 0.2,
    tolerance: float = 0.02,
    choices: tuple[str, ...] | None = None,
) -> Verification:
    """Re-run ``plan`` through the engine and compare predicted and simulated adversary values.

    Args:
        replications, days, seed: the simulation (the window starts on ``start``, default the plan's
            date; pick a stationary window -- no timeline events -- for a clean comparison).
        learning_rate: the adaptive adversary's ``eta``.
        tolerance: relative widening of the CI before a check is flagged.
        choices: which adversary models to run: ``best_response``, ``quantal`` (the plan's lambda)
            and ``adaptive``; default ``best_response`` and ``adaptive`` for a best-response plan,
            ``quantal`` and ``adaptive`` for a quantal one. ``best_response`` and ``adaptive`` are
            compared with ``max_s v_s (1 - p_d p_i)``, ``quantal`` with ``sum_s q_s v_s (1 - p_d p_i)``.
    """
    if replications < 2:
        raise ValueError("verification needs at least 2 replications")
    inp = plan.inputs
    start = start or inp.date
    actors = (
        [inp.actor]
        if inp.actor is not None
        else [a for a, r in zip(inp.covert_ids, inp.covert_rates, strict=True) if r > 0]
    )
    if not actors:
        raise ValueError("no covert actor makes attempts on the plan's date")
    lam = float(plan.rationality or 0.0)
    if choices is None:
        first = "quantal" if plan.adversary == "quantal" else "best_response"
        choices = (first, "adaptive")
    models = {
        "best_response": Choice(model="best_response"),
        "quantal": Choice(
            model="quantal",
            rationality=Quantity(
                value=lam, assumed=Assumption(rationale="the rationality the plan assumed")
            ),
        ),
        "adaptive": Choice(
            model="adaptive",
            learning_rate=Quantity(
                value=learning_rate,
                assumed=Assumption(
                    rationale="learning rate of the verification's adaptive adversary"
                ),
            ),
        ),
    }
    unknown = [c for c in choices if c not in models]
    if unknown:
        raise ValueError(f"unknown choice model(s) {unknown}; use best_response or adaptive")
    policies = dict(scenario.policies)
    policies[PLAN_POLICY] = plan_as_policy(plan, scenario)
    for name in choices:
        policies[f"verify-{name}"] = _choice_policy(actors, models[name])
    sc = scenario.model_copy(update={"policies": policies})
    base = [inp.policy] if inp.policy else []

    # Per-actor prediction with the planner's own p_d and p_i at the recommended guards.
    success = 1.0 - plan.p_detect_after * plan.p_interdict_after
    idx = {a: inp.covert_ids.index(a) for a in actors}
    best = {a: float(np.max(inp.actor_values[idx[a]] * success)) for a in actors}
    logit = {
        a: float(
            np.sum(
                quantal_response(inp.actor_values[idx[a]], success, lam)
                * inp.actor_values[idx[a]]
                * success
            )
        )
        for a in actors
    }

    checks: list[ActorCheck] = []
    guards_error = 0.0
    n_phases = 1
    for name in choices:
        compiled = compile_scenario(
            sc, policy="+".join([*base, PLAN_POLICY, f"verify-{name}"]), start=start, days=days
        )
        ph0 = compiled.phases[0]
        scale = max(float(np.max(plan.recommended)), 1e-300)
        guards_error = max(
            guards_error, float(np.max(np.abs(ph0.guards - plan.recommended))) / scale
        )
        n_phases = len(compiled.phases)
        res = simulate(compiled, replications, seed)
        totals = res.covert_totals.astype(float)  # (R, S, Ac, 4)
        for a in actors:
            j = compiled.covert_ids.index(a)
            v = ph0.choice_values[j]
            att = totals[:, :, j, :].sum(axis=2)  # (R, S)
            got = att - totals[:, :, j, INTERDICTED]
            value = (got * v[None, :]).sum(axis=1)
            attempts = att.sum(axis=1)
            est = ratio_ci(value, attempts)
            pred = logit[a] if name == "quantal" else best[a]
            margin = tolerance * abs(pred)
            lo, hi = est.lo - margin, est.hi + margin
            flagged = not (np.isfinite(est.mean) and lo <= pred <= hi)
            reasons = (
                _reasons(plan, compiled.escalation, ph0, name, guards_error, n_phases, est, pred)
                if flagged
                else ()
            )
            checks.append(
                ActorCheck(a, name, pred, est, lo, hi, float(attempts.mean()), flagged, reasons)
            )
    metrics = metric_checks(sc, base, start=start, days=days, replications=replications, seed=seed)
    return Verification(
        start=start,
        days=days,
        replications=replications,
        seed=seed,
        tolerance=tolerance,
        learning_rate=learning_rate,
        guards_error=guards_error,
        phases_in_window=n_phases,
        checks=tuple(checks),
        metrics=metrics,
    )


def _reasons(
    plan: ScenarioPlan,
    escalation: dict[str, Any],
    phase: Any,
    choice: str,
    guards_error: float,
    n_phases: int,
    est: Estimate,
    pred: float,
) -> tuple[str, ...]:
    out: list[str] = []
    if not np.isfinite(est.mean):
        out.append("no attempts were simulated for this actor in the window")
    if choice == "adaptive":
        out.append(
            "the adaptive adversary has not converged to the best response (it drifts toward "
            "sectors where crossings succeed, without weighing their value, and keeps some mass "
            "everywhere it started)"
        )
    if guards_error > 1e-6:
        out.append(
            f"the compiled policy misses the plan's guards by up to {100 * guards_error:.2g}% "
            "(timeline events move sectors or change strengths)"
        )
    if n_phases > 1:
        out.append(f"{n_phases - 1} timeline change(s) inside the window change the arrays")
    waiting = (np.asarray(phase.unit_posture) == "reserve") & (phase.unit_active < 1)
    if escalation.get("mode", "never") != "never" and bool(np.any(waiting)):
        out.append(
            "p_i depends on reserves not modelled in the plan (escalation can activate them)"
        )
    if plan.integer:
        out.append("whole-guard rounding leaves the attacked sectors slightly unequal")
    if float(phase.armed_rate.sum()) > 0:
        out.append("armed incursions: breaches can lower detection, which the plan does not model")
    if choice == "best_response" and est.mean == est.mean and pred > est.hi:
        out.append("the simulated adversary does worse than predicted: check ties in its choice")
    return tuple(out)
