"""Where should the border guards stand? A recommended allocation for one phase of a scenario.

The planner's problem for one date comes from the compiled phase
(:func:`~bordersim.plan.scenario_inputs.plan_inputs`, which says how ``G``, ``v_s``, ``p_d`` and ``p_i``
are built). Adversaries:

- ``"best"`` -- a best responder: minimise ``max_s v_s (1 - p_d p_i)`` by water-filling (exact), or with
  whole guards (``integer=True``, exact for the integer min-max, see
  :func:`~bordersim.plan.water_filling.water_fill`);
- ``"quantal"`` -- a logit responder with rationality ``lambda``: minimise the defender's expected loss
  ``sum_s q_s(g) v_s (1 - p_d p_i)`` with ``q`` from :func:`bordersim.model.choice.quantal_response`.
  The problem is smooth but not convex; it is solved by SLSQP from several starts (the water-filling
  plan, the current allocation, uniform per km, and proportional to value x length) and the best local
  optimum is returned -- a local method, with no certificate of global optimality.

Entry points
------------
- :func:`plan_scenario` -> :class:`ScenarioPlan`
- :func:`plan_as_policy` -- a schema :class:`~bordersim.scenario.schema.Policy` that realises the plan
- re-exported for existing callers: :func:`plan_inputs` / :class:`PlanInputs`
  (:mod:`bordersim.plan.scenario_inputs`) and :func:`siting_problem` / :func:`plan_sites`
  (:mod:`bordersim.plan.scenario_siting`)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from bordersim.model.choice import best_response, expected_values, quantal_response
from bordersim.plan.armed_plan import (
    DEFAULT_BREACH_WEIGHT,
    Terms,
    breach_curve,
    default_min_guards,
    solve_mixed,
)
from bordersim.plan.breach import breach_model
from bordersim.plan.scenario_inputs import (
    BorderUnit,
    PlanInputs,
    bridge_notes,
    default_date,
    plan_inputs,
)
from bordersim.plan.scenario_quantal import largest_remainder, solve_quantal
from bordersim.plan.scenario_siting import SitingProblem, SitingReport, plan_sites, siting_problem
from bordersim.plan.water_filling import water_fill
from bordersim.scenario.evidence import Assumption, Quantity
from bordersim.scenario.schema import Allocation, Policy, Scenario, SetPosture, SetStrength

FloatArray = NDArray[np.float64]
Adversary = Literal["best", "quantal"]

__all__ = [
    "BorderUnit",
    "PlanInputs",
    "ScenarioPlan",
    "SitingProblem",
    "SitingReport",
    "default_date",
    "plan_as_policy",
    "plan_inputs",
    "plan_scenario",
    "plan_sites",
    "siting_problem",
]


@dataclass(frozen=True)
class ScenarioPlan:
    """A recommended allocation of border guards for one phase, and what it changes.

    Attributes:
        adversary: ``"best"`` or ``"quantal"`` (``rationality`` is lambda for quantal).
        current, recommended: guards per sector (both sum to ``budget``).
        value_before, value_after: adversary value per sector ``v_s (1 - p_d p_i)``.
        best_before, best_after: index of the adversary's best sector before / after.
        predicted_before, predicted: the planner's objective -- the adversary's best value for
            ``best``, the expected value per attempt ``sum q_s v_s (1 - p_d p_i)`` for ``quantal``.
        improvement: ``predicted_before - predicted`` (> 0 when the plan helps the defender);
            ``relative_improvement`` divides by ``predicted_before``.
        attack_before, attack_after: the modelled adversary's choice of sector.
        method: how the plan was solved; ``notes``: caveats worth printing.
        breach_weight, min_guards, breaches_before/after: a breach's weight (undetected crossings
            per breach), the minimum guards per sector, the modelled breaches per year
            (:mod:`bordersim.plan.breach`) at the current and at the recommended allocation.
    """

    inputs: PlanInputs
    adversary: Adversary
    rationality: float | None
    integer: bool
    current: FloatArray
    recommended: FloatArray
    value_before: FloatArray
    value_after: FloatArray
    best_before: int
    best_after: int
    predicted_before: float
    predicted: float
    improvement: float
    relative_improvement: float
    attack_before: FloatArray
    attack_after: FloatArray
    p_detect_after: FloatArray
    p_interdict_after: FloatArray
    method: str
    breach_weight: float = 0.0
    min_guards: FloatArray | None = None
    breaches_before: float = 0.0  # modelled breaches per year at the current allocation
    breaches_after: float = 0.0  # and at the recommended one
    notes: tuple[str, ...] = field(default=())

    @property
    def sector_ids(self) -> tuple[str, ...]:
        return self.inputs.sector_ids

    @property
    def budget(self) -> float:
        return self.inputs.budget

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able data (the ``optimize.json`` layout, without verification)."""
        i = self.inputs
        out: dict[str, object] = {
            "scenario": i.scenario_id,
            "policy": i.policy,
            "date": i.date.isoformat(),
            "adversary": self.adversary,
            "rationality": self.rationality,
            "actor": i.actor,
            "integer": self.integer,
            "guards": i.budget,
            "method": self.method,
            "sectors": [
                {
                    "id": sid,
                    "name": i.sector_names[k],
                    "current": float(self.current[k]),
                    "recommended": float(self.recommended[k]),
                    "value_before": float(self.value_before[k]),
                    "value_after": float(self.value_after[k]),
                }
                for k, sid in enumerate(i.sector_ids)
            ],
            "best_before": {
                "sector": i.sector_ids[self.best_before],
                "value": float(self.value_before[self.best_before]),
            },
            "best_after": {
                "sector": i.sector_ids[self.best_after],
                "value": float(self.value_after[self.best_after]),
            },
            "predicted_before": self.predicted_before,
            "predicted": self.predicted,
            "improvement": self.improvement,
            "relative_improvement": self.relative_improvement,
            "notes": list(self.notes),
        }
        if self.breach_weight > 0 or (self.min_guards is not None and self.min_guards.any()):
            out["armed"] = {  # only for a plan that weighs armed incursions (v0.1 JSON otherwise)
                "breach_weight": self.breach_weight,
                "min_guards": None if self.min_guards is None else self.min_guards.tolist(),
                "breaches_per_year_before": self.breaches_before,
                "breaches_per_year_after": self.breaches_after,
            }
        return out


def _objective(
    inp: PlanInputs, g: FloatArray, adversary: Adversary, lam: float
) -> tuple[float, FloatArray, FloatArray]:
    """(objective, per-sector values, attack distribution) for guards ``g``."""
    success = inp.success(g)
    vals = expected_values(inp.values, success)
    if adversary == "best":
        q = best_response(inp.values, success)
        return float(vals.max()), vals, q
    q = quantal_response(inp.values, success, lam)
    return float(np.sum(q * vals)), vals, q


def _recommend(
    inp: PlanInputs, adversary: Adversary, lam: float, integer: bool, terms: Terms, lo: FloatArray
) -> tuple[FloatArray, str, list[str]]:
    """(recommended guards, how they were solved, notes). Best responder: water-filling when no
    breach weight (``lo`` the floor, exact), else :func:`solve_mixed` (MILP on a grid + water-filling);
    quantal: SLSQP from several starts (the best-responder plan among them)."""
    notes: list[str] = []
    weighed = terms.weight > 0
    if adversary == "best" and weighed:
        mp = solve_mixed([terms], inp.budget, lo, integer=integer)
        return mp.allocation, mp.method, notes
    wf = water_fill(
        inp.values, inp.budget, inp.length_km, inp.sweep_width_km, inp.equipment, inp.p_interdict,
        lower=lo, integer=integer and adversary == "best",
    )  # fmt: skip
    if adversary == "best":
        method = "water-filling" + (" (whole guards, exact)" if integer else " (exact)")
        if wf.unallocated > 0:
            notes.append(f"{wf.unallocated:g} guards left unallocated (fractional budget)")
        return np.asarray(wf.allocation, dtype=float), method, notes
    first = solve_mixed([terms], inp.budget, lo).allocation if weighed else wf.allocation
    starts = [
        np.asarray(first, dtype=float),
        inp.current,
        inp.budget * inp.length_km / inp.length_km.sum(),
        inp.budget
        * inp.values
        * inp.length_km
        / max(float(np.sum(inp.values * inp.length_km)), 1e-300),
    ]
    breach = breach_curve(terms, lo, inp.budget) if weighed else None

    def objective(g: FloatArray) -> float:
        covert = _objective(inp, g, "quantal", lam)[0]
        return covert if breach is None else covert + breach(g)

    rec, n_starts, n_ok = solve_quantal(objective, inp.budget, lo, starts)
    method = (
        f"SLSQP from {n_starts} starts ({'MILP' if weighed else 'water-filling'}, current, "
        f"per-km, value x length; {n_ok} converged): a local method, the best local optimum found"
    )
    if weighed:
        method += " (breaches interpolated on a grid of guard levels per sector)"
    if integer:
        rec = largest_remainder(rec, int(np.floor(inp.budget + 1e-9)))
        method += ", then largest-remainder rounding to whole guards"
    return rec, method, notes


def plan_scenario(
    scenario: Scenario,
    *,
    date: dt.date | None = None,
    guards: float | None = None,
    actor: str | None = None,
    adversary: Adversary = "best",
    rationality: float | None = None,
    integer: bool = False,
    policy: str | None = None,
    breach_weight: float = DEFAULT_BREACH_WEIGHT,
    min_guards: float | None = None,
) -> ScenarioPlan:
    """Recommend an allocation of the border guards on ``date`` (see the module docstring).

    Args:
        guards: on-duty guards to allocate (default: the phase's on-duty border guards).
        actor: covert actor whose sector values are planned against (default: rate-weighted mix).
        adversary: ``"best"`` (water-filling) or ``"quantal"`` (needs ``rationality``, lambda >= 0).
        integer: whole guards (exact for ``best``; largest-remainder rounding for ``quantal``).
        policy: base policy (``a+b``) in force; the plan is then meant to run as ``base+plan``.
        breach_weight: a breach costs as much as this many undetected crossings (0: covert only).
        min_guards: guards every sector keeps (default: :data:`MIN_GARRISON_PER_POST` per outpost;
            0 allows empty sectors).
    """
    if adversary not in ("best", "quantal"):
        raise ValueError(f"adversary must be 'best' or 'quantal', got {adversary!r}")
    if adversary == "quantal" and (rationality is None or rationality < 0):
        raise ValueError("a quantal adversary needs a rationality lambda >= 0")
    inp = plan_inputs(scenario, date=date, guards=guards, actor=actor, policy=policy)
    lam = float(rationality or 0.0)
    current = inp.current
    if not np.isfinite(breach_weight) or breach_weight < 0:
        raise ValueError(f"the breach weight must be a finite number >= 0, got {breach_weight:g}")
    if min_guards is not None and (not np.isfinite(min_guards) or min_guards < 0):
        raise ValueError(f"the minimum guards per sector must be >= 0, got {min_guards:g}")
    lo = (
        default_min_guards(inp)
        if min_guards is None
        else np.full(len(inp.sector_ids), float(min_guards))
    )
    if float(lo.sum()) > inp.budget:
        raise ValueError(
            f"the minimum per sector needs {lo.sum():,.0f} guards but the budget is "
            f"{inp.budget:,.0f}; lower --min-guards-per-sector"
        )
    bm = breach_model(inp.compiled, inp.phase)
    terms = Terms(inp, bm, float(breach_weight))
    rec, method, notes = _recommend(inp, adversary, lam, integer, terms, lo)
    pred_before, vb, qb = _objective(inp, current, adversary, lam)
    pred, va, qa = _objective(inp, rec, adversary, lam)
    if guards is None:
        notes.extend(bridge_notes(inp))
    if inp.actor is None and len(inp.covert_ids) > 1:
        notes.append(
            "values are the covert actors' sector values weighted by their attempt rates "
            f"({', '.join(inp.covert_ids)})"
        )
    improvement = pred_before - pred
    return ScenarioPlan(
        inputs=inp,
        adversary=adversary,
        rationality=lam if adversary == "quantal" else None,
        integer=integer,
        current=current,
        recommended=rec,
        value_before=vb,
        value_after=va,
        best_before=int(np.argmax(vb)),
        best_after=int(np.argmax(va)),
        predicted_before=pred_before,
        predicted=pred,
        improvement=improvement,
        relative_improvement=improvement / pred_before if pred_before > 0 else 0.0,
        attack_before=qb,
        attack_after=qa,
        p_detect_after=inp.p_detect(rec),
        p_interdict_after=np.asarray(inp.p_interdict(rec), dtype=float),
        method=method,
        breach_weight=float(breach_weight),
        min_guards=lo,
        breaches_before=float(bm.breaches_per_day(current).sum() * 365.0),
        breaches_after=float(bm.breaches_per_day(rec).sum() * 365.0),
        notes=tuple(notes),
    )


def plan_as_policy(plan: ScenarioPlan, scenario: Scenario, unit_id: str | None = None) -> Policy:
    """A :class:`Policy` that puts the recommended guards on the border.

    Every border unit on duty on the plan's date gets a ``set_posture`` action keeping its posture (as
    it stands after the base policies, so a unit the timeline brings to the border later still arrives
    then) with allocation policy ``weights`` over all sectors, the weights being the recommended guards
    per sector. With several border units each gets the *same* weights, i.e. each spreads its on-duty
    strength ``D_u`` in proportion to the plan: unit ``u`` puts ``D_u g_s / G`` in sector ``s``, the
    units together ``g_s sum(D_u) / G = g_s``, and every sector gets the same mix of team sizes (the
    planner's effective team size). When ``G`` differs from the units' on-duty total (``--guards``), a
    ``set_strength`` action scales each border unit by ``G / sum(D_u)`` so that the compiled guards
    match the plan. Timeline events after the date that move sectors between units or change strengths
    are not undone: the compiled guards then differ from the plan (verification reports it).

    Args:
        unit_id: restrict the policy to this border unit (it must then be the only one on duty).

    Raises:
        ValueError: ``unit_id`` is not on the border, or other border units are on duty too.
    """
    inp = plan.inputs
    units = list(inp.border_units)
    if unit_id is not None:
        chosen = [u for u in units if u.id == unit_id]
        if not chosen:
            known = ", ".join(u.id for u in units)
            raise ValueError(
                f"unit {unit_id!r} is not on the border on {inp.date} (on the border: {known})"
            )
        if len(units) > 1:
            others = ", ".join(u.id for u in units if u.id != unit_id)
            raise ValueError(
                f"border units {others} are also on duty on {inp.date}; leave unit_id unset to spread "
                "the plan over all of them"
            )
        units = chosen
    weights = {sid: float(g) for sid, g in zip(inp.sector_ids, plan.recommended, strict=True)}
    actions: list[SetPosture | SetStrength] = []
    on_duty = sum(u.on_duty for u in units)
    scale = inp.budget / on_duty
    by_id = {u.id: u for u in scenario.units}
    for u in units:
        if abs(scale - 1.0) > 1e-12:
            actions.append(
                SetStrength(
                    kind="set_strength",
                    unit=u.id,
                    strength=Quantity(
                        value=u.strength * scale,
                        unit=by_id[u.id].strength.unit,
                        assumed=Assumption(
                            rationale=f"budget of {inp.budget:g} on-duty guards set by bordersim "
                            "optimize --guards"
                        ),
                    ),
                )
            )
        actions.append(
            SetPosture(
                kind="set_posture",
                unit=u.id,
                posture=u.posture_at_start,  # type: ignore[arg-type]
                allocation=Allocation(policy="weights", weights=weights),
            )
        )
    adv = (
        "best-responding" if plan.adversary == "best" else f"quantal (lambda {plan.rationality:g})"
    )
    return Policy(
        description=(
            f"bordersim optimize: guards allocated against a {adv} adversary on {inp.date} "
            f"({inp.budget:,.0f} on-duty guards; predicted adversary value {plan.predicted:.4g}, "
            f"was {plan.predicted_before:.4g})"
        ),
        actions=tuple(actions),
    )
