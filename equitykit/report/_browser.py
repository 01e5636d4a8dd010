"""Printing HTML to PDF with the system's headless Chromium (no browser is downloaded).

One browser is started per process and reused for every page printed there (a batch worker
prints all its districts with one browser). playwright's objects belong to the thread that
made them, so the browser lives in a thread of its own that does all the printing: a district
can start it (:func:`start_browser`) when its audit begins, and Chromium starts while the
notebook computes instead of after it; any thread may print (a Dask worker runs its tasks in
threads). The browser is closed when the process exits (also a pool worker, which skips
``atexit``), and when printing failed or was interrupted. The browser is the Chromium (or
Chrome) found on ``PATH``, or the program named by the ``EQUITYKIT_CHROMIUM`` environment
variable.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import multiprocessing.util
import os
import queue
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["BROWSER_NAMES", "ConversionError", "chromium_available", "find_chromium", "print_pdf",
           "start_browser"]

#: Programs tried, in order, when ``EQUITYKIT_CHROMIUM`` is not set.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_BROWSER = ("the {what} needs Chromium or Chrome, and none was found (looked for {names} on "
              "PATH); install it, e.g. `sudo apt-get install chromium`, or set "
              "EQUITYKIT_CHROMIUM to the browser program")
BROWSER_FAILED = "Chromium could not print the {what}: {reason}"
#: Seconds allowed for loading and printing one page.
PRINT_TIMEOUT = 120
#: Seconds an idle browser is waited for as it closes.
CLOSE_WAIT = 10
#: Printed once when the browser starts, so the first report does not pay for the page
#: renderer's start.
_BLANK = "<!DOCTYPE html><html><body><p>equitykit</p></body></html>"


class ConversionError(Exception):
    """A report format could not be produced; the message says why in a sentence."""


def find_chromium(what: str = "PDF") -> str:
    """The Chromium program to use.

    Raises
    ------
    ConversionError
        No browser was found (the message says how to install one).
    """
    named = os.environ.get("EQUITYKIT_CHROMIUM")
    if named:
        found = shutil.which(named)
        if found is None:
            raise ConversionError(f"EQUITYKIT_CHROMIUM={named!r} is not a program that can run")
        return found
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ConversionError(NO_BROWSER.format(what=what, names=", ".join(BROWSER_NAMES)))


class _Browser:
    """One headless Chromium driven through playwright in a thread of its own (started on
    first use)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.closed = False
        self._driver: Any = None
        self._browser: Any = None
        self._tab: Any = None
        self._busy = False  # running a job
        self._lock = threading.Lock()  # no job is queued after the one that stops the thread
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        # a daemon thread still runs when atexit closes the browser (and a forked pool
        # worker, which has none of its parent's threads, starts a browser of its own)
        self._thread = threading.Thread(target=self._serve, name="equitykit-browser",
                                        daemon=True)
        self._thread.start()

    def start(self, what: str) -> concurrent.futures.Future:
        """Start the browser in its thread, without waiting."""
        return self._submit(self._warm, what)

    def print_pdf(self, page: str, options: dict[str, Any], what: str) -> bytes:
        return _wait(self._submit(self._print, page, options, what))

    def close(self) -> None:
        """Stop the browser; a closed browser takes no more pages.

        An idle browser is stopped before this returns (waiting at most :data:`CLOSE_WAIT`
        seconds). One still printing a page whose wait was interrupted (a time limit, a
        signal) is stopped as soon as that page is done or times out, without holding up the
        interrupted thread; the next page printed starts a new browser meanwhile.
        """
        if self.pid != os.getpid():
            return  # a forked child does not own its parent's browser
        with self._lock:
            if self.closed:
                return
            self.closed = True
            busy = self._busy
            done: concurrent.futures.Future = concurrent.futures.Future()
            self._jobs.put((done, self._stop, ()))
            self._jobs.put(None)  # and the thread ends
        if not busy and threading.current_thread() is not self._thread:
            concurrent.futures.wait([done], timeout=CLOSE_WAIT)

    # in the browser's thread (but _submit)

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, function, args = job
            if future.set_running_or_notify_cancel():
                self._busy = True
                try:
                    result = function(*args)
                except BaseException as exc:  # handed to the thread waiting for it
                    self._busy = False  # before the waiting thread wakes (it may close)
                    future.set_exception(exc)
                else:
                    self._busy = False
                    future.set_result(result)

    def _submit(self, function: Callable[..., Any], *args: Any) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        with self._lock:
            if self.closed:
                raise _Closed
            self._jobs.put((future, function, args))
        return future

    def _print(self, page: str, options: dict[str, Any], what: str) -> bytes:
        # one tab for every page: a new tab would start a renderer process each time
        tab = self._started(what)
        tab.set_content(page, wait_until="load", timeout=PRINT_TIMEOUT * 1000)
        return tab.pdf(**options)

    def _warm(self, what: str) -> None:
        if self._browser is None:
            with contextlib.suppress(Exception):  # the first page printed reports a failure
                self._print(_BLANK, {}, what)

    def _started(self, what: str) -> Any:
        if (self._browser is not None and self._browser.is_connected()
                and not self._tab.is_closed()):
            return self._tab
        executable = find_chromium(what)
        from playwright.sync_api import sync_playwright

        self._stop()
        self._driver = sync_playwright().start()
        self._browser = self._driver.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"],
            timeout=PRINT_TIMEOUT * 1000)
        context = self._browser.new_context(java_script_enabled=False)
        context.route("**/*", _refuse)  # self-contained pages: nothing is fetched
        self._tab = context.new_page()
        return self._tab

    def _stop(self) -> None:
        browser, driver = self._browser, self._driver
        self._browser = self._driver = self._tab = None
        for stop in (getattr(browser, "close", None), getattr(driver, "stop", None)):
            if stop is not None:
                with contextlib.suppress(Exception):  # already gone: nothing left to stop
                    stop()


def _wait(future: concurrent.futures.Future) -> Any:
    """The job's result, raising its exception; a time limit or signal raised in this thread
    meanwhile interrupts the wait (in a Dask worker thread it arrives at the next bytecode)."""
    while not future.done():
        concurrent.futures.wait([future], timeout=1.0)
    return future.result()


class _Closed(Exception):
    """The browser was closed (by another thread) before the page reached it."""


def _refuse(route: Any) -> None:
    route.abort()


_BROWSER: _Browser | None = None
_LOCK = threading.Lock()


def _forget() -> None:
    """In a forked child: its parent's browser is not its own (and the lock may have been
    held by another of the parent's threads)."""
    global _BROWSER, _LOCK
    _BROWSER, _LOCK = None, threading.Lock()


os.register_at_fork(after_in_child=_forget)


def _current() -> _Browser:
    """This process's browser (its thread started; Chromium not until it prints)."""
    global _BROWSER
    with _LOCK:
        browser = _BROWSER
        if browser is None or browser.closed or browser.pid != os.getpid():
            browser = _BROWSER = _Browser()
            atexit.register(browser.close)
            # a pool worker leaves through os._exit, which skips atexit but not this
            multiprocessing.util.Finalize(browser, browser.close, exitpriority=100)
        return browser


def start_browser(what: str = "PDF") -> None:
    """Start this process's browser in the background, unless it runs already (a district
    whose formats need it calls this as its audit starts; a failure is reported by the first
    page printed)."""
    with contextlib.suppress(_Closed):  # by another thread meanwhile: the next page starts one
        _current().start(what)


def print_pdf(page: str, *, what: str = "PDF", **options: Any) -> bytes:
    """Print an HTML page (a self-contained document) to PDF bytes.

    Parameters
    ----------
    page : the HTML document; it must not load anything from the network.
    what : the format, for messages ("PDF", "brief").
    **options : playwright's ``Page.pdf`` options (paper format, margins, header and footer
        templates).

    Raises
    ------
    ConversionError
        No browser was found, or it failed (the message says why).
    """
    while True:
        browser = _current()
        try:
            return browser.print_pdf(page, options, what)
        except _Closed:  # by another thread, after this one found it: print with a new one
            continue
        except ConversionError:
            raise
        except BaseException as exc:  # the browser failed, or a time limit or signal stopped it
            browser.close()  # a browser interrupted mid-page is not reused
            from playwright.sync_api import Error

            if not isinstance(exc, Error):
                raise
            reason = (str(exc).strip().splitlines()[0] if str(exc).strip()
                      else type(exc).__name__)
            raise ConversionError(BROWSER_FAILED.format(what=what, reason=reason)) from None


def chromium_available() -> bool:
    """True when a browser for the PDF formats is installed."""
    try:
        return Path(find_chromium()).is_file()
    except ConversionError:
        return False
