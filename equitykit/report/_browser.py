"""Printing HTML to PDF with the system's headless Chromium (no browser is downloaded).

One browser is started per process and thread on first use and reused for every page printed
after it there (a batch worker prints all its districts with one browser; playwright's objects
belong to the thread that made them, and a Dask worker runs its tasks in threads); it is
closed when the process exits. The browser is the Chromium (or Chrome) found on ``PATH``, or
the program named by the ``EQUITYKIT_CHROMIUM`` environment variable.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import threading
from pathlib import Path
from typing import Any

__all__ = ["BROWSER_NAMES", "ConversionError", "chromium_available", "find_chromium", "print_pdf"]

#: Programs tried, in order, when ``EQUITYKIT_CHROMIUM`` is not set.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_BROWSER = ("the {what} needs Chromium or Chrome, and none was found (looked for {names} on "
              "PATH); install it, e.g. `sudo apt-get install chromium`, or set "
              "EQUITYKIT_CHROMIUM to the browser program")
BROWSER_FAILED = "Chromium could not print the {what}: {reason}"
#: Seconds allowed for loading and printing one page.
PRINT_TIMEOUT = 120


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
    """One headless Chromium driven through playwright, started on first use."""

    def __init__(self) -> None:
        self._driver: Any = None
        self._browser: Any = None
        self._tab: Any = None
        self._pid: int | None = None

    def print_pdf(self, page: str, options: dict[str, Any], what: str) -> bytes:
        # one tab for every page: a new tab would start a renderer process each time
        tab = self._started(what)
        tab.set_content(page, wait_until="load", timeout=PRINT_TIMEOUT * 1000)
        return tab.pdf(**options)

    def _started(self, what: str) -> Any:
        if (self._browser is not None and self._pid == os.getpid()
                and self._browser.is_connected() and not self._tab.is_closed()):
            return self._tab
        executable = find_chromium(what)
        from playwright.sync_api import sync_playwright

        self.close()
        self._driver = sync_playwright().start()
        self._browser = self._driver.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"],
            timeout=PRINT_TIMEOUT * 1000)
        context = self._browser.new_context(java_script_enabled=False)
        context.route("**/*", _refuse)  # self-contained pages: nothing is fetched
        self._tab = context.new_page()
        if self._pid is None:
            atexit.register(self.close)
        self._pid = os.getpid()
        return self._tab

    def close(self) -> None:
        """Stop the browser (only one this process started)."""
        browser, driver, self._browser, self._driver = self._browser, self._driver, None, None
        self._tab = None
        if self._pid != os.getpid():  # a forked child does not own its parent's browser
            return
        for stop in (getattr(browser, "close", None), getattr(driver, "stop", None)):
            if stop is not None:
                with contextlib.suppress(Exception):  # already gone: nothing left to stop
                    stop()


def _refuse(route: Any) -> None:
    route.abort()


_THREAD = threading.local()


def _current() -> _Browser:
    """This thread's browser (not started until it prints)."""
    browser = getattr(_THREAD, "browser", None)
    if browser is None:
        browser = _THREAD.browser = _Browser()
    return browser


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
    browser = _current()
    try:
        return browser.print_pdf(page, options, what)
    except ConversionError:
        raise
    except BaseException as exc:  # the browser failed, or a time limit or signal stopped it
        browser.close()  # a browser interrupted mid-page is not reused
        from playwright.sync_api import Error

        if not isinstance(exc, Error):
            raise
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConversionError(BROWSER_FAILED.format(what=what, reason=reason)) from None


def chromium_available() -> bool:
    """True when a browser for the PDF formats is installed."""
    try:
        return Path(find_chromium()).is_file()
    except ConversionError:
        return False
