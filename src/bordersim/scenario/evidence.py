"""The evidence ledger: every scenario quantity is sourced (claims) or assumed (a rationale), and
may also be calibrated (held against observations).

A :class:`Quantity` carries its nominal value and its evidence, inline or by reference to an entry of
the scenario's ledger. A ledger entry or a quantity may add a ``calibrated`` block
(:class:`Calibrated`): which observations a calibration used, which calibration, and what they pinned
down. It changes neither the nominal value nor the prior (the claims or assumption and the range,
which were the calibration's prior); it records that the quantity was held against what was seen.
The block is left out of a model dump when absent, so scenarios without it keep their content hash
(:func:`bordersim.scenario.loading.content_hash` can also leave present ones out).

Claims that disagree become a distribution over the reported range: triangular with its mode at the
nominal value when that lies strictly inside the range, else uniform, unless the file names the
distribution. Assumed quantities give a plausible range so that sensitivity analysis can
rank them ("what to go and find out").
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bordersim.scenario.validation import MAX_YEAR, MIN_YEAR, Name, Real, Text

MAX_QUOTE = 200
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


class Frozen(BaseModel):
    """Base of every schema model: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


def parse_partial_date(text: str) -> date:
    """Parse 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (a claim may describe a year or a month)."""
    m = _DATE_RE.match(text.strip())
    if not m:
        raise ValueError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise ValueError(f"year {y} is outside {MIN_YEAR}-{MAX_YEAR}")
    return date(y, mo, d)  # raises ValueError for 2021-02-30


def _date_text(v: object) -> str:
    """A claim's or source's date as text, checked: YAML gives dates, the schema keeps text so that
    a year or a month can stand for the period a claim describes."""
    text = v.isoformat() if isinstance(v, date) else str(v)
    parse_partial_date(text)
    return text


class Claim(Frozen):
    """One source's statement of a quantity."""

    source: Name = Field(description="id of an entry in the scenario's `sources`")
    quote: Text = Field(max_length=MAX_QUOTE, min_length=1, description="short verbatim quote")
    value: Real
    unit: Name
    date: str = Field(description="the date the claim describes: YYYY, YYYY-MM or YYYY-MM-DD")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: object) -> str:
        return _date_text(v)


class Assumption(Frozen):
    """A quantity no source gives: why this value, and how wrong it might plausibly be."""

    rationale: Text = Field(min_length=10)


#: What the observations pinned down: the quantity on its own, only in a product with others (the
#: calibration summary's ``combinations``), or nothing (cited to say it was tried).
Identified = Literal["alone", "as a combination", "no"]
ObservationId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)]
EvidenceKind = Literal["sourced", "assumed", "sourced+assumed", "calibrated"]


class Calibrated(Frozen):
    """A calibration held the quantity against observations: which, by which calibration, and
    what they pinned down. The prior is the evidence's claims or assumption with the quantity's
    range; the nominal value is not changed."""

    observations: tuple[ObservationId, ...] = Field(
        min_length=1, description="ids of the observations the calibration held it against"
    )
    calibration: Name = Field(
        description="a shipped calibration (a folder name under scenario/data/calibration/) or a "
        "calibration folder's path relative to the file that says so"
    )
    identified: Identified
    note: Text | None = Field(default=None, min_length=1)

    @field_validator("observations")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        dup = sorted({o for o in v if v.count(o) > 1})
        if dup:
            raise ValueError(f"observation {dup[0]!r} is cited twice")
        return v


def _unset(v: object) -> bool:
    """An unset ``calibrated`` block is left out of dumps: scenarios without one keep their hash."""
    return v is None


class Evidence(Frozen):
    """A ledger entry: sourced (one or more claims) or assumed (a rationale), never neither; and
    perhaps calibrated (a :class:`Calibrated` block next to them)."""

    claims: tuple[Claim, ...] = ()
    assumed: Assumption | None = None
    calibrated: Calibrated | None = Field(default=None, exclude_if=_unset)

    @property
    def kind(self) -> EvidenceKind:
        """calibrated (a calibration block, whatever the prior rests on), sourced (claims only),
        assumed (a rationale only) or sourced+assumed (e.g. a sourced total, split by assumption)."""
        if self.calibrated is not None:
            return "calibrated"
        if self.claims and self.assumed is not None:
            return "sourced+assumed"
        return "sourced" if self.claims else "assumed"

    @model_validator(mode="after")
    def _one_kind(self) -> Evidence:
        if not self.claims and self.assumed is None:
            extra = (
                "; `calibrated` only adds to them (the prior is what they give)"
                if self.calibrated is not None
                else ""
            )
            raise ValueError(f"evidence needs `claims` (sourced) or `assumed` (a rationale){extra}")
        return self


Distribution = Literal["fixed", "uniform", "triangular"]


class Quantity(Frozen):
    """A number in a scenario, with its evidence and its uncertainty range."""

    value: Real
    unit: Name | None = None
    low: Real | None = None
    high: Real | None = None
    dist: Distribution | None = None
    evidence: Name | None = Field(default=None, description="key of a ledger entry")
    claims: tuple[Claim, ...] = ()
    assumed: Assumption | None = None
    calibrated: Calibrated | None = Field(
        default=None,
        exclude_if=_unset,
        description="this quantity (not every user of its ledger entry) calibrated",
    )

    @model_validator(mode="after")
    def _has_evidence(self) -> Quantity:
        kinds = (self.evidence is not None) + bool(self.claims) + (self.assumed is not None)
        if kinds == 0:
            raise ValueError(
                "quantity has no evidence: give `claims` (sourced), `assumed` (a rationale), "
                "or `evidence` (a ledger key)"
            )
        if kinds > 1:
            raise ValueError("give only one of `claims`, `assumed` or `evidence`")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is above high ({self.high:g})")
        if self.low is not None and self.value < self.low:
            raise ValueError(f"value {self.value:g} is below its own range's low ({self.low:g})")
        if self.high is not None and self.value > self.high:
            raise ValueError(f"value {self.value:g} is above its own range's high ({self.high:g})")
        return self

    def resolved_evidence(self, ledger: dict[str, Evidence]) -> Evidence:
        """This quantity's evidence, looking up a ledger reference; the quantity's own
        ``calibrated`` block, if any, in place of its entry's."""
        if self.evidence is not None:
            ev = ledger[self.evidence]
            if self.calibrated is None:
                return ev
            return Evidence(claims=ev.claims, assumed=ev.assumed, calibrated=self.calibrated)
        return Evidence(claims=self.claims, assumed=self.assumed, calibrated=self.calibrated)

    def bounds(self, ledger: dict[str, Evidence]) -> tuple[float, float]:
        """The uncertainty range: explicit low/high, else the span of the claims and the value."""
        ev = self.resolved_evidence(ledger)
        values = [self.value, *(c.value for c in ev.claims if self._same_unit(c))]
        lo = self.low if self.low is not None else min(values)
        hi = self.high if self.high is not None else max(values)
        return float(min(lo, self.value)), float(max(hi, self.value))

    def distribution(self, ledger: dict[str, Evidence]) -> Distribution:
        """fixed when the range is a point; else the file's choice; else triangular around an
        interior nominal value, uniform when the value sits on an end."""
        lo, hi = self.bounds(ledger)
        if lo == hi:
            return "fixed"
        if self.dist is not None:
            return self.dist
        return "triangular" if lo < self.value < hi else "uniform"

    def is_sourced(self, ledger: dict[str, Evidence]) -> bool:
        """Whether a source gives it (claims); a calibration does not change that."""
        return bool(self.resolved_evidence(ledger).claims)

    def calibration(self, ledger: dict[str, Evidence]) -> Calibrated | None:
        """The calibration that held this quantity against observations (its own, else its
        ledger entry's), or None."""
        return self.resolved_evidence(ledger).calibrated

    def conflicting(self, ledger: dict[str, Evidence]) -> bool:
        """True when the sources give different values for this quantity."""
        vals = {c.value for c in self.resolved_evidence(ledger).claims if self._same_unit(c)}
        return len(vals) > 1

    def _same_unit(self, claim: Claim) -> bool:
        return self.unit is None or claim.unit == self.unit


class Source(Frozen):
    """A report the scenario cites."""

    title: Text
    publisher: Text
    date: str
    file: Text | None = None
    url: Text | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: object) -> str:
        return _date_text(v)
