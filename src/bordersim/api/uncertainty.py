"""Input uncertainty in the API's answers: where the draws come from, and the two intervals.

``bs.run(..., uncertainty="prior", draws=32)`` re-estimates the headline figures on ``draws``
Latin-hypercube draws of the ledger's uncertain quantities (``"posterior"``: draws from a
calibration's posterior, given its directory) and the summary then gives each figure both
intervals: ``ci`` (simulation noise: the 95% confidence interval over the nominal run's
replications) and ``input_interval`` (input uncertainty: the 5-95% spread over the draws).
``bs.compare`` adds, per policy, the spread of each metric and of its difference against the
baseline over the draws, and P(better) across draws (the share of draws in which it beats the
baseline), next to today's P(better) within one draw (common random numbers).

A new source of draws plugs in as a :data:`~bordersim.experiments.intervals.InputSource`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bordersim.model.metrics import COMPARE_METRICS, COVERT_METRICS

if TYPE_CHECKING:  # the experiments layer imports the engine (xarray): imported on first use
    import xarray as xr

    from bordersim.engine.results import Results
    from bordersim.experiments.intervals import InputSource, InputUncertainty
    from bordersim.scenario.schema import Scenario

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_DRAW_REPLICATIONS",
    "Uncertainty",
    "UncertaintyError",
    "api_uncertainty",
    "compare_intervals",
    "draw_replications",
    "draw_source",
    "headline",
    "input_source",
    "resolve_uncertainty",
]

Uncertainty = Literal["none", "prior", "posterior"]
#: Draws of the uncertain inputs by default, and replications per draw (at most the run's own).
DEFAULT_DRAWS = 32
DEFAULT_DRAW_REPLICATIONS = 20

_LABELS = {m.name: m.long_name for m in (*COVERT_METRICS, *COMPARE_METRICS)}


class UncertaintyError(ValueError):
    """An input-uncertainty request that cannot be met (one message, no traceback)."""


def draw_replications(replications: int, per_draw: int | None) -> int:
    """Replications per draw: ``per_draw``, or the default capped at the run's own."""
    n = min(DEFAULT_DRAW_REPLICATIONS, replications) if per_draw is None else per_draw
    if n < 1:
        raise UncertaintyError(f"replications per draw must be at least 1, got {n}")
    return n


def input_source(
    kind: Uncertainty, posterior: str | Path | None = None, scenario: Scenario | None = None
) -> InputSource | None:
    """The source of draws for ``kind`` (``None`` for ``"none"``).

    ``"posterior"`` draws the calibrated quantities from the calibration in ``posterior`` (a
    directory written by ``bordersim calibrate``), or, without one, from the calibration a built-in
    scenario ships with; the other uncertain quantities are drawn from the prior as before
    (:mod:`bordersim.experiments.posterior`). Given ``scenario``, the posterior is read and checked
    now, so that a bad directory fails before anything is simulated.

    Raises:
        UncertaintyError: an unknown kind; a posterior that cannot be read, is of another
            scenario, or names a quantity the scenario does not have; no posterior at all."""
    if kind == "none":
        return None
    if kind == "prior":
        if posterior is not None:
            raise UncertaintyError(
                "--posterior was given with --uncertainty prior: leave --uncertainty out (or say "
                "posterior) to draw from the calibration, or drop --posterior"
            )
        from bordersim.experiments.intervals import prior_source  # xarray: lazy for start-up

        return prior_source
    if kind != "posterior":
        raise UncertaintyError(f"uncertainty must be none, prior or posterior, got {kind!r}")
    from bordersim.experiments import posterior as post  # the engine: lazy for start-up

    def checked(sc: Scenario) -> Any:
        try:
            return post.load_posterior(sc, posterior)
        except post.PosteriorError as exc:
            raise UncertaintyError(str(exc)) from None

    early = None if scenario is None else checked(scenario)  # read once, checked before any run

    def source(sc: Scenario, draws: int, seed: int) -> Any:
        found = early if early is not None and sc is scenario else checked(sc)
        return post.posterior_inputs(sc, found, draws, seed=seed)

    return source


def api_uncertainty(kind: Uncertainty | None, posterior: str | Path | None) -> Uncertainty:
    """The API's reading of ``uncertainty``: left out, ``"posterior"`` when a posterior directory
    is given and ``"none"`` otherwise; ``"none"`` or ``"prior"`` with a posterior are refused."""
    if kind is None:
        return "posterior" if posterior is not None else "none"
    return resolve_uncertainty(kind, posterior)


def resolve_uncertainty(kind: str | None, posterior: str | Path | None) -> Uncertainty:
    """The uncertainty a request means: ``kind`` when given, else ``"posterior"`` when a
    posterior directory is, else the default ``"prior"``."""
    if kind is None:
        return "posterior" if posterior is not None else "prior"
    if kind not in ("none", "prior", "posterior"):
        raise UncertaintyError(f"uncertainty must be none, prior or posterior, got {kind!r}")
    if kind == "none" and posterior is not None:
        raise UncertaintyError(
            "--posterior was given with --uncertainty none: drop one of them (none reports "
            "simulation noise only)"
        )
    return kind  # type: ignore[return-value]


def draw_source(
    kind: Uncertainty | None, posterior: str | Path | None, scenario: Scenario
) -> InputSource:
    """The draws of a command that always draws (robust, optimize --robust, sweep): the prior by
    default, the posterior with ``posterior`` (or ``kind="posterior"`` and a shipped calibration),
    checked against ``scenario`` now.

    Raises:
        UncertaintyError: ``kind="none"`` (this command needs draws), or as :func:`input_source`."""
    resolved = resolve_uncertainty(kind, posterior)
    if resolved == "none":
        raise UncertaintyError(
            "--uncertainty none: this command works on draws of the uncertain inputs; say "
            "prior or posterior"
        )
    source = input_source(resolved, posterior, scenario)
    assert source is not None
    return source


def _pair(lo: float | None, hi: float | None) -> list[float | None]:
    return [lo, hi]


def headline(results: Results, unc: InputUncertainty | None) -> list[dict[str, Any]]:
    """Each headline figure with ``ci`` (simulation noise, 95% over replications) and
    ``input_interval`` (5-95% over draws of the inputs; ``None`` without uncertainty), plus the
    three factors it moves with most (``top_factors``)."""
    from bordersim.experiments.headline import headline_values  # the engine: lazy for start-up

    out = []
    for key, (mean, lo, hi) in headline_values(results).items():
        section, actor, metric = key.split(":")
        iv = None if unc is None or key not in unc.keys else unc.interval(key)
        top = [] if unc is None or key not in unc.keys else unc.top_factors(key)
        out.append(
            {
                "section": section,
                "actor": actor,
                "metric": metric,
                "label": _LABELS.get(metric, metric.replace("_", " ")),
                "mean": mean,
                "ci": _pair(lo, hi),
                "input_interval": None if iv is None else list(iv),
                "top_factors": [{"factor": f, "rho2": r} for f, r in top],
            }
        )
    return out


def compare_intervals(
    report: dict[str, Any], draws: xr.Dataset | None, description: dict[str, Any] | None
) -> None:
    """Add both intervals and P(better) across draws to ``compare``'s summary (in place); see
    :func:`bordersim.experiments.intervals.add_compare_intervals`."""
    from bordersim.experiments.intervals import add_compare_intervals  # xarray: lazy

    add_compare_intervals(report, draws, description, {m.name: m.better for m in COMPARE_METRICS})
