"""Simulation-based calibration of `bordersim calibrate` on the 2008 scenario.

For each of ``--truths`` truths drawn from the priors of the drug traffickers' rate, kg per group and
resist probability, one realisation of the year is simulated at the truth (as ``run --set`` would),
written as synthetic observations (kg seized, armed clashes), and calibrated (``--steps`` emcee steps,
the engine's predictive check kept minimal). The data identify the products rate x kg/group and
rate x P(resist); the benchmark prints, for each product and for each single factor, how often the
truth lies inside the posterior 90% interval (nominal 0.90, binomial se printed), and the posterior
90% width relative to the prior's, and how many of the synthetic observations (all reachable: they
were simulated at a prior draw) the reachability check wrongly set aside. Usage:

    .venv/bin/python -m benchmarks.calibration --truths 20
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bordersim.engine.kernel import simulate
from bordersim.engine.observables import per_replication
from bordersim.experiments.calibration import calibrate
from bordersim.model.compile import compile_scenario, with_overrides
from bordersim.scenario.builtin import load
from bordersim.scenario.observations import ObservationSet

A = "actors.drug_traffickers"
FREE = (f"{A}.rate_per_day", f"{A}.seizure_kg", f"{A}.resist_probability")


def _observations(kg: float, clashes: float) -> ObservationSet:
    ev = {"kind": "synthetic", "rationale": "one simulated year at known parameter values"}
    common = {"scenario": "tajik-afghan-2008", "actor": "drug_traffickers", "start": "2008-01-01",
              "days": 366, "qualifies": "synthetic truth for the benchmark", "evidence": ev}  # fmt: skip
    return ObservationSet.model_validate(
        {"observations": [
            {"id": "syn-kg", "metric": "seized_kg", "value": kg, **common},
            {"id": "syn-clashes", "metric": "armed_clashes", "value": clashes, **common},
        ]}
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--truths", type=int, default=20)
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    sc = load("tajik-afghan-2008")
    qs = dict(sc.quantities())
    bounds = {n: qs[n].bounds(sc.evidence) for n in FREE}
    rng = np.random.default_rng(args.seed)
    checks = {"rate x kg": (0, 1), "rate x resist": (0, 2), **{n.split(".")[-1]: (i,) for i, n in enumerate(FREE)}}  # fmt: skip
    hits = {k: 0 for k in checks}
    width = {k: [] for k in checks}  # type: list[float]
    set_aside = 0
    t0 = time.perf_counter()
    for k in range(args.truths):
        truth = {n: float(rng.uniform(*bounds[n])) for n in FREE}
        res = simulate(compile_scenario(with_overrides(sc, truth)), 1, args.seed + k)
        kg = float(per_replication(res, "seized_kg", "drug_traffickers")[0])
        cl = float(per_replication(res, "armed_clashes", "drug_traffickers")[0])
        obs = _observations(kg, cl).targets(sc.id)
        cal = calibrate(sc, obs, free=FREE, steps=args.steps, check_draws=2,
                        check_replications=2, seed=args.seed + k)  # fmt: skip
        # a truth drawn from the prior is reachable by construction: count any observation the
        # reachability check sets aside (false alarms of the implausibility rule)
        set_aside += sum(not o["used"] for o in cal.summary["observations"].values())
        tv = np.array([truth[n] for n in FREE])
        prior = np.column_stack([rng.uniform(*bounds[n], 4000) for n in FREE])
        for name, idx in checks.items():
            post = np.prod(cal.posterior[:, idx], axis=1)
            lo, hi = np.quantile(post, [0.05, 0.95])
            hits[name] += int(lo <= np.prod(tv[list(idx)]) <= hi)
            plo, phi = np.quantile(np.prod(prior[:, idx], axis=1), [0.05, 0.95])
            width[name].append(float(np.log(hi / lo) / np.log(phi / plo)))
        print(f"truth {k + 1}/{args.truths} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    n = args.truths
    print(f"\n{n} truths, {args.steps} steps, {time.perf_counter() - t0:.0f} s in all")
    print(f"observations set aside as unreachable: {set_aside} of {2 * n} (all are reachable)")
    print(f"{'quantity':<16}{'90% coverage':>14}{'(se)':>8}{'width / prior':>16}")
    for name in checks:
        cov = hits[name] / n
        se = np.sqrt(0.9 * 0.1 / n)
        print(f"{name:<16}{cov:>14.2f}{se:>8.2f}{np.median(width[name]):>16.2f}")


if __name__ == "__main__":
    main()
