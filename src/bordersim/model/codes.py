"""Integer codes of the compiled arrays, as :class:`~enum.IntEnum` classes.

The compiler turns a scenario's names (a covert actor's choice model, a unit's activation mode and
side, an armed actor's attacker distribution) into small integers so the engine can select with NumPy
masks (``phase.choice_code == ChoiceMode.ADAPTIVE``). These enums are the one place that says which
integer means what; compiler, engine and planner compare against the members, never a bare number.
The outcome classes of a covert attempt and of an armed engagement keep their own enums beside the
formulas that define them (:class:`bordersim.model.outcomes.Outcome`,
:class:`bordersim.model.engagement.EngagementOutcome`).
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ActivationMode", "AttackerDist", "ChoiceMode", "Side"]


class ChoiceMode(IntEnum):
    """``Phase.choice_code``: how a covert actor picks its sector (``Choice.model`` in the schema)."""

    FIXED = 0
    BEST_RESPONSE = 1
    QUANTAL = 2
    ADAPTIVE = 3

    @classmethod
    def of(cls, name: str) -> ChoiceMode:
        """The code of a schema name (``"best_response"`` -> ``BEST_RESPONSE``)."""
        return cls[name.upper()]


class ActivationMode(IntEnum):
    """``Compiled.unit_activation``: when a unit acts (``Activation.mode`` in the schema)."""

    ALWAYS = 0
    ON_REQUEST = 1
    CSTO = 2

    @classmethod
    def of(cls, name: str) -> ActivationMode:
        """The code of a schema name (``"on_request"`` -> ``ON_REQUEST``)."""
        return cls[name.upper()]


class AttackerDist(IntEnum):
    """Column 3 of ``Compiled.armed_attackers``: the distribution of an event's attacker strength."""

    FIXED = 0
    UNIFORM = 1
    TRIANGULAR = 2

    @classmethod
    def of(cls, name: str) -> AttackerDist:
        """The code of a :meth:`Quantity.distribution` name (``"triangular"`` -> ``TRIANGULAR``)."""
        return cls[name.upper()]


class Side(IntEnum):
    """Index of a side in ``Phase.personnel`` (``Unit.side`` in the schema)."""

    TJ = 0
    RU = 1
    CSTO = 2
