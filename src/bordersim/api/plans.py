"""Plans and single fights: ``optimize`` (where the guards stand, checked by simulation) and
``engage`` (one outpost against one attack, the worked historic engagement).

The engage default is the 13 July 1993 attack on the 12th outpost of the Moskovsky detachment
(timeline: 48 defenders vs ~200-250 attackers; 25 killed). Attacker strength and the kill rates are
drawn uniformly over their ranges (the built-in scenarios' assumed ``incursions`` ranges), so the
outcome probabilities carry that uncertainty; the same samples are then resolved again with a
reinforcement arriving after each of the given hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bordersim.api.scenarios import Scenario, ScenarioLike, as_scenario, parse_date
from bordersim.api.uncertainty import Uncertainty, draw_source
from bordersim.model.engagement import OutcomeProbabilities, resolve_engagements
from bordersim.scenario.schema import Policy

if TYPE_CHECKING:  # the real imports are lazy: the planner imports scipy, verification the engine
    from bordersim.experiments.uncertainty import InputDraws
    from bordersim.experiments.verify import Verification
    from bordersim.plan.robust_plan import RobustPlan
    from bordersim.plan.scenario_plan import ScenarioPlan

__all__ = [
    "HISTORIC_DEFENDERS_KILLED",
    "EngageResult",
    "PlanResult",
    "engage",
    "optimize",
    "robust_allocation",
]

HISTORIC_DEFENDERS_KILLED = 25.0  # timeline.csv, 1993-07-13: 22 border guards + 3 from the 201st

Span = float | tuple[float, float]


@dataclass(frozen=True)
class PlanResult:
    """A recommended allocation of the border guards, and its check by simulation when asked.
    Get one with :func:`optimize`."""

    plan: ScenarioPlan
    verification: Verification | None
    scenario: Scenario
    robust: RobustPlan | None = None  # optimize(robust=True): the robust plan and its price
    robust_posterior: Mapping[str, Any] | None = None  # where posterior draws came from

    def summary(self) -> dict[str, Any]:
        """The plan as ``bordersim optimize --json`` prints it (without ``policy_file``): floats
        rounded to 10 digits, undefined figures ``None``.

        Example:
            >>> import bordersim as bs
            >>> bs.optimize("tajik-afghan-2021", guards=6000).summary()["guards"]
            6000.0
        """
        from bordersim.engine.results import clean_for_json  # xarray, via the engine: lazy

        report = self.plan.to_dict()
        report["verification"] = (
            self.verification.as_dict() if self.verification is not None else None
        )
        if self.robust is not None:  # only when asked, so the default JSON keeps its keys
            rob: dict[str, Any] = dict(self.robust.to_dict(self.plan.sector_ids))
            if self.robust_posterior is not None:  # the prior's keys stay as they were
                rob["draws_from"] = "posterior"
                rob["posterior"] = dict(self.robust_posterior)
            report["robust"] = rob
        data: dict[str, Any] = clean_for_json(report)
        return data

    def as_policy(self) -> Policy:
        """The plan as a policy (what ``bordersim optimize --write-policy`` writes)."""
        from bordersim.plan.scenario_plan import plan_as_policy  # scipy: lazy for start-up

        return plan_as_policy(self.plan, self.scenario.model)


def optimize(
    scenario: ScenarioLike,
    *,
    date: dt.date | str | None = None,
    guards: float | None = None,
    actor: str | None = None,
    adversary: str = "best",
    rationality: float | None = None,
    integer: bool = False,
    policy: str | None = None,
    verify: int = 0,
    verify_days: int = 60,
    verify_start: dt.date | str | None = None,
    seed: int = 2021,
    breach_weight: float | None = None,
    min_guards: float | None = None,
    allow_empty: bool = False,
    robust: bool = False,
    robust_draws: int = 32,
    robust_quantile: float | None = None,
    uncertainty: Uncertainty | None = None,
    posterior: str | Path | None = None,
) -> PlanResult:
    """Allocate the on-duty border guards (default: the phase's) against a best-responding
    (``adversary="best"``) or quantal (``"quantal"`` with ``rationality``) adversary; ``verify=N``
    re-runs the plan through the engine with N replications. ``ValueError`` for an impossible ask.

    Armed incursions: ``breach_weight`` (default
    :data:`~bordersim.plan.armed_plan.DEFAULT_BREACH_WEIGHT`) is what one breach costs in undetected
    crossings; every sector keeps ``min_guards`` (default: the post structure's minimum garrison,
    :func:`~bordersim.plan.armed_plan.default_min_guards`) unless ``allow_empty``. ``robust=True``
    also solves the plan that minimises the worst case (``robust_quantile=None``) or a quantile of
    the objective over ``robust_draws`` Latin-hypercube draws of the ledger's ranges (seed ``seed``),
    with its price against the nominal plan (:mod:`bordersim.plan.robust_plan`). With ``posterior``
    (a ``bordersim calibrate`` directory) or ``uncertainty="posterior"`` (a built-in scenario's
    shipped calibration) the robust plan's draws take the calibrated quantities jointly from the
    posterior and the others from the ledger's ranges; they need ``robust=True``.

    Example:
        >>> import bordersim as bs
        >>> p = bs.optimize("tajik-afghan-2021")
        >>> s = p.summary()
        >>> s["best_after"]["value"] < s["best_before"]["value"]
        True
    """
    # Over 80 lines through its keyword arguments and their documentation; the work is in
    # plan_scenario, robust_allocation and verify_plan.
    from bordersim.experiments.verify import verify_plan  # engine + scipy: lazy for start-up
    from bordersim.plan.armed_plan import DEFAULT_BREACH_WEIGHT
    from bordersim.plan.scenario_plan import plan_scenario

    if adversary not in ("best", "quantal"):
        raise ValueError(f"adversary must be best or quantal, got {adversary!r}")
    if adversary == "quantal" and rationality is None:
        raise ValueError("a quantal adversary needs its rationality lambda (>= 0)")
    if robust and adversary != "best":
        raise ValueError(
            "--robust plans against a best-responding adversary only (--adversary best)"
        )
    sc = as_scenario(scenario)
    source = None
    if uncertainty is not None or posterior is not None:
        if not robust:
            raise ValueError(
                "--uncertainty/--posterior choose the draws of --robust: add --robust (the plan "
                "at the scenario's values draws nothing)"
            )
        source = draw_source(uncertainty, posterior, sc.model)
    plan = plan_scenario(
        sc.model, date=parse_date(date, "date"), guards=guards, actor=actor,
        adversary=adversary,  # type: ignore[arg-type]
        rationality=rationality, integer=integer, policy=policy,
        breach_weight=DEFAULT_BREACH_WEIGHT if breach_weight is None else breach_weight,
        min_guards=0.0 if allow_empty else min_guards,
    )  # fmt: skip
    robust_plan = None
    provenance = None
    if robust:
        inputs = None if source is None else source(sc.model, robust_draws, seed)
        provenance = None if inputs is None else inputs.provenance
        robust_plan = robust_allocation(
            plan, sc.model, draws=robust_draws, quantile=robust_quantile, seed=seed,
            inputs=inputs,
        )  # fmt: skip
    verification = None
    if verify:
        verification = verify_plan(
            plan, sc.model, replications=max(verify, 2), days=verify_days,
            start=parse_date(verify_start, "verify_start"), seed=seed,
        )  # fmt: skip
    return PlanResult(plan, verification, sc, robust_plan, provenance)


def robust_allocation(
    plan: ScenarioPlan,
    scenario: Any,
    *,
    draws: int,
    quantile: float | None,
    seed: int,
    inputs: InputDraws | None = None,
) -> RobustPlan:
    """The robust plan for ``plan``'s problem over ``draws`` draws of the ledger's ranges (or the
    given ``inputs``, e.g. posterior draws): each draw's overrides compile a problem on the same
    date, budget, actor and policy (the nominal budget in every draw: the allocation is of the
    guards on duty today)."""
    from bordersim.experiments.uncertainty import draw_inputs  # engine: lazy for start-up
    from bordersim.plan.armed_plan import Terms
    from bordersim.plan.breach import breach_model
    from bordersim.plan.robust_plan import solve_robust
    from bordersim.plan.scenario_inputs import plan_inputs

    if draws < 2:
        raise ValueError(f"--robust-draws must be >= 2, got {draws}")
    i = plan.inputs
    nominal = Terms(i, breach_model(i.compiled, i.phase), plan.breach_weight)
    terms = []
    drawn = draw_inputs(scenario, draws, seed=seed) if inputs is None else inputs
    for o in drawn.overrides:
        d = plan_inputs(
            scenario, date=i.date, guards=i.budget, actor=i.actor, policy=i.policy, overrides=o
        )
        terms.append(Terms(d, breach_model(d.compiled, d.phase), plan.breach_weight))
    assert plan.min_guards is not None
    return solve_robust(
        nominal, terms, i.budget, plan.min_guards, quantile=quantile, integer=plan.integer
    )


@dataclass(frozen=True)
class EngageResult:
    """Outcome probabilities of one fight, without and with a reinforcement; get one with
    :func:`engage`."""

    data: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        """The dict ``bordersim engage --json`` prints (inputs, then one row per case)."""
        return self.data


def _span(x: Span) -> tuple[float, float]:
    return (float(x), float(x)) if isinstance(x, int | float) else (float(x[0]), float(x[1]))


def engage(
    *,
    defenders: float = 48,
    attackers: Span = (200.0, 250.0),
    alpha: Span = (0.005, 0.02),
    beta: Span = (0.025, 0.1),
    fortification: Span = (1.5, 5.0),
    break_defender: float = 0.3,
    break_attacker: float = 0.5,
    time_limit: float = 24.0,
    reinforcement_size: float = 40.0,
    reinforcement_after: Sequence[float] = (1.0, 3.0, 6.0),
    samples: int = 10000,
    seed: int = 1993,
) -> EngageResult:
    """One outpost against one attack by Lanchester's square law (default: the 12th outpost,
    13 July 1993), without and with ``reinforcement_size`` men arriving after each of
    ``reinforcement_after`` hours. A ``(low, high)`` pair is drawn uniformly; kill rates ``alpha``
    (attackers') and ``beta`` (defenders') are per capita per hour; ``time_limit`` in hours.

    Example:
        >>> import bordersim as bs
        >>> e = bs.engage(samples=2000, reinforcement_after=[1])
        >>> [r["reinforcement_after_hours"] for r in e.summary()["rows"]]
        [None, 1]
    """
    att, a_rng, b_rng, f_rng = _span(attackers), _span(alpha), _span(beta), _span(fortification)
    rng = np.random.default_rng(seed)
    n = samples
    att_s = rng.uniform(*att, size=n)
    a = rng.uniform(*a_rng, size=n)
    b = rng.uniform(*b_rng, size=n)
    f = rng.uniform(*f_rng, size=n)

    def row(after: float | None) -> dict[str, Any]:
        times = np.full((n, 1), np.inf if after is None else after)
        sizes = np.full((n, 1), 0.0 if after is None else reinforcement_size)
        res = resolve_engagements(
            defenders, att_s, a, b, times, sizes, fortification=f,
            break_defender=break_defender, break_attacker=break_attacker,
            time_limit_hours=time_limit,
        )  # fmt: skip
        p = OutcomeProbabilities.from_result(res)
        losses = res.defender_losses
        return {
            "reinforcement_after_hours": after,
            "repelled": p.repelled,
            "repelled_se": p.repelled_se,
            "breach": p.breach,
            "breach_se": p.breach_se,
            "undecided": p.undecided,
            "undecided_se": p.undecided_se,
            "defender_losses": float(losses.mean()),
            "defender_losses_se": float(losses.std(ddof=1) / np.sqrt(n)),
            "attacker_losses": float(res.attacker_losses.mean()),
            "mean_duration_hours": p.mean_duration_hours,
            "p_losses_at_least_historic": float((losses >= HISTORIC_DEFENDERS_KILLED).mean()),
        }

    return EngageResult(
        {
            "defenders": defenders,
            "attackers": list(att),
            "alpha": list(a_rng),
            "beta": list(b_rng),
            "fortification": list(f_rng),
            "break_defender": break_defender,
            "break_attacker": break_attacker,
            "time_limit_hours": time_limit,
            "reinforcement_size": reinforcement_size,
            "samples": samples,
            "seed": seed,
            "historic_defenders_killed": HISTORIC_DEFENDERS_KILLED,
            "rows": [row(None), *(row(h) for h in reinforcement_after)],
        }
    )
