"""The PDF formats' browser: found on PATH or named by EQUITYKIT_CHROMIUM, its failures told as a
sentence, and a time limit or signal that interrupts it passed on unchanged (not disguised as
a browser failure); every page printed in the browser's own thread, whichever thread asks."""

from __future__ import annotations

import threading
import time

import pytest
from playwright.sync_api import Error

from equitykit.execute._deadline import DistrictTimeout, deadline
from equitykit.report import ConversionError, _browser


def test_a_missing_browser_is_a_sentence_saying_how_to_install_one(monkeypatch, tmp_path):
    monkeypatch.delenv("EQUITYKIT_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConversionError, match="apt-get install chromium"):
        _browser.find_chromium()
    assert not _browser.chromium_available()


def test_the_environment_variable_names_the_browser(monkeypatch, tmp_path):
    program = tmp_path / "my-chrome"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setenv("EQUITYKIT_CHROMIUM", str(program))
    assert _browser.find_chromium() == str(program)
    monkeypatch.setenv("EQUITYKIT_CHROMIUM", str(tmp_path / "missing"))
    with pytest.raises(ConversionError, match="EQUITYKIT_CHROMIUM"):
        _browser.find_chromium()


class _Failing:
    def __init__(self, error: BaseException) -> None:
        self.error, self.closed = error, 0

    def print_pdf(self, page, options, what):
        raise self.error

    def close(self) -> None:
        self.closed += 1


def test_a_browser_failure_is_a_conversion_error_and_the_browser_is_not_reused(monkeypatch):
    failing = _Failing(Error("Target page, context or browser has been closed\nCall log: …"))
    monkeypatch.setattr(_browser, "_current", lambda: failing)
    with pytest.raises(ConversionError) as caught:
        _browser.print_pdf("<p>x</p>", what="brief")
    assert str(caught.value) == ("Chromium could not print the brief: Target page, context or "
                                 "browser has been closed")
    assert failing.closed == 1


@pytest.mark.parametrize("error", [TimeoutError("district time limit"), KeyboardInterrupt()])
def test_a_time_limit_or_signal_passes_through(monkeypatch, error):
    failing = _Failing(error)
    monkeypatch.setattr(_browser, "_current", lambda: failing)
    with pytest.raises(type(error)):
        _browser.print_pdf("<p>x</p>")
    assert failing.closed == 1


class _Stand_in:
    """The browser's own work, replaced: no Chromium is started."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds, self.stopped = seconds, threading.Event()

    def print_(self, page, options, what):
        time.sleep(self.seconds)
        return threading.current_thread().name.encode()

    def stop(self):
        self.stopped.set()


@pytest.fixture
def stand_in(monkeypatch):
    fake = _Stand_in()
    monkeypatch.setattr(_browser._Browser, "_print", fake.print_)
    monkeypatch.setattr(_browser._Browser, "_stop", fake.stop)
    monkeypatch.setattr(_browser, "_BROWSER", None)
    yield fake
    _browser._current().close()


def test_every_page_is_printed_in_the_one_browser_thread_whichever_thread_asks(stand_in):
    printed = [_browser.print_pdf("<p>x</p>")]
    other = threading.Thread(target=lambda: printed.append(_browser.print_pdf("<p>y</p>")))
    other.start()
    other.join()
    assert printed == [b"equitykit-browser", b"equitykit-browser"]
    browser = _browser._current()
    assert browser is _browser._current()
    browser.close()
    assert stand_in.stopped.is_set() and not browser._thread.is_alive()


def test_a_time_limit_does_not_wait_for_the_page_and_the_browser_is_stopped_after_it(stand_in):
    stand_in.seconds = 3.0
    browser = _browser._current()
    start = time.monotonic()
    with pytest.raises(DistrictTimeout), deadline(0.2):
        _browser.print_pdf("<p>x</p>")
    assert time.monotonic() - start < 2.0
    assert browser.closed and not stand_in.stopped.is_set()  # the page is still printing
    assert stand_in.stopped.wait(10) and _browser._current() is not browser


def test_a_browser_closed_by_another_thread_meanwhile_is_replaced(stand_in, monkeypatch):
    closed = _browser._current()
    closed.close()
    current, found = _browser._current, [closed]  # found before it was closed
    monkeypatch.setattr(_browser, "_current", lambda: found.pop() if found else current())
    assert _browser.print_pdf("<p>x</p>") == b"equitykit-browser"
    assert current() is not closed
