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
from bordersim.model.compile import compile_scenario

if TYPE_CHECKING:  # the real imports are lazy: the engine imports xarray, the tidy view pandas
    import pandas as pd
    import xarray as xr

    from bordersim.engine.results import Results

__all__ = ["Comparison", "RunResult", "compare", "run"]


@dataclass(frozen=True)
class RunResult:
    """One simulated policy: the engine's :class:`~bordersim.engine.results.Results` and the
    scenario it ran. Get one with :func:`run`."""

    results: Results
    scenario: Scenario

    def summary(self) -> dict[str, Any]:
        """The dict ``bordersim run --json`` prints: provenance, covert rows, fleeing, costs,
        incursions; floats rounded to 10 digits, undefined figures ``None``.

        Example:
            >>> import bordersim as bs
            >>> bs.run("tajik-afghan-2021", replications=20, days=10, seed=1).summary()["seed"]
            1
        """
        data: dict[str, Any] = json.loads(self.results.summary_json())
        return data

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
        """Write the run folder (results.zarr, summary.csv, summary.json, manifest.json) that
        ``bordersim report`` reads; the manifest records the overrides and ``command``. ``out``
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

        return write_run(
            self.results, Path(out), list(command), extra=self.scenario.provenance(), force=force
        )


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
) -> RunResult:
    """Simulate a scenario under a policy (``None``: the baseline; ``"a+b"`` combines two).

    ``days`` and ``start`` default to the scenario's period; ``daily`` keeps every replication x day
    x sector count (memory grows with days); ``progress`` is called with the number of replications
    done since its last call. The same seed gives the same numbers. Raises ``CompileError`` (a
    ``ValueError``) for an unknown policy.

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
    return RunResult(results, sc)


@dataclass(frozen=True)
class Comparison:
    """Policies run on common random numbers; get one with :func:`compare`."""

    runs: Mapping[str, RunResult]
    command: tuple[str, ...] | None = None

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

        report = paired({name: r.results for name, r in self.runs.items()})
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
) -> Comparison:
    """Run each policy with the same seed (common random numbers) and compare them; the first is
    the baseline. Needs at least two policies and two replications.

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
    runs = {
        name: run(sc, policy=name, replications=replications, days=days, start=start,
                  seed=seed, progress=progress)
        for name in policies
    }  # fmt: skip
    return Comparison(MappingProxyType(runs), None if command is None else tuple(command))
