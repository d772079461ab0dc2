"""Observations: what was seen on the border, as evidence the model can be held against.

An observation names a model output in the model's own vocabulary (:data:`OBSERVABLE_METRICS`), where
(an actor, a sector group or a list of sectors) and when (``start`` and ``days``), and its value or a
``low``/``high`` range, with evidence exactly as a quantity has: a ledger key, or inline evidence
that is ``sourced`` (claims with short quotes), ``synthetic`` (made by a simulation at known
parameters, for testing a calibration) or ``assumed`` (a rationale). Each says in ``qualifies`` why
it is about this border and this model output, and its ``use``:

- ``target`` -- calibration holds the model against it;
- ``input`` -- the scenario already feeds it in (a dated crossing), so it cannot also be a target;
- ``excluded`` -- looked at and set aside (with the reason), so the decision is on record.

Observations live in a scenario's ``observations:`` list or in a file of their own (a mapping with
an ``observations:`` list); :func:`load_observations` reads either, with errors located as for
scenarios (file, line, field path). Names (metric, actor, group, sectors) are checked against a
scenario by :func:`check_against`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from bordersim.scenario.evidence import Claim, Frozen
from bordersim.scenario.loading import Problem, ScenarioError, load_data, pydantic_problems
from bordersim.scenario.schema import Scenario

__all__ = [
    "OBSERVABLE_METRICS",
    "EngagementSetting",
    "InlineEvidence",
    "Observation",
    "ObservationError",
    "ObservationSet",
    "check_against",
    "load_observations",
]

#: The model outputs an observation can name: name -> (unit, meaning). Counts are totals over the
#: observation's period; ``*_share`` are fractions in [0, 1].
OBSERVABLE_METRICS: dict[str, tuple[str, str]] = {
    "attempts": ("groups", "covert crossing attempts (every group that tried)"),
    "interdicted": ("groups", "covert groups interdicted"),
    "seized_kg": ("kg", "mass of drugs seized from interdicted trafficking groups"),
    "armed_clashes": ("clashes", "armed clashes: interdictions resisted, and engagements at posts"),
    "clash_deaths": ("people", "people killed in armed clashes (both sides)"),
    "engagements": ("attacks", "armed incursions fought at a border post"),
    "breaches": ("posts", "incursions that broke through a post's defenders"),
    "defender_losses": ("people", "defenders killed or put out of action in engagements"),
    "conflict_sector_share": ("fraction", "share of the border's sectors that saw a clash or an incursion"),
    "received": ("people", "people fleeing received at reception crossings"),
}  # fmt: skip


class InlineEvidence(Frozen):
    """Evidence written inside an observation: sourced claims, or a synthetic/assumed rationale."""

    kind: Literal["sourced", "synthetic", "assumed"]
    claims: tuple[Claim, ...] = ()
    rationale: str | None = Field(default=None, min_length=10)

    @model_validator(mode="after")
    def _complete(self) -> InlineEvidence:
        if self.kind == "sourced" and not self.claims:
            raise ValueError("sourced evidence needs `claims` (source, quote, value, unit, date)")
        if self.kind != "sourced" and self.rationale is None:
            raise ValueError(f"{self.kind} evidence needs a `rationale`")
        return self


def _evidence_kind(v: object) -> str:
    return "inline" if isinstance(v, dict | InlineEvidence) else "ledger"


#: A ledger key, or inline evidence (a mapping with a ``kind``); the tags keep pydantic from trying
#: both and reporting two errors for one mistake.
Evidence = Annotated[
    Annotated[str, Tag("ledger")] | Annotated[InlineEvidence, Tag("inline")],
    Discriminator(_evidence_kind),
]
_TAGS = {"ledger", "inline"}


class ObservationError(ScenarioError):
    """A file of observations that cannot be used; ``str()`` is the whole user-facing message."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        n = len(problems)
        head = f"invalid observations ({n} problem{'s' if n != 1 else ''}):"
        self.args = ("\n".join([head, *(f"  {p}" for p in problems)]),)


class EngagementSetting(Frozen):
    """A single fight, observed on its own (the 12th outpost): the engagement model's inputs."""

    defenders: int = Field(ge=1, le=100_000)
    attackers_low: int = Field(ge=1, le=1_000_000)
    attackers_high: int = Field(ge=1, le=1_000_000)
    reinforcement_after_hours: tuple[float, ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> EngagementSetting:
        if self.attackers_low > self.attackers_high:
            raise ValueError("attackers_low must not exceed attackers_high")
        return self


class Observation(Frozen):
    """One observed figure, where and when, with its evidence and how calibration may use it."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)]
    metric: str
    scenario: str | None = Field(default=None, description="the scenario (id) it is of; none: any")
    engagement: EngagementSetting | None = None
    actor: str | None = None
    group: str | None = None
    sectors: tuple[str, ...] | None = None
    start: dt.date | None = None
    days: int | None = Field(default=None, ge=1, le=36_600)
    value: float | None = Field(default=None, allow_inf_nan=False)
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)
    unit: str | None = None
    qualifies: str = Field(min_length=10, description="why it is about this border and output")
    use: Literal["target", "input", "excluded"] = "target"
    reason: str | None = Field(default=None, description="why an input or excluded one is not used")
    evidence: Evidence

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, v: str) -> str:
        if v not in OBSERVABLE_METRICS:
            raise ValueError(
                f"unknown metric {v!r} (observable: {', '.join(sorted(OBSERVABLE_METRICS))})"
            )
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Observation:
        if self.value is None and (self.low is None or self.high is None):
            raise ValueError("an observation needs `value`, or both `low` and `high`")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low:g}) must not exceed high ({self.high:g})")
        if self.value is not None and self.low is not None and self.high is not None:
            if not self.low <= self.value <= self.high:
                raise ValueError(f"value {self.value:g} lies outside [{self.low:g}, {self.high:g}]")
        if self.engagement is not None and self.metric not in ("defender_losses", "breaches"):
            raise ValueError("an engagement observation is of defender_losses or breaches")
        if self.group is not None and self.sectors is not None:
            raise ValueError("give `group` or `sectors`, not both")
        if self.use != "target" and not self.reason:
            raise ValueError(f"an observation with use: {self.use} needs a `reason`")
        if (self.start is None) != (self.days is None):
            raise ValueError("give both `start` and `days`, or neither (the scenario's period)")
        lo = self.low if self.low is not None else self.value
        if lo is not None and lo < 0:
            raise ValueError("observed counts, masses and shares are never negative")
        if self.metric.endswith("_share"):
            hi = self.high if self.high is not None else self.value
            if hi is not None and hi > 1:
                raise ValueError(f"{self.metric} is a fraction in [0, 1]")
        return self

    @property
    def interval(self) -> tuple[float, float]:
        """The observed range (a point value gives a zero-width one)."""
        lo = self.low if self.low is not None else self.value
        hi = self.high if self.high is not None else self.value
        assert lo is not None and hi is not None
        return float(lo), float(hi)

    @property
    def point(self) -> float:
        """The observed value, or the middle of its range."""
        if self.value is not None:
            return float(self.value)
        lo, hi = self.interval
        return 0.5 * (lo + hi)


class ObservationSet(Frozen):
    """A file of observations: ``{observations: [...]}`` (ids unique)."""

    observations: tuple[Observation, ...] = ()
    _file: str = PrivateAttr(default="<observations>")
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> tuple[str, dict[tuple[str | int, ...], int]]:
        """The file these were read from, and the line of each observation (by field path)."""
        return self._file, self._lines

    @field_validator("observations")
    @classmethod
    def _unique(cls, v: tuple[Observation, ...]) -> tuple[Observation, ...]:
        seen: set[str] = set()
        for o in v:
            if o.id in seen:
                raise ValueError(f"duplicate observation id {o.id!r}")
            seen.add(o.id)
        return v

    def targets(self, scenario: str | None = None) -> tuple[Observation, ...]:
        """The observations calibration holds the model against (of ``scenario``, if given)."""
        return tuple(
            o
            for o in self.observations
            if o.use == "target" and (scenario is None or o.scenario in (None, scenario))
        )


def load_observations(path: str | Path) -> ObservationSet:
    """Read a file of observations (or a scenario file's ``observations:``), errors located.

    Raises:
        ObservationError: with the file, line and field path of each problem.
    """
    loc = load_data(path)
    file = str(path)
    body = {"observations": loc.data.get("observations", [])}
    if "observations" not in loc.data:
        raise ObservationError([Problem(file, 1, (), "no `observations:` list in this file")])
    try:
        out = ObservationSet.model_validate(body)
    except ValidationError as exc:
        problems = [
            Problem(p.file, p.line, tuple(k for k in p.path if k not in _TAGS), p.message)
            for p in pydantic_problems(exc, loc, file)
        ]
        raise ObservationError(problems) from None
    out._file = file
    out._lines = {k: line for k, (_, line) in loc.where.items() if len(k) == 2}
    return out


def check_against(observations: ObservationSet, scenario: Scenario) -> None:
    """Check that every name an observation uses exists in ``scenario``: its actor, its sector
    group (the historic detachment areas of the run table, or ``all``), its sectors, and a ledger
    key given as its evidence.

    Raises:
        ObservationError: naming the observation, its field and (when read from a file) its line.
    """
    actors = {a.id for a in scenario.actors}
    sectors = {s.id for s in scenario.border.sectors}
    known_groups = {s.group for s in scenario.border.sectors} | {"all"}
    file, lines = observations.source
    problems: list[Problem] = []
    for i, o in enumerate(observations.observations):
        where: tuple[str | int, ...] = ("observations", i)
        line = lines.get(where)
        if o.actor is not None and o.actor not in actors:
            msg = f"unknown actor {o.actor!r} (scenario {scenario.id}: {', '.join(sorted(actors))})"
            problems.append(Problem(file, line, (*where, "actor"), msg))
        if o.group is not None and o.group not in known_groups:
            msg = f"unknown sector group {o.group!r} (known: {', '.join(sorted(known_groups))})"
            problems.append(Problem(file, line, (*where, "group"), msg))
        for s in o.sectors or ():
            if s not in sectors:
                problems.append(Problem(file, line, (*where, "sectors"), f"unknown sector {s!r}"))
        if isinstance(o.evidence, str) and o.evidence not in scenario.evidence:
            msg = f"evidence {o.evidence!r} is not a ledger entry of scenario {scenario.id}"
            problems.append(Problem(file, line, (*where, "evidence"), msg))
        if isinstance(o.evidence, InlineEvidence):
            for j, claim in enumerate(o.evidence.claims):
                if claim.source not in scenario.sources:
                    msg = f"claim source {claim.source!r} is not among scenario {scenario.id}'s sources"
                    problems.append(Problem(file, line, (*where, "evidence", "claims", j), msg))
    if problems:
        raise ObservationError(problems)
