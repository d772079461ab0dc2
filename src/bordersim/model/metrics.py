"""The one vocabulary of bordersim's outcomes: every metric's name, unit, long name and kind.

In the style of EMA Workbench's outcome objects: a :class:`Metric` is declared once here and every
table, store and report takes its name, unit and label from it. Units follow the CF conventions
(UDUNITS strings; ``"1"`` for a dimensionless count or share), so a Zarr variable or CSV column can
carry them as its ``units`` and ``long_name`` attributes.

Two spellings survive from v0.1 for compatibility of stored results and ``--json`` keys: the sweep
store and ``--metric`` call ``undetected_got_away`` ``undetected`` (:attr:`Metric.short`), and the
policy comparison keeps its own set (:data:`COMPARE_METRICS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["count", "rate", "quantity"]


@dataclass(frozen=True)
class Metric:
    """One outcome: ``name`` (as in ``run --json``), CF ``unit``, ``long_name``, ``kind`` (a count
    per replication, a rate in [0, 1], or another quantity), ``better`` (+1 if more is better for the
    defender, -1 if less, 0 neither), and ``short`` (the name in sweep stores, ``--metric``)."""

    name: str
    unit: str
    long_name: str
    kind: Kind
    better: int = 0
    short: str = ""

    @property
    def key(self) -> str:
        """The name in sweep stores and on ``--metric``."""
        return self.short or self.name


#: The covert-flow metrics, in the order of ``run``'s table and the sweep store.
COVERT_METRICS: tuple[Metric, ...] = (
    Metric("attempts", "1", "covert crossing attempts", "count"),
    Metric("interdicted", "1", "attempts interdicted", "count", +1),
    Metric("turned_back", "1", "attempts detected and turned back", "count", +1),
    Metric("detected_got_away", "1", "attempts detected that got away", "count", -1),
    Metric(
        "undetected_got_away", "1", "attempts undetected that got away", "count", -1, "undetected"
    ),
    Metric("true_rate", "1", "true interdiction rate: interdicted / attempts", "rate", +1),
    Metric(
        "observed_rate",
        "1",
        "observed interdiction rate: (interdicted + turned back) / detected",
        "rate",
    ),
    Metric("rate_gap", "1", "observed minus true interdiction rate", "rate", -1),
)

#: What interdictions yield and where conflict was, in the units agencies report (a covert row's
#: keys for an actor with a seizure or clash model, and the run's ``conflict`` summary); the names
#: are those of :data:`bordersim.scenario.observations.OBSERVABLE_METRICS`.
YIELD_METRICS: tuple[Metric, ...] = (
    Metric("seized_kg", "kg", "mass of drugs seized from interdicted groups", "quantity", +1),
    Metric("armed_clashes", "1", "armed clashes: interdicted groups that resisted", "count"),
    Metric("clash_deaths", "1", "people killed in armed clashes (both sides)", "count", -1),
    Metric(
        "conflict_sector_share",
        "1",
        "share of sectors that saw an armed clash or incursion",
        "rate",
        -1,
    ),
)

#: The metrics ``compare`` reports per replication (labels as in ``compare --json``).
COMPARE_METRICS: tuple[Metric, ...] = (
    Metric("interdictions", "1", "interdicted crossings", "count", +1),
    Metric("undetected", "1", "undetected got-aways (undetected flow)", "count", -1),
    Metric("got_away", "1", "all got-aways (detected or not)", "count", -1),
    Metric("true_rate", "1", "true interdiction rate", "rate", +1),
    Metric("breaches", "1", "breaches of border posts", "count", -1),
    Metric("defender_losses", "1", "defender losses", "count", -1),
    Metric("first_reinforcement_hours", "h", "time to first reinforcement (h)", "quantity", -1),
    Metric("personnel_days", "d", "personnel-days (all sides)", "quantity", -1),
    Metric("cost_per_interdiction_rub", "RUB", "cost per interdiction (RUB)", "quantity", -1),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in COVERT_METRICS}
BY_KEY: dict[str, Metric] = {m.key: m for m in COVERT_METRICS}
BY_YIELD: dict[str, Metric] = {m.name: m for m in YIELD_METRICS}


def covert_metric(name: str) -> Metric:
    """The covert metric called ``name`` or its short key (``undetected``); ``KeyError`` if none."""
    return BY_KEY.get(name) or BY_NAME[name]


def summary_metric(name: str) -> Metric:
    """A column of a run's per-actor summary: a covert metric (by name or short key) or, for an
    actor with a seizure or clash model, a yield metric; ``KeyError`` if none."""
    found = BY_KEY.get(name) or BY_NAME.get(name) or BY_YIELD.get(name)
    if found is None:
        raise KeyError(name)
    return found


#: CF attributes of the variables and coordinates of run and sweep stores (units, long_name).
STORE_VARIABLES: dict[str, tuple[str, str]] = {
    "covert": ("1", "covert crossing attempts by outcome"),
    "covert_daily": ("1", "covert crossing attempts by outcome, per day"),
    "daily_mean": ("1", "covert attempts by outcome per day, mean over replications"),
    "daily_sd": ("1", "covert attempts by outcome per day, standard deviation over replications"),
    "flee_arrived": ("1", "people fleeing who arrived"),
    "flee_received": ("1", "people fleeing who were received"),
    "flee_waiting": ("1", "people fleeing still waiting at the end"),
    "flee_longest_wait": ("d", "longest wait of people fleeing"),
    "flee_daily_mean": ("1", "people fleeing per day, mean over replications"),
    "incursion_engagements": ("1", "armed engagements"),
    "incursion_breaches": ("1", "engagements ending in a breach"),
    "incursion_repelled": ("1", "engagements repelled"),
    "incursion_undecided": ("1", "engagements undecided at the time limit"),
    "incursion_defender_losses": ("1", "defender losses"),
    "incursion_attacker_losses": ("1", "attacker losses"),
    "incursion_first_reinf_hours_sum": (
        "h",
        "sum over engagements of the first reinforcement time",
    ),
    "incursion_first_reinf_count": ("1", "engagements that received a reinforcement"),
    "request_day": ("d", "day Tajikistan requests help, from the first day (NaN: never)"),
    "incursion_daily_mean": ("1", "engagements and breaches per day, mean over replications"),
    "incursion_daily": ("1", "engagements and breaches per day and sector"),
    "degraded_days": ("d", "sector-days with detection lowered by a breach"),
    "covert_clashes": ("1", "armed clashes: interdicted groups that resisted"),
    "cost_rub": ("RUB", "cost of the policy over the period"),
    "unit_sample": ("1", "design point in the unit hypercube"),
    "factor_value": ("1", "value of the factor at the design point (the factor's own unit)"),
    "point_seed": ("1", "simulation seed of the design point"),
    "error": ("", "why the design point has no result (empty: it has one)"),
    "factor_sourced": ("", "whether the factor's range is sourced (else assumed)"),
    "factor_kind": ("", "kind of the factor"),
    "length_km": ("km", "sector length along the border line"),
    "replication": ("1", "replication index"),
    "point": ("1", "design point index"),
    "sector": ("", "sector id"),
    "sector_group": ("", "sector group"),
    "actor": ("", "covert actor id"),
    "armed_actor": ("", "armed actor id"),
    "metric_actor": ("", "covert actor id, or all"),
    "outcome": ("", "outcome class of a covert attempt"),
    "crossing": ("", "official crossing id"),
    "day": ("", "calendar day"),
    "flee_quantity": ("", "quantity of people fleeing"),
    "incursion_quantity": ("", "quantity of armed incursions"),
    "policy": ("", "policy"),
    "factor": ("", "uncertain factor"),
    **{m.key: (m.unit, m.long_name + " per design point") for m in COVERT_METRICS},
}


def cf_attrs(name: str) -> dict[str, str]:
    """CF ``units`` (omitted for labels and dates) and ``long_name`` of a store variable."""
    unit, long_name = STORE_VARIABLES.get(name, ("", name.replace("_", " ")))
    return {"units": unit, "long_name": long_name} if unit else {"long_name": long_name}


__all__ = [
    "COMPARE_METRICS",
    "COVERT_METRICS",
    "STORE_VARIABLES",
    "YIELD_METRICS",
    "Metric",
    "cf_attrs",
    "covert_metric",
    "summary_metric",
]
