"""An event-driven reference model of bordersim v1, written with SimPy: the specification made executable.

It is deliberately slow and plain. One SimPy process per crossing group, one per person fleeing, one
per reception crossing's daily intake, one per armed incursion and one per reinforcement on its way,
one clock that switches the timeline's phases. Nothing here comes from :mod:`bordersim.engine` or
from the model layer's closed forms: detection is a Bernoulli draw with Koopman's probability
recomputed from the phase's guards, the response races the group's vanishing time in continuous time
(two SimPy timeouts and ``AnyOf``), turn-backs are a second Bernoulli draw, and an armed incursion is
Lanchester's square law integrated numerically (fourth-order Runge-Kutta in small fixed steps) while
reinforcements travel as SimPy timeouts and join the fight when they arrive. What it takes from the
compiled scenario is the *state* of the border (guards, equipment, response hours, the adversary's
sector choice, arrival rates, batches, capacities, where the reserves are and how long they need to
reach each sector): the things a timeline and a policy decide, not the physics.

Time is in hours; a day is 24 hours and day ``d`` is ``[24 d, 24 d + 24)``. Arrivals are Poisson
processes in continuous time with piecewise-constant rates (memoryless, so when the rate changes at a
phase boundary the pending gap is simply redrawn). Outcomes are counted on the arrival day even when
the race or the fight ends after the horizon, as the engine counts them.

Each replication runs two SimPy worlds on one random stream, the armed conflict first
(:class:`Conflict`: incursions, fights, reinforcements, escalation, activation) and then the covert
and fleeing border (:class:`Replication`), which reads the conflict's breaches. Nothing covert feeds
back into an armed attack, so this order is exact, and it is what lets the reference follow the
engine's convention that incursions come first in a day: a breach lowers detection in its sector
from the start of the day the attack began.

Adaptive sector choice (choice model ``adaptive``) is not modelled and is refused, as is threshold
escalation that would put on-request units on border duty (their guards would change covert
detection per replication).

What an interdiction yields: an interdicted group of an actor with a ``resist_probability`` fights
back with that probability (an armed clash; a uniform drawn only for such actors), and its seized
mass is the actor's ``seizure_kg`` per interdicted group. The conflict share is the share of sectors
with a clash or an incursion in the replication.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy
from numpy.typing import NDArray

from bordersim.model.codes import ActivationMode, AttackerDist, ChoiceMode
from bordersim.model.compile import Compiled, Phase
from bordersim.model.engagement import EngagementOutcome
from bordersim.model.outcomes import Outcome
from bordersim.scenario.evidence import Quantity
from bordersim.scenario.schema import TERRAINS, Scenario

HOURS_PER_DAY = 24.0
BATCH_HOUR = 12.0  # a dated batch of people fleeing arrives at noon of its day
INTERDICTED, TURNED_BACK, DETECTED_GOT_AWAY, UNDETECTED_GOT_AWAY = Outcome
REPELLED, BREACH, UNDECIDED = EngagementOutcome
ADAPTIVE = ChoiceMode.ADAPTIVE  # compiled choice code of adaptive displacement
ALWAYS, ON_REQUEST, CSTO = ActivationMode  # compiled activation codes
FIXED, UNIFORM, TRIANGULAR = AttackerDist  # compiled attacker-strength distribution codes
STEP_HOURS = 0.1  # Runge-Kutta step of the Lanchester integration
BISECTIONS = 40  # halvings that locate a break point inside a step (to ~1e-13 h)

ProcessGen = Generator[simpy.Event, Any, None]


@dataclass(frozen=True)
class ReferenceResults:
    """Per-replication totals, in the engine's layout."""

    covert: NDArray[np.int64]  # (R, S, Ac, 4) outcome counts by arrival sector
    flee_arrived: NDArray[np.int64]  # (R, P)
    flee_received: NDArray[np.int64]  # (R, P)
    flee_waiting: NDArray[np.int64]  # (R, P) still waiting at the end
    flee_longest: NDArray[np.int64]  # (R, P) longest wait in whole days
    request_day: NDArray[np.float64]  # (R,) day Tajikistan asked for help (inf: never)
    engagements: NDArray[np.int64]  # (R, Aa) armed incursions by actor
    breaches: NDArray[np.int64]  # (R, Aa)
    repelled: NDArray[np.int64]  # (R, Aa)
    undecided: NDArray[np.int64]  # (R, Aa)
    defender_losses: NDArray[np.float64]  # (R, Aa)
    attacker_losses: NDArray[np.float64]  # (R, Aa)
    first_reinf_hours_sum: NDArray[np.float64]  # (R, Aa) over incursions that got reinforcements
    first_reinf_count: NDArray[np.int64]  # (R, Aa) incursions that got any reinforcement
    degraded_days: NDArray[np.int64]  # (R, S) sector-days with detection lowered by a breach
    clashes: NDArray[np.int64]  # (R, S, Ac) interdicted groups that resisted (armed clashes)
    conflict_share: NDArray[np.float64]  # (R,) share of sectors with a clash or an incursion
    kg_per_group: tuple[float, ...]  # (Ac,) mean kg seized per interdicted group (0: none)

    def seized_kg(self) -> NDArray[np.float64]:
        """(R, Ac) kg seized: interdicted groups x the actor's kg per group."""
        return np.asarray(self.covert_by_actor()[:, :, INTERDICTED] * np.array(self.kg_per_group))

    @property
    def replications(self) -> int:
        return int(self.covert.shape[0])

    def covert_by_actor(self) -> NDArray[np.int64]:
        """(R, Ac, 4): outcome counts summed over sectors."""
        return np.asarray(self.covert.sum(axis=1), dtype=np.int64)


class ReferenceModel:
    """The primitives of one compiled scenario, ready to run replications.

    ``scenario`` must be the scenario ``compiled`` was built from (after any overrides): the terrain
    parameters (sweep width, vanishing time, patrol speed, base delay, road tortuosity), the actors'
    turn-back fractions and the units' activation windows are read from it.
    """

    def __init__(self, scenario: Scenario, compiled: Compiled) -> None:
        if scenario.id != compiled.scenario_id:
            raise ValueError(f"scenario {scenario.id!r} is not {compiled.scenario_id!r}")
        for ph in compiled.phases:
            if (ph.choice_code == ADAPTIVE).any():
                raise NotImplementedError("the reference model has no adaptive sector choice yet")
        self.compiled = compiled
        self.escalation_mode = str(compiled.escalation.get("mode", "never"))
        activation = [int(x) for x in compiled.unit_activation]
        if self.escalation_mode == "threshold" and any(
            activation[u] != ALWAYS and ph.unit_guards[u].any()
            for ph in compiled.phases
            for u in range(len(activation))
        ):
            raise NotImplementedError(
                "the reference model cannot put units activated by a threshold request on border "
                "duty (their guards would change covert detection per replication)"
            )
        terrain = [scenario.terrain[TERRAINS[t]] for t in compiled.sector_terrain]
        self.length_km = [float(x) for x in compiled.length_km]
        self.sweep_width_km = [tp.sweep_width_km.value for tp in terrain]
        self.vanish_mean_hours = [tp.vanish_mean_hours.value for tp in terrain]
        actors = {a.id: a for a in scenario.actors}
        self.turn_back = [
            actors[a].turn_back.value if actors[a].turn_back else 0.0 for a in compiled.covert_ids
        ]
        # what an interdiction yields, read from the scenario (not from the compiled arrays)
        self.resist = [_value(actors[a].resist_probability) for a in compiled.covert_ids]
        self.kg_per_group = tuple(_value(actors[a].seizure_kg) for a in compiled.covert_ids)
        self.capacity = [
            math.inf if not math.isfinite(c) else int(c) for c in compiled.crossing_capacity
        ]

        # ---- armed incursions: parameters, outposts, the neighbouring post's relief ----
        inc = compiled.incursion
        self.incursion = {k: float(v) for k, v in dataclasses.asdict(inc).items()}
        if not math.isfinite(self.incursion["time_limit_hours"]):
            raise NotImplementedError("the reference model needs a finite incursion time limit")
        spacing = self.incursion["post_spacing_km"]
        # posts along the sector, one every `spacing` km (at least one); the garrison in contact is
        # one post's share of the sector's on-duty guards
        self.posts = [max(1.0, length / spacing) for length in self.length_km]
        # the neighbouring post: a patrol gets moving (r0), then covers one post spacing by road
        self.local_hours = [
            tp.base_delay_hours.value
            + spacing * tp.road_tortuosity.value / tp.patrol_speed_kmh.value
            for tp in terrain
        ]
        self.attackers = [tuple(float(x) for x in row) for row in compiled.armed_attackers]
        units = {u.id: u for u in scenario.units}
        self.activation = activation
        self.delay_days = [float(x) for x in compiled.unit_delay_days]
        self.ramp_days = [
            float(r) if activation[u] == CSTO else 0.0
            for u, r in enumerate(compiled.unit_ramp_days)
        ]
        self.unit_window = [
            (units[uid].active_from, units[uid].active_until) for uid in compiled.unit_ids
        ]
        self.reinf_unit = [int(u) for u in compiled.reinf_unit]

    def detection_probability(self, phase: Phase, s: int) -> float:
        """Koopman's random-search law, from the phase's on-duty guards and equipment."""
        effort = self.sweep_width_km[s] * float(phase.equipment[s]) * float(phase.guards[s])
        if effort <= 0.0:
            return 0.0
        return 1.0 - math.exp(-effort / self.length_km[s])

    def in_window(self, u: int, day: int) -> bool:
        """Whether unit ``u`` exists on ``day`` (its active_from / active_until dates)."""
        today = self.compiled.start + dt.timedelta(days=day)
        start, until = self.unit_window[u]
        return (start is None or today >= start) and (until is None or today < until)

    def run(self, replications: int, seed: int) -> ReferenceResults:
        """``replications`` independent replications; replication ``r`` has its own named stream."""
        c = self.compiled
        R, S, Ac, P = replications, c.n_sectors, len(c.covert_ids), len(c.crossing_ids)
        Aa = len(c.armed_ids)
        covert = np.zeros((R, S, Ac, 4), dtype=np.int64)
        flee = np.zeros((4, R, P), dtype=np.int64)
        request_day = np.full(R, np.inf)
        counts = np.zeros((4, R, Aa), dtype=np.int64)  # engagements, breaches, repelled, undecided
        losses = np.zeros((3, R, Aa))  # defenders, attackers, first-reinforcement hours
        reinf_count = np.zeros((R, Aa), dtype=np.int64)
        degraded = np.zeros((R, S), dtype=np.int64)
        clashes = np.zeros((R, S, Ac), dtype=np.int64)
        share = np.zeros(R)
        for r in range(R):
            rep = Replication(self, random.Random(f"bordersim-reference:{seed}:{r}"))
            rep.run()
            covert[r] = rep.covert
            flee[:, r] = (rep.arrived, rep.received, rep.waiting, rep.longest)
            war = rep.conflict
            request_day[r] = war.request_day
            for f in war.fights:
                counts[0, r, f.actor] += 1
                counts[1 + f.outcome, r, f.actor] += 1
                losses[0, r, f.actor] += f.committed - f.defenders
                losses[1, r, f.actor] += f.attackers0 - f.attackers
                if math.isfinite(f.first_reinforcement):
                    losses[2, r, f.actor] += f.first_reinforcement
                    reinf_count[r, f.actor] += 1
            degraded[r] = [sum(row) for row in rep.degraded]
            clashes[r] = rep.clashes
            fought = {f.sector for f in war.fights} | set(np.flatnonzero(rep.clashes.sum(axis=1)))
            share[r] = len(fought) / S
        return ReferenceResults(
            covert, flee[0], flee[1], flee[2], flee[3],
            request_day=request_day,
            engagements=counts[0],
            breaches=counts[1 + BREACH],
            repelled=counts[1 + REPELLED],
            undecided=counts[1 + UNDECIDED],
            defender_losses=losses[0],
            attacker_losses=losses[1],
            first_reinf_hours_sum=losses[2],
            first_reinf_count=reinf_count,
            degraded_days=degraded,
            clashes=clashes,
            conflict_share=share,
            kg_per_group=self.kg_per_group,
        )  # fmt: skip


class World:
    """What both SimPy worlds of a replication share: the clock that switches the timeline's phases
    and Poisson arrival processes whose rates follow them."""

    def __init__(self, model: ReferenceModel, rng: random.Random) -> None:
        self.model = model
        self.c = model.compiled
        self.rng = rng
        self.env = simpy.Environment()
        self.horizon_days = self.c.days
        self.phase_of_day = [int(i) for i in self.c.phase_index()]
        self.phase = self.c.phases[self.phase_of_day[0]]
        self.closed = False  # True once the period is over: arrival processes stop
        self.rates_changed = self.env.event()  # fires (and is replaced) when any rate may change

    def today(self) -> int:
        return int(self.env.now // HOURS_PER_DAY)

    def on_phase(self, phase: Phase) -> None:
        """Called when a new phase comes into force (hook for derived state)."""

    def timeline(self) -> ProcessGen:
        """The clock: switch to each day's phase at midnight; close the period at the horizon."""
        for day in range(1, self.horizon_days):
            yield self.env.timeout(HOURS_PER_DAY)
            phase = self.c.phases[self.phase_of_day[day]]
            if phase is not self.phase:
                self.phase = phase
                self.on_phase(phase)
                self._signal()
        yield self.env.timeout(HOURS_PER_DAY)
        self.closed = True
        self._signal()

    def _signal(self) -> None:
        old, self.rates_changed = self.rates_changed, self.env.event()
        old.succeed()

    def poisson_arrivals(
        self, rate_of: Callable[..., float], key: tuple[int, int], spawn: Callable[..., ProcessGen]
    ) -> ProcessGen:
        """A Poisson process whose rate ``rate_of(*key)`` may change whenever the phase does;
        each arrival starts ``spawn(*key)`` as its own process."""
        env = self.env
        while not self.closed:
            rate = rate_of(*key)
            changed = self.rates_changed
            if rate <= 0.0:
                yield changed
                continue
            arrival = env.timeout(self.rng.expovariate(rate))
            yield arrival | changed
            if arrival.processed and not self.closed:
                env.process(spawn(*key))


# ---- armed incursions ----------------------------------------------------------------------------


def _rk4_step(d: float, n: float, alpha: float, beta: float, h: float) -> tuple[float, float]:
    """One classical Runge-Kutta step of dD/dt = -alpha N, dN/dt = -beta D over ``h`` hours."""
    k1d, k1n = -alpha * n, -beta * d
    k2d, k2n = -alpha * (n + 0.5 * h * k1n), -beta * (d + 0.5 * h * k1d)
    k3d, k3n = -alpha * (n + 0.5 * h * k2n), -beta * (d + 0.5 * h * k2d)
    k4d, k4n = -alpha * (n + h * k3n), -beta * (d + h * k3d)
    return (
        d + h * (k1d + 2.0 * k2d + 2.0 * k3d + k4d) / 6.0,
        n + h * (k1n + 2.0 * k2n + 2.0 * k3n + k4n) / 6.0,
    )


@dataclass
class Fight:
    """An outpost's garrison against one attacking group, Lanchester's square law.

    dD/dt = -alpha N, dN/dt = -beta * fortification * D. The attackers break at
    ``break_attacker`` x their initial strength (repelled); the defenders at ``break_defender`` x
    the strength committed so far (garrison plus every reinforcement that has joined: breach);
    whoever reaches their break point first decides it, a tie counts as repelled; nobody by the time
    limit is undecided."""

    actor: int
    sector: int
    start: float  # hours (simulation clock) of the first shot
    defenders: float
    attackers: float
    alpha: float
    beta: float  # effective: beta x fortification
    break_defender: float
    break_attacker: float
    limit_hours: float
    committed: float = 0.0
    attackers0: float = 0.0
    elapsed: float = 0.0  # hours of fighting integrated so far
    outcome: int | None = None
    first_reinforcement: float = math.inf  # hours after the first shot
    pending: list[float] = field(default_factory=list)  # reinforcements that arrived, not yet added

    def __post_init__(self) -> None:
        self.committed = self.defenders
        self.attackers0 = self.attackers

    def broken(self, d: float, n: float) -> int | None:
        """Who has reached their break point at strengths (d, n), attackers first (ties)."""
        if n <= self.break_attacker * self.attackers0:
            return REPELLED
        if d <= self.break_defender * self.committed:
            return BREACH
        return None

    def integrate(self, hours: float) -> tuple[float, float, float, int | None]:
        """Fight on for up to ``hours`` from the current state without changing it: (hours fought,
        defenders, attackers, who broke or None). Fixed Runge-Kutta steps; inside the step where a
        side crosses its break point, bisection on the step length finds when."""
        d, n = self.defenders, self.attackers
        who = self.broken(d, n)
        if who is not None:
            return 0.0, d, n, who
        t = 0.0
        while t < hours:
            h = min(STEP_HOURS, hours - t)
            d1, n1 = _rk4_step(d, n, self.alpha, self.beta, h)
            if self.broken(d1, n1) is None:
                t, d, n = t + h, d1, n1
                continue
            lo, hi = 0.0, h  # not broken after lo, broken after hi
            for _ in range(BISECTIONS):
                mid = 0.5 * (lo + hi)
                if self.broken(*_rk4_step(d, n, self.alpha, self.beta, mid)) is None:
                    lo = mid
                else:
                    hi = mid
            d1, n1 = _rk4_step(d, n, self.alpha, self.beta, hi)
            who = self.broken(d1, n1)
            # the side that broke stands at its break point
            if who == REPELLED:
                n1 = self.break_attacker * self.attackers0
            else:
                d1 = self.break_defender * self.committed
            return t + hi, d1, n1, who
        return hours, d, n, None

    def advance(self, hours: float) -> None:
        """Fight on for ``hours`` (no break point is reached in between)."""
        _, self.defenders, self.attackers, _ = self.integrate(hours)
        self.elapsed += hours


class Conflict(World):
    """The armed side of one replication: incursions on the outposts, their reinforcements, and
    escalation (Tajikistan's request for help) with the activation of on-request and CSTO units."""

    def __init__(self, model: ReferenceModel, rng: random.Random) -> None:
        super().__init__(model, rng)
        c = self.c
        self.request_day = math.inf
        self.unit_frac = [0.0] * len(c.unit_ids)  # active fraction of non-always units
        self.engagement_days: list[int] = []
        self.fights: list[Fight] = []

    def run(self) -> None:
        env, c = self.env, self.c
        env.process(self.timeline())
        for a in range(len(c.armed_ids)):
            for s in range(c.n_sectors):
                env.process(self.poisson_arrivals(self.armed_rate_per_hour, (a, s), self.incursion))
        if self.model.escalation_mode == "date" and math.isfinite(c.request_day):
            env.process(self.scripted_request(c.request_day))
        env.run()

    def armed_rate_per_hour(self, a: int, s: int) -> float:
        return float(self.phase.armed_rate[a, s]) / HOURS_PER_DAY

    # ---- escalation and activation ---------------------------------------------------------------
    def scripted_request(self, day: float) -> ProcessGen:
        """Escalation by date: the request on its day (or before the run, at once)."""
        yield self.env.timeout(max(0.0, day * HOURS_PER_DAY))
        self.request(day)

    def request(self, day: float) -> None:
        """Tajikistan asks for help: every on-request and CSTO unit starts its activation."""
        self.request_day = day
        for u, code in enumerate(self.model.activation):
            if code != ALWAYS:
                self.env.process(self.activation(u, day))

    def activation(self, u: int, request_day: float) -> ProcessGen:
        """A unit acts from request + delay; a CSTO unit ramps linearly to full strength over its
        ramp. Whole days, as the engine counts them: the unit acts from the first day d >= request +
        delay, with the fraction of day d's start, (d - request - delay) / ramp."""
        start = request_day + self.model.delay_days[u]
        ramp = self.model.ramp_days[u]
        day = max(0, math.ceil(start))
        yield self.env.timeout(max(0.0, day * HOURS_PER_DAY - self.env.now))
        while True:
            frac = 1.0 if ramp <= 0.0 or day >= start + ramp else max(0.0, (day - start) / ramp)
            self.unit_frac[u] = frac
            if frac >= 1.0 or day >= self.horizon_days:
                return
            yield self.env.timeout(HOURS_PER_DAY)
            day += 1

    def count_engagement(self, day: int) -> None:
        """Escalation by threshold: the request falls on the day the engagements of the trailing
        window (days day - window + 1 .. day) reach the threshold."""
        self.engagement_days.append(day)
        esc = self.c.escalation
        if self.model.escalation_mode != "threshold" or math.isfinite(self.request_day):
            return
        window = int(esc["window_days"])
        recent = sum(1 for d in self.engagement_days if d > day - window)
        if recent >= float(esc["threshold"]):
            self.request(float(day))

    def active_fraction(self, u: int, day: int) -> float:
        """Share of unit ``u`` acting on ``day``: the phase's for units that always act, else the
        unit's own activation state times its window (active_from / active_until)."""
        if self.model.activation[u] == ALWAYS:
            return float(self.phase.unit_active[u])
        return self.unit_frac[u] if self.model.in_window(u, day) else 0.0

    # ---- the incursion ---------------------------------------------------------------------------
    def draw_attackers(self, a: int) -> float:
        lo, mode, hi, dist = self.model.attackers[a]
        if hi <= lo or int(dist) == FIXED:
            return mode
        if int(dist) == UNIFORM:
            return self.rng.uniform(lo, hi)
        return self.rng.triangular(lo, hi, mode)

    def incursion(self, a: int, s: int) -> ProcessGen:
        """Armed actor ``a`` attacks an outpost in sector ``s``: the garrison fights, the
        neighbouring post and the reserves send reinforcements, the fight ends repelled, in a breach
        or undecided at the time limit."""
        env, m, ph = self.env, self.model, self.phase
        inc = m.incursion
        day = self.today()
        self.count_engagement(day)
        frac = [self.active_fraction(u, day) for u in range(len(self.c.unit_ids))]
        guards = sum(frac[u] * float(ph.unit_guards[u, s]) for u in range(len(frac)))
        garrison = max(guards, 0.0) / m.posts[s]
        fight = Fight(
            actor=a,
            sector=s,
            start=env.now,
            defenders=garrison,
            attackers=self.draw_attackers(a),
            alpha=inc["alpha"],
            beta=inc["beta"] * inc["fortification"],
            break_defender=inc["break_defender"],
            break_attacker=inc["break_attacker"],
            limit_hours=inc["time_limit_hours"],
        )
        self.fights.append(fight)
        wake = env.event()

        def arrived(size: float) -> None:
            if fight.outcome is None and env.now - fight.start < fight.limit_hours:
                fight.pending.append(size)
                if not wake.triggered:
                    wake.succeed()

        # who comes: half (local_fraction) of the neighbouring post, and every reserve unit's
        # committed strength (air-mobile units wave by wave) scaled by its active fraction today
        sent = [(m.local_hours[s], inc["local_fraction"] * garrison)]
        for j, u in enumerate(m.reinf_unit):
            sent.append((float(ph.reinf_hours[j, s]), float(ph.reinf_size[j, s]) * frac[u]))
        for hours, size in sent:
            if size > 0.0 and math.isfinite(hours):
                env.process(self.reinforcement(fight, hours, size, arrived))

        while True:
            left = fight.limit_hours - fight.elapsed
            hours, d, n, who = fight.integrate(left)
            ending = env.timeout(hours)
            yield ending | wake
            if ending.processed or not wake.triggered:  # a reinforcement at the very end: ignored
                fight.elapsed += hours
                fight.defenders, fight.attackers = d, n
                fight.outcome = UNDECIDED if who is None else who
                return
            fight.advance(env.now - fight.start - fight.elapsed)
            for size in fight.pending:  # joins: more defenders, and a higher break threshold
                fight.defenders += size
                fight.committed += size
            fight.pending.clear()
            wake = env.event()

    def reinforcement(
        self, fight: Fight, hours: float, size: float, arrived: Callable[[float], None]
    ) -> ProcessGen:
        """A reinforcement on its way: readiness and travel, then it joins the fight if the fight is
        still on (it arrives, and counts as the first reinforcement, either way)."""
        yield self.env.timeout(hours)
        fight.first_reinforcement = min(fight.first_reinforcement, hours)
        arrived(size)

    def breach_days(self) -> list[list[int]]:
        """Per sector, the days on which an attack that ended in a breach began."""
        out: list[list[int]] = [[] for _ in range(self.c.n_sectors)]
        for f in self.fights:
            if f.outcome == BREACH:
                out[f.sector].append(int(f.start // HOURS_PER_DAY))
        return out


# ---- the covert and fleeing border -----------------------------------------------------------------


class Replication(World):
    """One replication: the armed conflict first (its own SimPy world, see :class:`Conflict`), then
    the border's covert crossings and people fleeing, with the conflict's breaches lowering
    detection."""

    def __init__(self, model: ReferenceModel, rng: random.Random) -> None:
        super().__init__(model, rng)
        S, Ac, P = self.c.n_sectors, len(self.c.covert_ids), len(self.c.crossing_ids)
        self.p_detect = self._detection(self.phase)
        self.conflict = Conflict(model, rng)
        self.degraded = [[False] * self.horizon_days for _ in range(S)]  # (S, T) after a breach
        self.covert = np.zeros((S, Ac, 4), dtype=np.int64)
        self.clashes = np.zeros((S, Ac), dtype=np.int64)
        self.queues = [simpy.Store(self.env) for _ in range(P)]  # items: arrival day of a person
        self.arrived = np.zeros(P, dtype=np.int64)
        self.received = np.zeros(P, dtype=np.int64)
        self.waiting = np.zeros(P, dtype=np.int64)
        self.longest = np.zeros(P, dtype=np.int64)

    # ---- helpers ---------------------------------------------------------------------------------
    def _detection(self, phase: Phase) -> list[float]:
        return [self.model.detection_probability(phase, s) for s in range(self.c.n_sectors)]

    def on_phase(self, phase: Phase) -> None:
        self.p_detect = self._detection(phase)

    def covert_rate_per_hour(self, s: int, a: int) -> float:
        ph = self.phase
        return float(ph.covert_rate[a] * ph.choice_q[a, s]) / HOURS_PER_DAY

    def fleeing_rate_per_hour(self, f: int, p: int) -> float:
        return float(self.phase.fleeing_rate[f, p]) / HOURS_PER_DAY

    def mark_breaches(self) -> None:
        """A breach lowers detection in its sector on the day its attack began (incursions come
        first in a day) and the following days, ``breach_detection_days`` days in all."""
        days = self.model.incursion["breach_detection_days"]
        for s, breach_days in enumerate(self.conflict.breach_days()):
            for b in breach_days:
                for d in range(b, self.horizon_days):
                    if d - b >= days:
                        break
                    self.degraded[s][d] = True

    # ---- processes -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start every process of the border world (the conflict has already run)."""
        env, c = self.env, self.c
        env.process(self.timeline())
        for s in range(c.n_sectors):
            for a in range(len(c.covert_ids)):
                env.process(self.poisson_arrivals(self.covert_rate_per_hour, (s, a), self.group))
        for f in range(len(c.fleeing_ids)):
            for p in range(len(c.crossing_ids)):
                env.process(self.poisson_arrivals(self.fleeing_rate_per_hour, (f, p), self.person))
        for day, _actor, arrivals in c.batches:
            env.process(self.batch(day, arrivals))
        for p in range(len(c.crossing_ids)):
            env.process(self.reception(p))

    def run(self) -> None:
        """The conflict, then the border, each until nothing is left to happen (arrivals stop at
        the horizon; races, fights and reinforcements finish)."""
        self.conflict.run()
        self.mark_breaches()
        self.start()
        self.env.run()

    def group(self, s: int, a: int) -> ProcessGen:
        """One covert crossing group in sector ``s`` of actor ``a``: detection, then the race."""
        rng, env = self.rng, self.env
        p_detect = self.p_detect[s]
        if self.degraded[s][self.today()]:
            p_detect *= self.model.incursion["breach_detection_factor"]
        response_hours = float(self.phase.response_hours[s])
        if rng.random() >= p_detect:
            self.covert[s, a, UNDETECTED_GOT_AWAY] += 1
            return
        vanish = env.timeout(rng.expovariate(1.0 / self.model.vanish_mean_hours[s]))
        if math.isfinite(response_hours):
            response = env.timeout(response_hours)
            yield response | vanish
            if response.processed:
                self.covert[s, a, INTERDICTED] += 1
                resist = self.model.resist[a]
                if resist > 0 and rng.random() < resist:  # the group fights: an armed clash
                    self.clashes[s, a] += 1
                return
        else:
            yield vanish  # nobody comes
        if rng.random() < self.model.turn_back[a]:
            self.covert[s, a, TURNED_BACK] += 1
        else:
            self.covert[s, a, DETECTED_GOT_AWAY] += 1

    def person(self, _f: int, p: int) -> ProcessGen:
        """One person fleeing arrives at reception crossing ``p`` and joins its queue."""
        self.arrived[p] += 1
        yield self.queues[p].put(self.today())

    def batch(self, day: int, arrivals: NDArray[np.int64]) -> ProcessGen:
        """A dated batch (e.g. 1,037 soldiers on 5 July 2021) arriving at noon of its day."""
        yield self.env.timeout(day * HOURS_PER_DAY + BATCH_HOUR)
        for p, n in enumerate(arrivals):
            for _ in range(int(n)):
                self.arrived[p] += 1
                yield self.queues[p].put(day)

    def reception(self, p: int) -> ProcessGen:
        """At each day's end the crossing receives up to its capacity, first come first served."""
        queue, capacity = self.queues[p], self.model.capacity[p]
        for day in range(self.horizon_days):
            yield self.env.timeout(HOURS_PER_DAY)
            for _ in range(min(capacity, len(queue.items))):
                arrival_day = yield queue.get()
                self.received[p] += 1
                self.longest[p] = max(self.longest[p], day - arrival_day)
        last_day = self.horizon_days - 1
        for arrival_day in queue.items:
            self.longest[p] = max(self.longest[p], last_day - arrival_day)
        self.waiting[p] = len(queue.items)


def _value(q: Quantity | None) -> float:
    return 0.0 if q is None else float(q.value)


def simulate_reference(
    scenario: Scenario, compiled: Compiled, replications: int, seed: int
) -> ReferenceResults:
    """Convenience wrapper: ``ReferenceModel(scenario, compiled).run(replications, seed)``."""
    return ReferenceModel(scenario, compiled).run(replications, seed)
