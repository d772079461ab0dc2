"""An event-driven reference model of bordersim v1, written with SimPy: the specification made executable.

It is deliberately slow and plain. One SimPy process per crossing group, one per person fleeing, one
per reception crossing's daily intake, one clock that switches the timeline's phases. Nothing here
comes from :mod:`bordersim.engine` or from the model layer's closed forms: detection is a Bernoulli draw
with Koopman's probability recomputed from the phase's guards, the response races the group's vanishing
time in continuous time (two SimPy timeouts and ``AnyOf``), and turn-backs are a second Bernoulli draw.
What it takes from the compiled scenario is the *state* of the border (guards, equipment, response hours,
the adversary's sector choice, arrival rates, batches, capacities): the things a timeline and a policy
decide, not the physics.

Time is in hours; a day is 24 hours and day ``d`` is ``[24 d, 24 d + 24)``. Arrivals are Poisson
processes in continuous time with piecewise-constant rates (memoryless, so when the rate changes at a
phase boundary the pending gap is simply redrawn). Outcomes are counted on the group's arrival day
even when the race ends after the horizon, as the engine counts them.

Extending: armed incursions will be one more arrival process per (armed actor, sector) that starts an
``incursion`` process (the Lanchester fight with reinforcement timeouts); see :meth:`Replication.start`.
Adaptive sector choice (choice model ``adaptive``) is not modelled yet and is refused.
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy
from numpy.typing import NDArray

from bordersim.scenario.compile import Compiled, Phase
from bordersim.scenario.schema import TERRAINS, Scenario

HOURS_PER_DAY = 24.0
BATCH_HOUR = 12.0  # a dated batch of people fleeing arrives at noon of its day
INTERDICTED, TURNED_BACK, DETECTED_GOT_AWAY, UNDETECTED_GOT_AWAY = range(4)
ADAPTIVE = 3  # compiled choice code of adaptive displacement

ProcessGen = Generator[simpy.Event, Any, None]


@dataclass(frozen=True)
class ReferenceResults:
    """Per-replication totals, in the engine's layout."""

    covert: NDArray[np.int64]  # (R, S, Ac, 4) outcome counts by arrival sector
    flee_arrived: NDArray[np.int64]  # (R, P)
    flee_received: NDArray[np.int64]  # (R, P)
    flee_waiting: NDArray[np.int64]  # (R, P) still waiting at the end
    flee_longest: NDArray[np.int64]  # (R, P) longest wait in whole days

    @property
    def replications(self) -> int:
        return int(self.covert.shape[0])

    def covert_by_actor(self) -> NDArray[np.int64]:
        """(R, Ac, 4): outcome counts summed over sectors."""
        return np.asarray(self.covert.sum(axis=1), dtype=np.int64)


class ReferenceModel:
    """The primitives of one compiled scenario, ready to run replications.

    ``scenario`` must be the scenario ``compiled`` was built from (after any overrides): the terrain
    parameters (sweep width, vanishing time) and the actors' turn-back fractions are read from it.
    """

    def __init__(self, scenario: Scenario, compiled: Compiled) -> None:
        if scenario.id != compiled.scenario_id:
            raise ValueError(f"scenario {scenario.id!r} is not {compiled.scenario_id!r}")
        for ph in compiled.phases:
            if (ph.choice_code == ADAPTIVE).any():
                raise NotImplementedError("the reference model has no adaptive sector choice yet")
        self.compiled = compiled
        terrain = [scenario.terrain[TERRAINS[t]] for t in compiled.sector_terrain]
        self.length_km = [float(x) for x in compiled.length_km]
        self.sweep_width_km = [tp.sweep_width_km.value for tp in terrain]
        self.vanish_mean_hours = [tp.vanish_mean_hours.value for tp in terrain]
        actors = {a.id: a for a in scenario.actors}
        self.turn_back = [
            actors[a].turn_back.value if actors[a].turn_back else 0.0 for a in compiled.covert_ids
        ]
        self.capacity = [
            math.inf if not math.isfinite(c) else int(c) for c in compiled.crossing_capacity
        ]

    def detection_probability(self, phase: Phase, s: int) -> float:
        """Koopman's random-search law, from the phase's on-duty guards and equipment."""
        effort = self.sweep_width_km[s] * float(phase.equipment[s]) * float(phase.guards[s])
        if effort <= 0.0:
            return 0.0
        return 1.0 - math.exp(-effort / self.length_km[s])

    def run(self, replications: int, seed: int) -> ReferenceResults:
        """``replications`` independent replications; replication ``r`` has its own named stream."""
        c = self.compiled
        S, Ac, P = c.n_sectors, len(c.covert_ids), len(c.crossing_ids)
        covert = np.zeros((replications, S, Ac, 4), dtype=np.int64)
        flee = np.zeros((4, replications, P), dtype=np.int64)
        for r in range(replications):
            rep = Replication(self, random.Random(f"bordersim-reference:{seed}:{r}"))
            rep.run()
            covert[r] = rep.covert
            flee[:, r] = (rep.arrived, rep.received, rep.waiting, rep.longest)
        return ReferenceResults(covert, flee[0], flee[1], flee[2], flee[3])


class Replication:
    """One SimPy world: the border over the compiled period, with its own random stream."""

    def __init__(self, model: ReferenceModel, rng: random.Random) -> None:
        self.model = model
        self.c = model.compiled
        self.rng = rng
        self.env = simpy.Environment()
        self.horizon_days = self.c.days
        self.phase_of_day = [int(i) for i in self.c.phase_index()]
        self.phase = self.c.phases[self.phase_of_day[0]]
        self.p_detect = self._detection(self.phase)
        self.closed = False  # True once the period is over: arrival processes stop
        self.rates_changed = self.env.event()  # fires (and is replaced) when any rate may change
        S, Ac, P = self.c.n_sectors, len(self.c.covert_ids), len(self.c.crossing_ids)
        self.covert = np.zeros((S, Ac, 4), dtype=np.int64)
        self.queues = [simpy.Store(self.env) for _ in range(P)]  # items: arrival day of a person
        self.arrived = np.zeros(P, dtype=np.int64)
        self.received = np.zeros(P, dtype=np.int64)
        self.waiting = np.zeros(P, dtype=np.int64)
        self.longest = np.zeros(P, dtype=np.int64)

    # ---- helpers ---------------------------------------------------------------------------------
    def today(self) -> int:
        return int(self.env.now // HOURS_PER_DAY)

    def _detection(self, phase: Phase) -> list[float]:
        return [self.model.detection_probability(phase, s) for s in range(self.c.n_sectors)]

    def covert_rate_per_hour(self, s: int, a: int) -> float:
        ph = self.phase
        return float(ph.covert_rate[a] * ph.choice_q[a, s]) / HOURS_PER_DAY

    def fleeing_rate_per_hour(self, f: int, p: int) -> float:
        return float(self.phase.fleeing_rate[f, p]) / HOURS_PER_DAY

    # ---- processes -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start every process of the world. (An incursion arrival process per armed actor and
        sector would be started here, next to the covert ones.)"""
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
        """Run until nothing is left to happen (arrivals stop at the horizon; races finish)."""
        self.start()
        self.env.run()

    def timeline(self) -> ProcessGen:
        """The clock: switch to each day's phase at midnight; close the period at the horizon."""
        for day in range(1, self.horizon_days):
            yield self.env.timeout(HOURS_PER_DAY)
            phase = self.c.phases[self.phase_of_day[day]]
            if phase is not self.phase:
                self.phase = phase
                self.p_detect = self._detection(phase)
                self._signal()
        yield self.env.timeout(HOURS_PER_DAY)
        self.closed = True
        self._signal()

    def _signal(self) -> None:
        old, self.rates_changed = self.rates_changed, self.env.event()
        old.succeed()

    def poisson_arrivals(self, rate_of: Any, key: tuple[int, int], spawn: Any) -> ProcessGen:
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

    def group(self, s: int, a: int) -> ProcessGen:
        """One covert crossing group in sector ``s`` of actor ``a``: detection, then the race."""
        rng, env = self.rng, self.env
        p_detect = self.p_detect[s]
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


def simulate_reference(
    scenario: Scenario, compiled: Compiled, replications: int, seed: int
) -> ReferenceResults:
    """Convenience wrapper: ``ReferenceModel(scenario, compiled).run(replications, seed)``."""
    return ReferenceModel(scenario, compiled).run(replications, seed)
