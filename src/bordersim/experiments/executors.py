"""Where design points run: in this process, in local worker processes, or on a Dask cluster.

All three backends expose the same small interface (share an object with every worker once, submit a
task, wait for the first to finish, take its result), and :func:`run_tasks` drives any of them the
same way: keep a bounded window of tasks in flight, hand each finished result to a callback (which
writes it to disk at once), top the window up.

Sharing is how a sweep's scenario reaches the workers once rather than with every task: in this
process it is the object itself; local worker processes receive it in their pool initializer and keep
it in a per-process cache keyed by a token (the sweep's plan key); on Dask it is scattered to every
worker with ``broadcast=True`` and tasks take the scattered future, which the worker resolves locally.
The numbers never depend on the backend: every task carries its own seed (see
:mod:`bordersim.experiments.sweep`), so completion order and worker count cannot change them.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing as mp
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: A worker process's shared objects by token (set by the pool initializer; one per sweep).
_SHARED: dict[str, Any] = {}


def _install_shared(token: str, obj: Any) -> None:
    """Pool initializer: keep the shared object in this worker process's cache."""
    _SHARED.clear()
    _SHARED[token] = obj


def _call_shared(fn: Callable[[Any, Any], Any], token: str, arg: Any) -> Any:
    """Run ``fn(shared, arg)`` in a worker process with the object its initializer received."""
    return fn(_SHARED[token], arg)


class Backend(Protocol):
    """What :func:`run_tasks` needs from an executor."""

    workers: int
    description: str

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any: ...

    def share(self, token: str, obj: Any) -> Any:
        """Send ``obj`` to every worker once; return the handle :meth:`submit_shared` takes."""
        ...

    def submit_shared(self, fn: Callable[[Any, Any], Any], handle: Any, arg: Any) -> Any:
        """Submit ``fn(shared, arg)``, ``shared`` being the object behind ``handle``."""
        ...

    def wait_first(self, handles: set[Any]) -> set[Any]: ...

    def result(self, handle: Any) -> Any: ...

    def close(self) -> None: ...


class InlineBackend:
    """Run each task in this process when it is submitted (``--workers 1``): no start-up cost, and
    the reference the parallel backends must match bit for bit."""

    workers = 1
    description = "1 worker (this process)"

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> cf.Future[Any]:
        fut: cf.Future[Any] = cf.Future()
        try:
            fut.set_result(fn(arg))
        except Exception as exc:  # the task's own errors are results; this is a safety net
            fut.set_exception(exc)
        return fut

    def share(self, token: str, obj: Any) -> Any:
        return obj

    def submit_shared(self, fn: Callable[[Any, Any], Any], handle: Any, arg: Any) -> Any:
        return self.submit(lambda a: fn(handle, a), arg)

    def wait_first(self, handles: set[Any]) -> set[Any]:
        return set(handles)

    def result(self, handle: Any) -> Any:
        return handle.result()

    def close(self) -> None:
        return None


class ProcessBackend:
    """``--workers N``: a ProcessPoolExecutor with the forkserver (or spawn) start method, so workers
    never inherit the parent's threads or open files."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers must be >= 1")
        methods = mp.get_all_start_methods()
        self._ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
        self.workers = workers
        self.description = f"{workers} local worker processes ({self._ctx.get_start_method()})"
        self._pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=self._ctx)

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> cf.Future[Any]:
        return self._pool.submit(fn, arg)

    def share(self, token: str, obj: Any) -> Any:
        """A fresh pool whose workers receive ``obj`` once, in their initializer (the pool starts
        its processes on the first submit, so the replaced one has cost nothing if unused)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._ctx,
            initializer=_install_shared,
            initargs=(token, obj),
        )
        return token

    def submit_shared(self, fn: Callable[[Any, Any], Any], handle: Any, arg: Any) -> Any:
        return self._pool.submit(_call_shared, fn, handle, arg)

    def wait_first(self, handles: set[Any]) -> set[Any]:
        done, _ = cf.wait(handles, return_when=cf.FIRST_COMPLETED)
        return set(done)

    def result(self, handle: Any) -> Any:
        return handle.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


#: Seconds to wait for a remote Dask scheduler before giving up.
CONNECT_TIMEOUT_S = 10.0


class BackendError(ValueError):
    """A backend that cannot be used (an unreachable scheduler): one message for the user."""


class DaskBackend:
    """``--dask ADDRESS`` (an existing scheduler) or ``--dask local`` (a LocalCluster of ``workers``
    single-threaded processes, closed with the backend)."""

    def __init__(self, address: str, workers: int = 2) -> None:
        import dask
        from dask.distributed import Client, LocalCluster

        self._cluster: Any = None
        self._shared: Any = None
        if address == "local":
            # Two glibc malloc settings cost the engine ~45% per task in a Dask worker (measured):
            # Distributed starts workers with MALLOC_TRIM_THRESHOLD_=65536, so memory goes back to
            # the OS after nearly every NumPy temporary; and tasks run in a worker thread, whose
            # malloc arena grows its heap in small steps (the same task is ~50% slower in a thread
            # of a plain process). A 128 MiB trim threshold (glibc's own ceiling) and top pad fix
            # both; the pad is address space, not resident memory.
            dask.config.set(
                {
                    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 2**27,
                    "distributed.nanny.pre-spawn-environ.MALLOC_TOP_PAD_": 2**27,
                }
            )
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
            self.description = f"Dask LocalCluster of {workers} worker processes"
        else:
            try:  # an unreachable scheduler is the user's to fix: one message, soon
                self._client = Client(address, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError, ValueError) as exc:
                raise BackendError(
                    f"--dask {address}: cannot reach a Dask scheduler there within "
                    f"{CONNECT_TIMEOUT_S:g} s ({' '.join(str(exc).split())})"
                ) from None
            self.description = f"Dask scheduler at {address}"
        self.workers = max(1, sum(self._client.nthreads().values()))

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        return self._client.submit(fn, arg, pure=False)

    def share(self, token: str, obj: Any) -> Any:
        """Scatter ``obj`` to every worker once; tasks take the future (resolved worker-side)."""
        self._shared = self._client.scatter(obj, broadcast=True, hash=False)
        return self._shared

    def submit_shared(self, fn: Callable[[Any, Any], Any], handle: Any, arg: Any) -> Any:
        return self._client.submit(fn, handle, arg, pure=False)

    def wait_first(self, handles: set[Any]) -> set[Any]:
        from dask.distributed import wait

        done, _ = wait(list(handles), return_when="FIRST_COMPLETED")
        return set(done)

    def result(self, handle: Any) -> Any:
        out = handle.result()
        handle.release()
        return out

    def close(self) -> None:
        if self._shared is not None:
            self._shared.release()
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_backend(workers: int = 1, dask: str | None = None) -> Backend:
    """The backend for ``--workers N`` / ``--dask ADDRESS|local``."""
    if dask:
        return DaskBackend(dask, workers=max(workers, 2) if dask == "local" else workers)
    if workers <= 1:
        return InlineBackend()
    return ProcessBackend(workers)


def run_tasks(
    backend: Backend,
    fn: Callable[..., R],  # fn(task), or fn(shared, task) with shared
    tasks: Iterable[T],
    on_done: Callable[[T, R | None, BaseException | None], None],
    *,
    window: int | None = None,
    shared: tuple[str, Any] | None = None,
) -> None:
    """Run ``fn`` on every task, at most ``window`` in flight (default twice the workers), calling
    ``on_done(task, result, error)`` in the parent as each finishes (in completion order).

    With ``shared=(token, obj)``, ``obj`` goes to each worker once and ``fn`` is called as
    ``fn(obj, task)``.

    ``error`` is set when the backend itself failed to produce a result (a worker died): the task
    counts as failed and the run carries on.
    """
    window = window or (1 if isinstance(backend, InlineBackend) else 2 * backend.workers)
    it = iter(tasks)
    pending: dict[Any, T] = {}
    shared_handle = backend.share(*shared) if shared is not None else None

    def fill() -> None:
        while len(pending) < window:
            try:
                task = next(it)
            except StopIteration:
                return
            if shared is None:
                pending[backend.submit(fn, task)] = task  # type: ignore[arg-type]
            else:
                pending[backend.submit_shared(fn, shared_handle, task)] = task  # type: ignore[arg-type]

    fill()
    while pending:
        for handle in backend.wait_first(set(pending)):
            task = pending.pop(handle)
            try:
                out = backend.result(handle)
            except Exception as exc:
                on_done(task, None, exc)
            else:
                on_done(task, out, None)
        fill()
