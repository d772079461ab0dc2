"""Draws of the uncertain inputs with the calibrated quantities taken from a posterior.

``bordersim calibrate`` infers only the *free* quantities (those the observations depend on); every
other uncertain quantity stays as uncertain as the evidence ledger says. So a posterior draw is a
prior draw (the same Latin hypercube over the ledger's ranges as ``--uncertainty prior``) in which
the free quantities are replaced, jointly, by one row of the posterior sample: the correlations the
observations induce (rate x kg per group, say) are kept, which marginals alone would lose.

Rows are picked without replacement (with replacement only when more draws are asked for than the
posterior holds) from ``SeedSequence(seed, spawn_key=(POSTERIOR_KEY,))``, a stream of its own, so
the prior part of draw ``d`` is the same as under ``--uncertainty prior`` with the same seed and the
two input intervals differ only by what calibration learnt.

The directory is a calibration written by ``bordersim calibrate`` (its checksums verified), or, for
a built-in scenario, the calibration it ships with (``scenario/data/calibration/<id>``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bordersim.engine.rundir import StoreError
from bordersim.experiments.calibration_store import read_posterior
from bordersim.experiments.factors import Factor, Space, build_space
from bordersim.experiments.uncertainty import InputDraws, draw_inputs
from bordersim.scenario.calibration_refs import CALIBRATION_DIR
from bordersim.scenario.schema import Scenario

__all__ = [
    "POSTERIOR_FACTOR",
    "POSTERIOR_KEY",
    "Posterior",
    "PosteriorError",
    "load_posterior",
    "posterior_inputs",
    "shipped_calibration",
    "with_posterior",
]

#: Spawn key of the stream that picks posterior rows (apart from the design's own stream).
POSTERIOR_KEY = 0x505354  # "PST"


class PosteriorError(ValueError):
    """A calibration directory that cannot serve as the posterior of this scenario."""


def shipped_calibration(scenario_id: str) -> Path | None:
    """The calibration a built-in scenario ships with, or ``None``."""
    path = CALIBRATION_DIR / scenario_id
    return path if (path / "posterior.csv").is_file() else None


class Posterior:
    """A calibration's posterior sample, checked against the scenario it will be drawn for.

    Attributes:
        directory: where it was read from.
        names: the free quantities (posterior.csv's columns).
        samples: (n, k) posterior sample.
        manifest: the calibration directory's manifest (provenance).
        shipped: whether it is the built-in scenario's own calibration.
    """

    def __init__(self, directory: Path, scenario: Scenario, *, shipped: bool = False) -> None:
        if not (Path(directory) / "posterior.csv").is_file():
            raise PosteriorError(
                f"--posterior {directory}: not a calibration directory (no posterior.csv; "
                "`bordersim calibrate --out DIR` writes one)"
            )
        try:
            names, samples, manifest = read_posterior(directory)
        except (StoreError, OSError, ValueError) as exc:
            raise PosteriorError(f"--posterior {directory}: {exc}") from None
        if manifest.get("scenario") not in (None, scenario.id):
            raise PosteriorError(
                f"--posterior {directory}: a calibration of {manifest.get('scenario')}, not of "
                f"{scenario.id}; calibrate this scenario (bordersim calibrate) to draw from it"
            )
        known = {f.name for f in build_space(scenario, grouping="quantity").factors}
        missing = [q for q in names if q not in known]
        if missing:
            raise PosteriorError(
                f"--posterior {directory}: scenario {scenario.id} has no uncertain quantity "
                f"{missing[0]!r} (posterior.csv's columns must be its quantities)"
            )
        if samples.shape[0] < 2 or not np.all(np.isfinite(samples)):
            raise PosteriorError(
                f"--posterior {directory}: posterior.csv needs at least two rows of finite numbers"
            )
        self.directory = Path(directory)
        self.names = names
        self.samples = samples
        self.manifest = manifest
        self.shipped = shipped

    def provenance(self) -> dict[str, Any]:
        """Where the posterior came from, for a summary's ``input_uncertainty``."""
        checksums = self.manifest.get("checksums")
        digest = checksums.get("posterior.csv") if isinstance(checksums, dict) else None
        return {
            "calibration": self.manifest.get("scenario") if self.shipped else str(self.directory),
            "shipped": self.shipped,
            "observations_used": list(self.manifest.get("observations_used") or []),  # type: ignore[call-overload]
            "method": self.manifest.get("method"),
            "seed": self.manifest.get("seed"),
            "free_quantities": len(self.names),
            "samples": int(self.samples.shape[0]),
            "posterior_sha256": digest,
        }


def load_posterior(scenario: Scenario, directory: str | Path | None) -> Posterior:
    """The posterior in ``directory``, or (``None``) the built-in scenario's shipped calibration.

    Raises:
        PosteriorError: no directory and no shipped calibration; an unreadable or changed
            calibration; one of another scenario; a column the scenario does not have."""
    if directory is None:
        shipped = shipped_calibration(scenario.id)
        if shipped is None:
            raise PosteriorError(
                f"--uncertainty posterior: {scenario.id} ships no calibration; give --posterior "
                "DIR, a directory written by `bordersim calibrate` (or use --uncertainty prior)"
            )
        return Posterior(shipped, scenario, shipped=True)
    path = Path(directory)
    if not path.is_dir():
        what = "not a directory" if path.exists() else "no such directory"
        raise PosteriorError(
            f"--posterior {path}: {what} (write a calibration with `bordersim calibrate --out`)"
        )
    return Posterior(path, scenario)


def _without(factor: Factor, free: set[str]) -> Factor | None:
    members = tuple(m for m in factor.members if m.quantity not in free)
    if not members:
        return None
    return factor if len(members) == len(factor.members) else replace(factor, members=members)


def posterior_inputs(
    scenario: Scenario, posterior: Posterior, draws: int, *, seed: int
) -> InputDraws:
    """``draws`` draws of the uncertain inputs: the prior's Latin hypercube (as
    :func:`~bordersim.experiments.uncertainty.draw_inputs` with ``seed``) with the free quantities
    replaced, jointly, by posterior rows (see the module docstring). The factors are the prior's
    (less the free quantities) followed by one factor per free quantity."""
    prior = draw_inputs(scenario, draws, seed=seed)
    free = set(posterior.names)
    kept: list[Factor] = []
    cols: list[int] = []
    for j, f in enumerate(prior.space.factors):
        g = _without(f, free)
        if g is not None:
            kept.append(g)
            cols.append(j)
    by_name = {f.name: f for f in build_space(scenario, grouping="quantity").factors}
    free_factors = tuple(by_name[q] for q in posterior.names)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(POSTERIOR_KEY,)))
    n_samples = posterior.samples.shape[0]
    rows = posterior.samples[rng.choice(n_samples, size=draws, replace=draws > n_samples)]
    unit_post = np.column_stack([f.members[0].cdf(rows[:, j]) for j, f in enumerate(free_factors)])
    space = Space((*kept, *free_factors), prior.space.fixed, prior.space.grouping)
    reduced = Space(tuple(kept), prior.space.fixed, prior.space.grouping)
    overrides = tuple(
        {
            **reduced.overrides(prior.unit[d, cols]),
            **dict(zip(posterior.names, map(float, rows[d]), strict=True)),
        }
        for d in range(draws)
    )
    unit = np.hstack([prior.unit[:, cols], unit_post])
    values = np.hstack([prior.values[:, cols], rows])
    return InputDraws(space, unit, values, overrides, "posterior", seed, posterior.provenance())


#: The name of the posterior factor in a sweep's space.
POSTERIOR_FACTOR = "calibration-posterior"


def with_posterior(
    space: Space, scenario: Scenario, posterior: Posterior, *, ranged: Sequence[str] = ()
) -> Space:
    """``space`` with the calibrated quantities taken out of its factors and put into one
    ``posterior`` factor whose coordinate picks a posterior row (for a sweep's design: any
    design's stratification over that coordinate spreads the points over the sample).

    Raises:
        PosteriorError: a calibrated quantity the user fixed, or gave a range to (``ranged``):
            its values come from the posterior."""
    free = set(posterior.names)
    for option, names in (("--fix", space.fixed), ("--range", ranged)):
        clash = sorted(free & set(names))
        if clash:
            raise PosteriorError(
                f"{option} {clash[0]}: this quantity is calibrated, its values come from the "
                f"posterior; drop the {option} or the --posterior"
            )
    kept: list[Factor] = []
    for f in space.factors:
        g = _without(f, free)
        if g is not None:
            kept.append(g)
    by_name = {f.name: f for f in build_space(scenario, grouping="quantity").factors}
    digest = hashlib.sha256(np.ascontiguousarray(posterior.samples).tobytes()).hexdigest()
    factor = Factor(
        POSTERIOR_FACTOR,
        tuple(by_name[q].members[0] for q in posterior.names),
        False,
        "posterior",
        rows=posterior.samples,
        rows_sha256=digest,
        origin=str(posterior.provenance()["calibration"]),
    )
    return Space((*kept, factor), space.fixed, space.grouping)
