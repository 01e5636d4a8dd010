"""Stopping a run cleanly on SIGTERM or Ctrl-C (SIGINT).

While :func:`stop_on_signals` is active, the first of either signal raises :class:`Stopped` (a
``KeyboardInterrupt``) in the main thread, so the batch can stop its workers, remove its private
folders and write a manifest of what finished (further signals are ignored meanwhile).
:func:`worker_signals` gives worker processes the default SIGTERM (they end at once) and makes
them ignore Ctrl-C, which their parent handles.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Stopped", "stop_on_signals", "stopped_by", "worker_signals"]

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal; ``exit_code`` is 128 + the signal number.

    ``batch`` is the :class:`~equitykit.execute.BatchResult` of what finished, when a batch
    was stopped.
    """

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(int(signum))
        self.signum = int(signum)
        self.exit_code = 128 + self.signum
        self.batch = None

    def __str__(self) -> str:
        return signal.Signals(self.signum).name


def _stop(signum: int, frame: object) -> None:
    for number in _SIGNALS:  # one stop at a time: a second signal must not cut the clean-up
        signal.signal(number, signal.SIG_IGN)
    raise Stopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Raise :class:`Stopped` on SIGTERM or SIGINT while the block runs (main thread only;
    elsewhere a no-op); the previous handlers are restored afterwards.

    Examples
    --------
    >>> with stop_on_signals():
    ...     pass
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _stop) for s in _SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def worker_signals() -> None:
    """In a worker process: end at once on SIGTERM; leave Ctrl-C to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def stopped_by(ename: str, evalue: str) -> Stopped | None:
    """The stop a notebook cell reported as its error (the in-process engine runs cells where
    the signal arrives), else None."""
    if ename == Stopped.__name__:
        names = {s.name: s for s in _SIGNALS}
        return Stopped(names.get(evalue, signal.SIGINT))
    if ename == KeyboardInterrupt.__name__:
        return Stopped(signal.SIGINT)
    return None
