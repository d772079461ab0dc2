"""Random streams: one root SeedSequence, one child per block of replications.

Block k always draws from ``SeedSequence(seed, spawn_key=(k,))`` -- the k-th child that ``spawn`` would
give -- so a replication's numbers depend only on the seed and its index, never on how many workers ran,
in what order, or how the engine grouped blocks into chunks.
"""

from __future__ import annotations

import numpy as np

RNG_BLOCK = 250  # replications per random stream: large enough to vectorise, small enough to split


def block_generator(seed: int, block: int) -> np.random.Generator:
    """The generator of stream block ``block`` under root ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


# Sub-streams of a block, so that one kind of draw never shifts another: two policies run with the same
# seed then see the same attempts, the same per-attempt uniforms and the same fleeing arrivals
# (common random numbers) even where one of them draws more of something else.
ATTEMPT_STREAM, INCURSION_STREAM, SPLIT_STREAM, FLEEING_STREAM = 4, 1, 2, 3  # 0: unused


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
