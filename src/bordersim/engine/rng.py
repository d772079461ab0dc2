"""Random streams: one root SeedSequence, one child per block of replications, sub-streams by kind.

Block k always draws from ``SeedSequence(seed, spawn_key=(k, stream, *key))`` -- a grandchild of what
``spawn`` would give -- so a replication's numbers depend only on the seed and its index, never on how
many workers ran, in what order, or how the engine grouped blocks into chunks. :func:`stream_generator`
is the only place the engine builds a generator; the stream ids below are declared only here.
"""

from __future__ import annotations

import numpy as np

RNG_BLOCK = 250  # replications per random stream: large enough to vectorise, small enough to split

# Sub-streams of a block, so that one kind of draw never shifts another: two policies run with the same
# seed then see the same attempts, the same per-attempt uniforms and the same fleeing arrivals
# (common random numbers) even where one of them draws more of something else. (0 is unused.)

#: armed incursions: the run's Poisson event total, each event's cell and its attacker strength
INCURSION_STREAM = 1
#: covert crossings, one per actor: each attempt's outcome uniform (or binomial splits when dense)
SPLIT_STREAM = 2
#: people fleeing: the background Poisson arrivals per day, replication and crossing
FLEEING_STREAM = 3
#: covert crossings, one per actor: Poisson attempts per replication and day, each attempt's sector
ATTEMPT_STREAM = 4
#: covert crossings, one per actor: which interdicted groups resist (armed clashes), per sector
CLASH_STREAM = 5


def stream_generator(seed: int, block: int, stream: int, *key: int) -> np.random.Generator:
    """The generator of one sub-stream of a block, optionally split further by ``key`` (e.g. an
    actor index) so that draws for one actor never shift another's."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, stream, *key)))
    )


def blocks_for(rep_start: int, n_reps: int) -> list[tuple[int, int, int]]:
    """(block index, first replication, count) covering [rep_start, rep_start + n_reps).

    ``rep_start`` must be a multiple of RNG_BLOCK so that blocks are never split across calls."""
    if rep_start % RNG_BLOCK:
        raise ValueError(f"rep_start must be a multiple of {RNG_BLOCK}")
    out = []
    r = rep_start
    end = rep_start + n_reps
    while r < end:
        n = min(RNG_BLOCK, end - r)
        out.append((r // RNG_BLOCK, r, n))
        r += n
    return out


__all__ = [
    "ATTEMPT_STREAM",
    "CLASH_STREAM",
    "FLEEING_STREAM",
    "INCURSION_STREAM",
    "RNG_BLOCK",
    "SPLIT_STREAM",
    "blocks_for",
    "stream_generator",
]
