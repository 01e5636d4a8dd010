"""A per-district time limit that works in a process-pool worker and in a Dask worker thread."""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["DistrictTimeout", "deadline"]

TIMEOUT_MESSAGE = "the audit took longer than the {seconds:g} s time limit per district"


class DistrictTimeout(TimeoutError):
    """A district's audit ran past its time limit."""


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise :class:`DistrictTimeout` in this thread once ``seconds`` have passed.

    In the main thread (process-pool workers) a ``SIGALRM`` timer interrupts even a blocking
    call; in other threads (Dask workers) the exception is delivered at the next Python
    bytecode. ``None`` means no limit.

    Examples
    --------
    >>> with deadline(60):
    ...     pass
    """
    if not seconds:
        yield
        return
    message = TIMEOUT_MESSAGE.format(seconds=seconds)
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds, message):
            yield
    else:
        with _thread_timer(seconds, message):
            yield


@contextmanager
def _alarm(seconds: float, message: str) -> Iterator[None]:
    def on_alarm(signum, frame):
        raise DistrictTimeout(message)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Timeout(DistrictTimeout):
    """Raised asynchronously, so it carries its message as a class attribute."""

    message = ""

    def __init__(self, *args: object) -> None:
        super().__init__(*(args or (self.message,)))


@contextmanager
def _thread_timer(seconds: float, message: str) -> Iterator[None]:
    thread_id = threading.get_ident()
    lock = threading.Lock()
    running = True
    timeout = type("DistrictTimeout", (_Timeout,), {"message": message})

    def fire() -> None:
        with lock:
            if running:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                                           ctypes.py_object(timeout))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            running = False
            timer.cancel()
            # drop an exception delivered too late to matter
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
