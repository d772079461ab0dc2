"""Runs and comparisons: ``run`` one policy, ``compare`` several on common random numbers.

:class:`RunResult` wraps the engine's :class:`~bordersim.engine.results.Results` with the scenario
that produced it; its ``summary()`` is the dict ``bordersim run --json`` prints. The engine (which
imports xarray) is imported on first use, so that ``import bordersim`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from bordersim.api.labels import dataset_with_attrs, tidy_rows
from bordersim.api.scenarios import Scenario, ScenarioLike, as_scenario, parse_date
from bordersim.api.uncertainty import (
    DEFAULT_DRAWS,
    Uncertainty,
    api_uncertainty,
    compare_intervals,
    draw_replications,
    headline,
    input_source,
)
from bordersim.model.compile import compile_scenario

if TYPE_CHECKING:  # the real imports are lazy: the engine imports xarray, the tidy view pandas
    import pandas as pd
    import xarray as xr

    from bordersim.engine.results import Results
    from bordersim.experiments.intervals import InputUncertainty

__all__ = ["Comparison", "RunResult", "compare", "run"]


@dataclass(frozen=True)
class RunResult:
    """One simulated policy: the engine's :class:`~bordersim.engine.results.Results` and the
    scenario it ran. Get one with :func:`run`."""

    results: Results
    scenario: Scenario
    uncertainty: InputUncertainty | None = None

    def summary(self) -> dict[str, Any]:
        """The dict ``bordersim run --json`` prints: provenance, covert rows, fleeing, costs,
        incursions; floats rounded to 10 digits, undefined figures ``None``. ``headline`` gives
        each headline figure with ``ci`` (simulation noise) and ``input_interval`` (input
        uncertainty, ``None`` without draws); ``input_uncertainty`` says how the draws were made.

        Example:
            >>> import bordersim as bs
            >>> bs.run("tajik-afghan-2021", replications=20, days=10, seed=1).summary()["seed"]
            1
        """
        from bordersim.engine.rundir import dumps_json  # engine imports xarray: lazy

        unc = self.uncertainty
        extra = {
            "headline": headline(self.results, unc),
            "input_uncertainty": None if unc is None else unc.describe(),
        }
        data: dict[str, Any] = json.loads(self.results.summary_json())
        data.update(json.loads(dumps_json(extra)))
        return data

    def summary_json(self) -> str:
        """:meth:`summary` as the text ``bordersim run --json`` prints (without newline)."""
        from bordersim.engine.rundir import dumps_json  # engine imports xarray: lazy

        return dumps_json(self.summary())

    def to_xarray(self) -> xr.Dataset:
        """The results as a labelled Dataset (replication x sector x actor x outcome, daily means,
        fleeing, incursions), each variable with ``units`` and ``long_name`` attributes and the
        provenance in the Dataset's attributes.

        Example:
            >>> import bordersim as bs
            >>> ds = bs.run("tajik-afghan-2021", replications=20, days=10).to_xarray()
            >>> ds["covert"].attrs["long_name"]
            'covert crossing attempts by outcome'
        """
        return dataset_with_attrs(self.results.to_xarray())

    def to_dataframe(self) -> pd.DataFrame:
        """A tidy table: one row per (actor, sector group, metric) with mean, lo, hi (95% CI) and
        unit; "never defined" (e.g. a rate without attempts) is NaN.

        Example:
            >>> import bordersim as bs
            >>> df = bs.run("tajik-afghan-2021", replications=20, days=10).to_dataframe()
            >>> list(df.columns)
            ['actor', 'sector_group', 'metric', 'mean', 'lo', 'hi', 'unit']
        """
        import pandas as pd  # heavy (~0.3 s); only the tidy view needs it

        return pd.DataFrame(tidy_rows(self.results.summary_rows()))

    def write(self, out: str | Path, *, command: Sequence[str] = (), force: bool = False) -> Path:
        """Write the run folder (results.zarr, summary.csv, summary.json, manifest.json, and with
        input uncertainty input_draws.csv) that ``bordersim report`` reads; the manifest records the overrides and ``command``. ``out``
        must be new, empty or a run directory: a rerun replaces only the run's own files and keeps
        others (a report, a compare.json) unless ``force``; otherwise it raises
        :class:`bordersim.engine.rundir.OutputError` and writes nothing.

        Example:
            >>> import bordersim as bs, tempfile, pathlib
            >>> res = bs.run("tajik-afghan-2021", replications=20, days=10)
            >>> (res.write(pathlib.Path(tempfile.mkdtemp()) / "run") / "manifest.json").exists()
            True
        """
        from bordersim.engine.store import write_run  # imports xarray/zarr: lazy for start-up

        unc = self.uncertainty
        return write_run(
            self.results, Path(out), list(command), extra=self.scenario.provenance(), force=force,
            summary_json=self.summary_json(), draws=None if unc is None else unc.table(),
        )  # fmt: skip


def run(
    scenario: ScenarioLike,
    *,
    policy: str | None = None,
    replications: int = 1000,
    days: int | None = None,
    start: dt.date | str | None = None,
    seed: int = 2021,
    daily: bool = False,
    progress: Callable[[int], None] | None = None,
    uncertainty: Uncertainty | None = None,
    draws: int = DEFAULT_DRAWS,
    replications_per_draw: int | None = None,
    posterior: str | Path | None = None,
) -> RunResult:
    """Simulate a scenario under a policy (``None``: the baseline; ``"a+b"`` combines two).

    ``days`` and ``start`` default to the scenario's period; ``daily`` keeps every replication x day
    x sector count (memory grows with days); ``progress`` is called with the number of replications
    done since its last call. The same seed gives the same numbers. Raises ``CompileError`` (a
    ``ValueError``) for an unknown policy.

    ``uncertainty="prior"`` also runs the policy on ``draws`` draws of the uncertain inputs,
    ``replications_per_draw`` each (default 20, at most ``replications``), for the input interval;
    the nominal run and its numbers are unchanged. ``"posterior"`` draws the calibrated quantities
    from ``posterior`` (a ``bordersim calibrate`` directory; without one, the calibration a
    built-in scenario ships with) and the others from the prior. Left out, ``uncertainty`` is
    ``"posterior"`` when ``posterior`` is given and ``"none"`` otherwise (the CLI's default is
    ``"prior"``), so callers that run many times (the web page, plan verification) do not pay for
    draws they did not ask for. Raises :class:`~bordersim.api.uncertainty.UncertaintyError`
    (a ``ValueError``) for a posterior that cannot be drawn from, before anything is simulated.

    Example:
        >>> import bordersim as bs
        >>> res = bs.run("tajik-afghan-2021", policy="tajik-only", replications=50, days=30, seed=1)
        >>> res.summary()["policy"]
        'tajik-only'
    """
    from bordersim.engine.kernel import simulate, simulate_streamed  # lazy for start-up

    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    sc = as_scenario(scenario)
    source = input_source(api_uncertainty(uncertainty, posterior), posterior, sc.model)
    compiled = compile_scenario(
        sc.model, policy=policy, start=parse_date(start, "start"), days=days
    )
    if daily:  # the daily arrays stream into the store chunk by chunk: memory flat in replications
        results = simulate_streamed(
            compiled, replications, seed, scenario_hash=sc.content_hash, progress=progress
        )
    else:
        results = simulate(
            compiled, replications, seed, mode="totals", scenario_hash=sc.content_hash,
            progress=progress,
        )  # fmt: skip
    if source is None:
        return RunResult(results, sc)
    from bordersim.experiments.intervals import hold_fixed, input_uncertainty  # engine: lazy

    per_draw = draw_replications(replications, replications_per_draw)

    def advance(k: int) -> None:
        if progress is not None:
            progress(k * per_draw)

    unc = input_uncertainty(
        sc.model, policy, hold_fixed(source(sc.model, draws, seed), sc.overrides),
        replications=per_draw, seed=seed,
        days=days, start=parse_date(start, "start"), progress=advance,
    )  # fmt: skip
    return RunResult(results, sc, unc)


@dataclass(frozen=True)
class Comparison:
    """Policies run on common random numbers; get one with :func:`compare`."""

    runs: Mapping[str, RunResult]
    command: tuple[str, ...] | None = None
    draws: xr.Dataset | None = None  # evaluate_draws' policy x draw matrix, with uncertainty
    draws_description: Mapping[str, Any] | None = None

    @property
    def baseline(self) -> str:
        """The first policy, against which the others are differenced."""
        return next(iter(self.runs))

    def summary(self) -> dict[str, Any]:
        """The dict ``bordersim compare --json`` prints: each policy's metrics and the paired
        differences against the baseline with P(better); ``command`` only when one is set.

        Example:
            >>> import bordersim as bs
            >>> c = bs.compare("tajik-afghan-2021", ["tajik-only", "aid-equipment"],
            ...                replications=20, days=10)
            >>> c.summary()["baseline"]
            'tajik-only'
        """
        from bordersim.engine.results import clean_for_json  # engine imports xarray: lazy
        from bordersim.experiments.compare import compare as paired

        first = next(iter(self.runs.values()))
        kinds = {u.id: u.kind for u in first.scenario.model.units}
        report = paired({name: r.results for name, r in self.runs.items()}, kinds)
        desc = None if self.draws_description is None else dict(self.draws_description)
        compare_intervals(report, self.draws, desc)
        if self.command is not None:
            report["command"] = list(self.command)
        data: dict[str, Any] = json.loads(json.dumps(clean_for_json(report), sort_keys=True))
        return data

    def summary_json(self) -> str:
        """:meth:`summary` as the text ``bordersim compare --json`` prints (without newline)."""
        return json.dumps(self.summary(), indent=2, sort_keys=True)


def compare(
    scenario: ScenarioLike,
    policies: Sequence[str],
    *,
    replications: int = 1000,
    days: int | None = None,
    start: dt.date | str | None = None,
    seed: int = 2021,
    command: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
    uncertainty: Uncertainty | None = None,
    draws: int = DEFAULT_DRAWS,
    replications_per_draw: int | None = None,
    posterior: str | Path | None = None,
) -> Comparison:
    """Run each policy with the same seed (common random numbers) and compare them; the first is
    the baseline. Needs at least two policies and two replications.

    With ``uncertainty`` (as in :func:`run`) every policy also runs on the same ``draws`` draws of
    the uncertain inputs (common random numbers within a draw), which adds each figure's input
    interval and P(better) across draws to the summary.

    Example:
        >>> import bordersim as bs
        >>> c = bs.compare("tajik-afghan-2021", ["tajik-only", "russian-guards-return"],
        ...                replications=20, days=10, seed=1)
        >>> c.summary()["policies"]
        ['tajik-only', 'russian-guards-return']
    """
    if len(policies) < 2:
        raise ValueError("compare needs at least two policies (the first is the baseline)")
    if replications < 2:
        raise ValueError(f"compare needs at least 2 replications, got {replications}")
    sc = as_scenario(scenario)
    source = input_source(api_uncertainty(uncertainty, posterior), posterior, sc.model)
    runs = {
        name: run(sc, policy=name, replications=replications, days=days, start=start,
                  seed=seed, progress=progress)
        for name in policies
    }  # fmt: skip
    cmd = None if command is None else tuple(command)
    if source is None:
        return Comparison(MappingProxyType(runs), cmd)
    from bordersim.experiments.intervals import describe_draws, hold_fixed  # engine: lazy
    from bordersim.experiments.uncertainty import evaluate_draws

    per_draw = draw_replications(replications, replications_per_draw)
    inputs = hold_fixed(source(sc.model, draws, seed), sc.overrides)

    def advance(k: int) -> None:
        if progress is not None:
            progress(k * per_draw)

    matrix = evaluate_draws(
        sc.model, list(policies), inputs, replications=per_draw, seed=seed, days=days,
        start=parse_date(start, "start"), progress=advance,
    )  # fmt: skip
    desc = describe_draws(inputs, per_draw, seed)
    return Comparison(MappingProxyType(runs), cmd, matrix, MappingProxyType(desc))
