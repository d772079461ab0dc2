"""The vectorised engine against the event-driven SimPy reference model (benchmarks/reference).

The two share no simulation code and no random stream; they must agree in distribution. For every
covert actor and outcome class (summed over sectors), and for people fleeing per reception crossing
(arrived, received, still waiting, longest wait), the difference of the two replication means must lie
within 4 combined standard errors, sqrt(se_engine**2 + se_reference**2), each SE from its own
replication variance. Quantities with no variance in either model must match exactly.

Armed incursions: the case with incursions also compares, per replication, engagements, breaches,
repelled, undecided, defender and attacker losses, whether and when help was requested, the
sector-days with detection lowered by a breach, and the mean time to the first reinforcement (a
ratio over engagements, delta-method standard errors). The three older cases keep armed actors off
on both sides, so that they still test the covert and fleeing model alone.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from numpy.typing import NDArray

from benchmarks.reference import ReferenceModel, ReferenceResults
from bordersim.engine.kernel import simulate
from bordersim.engine.observables import per_replication
from bordersim.engine.results import Results
from bordersim.model.compile import compile_scenario, with_overrides
from bordersim.scenario.builtin import builtin_path, load
from bordersim.scenario.schema import Scenario

OUTCOMES = ("interdicted", "turned_back", "detected_got_away", "undetected_got_away")
MAX_Z = 4.0
ENGINE_SEED, REFERENCE_SEED = 20210705, 19420
ENGINE_REPS = 2000
ARMED_RATE = 0.2  # attacks a day in the incursion case (the 2021 scenario's nominal rate is 0.02)


def _mean_se(x: NDArray[np.int64]) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))


def _ratio_se(num: NDArray[np.float64], den: NDArray[np.float64]) -> tuple[float, float]:
    """Ratio estimator sum(num) / sum(den) with its delta-method standard error."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    r = float(num.sum() / den.sum())
    infl = (num - r * den) / den.mean()
    return r, float(infl.std(ddof=1) / np.sqrt(num.size))


def _incursion_pairs(
    engine: Results, ref: ReferenceResults
) -> list[tuple[str, NDArray[np.float64], NDArray[np.float64]]]:
    """Per-replication incursion quantities of both models (summed over armed actors)."""
    inc = engine.incursions
    assert inc is not None and engine.degraded_days is not None
    T = float(engine.days)
    pairs = [
        (f"incursions.{k}", getattr(inc, k).sum(axis=1), getattr(ref, k).sum(axis=1))
        for k in (
            "engagements",
            "breaches",
            "repelled",
            "undecided",
            "defender_losses",
            "attacker_losses",
        )
    ]
    pairs += [
        ("escalation.requested", np.isfinite(inc.request_day), np.isfinite(ref.request_day)),
        (
            "escalation.request_day_or_horizon",
            np.minimum(inc.request_day, T),
            np.minimum(ref.request_day, T),
        ),
        ("breach.degraded_sector_days", engine.degraded_days.sum(axis=1), ref.degraded_days.sum(1)),
    ]
    return pairs


def _yield_pairs(
    engine: Results, ref: ReferenceResults
) -> list[tuple[str, NDArray[np.float64], NDArray[np.float64]]]:
    """kg seized and armed clashes per actor that has them, and the conflict share."""
    c = engine.compiled
    cy = c.covert_yield
    pairs = []
    for a, actor in enumerate(c.covert_ids):
        if cy.has_seizure[a]:
            eng = per_replication(engine, "seized_kg", actor)
            pairs.append((f"{actor}.seized_kg", eng, ref.seized_kg()[:, a]))
        if cy.has_clash[a]:
            eng = per_replication(engine, "armed_clashes", actor)
            pairs.append((f"{actor}.armed_clashes", eng, ref.clashes[:, :, a].sum(axis=1)))
    if c.armed_ids or cy.has_clash.any():
        eng = per_replication(engine, "conflict_sector_share")
        pairs.append(("conflict_sector_share", eng, ref.conflict_share))
    return pairs


def disagreements(engine: Results, ref: ReferenceResults) -> list[str]:
    """Every compared quantity that differs by more than MAX_Z combined standard errors."""
    return [line for line, z in comparisons(engine, ref) if z > MAX_Z]


def comparisons(engine: Results, ref: ReferenceResults) -> list[tuple[str, float]]:
    """Every compared quantity as (a line saying both estimates, |z|)."""
    c = engine.compiled
    pairs: list[tuple[str, NDArray[np.int64], NDArray[np.int64]]] = []
    eng_by_actor = engine.covert_totals.sum(axis=1)
    ref_by_actor = ref.covert_by_actor()
    for a, actor in enumerate(c.covert_ids):
        for k, outcome in enumerate(OUTCOMES):
            pairs.append((f"{actor}.{outcome}", eng_by_actor[:, a, k], ref_by_actor[:, a, k]))
    if c.fleeing_ids:
        for name, e, r in (
            ("arrived", engine.flee_arrived, ref.flee_arrived),
            ("received", engine.flee_received, ref.flee_received),
            ("waiting", engine.flee_waiting, ref.flee_waiting),
            ("longest_wait", engine.flee_longest, ref.flee_longest),
        ):
            pairs.append((f"fleeing.{name}.total", e.sum(axis=1), r.sum(axis=1)))
            for p, crossing in enumerate(c.crossing_ids):
                pairs.append((f"fleeing.{name}.{crossing}", e[:, p], r[:, p]))
    pairs += _yield_pairs(engine, ref)
    estimates = [(name, _mean_se(e), _mean_se(r)) for name, e, r in pairs]
    if c.armed_ids and ref.engagements.sum() > 0:
        inc = engine.incursions
        assert inc is not None
        estimates += [
            (name, _mean_se(e), _mean_se(r)) for name, e, r in _incursion_pairs(engine, ref)
        ]
        estimates.append(
            (
                "incursions.first_reinforcement_hours",
                _ratio_se(inc.first_reinf_hours_sum.sum(1), inc.first_reinf_count.sum(1)),
                _ratio_se(ref.first_reinf_hours_sum.sum(1), ref.first_reinf_count.sum(1)),
            )
        )
    out = []
    for name, (me, se_e), (mr, se_r) in estimates:
        se = float(np.hypot(se_e, se_r))
        z = abs(me - mr) / se if se > 0 else (0.0 if me == mr else float("inf"))
        line = f"{name}: engine {me:.4f} ± {se_e:.4f}, reference {mr:.4f} ± {se_r:.4f}, z = {z:.2f}"
        out.append((line, z))
    return out


def without_incursions(scenario: Scenario) -> Scenario:
    """The scenario with every armed actor's rate at zero: the reference has no incursions yet, and
    a breach lowers detection in the engine, so both sides run without them."""
    armed = [a.id for a in scenario.actors if a.kind == "armed"]
    return with_overrides(scenario, {f"actors.{a}.rate_per_day": 0.0 for a in armed})


def _check(
    scenario: Scenario,
    start: dt.date,
    days: int,
    ref_reps: int,
    *,
    policy: str | None = None,
    incursions: bool = False,
) -> list[tuple[str, float]]:
    """Run both models and assert agreement; returns every comparison (line, |z|)."""
    if not incursions:
        scenario = without_incursions(scenario)
    compiled = compile_scenario(scenario, policy=policy, start=start, days=days)
    try:
        model = ReferenceModel(scenario, compiled)
    except NotImplementedError as exc:  # every case here is one the reference must run
        pytest.fail(f"reference model cannot run this scenario: {exc}")
    engine = simulate(compiled, ENGINE_REPS, ENGINE_SEED)
    ref = model.run(ref_reps, REFERENCE_SEED)
    compared = comparisons(engine, ref)
    bad = [line for line, z in compared if z > MAX_Z]
    assert not bad, "engine and reference disagree:\n" + "\n".join(bad)
    return compared


@pytest.fixture(scope="module")
def scenario_2021() -> Scenario:
    return load("tajik-afghan-2021")


@pytest.mark.slow  # ~9 s (pytest --durations, one core)
def test_stationary_2021_after_the_takeover(scenario_2021: Scenario) -> None:
    """Sept-Oct 2021: after every timeline event, so a single phase (stationary rates)."""
    compiled = compile_scenario(scenario_2021, start=dt.date(2021, 9, 1), days=60)
    assert len(compiled.phases) == 1
    _check(scenario_2021, dt.date(2021, 9, 1), 60, ref_reps=400)


@pytest.mark.slow  # ~15 s (pytest --durations, one core)
def test_2021_timeline_with_the_july_batch(scenario_2021: Scenario) -> None:
    """June-August 2021: control flips, the reservists deploy, 1,037 soldiers cross on 5 July."""
    compiled = compile_scenario(scenario_2021, start=dt.date(2021, 6, 1), days=90)
    assert len(compiled.phases) > 1 and compiled.batches
    _check(scenario_2021, dt.date(2021, 6, 1), 90, ref_reps=200)


@pytest.mark.slow  # ~17 s (pytest --durations, one core)
def test_2021_timeline_with_incursions_and_csto_on_call(scenario_2021: Scenario) -> None:
    """June-August 2021 with armed incursions, policy csto-on-call (help asked at 3 engagements in
    7 days). At the scenario's nominal 0.02 attacks a day escalation fires in ~1% of replications,
    so the armed rate is raised to 0.2 a day (nominal range 0.005-0.1): ~14 engagements and ~0.8
    breaches per replication, help requested in ~94% of replications around day 43, after which
    the 201st, the Aini helicopters and the CSTO reinforce (first reinforcement ~2.0 h instead of
    ~2.5 h without the request)."""
    sc = with_overrides(scenario_2021, {"actors.armed_incursions.rate_per_day": ARMED_RATE})
    compared = _check(
        sc, dt.date(2021, 6, 1), 90, ref_reps=200, policy="csto-on-call", incursions=True
    )
    names = {line.split(":")[0] for line, _ in compared}
    assert {"incursions.breaches", "escalation.requested", "breach.degraded_sector_days"} <= names


def test_2015_kunduz_crisis() -> None:
    """The 2015 scenario over (at most) the first 90 days of its period."""
    assert builtin_path("tajik-afghan-2015").exists()
    sc = load("tajik-afghan-2015")
    _check(sc, sc.period.start, min(90, sc.period.days), ref_reps=200)


@pytest.mark.slow  # ~10 s (one core)
def test_2008_seizures_and_clashes() -> None:
    """The 2008 scenario, whose drug traffickers seize kg and clash: kg seized, armed clashes and
    the share of sectors that saw a clash agree too (incursions as the scenario has them: the far
    bank under the government, so none)."""
    sc = load("tajik-afghan-2008")
    compared = _check(sc, sc.period.start, 60, ref_reps=200, incursions=True)
    names = {line.split(":")[0] for line, _ in compared}
    assert {"drug_traffickers.seized_kg", "drug_traffickers.armed_clashes"} <= names
    assert "conflict_sector_share" in names
