"""What one view of the what-if page computes, without any web code: a run for the settings, the
baseline on the same seed (common random numbers), and the figures the page shows.

The baseline (the scenario as loaded, no policy variant, no lever moved) depends only on the period,
the replications and the seed, so it is cached: moving a lever reruns one simulation, not two.
A run can be superseded: :meth:`Runner.compute` takes a ``cancelled`` callable that the engine's
progress hook polls after each block of replications, so a newer change stops an older run early.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import bordersim as bs
from bordersim.api.whatif import SECTOR_METRICS, daily_series, headline, paired, sector_values
from bordersim.web.settings import Settings, policy_string

__all__ = ["Runner", "Superseded", "View"]


class Superseded(Exception):
    """A newer change arrived while this run was still going."""


@dataclass(frozen=True)
class View:
    """Everything the page shows for one setting."""

    headline: dict[str, Any]
    sectors: list[float]
    scale: tuple[float, float]  # the map's colour range: the baseline's, so a change shows
    metric: str
    daily: dict[str, list[Any]]
    differences: list[dict[str, Any]]
    policy: str | None
    seconds: float
    lever_errors: dict[str, str]


class Runner:
    """Computes views for one scenario, caching its baseline runs."""

    def __init__(self, scenario: bs.Scenario) -> None:
        self.scenario = scenario
        self.order = list(bs.policies(scenario))
        self._baselines: dict[tuple[int, int, object, object], bs.RunResult] = {}

    def _run(
        self, sc: bs.Scenario, policy: str | None, s: Settings, cancelled: Callable[[], bool]
    ) -> bs.RunResult:
        def progress(_n: int) -> None:
            if cancelled():
                raise Superseded

        return bs.run(
            sc, policy=policy, replications=s.replications, days=s.days, start=s.start,
            seed=s.seed, progress=progress,
        )  # fmt: skip

    def baseline(self, s: Settings, cancelled: Callable[[], bool] = lambda: False) -> bs.RunResult:
        """The scenario as loaded, no policy, same seed and period (cached)."""
        key = (s.replications, s.seed, s.start, s.days)
        if key not in self._baselines:
            self._baselines[key] = self._run(self.scenario, None, s, cancelled)
        return self._baselines[key]

    def compute(self, s: Settings, cancelled: Callable[[], bool] = lambda: False) -> View:
        """Run the settings and the baseline; raise :class:`Superseded` if ``cancelled()``."""
        t0 = time.perf_counter()
        sc, errors = bs.apply_levers(self.scenario, s.levers)
        policy = policy_string(s.policies, self.order)
        result = self._run(sc, policy, s, cancelled)
        base = self.baseline(s, cancelled)
        if s.metric not in SECTOR_METRICS:
            raise ValueError(f"unknown metric {s.metric!r}")
        values = sector_values(result, s.metric)
        base_values = sector_values(base, s.metric)
        finite = base_values[np.isfinite(base_values)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        return View(
            headline=headline(result),
            sectors=[float(v) if np.isfinite(v) else float("nan") for v in values],
            scale=(lo, hi if hi > lo else lo + 1.0),
            metric=s.metric,
            daily=daily_series(result),
            differences=paired(result, base),
            policy=policy,
            seconds=time.perf_counter() - t0,
            lever_errors=errors,
        )
