"""Where a batch's districts run: a local process pool or a Dask cluster, behind one registry.

Each pool gives ``submit(fn, *args) -> concurrent.futures.Future``, the exceptions that mean
"the worker was lost, not the district's fault" (``lost``), ``renew()`` to get going again
after such a loss, ``workers_missing()`` (how long the pool has had no live worker) and
``close(stop=False)``; ``stop=True`` ends the work in progress at once (SIGTERM, Ctrl-C).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..errors import UsageError
from ._engine import preload
from ._stop import worker_signals

__all__ = ["POOLS", "DaskPool", "LocalPool", "default_workers", "open_pool"]

NO_DASK = "--scheduler needs dask.distributed: pip install 'equitykit[dask]'"
NO_SCHEDULER = "cannot reach the Dask scheduler at {address} ({reason})"
#: Seconds to wait for a Dask scheduler to answer.
CONNECT_TIMEOUT = 30
BAD_WORKERS = "--workers must be at least 1 (got {workers})"


def default_workers() -> int:
    """One worker per CPU core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class LocalPool:
    """Long-lived worker processes on this machine (``concurrent.futures``).

    Workers are kept for the whole batch, so each pays for its imports once. On Linux they are
    forked (they start with this process's modules already imported); elsewhere spawned, as
    macOS and Windows require. A worker that dies (out of memory, a crash) breaks the pool;
    ``renew`` starts a fresh one.
    """

    lost: tuple[type[BaseException], ...] = (BrokenProcessPool,)

    def __init__(self, *, workers: int) -> None:
        if workers < 1:
            raise UsageError(BAD_WORKERS.format(workers=workers))
        self.workers = workers
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        method = "fork" if sys.platform == "linux" else "spawn"
        if method == "fork":
            preload()  # once here, rather than once in every worker
        return ProcessPoolExecutor(max_workers=self.workers, initializer=worker_signals,
                                   mp_context=multiprocessing.get_context(method))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self._executor.submit(fn, *args)

    def renew(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._start()

    def workers_missing(self) -> float:
        """Always 0: a lost local worker breaks the pool at once (``lost``)."""
        return 0.0

    def close(self, *, stop: bool = False) -> None:
        """Wait for the workers to exit; with ``stop``, end them (and their districts) first."""
        if stop:
            # the executor forgets its processes on shutdown; Python 3.14 has terminate_workers
            processes = list((self._executor._processes or {}).values())
            self._executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join()
        self._executor.shutdown(wait=True, cancel_futures=True)


class DaskPool:
    """A Dask cluster at ``address`` (``tcp://host:8786``), through its futures executor.

    The scheduler already moves a lost worker's task elsewhere; a task that lost several
    workers (``KilledWorker``) or a dropped connection (``CommClosedError``) is ``lost`` and the
    batch submits it again. Every worker must see the data and output folders at the same paths.
    """

    def __init__(self, *, address: str) -> None:
        try:
            from distributed import Client, KilledWorker
            from distributed.comm import CommClosedError
        except ImportError:
            raise UsageError(NO_DASK) from None
        self.lost = (KilledWorker, CommClosedError)
        try:
            self._client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, ValueError, TypeError) as exc:
            raise UsageError(NO_SCHEDULER.format(address=address, reason=exc)) from None
        self._executor = self._client.get_executor(pure=False)
        self.workers = len(self._client.scheduler_info().get("workers", {}))
        self._seen = time.monotonic()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self._executor.submit(fn, *args)

    def renew(self) -> None:
        """Nothing to restart: the scheduler keeps running on the remaining workers."""

    def workers_missing(self) -> float:
        """Seconds since the scheduler last had a live worker (0 when it has one now)."""
        try:
            alive = bool(self._client.nthreads())
        except (OSError, TimeoutError):  # the scheduler itself is gone
            alive = False
        if alive:
            self._seen = time.monotonic()
        return time.monotonic() - self._seen

    def close(self, *, stop: bool = False) -> None:
        """Disconnect; with ``stop``, cancel the districts not yet finished first. A district
        already running in a Dask worker thread cannot be interrupted from here: it finishes or
        fails on its own, and only a complete folder of it can reach the output folder."""
        if stop:
            self._executor.shutdown(wait=False)
        self._client.close()


#: Pool kinds by name.
POOLS: dict[str, Callable[..., LocalPool | DaskPool]] = {"local": LocalPool, "dask": DaskPool}


def open_pool(*, workers: int | None, scheduler: str | None) -> LocalPool | DaskPool:
    """The Dask pool when a scheduler address is given, else local processes.

    Examples
    --------
    >>> pool = open_pool(workers=2, scheduler=None)  # doctest: +SKIP
    """
    if scheduler:
        return POOLS["dask"](address=scheduler)
    return POOLS["local"](workers=workers or default_workers())
