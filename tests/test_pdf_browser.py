"""The PDF formats' browser: found on PATH or named by EQUITYKIT_CHROMIUM, its failures told as a
sentence, and a time limit or signal that interrupts it passed on unchanged (not disguised as
a browser failure)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error

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
