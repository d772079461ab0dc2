"""Memory estimated before it is spent: what a run, a comparison or a sweep needs, against what the
machine has free.

Without a check, ``run -n 200000 --daily`` (52 GiB) died in a ``MemoryError`` traceback only because
the kernel refused the first allocation, and a request between free and total memory grew until the
OOM killer ended it. The estimates count the arrays :func:`bordersim.engine.kernel.simulate` keeps
(replication x sector x actor x outcome totals, the per-day arrays of daily mode, the fleeing
queues, the across-replication daily sums) times :data:`OVERHEAD` for the summaries and the store
written from them; a comparison holds one result per policy, and a sweep its design and the
(point x policy x replication x actor x outcome) table it reads back. They are upper-bound
estimates, good to a factor of about two: enough to refuse what cannot fit, not to plan to the byte.

Free memory is ``MemAvailable`` from ``/proc/meminfo`` (the kernel's own estimate of what can be
allocated without swapping), lowered to a cgroup's ``memory.max`` headroom when one is set, with
``os.sysconf`` as the fallback; no third-party dependency.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from bordersim.engine.rng import RNG_BLOCK as BLOCK

if TYPE_CHECKING:
    from bordersim.scenario.schema import Scenario

OUTCOMES = 4  # interdicted, turned back, detected got-away, undetected got-away
MAX_WAIT_BINS = 400  # days of fleeing queue per crossing and replication (simulate keeps 120)
#: Summaries, the JSON and the store copy the per-replication totals at most about once more.
OVERHEAD = 2.0
#: The daily array is wrapped by the store without a copy and written chunk by chunk; the margin
#: covers the armed-incursion daily counts and the chunk buffers.
DAILY_MARGIN = 1.25
#: Share of the free memory a request may take: the rest is left to the OS and other processes.
USABLE_SHARE = 0.8


class MemoryBudgetError(ValueError):
    """A request whose estimated memory exceeds what the machine has free."""


def fmt_bytes(n: float) -> str:
    """``n`` bytes as a short human figure (KiB ... EiB)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def run_bytes(
    *, replications: int, days: int, sectors: int, covert: int, crossings: int, daily: bool
) -> int:
    """Bytes one simulation of ``replications`` x ``days`` keeps (Python ints: no overflow)."""
    per_rep = sectors * covert * OUTCOMES * 8 + 4 * crossings * 8 + sectors * 4 + 512
    daily_rep = days * sectors * covert * OUTCOMES * 4 if daily else 0  # int32 (day, sector, ...)
    shared = days * (2 * covert * OUTCOMES + 3 * crossings) * 8  # across-replication daily sums
    block = min(replications, BLOCK) * (
        4 * covert * sectors * 8 + crossings * MAX_WAIT_BINS * 8 + 4 * sectors * 8
    )
    totals = OVERHEAD * (replications * per_rep + shared)
    return int(totals + DAILY_MARGIN * replications * daily_rep) + block


def design_points(design: str, points: int, factors: int) -> int:
    """The number of points a design of ``points`` (its size parameter) over ``factors`` makes."""
    if design == "grid":
        return int(points) ** max(factors, 1)
    if design == "sobol":
        return points * (factors + 2)
    if design == "morris":
        return points * (factors + 1)
    return points


def available_bytes() -> int | None:
    """Memory that can be allocated now without swapping, bytes (None when it cannot be read)."""
    avail: int | None = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) * 1024
                break
    except (OSError, ValueError, IndexError):
        avail = None
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, AttributeError):
            return None
    try:  # a container's own limit may be far below the host's free memory
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit != "max":
            avail = min(avail, max(int(limit) - used, 0))
    except (OSError, ValueError):
        pass
    return avail


def require(need: int, what: str, ways_out: str, available: int | None = None) -> None:
    """Raise :class:`MemoryBudgetError` when ``need`` bytes exceed the usable free memory."""
    free = available_bytes() if available is None else available
    if free is None:
        return
    usable = int(free * USABLE_SHARE)
    if need > usable:
        raise MemoryBudgetError(
            f"{what} needs about {fmt_bytes(need)} of memory but {fmt_bytes(free)} is free "
            f"({fmt_bytes(usable)} usable); {ways_out}"
        )


def _dims(sc: Scenario) -> tuple[int, int, int]:
    covert = sum(1 for a in sc.actors if a.kind == "covert")
    return len(sc.border.sectors), max(covert, 1), len(sc.border.crossings)


def check_run(
    sc: Scenario,
    *,
    replications: int,
    days: int | None,
    daily: bool,
    policies: int = 1,
    available: int | None = None,
    option: str = "--replications",
) -> int:
    """Refuse a run (or a comparison of ``policies`` runs) that cannot fit; return its estimate.
    ``option`` names the command's replications option in the way out."""
    S, A, P = _dims(sc)
    T = days or sc.period.days
    one = run_bytes(
        replications=replications, days=T, sectors=S, covert=A, crossings=P, daily=daily
    )
    need = policies * one
    what = f"{'comparing ' + str(policies) + ' policies' if policies > 1 else 'the run'}: "
    what += f"{replications:,} replications x {T:,} days{' (daily)' if daily else ''}"
    ways = (
        f"drop --daily (totals mode keeps no per-day arrays) or use fewer {option}"
        if daily
        else f"use fewer {option} or fewer days"
    )
    if policies > 1:
        ways += ", or compare fewer policies at a time"
    require(need, what, ways, available)
    return need


def check_sweep(
    sc: Scenario,
    *,
    design: str,
    points: int,
    factors: int,
    policies: int,
    replications: int,
    days: int | None,
    workers: int = 1,
    available: int | None = None,
) -> int:
    """Refuse a sweep whose design, results table or per-point runs cannot fit; return the need."""
    S, A, P = _dims(sc)
    T = days or sc.period.days
    n = design_points(design, points, factors)
    table = n * max(policies, 1) * replications * (A + 1) * OUTCOMES * 8
    design_b = n * max(factors, 1) * 8 * 3  # unit samples, values and overrides
    per_point = run_bytes(
        replications=min(replications, 4 * BLOCK), days=T, sectors=S, covert=A, crossings=P,
        daily=False,
    )  # fmt: skip
    need = int(OVERHEAD * (table + design_b)) + max(workers, 1) * per_point
    what = f"the sweep: {n:,} design points x {max(policies, 1)} policies x {replications:,} replications"
    ways = (
        "use fewer --points or --replications, or run the sweep on a Dask cluster (--dask ADDRESS) "
        "with the points split into several smaller sweeps"
    )
    require(need, what, ways, available)
    return need
