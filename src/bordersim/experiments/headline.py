"""A run's headline figures, without the machinery of input draws.

Every run's summary carries its headline figures (each covert actor's all-sector row and each armed
actor's incursion row, with their 95% simulation-noise CIs); the input intervals of
:mod:`bordersim.experiments.intervals` are added to them when draws were made. This module needs
only the engine's results, so a run without input uncertainty does not import the draws' machinery
(SciPy's statistics, the sweep store).
"""

from __future__ import annotations

from bordersim.engine.results import Results, covert_metrics

__all__ = ["COVERT_HEADLINE", "INCURSION_HEADLINE", "headline_values"]

#: Headline figures of each covert actor (its "all sectors" row of the run table).
COVERT_HEADLINE = ("true_rate", "observed_rate", "rate_gap", "interdicted", "undetected_got_away")
#: Headline figures of each armed actor (its row of the incursion table).
INCURSION_HEADLINE = ("breaches", "defender_losses")


def headline_values(results: Results) -> dict[str, tuple[float, float, float]]:
    """The headline figures of a run, ``"section:actor:metric" -> (mean, 95% CI lo, hi)``: each
    covert actor's all-sector row and each armed actor's incursion row, as the run table has them."""
    out: dict[str, tuple[float, float, float]] = {}
    for a, actor in enumerate(results.compiled.covert_ids):  # the run table's "all" row
        est = covert_metrics(results.covert_totals[:, :, a, :].sum(axis=1))
        for m in COVERT_HEADLINE:
            out[f"covert:{actor}:{m}"] = (est[m].mean, est[m].lo, est[m].hi)
    for row in results.incursion_rows():
        for m in INCURSION_HEADLINE:
            out[f"incursions:{row['actor']}:{m}"] = (row[m], row[f"{m}_lo"], row[f"{m}_hi"])
    return out
