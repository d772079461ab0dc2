"""bordersim.engine.fleeing: the first-in, first-out queue of people waiting at the crossings, by hand."""

from __future__ import annotations

import numpy as np

from bordersim.engine.fleeing import oldest_age, serve_fifo


def test_fifo_queue_by_hand() -> None:
    q = np.zeros((1, 1, 5), dtype=np.int64)
    q[0, 0, :3] = [4, 2, 3]  # 4 arrived today, 2 yesterday, 3 two days ago
    assert oldest_age(q)[0, 0] == 2
    served = serve_fifo(q, np.array([4.0]))
    assert served[0, 0] == 4
    # capacity 4: the 3 oldest, then 1 of yesterday's 2; today's 4 wait
    np.testing.assert_array_equal(q[0, 0, :3], [4, 1, 0])
