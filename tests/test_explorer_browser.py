"""The explorer in a real browser: Voilà serves notebooks/explore.ipynb on 127.0.0.1 and
Debian's Chromium, driven by Playwright, changes the outcome and the group through the UI.
Screenshots go to test-artifacts/explorer/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _servers import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM, free_port, serving
from test_explorer_fixtures import write_tiny_data_dir

from equitykit.widgets import DATA_ENV, server_command

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "explorer"
TIMEOUT_MS = 60_000

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


@pytest.fixture
def voila(tmp_path):
    port = free_port()
    env = {**os.environ, DATA_ENV: str(write_tiny_data_dir(tmp_path / "data"))}
    with serving(server_command(app=True, port=port, open_browser=False), port,
                 tmp_path / "voila.log", env=env, cwd=tmp_path, start_timeout=60) as url:
        yield url


def _select(page, label: str, option: str) -> None:
    page.locator(".widget-dropdown", has_text=label).locator("select").select_option(
        label=option)


def _changed(page, selector: str, before: str, attribute: str | None = None) -> str:
    """Wait until the element's text (or attribute) differs from ``before``; return it."""
    page.wait_for_function(
        """([sel, before, attr]) => {
            const el = document.querySelector(sel);
            if (!el) return false;
            const now = attr ? el.getAttribute(attr) : el.textContent;
            return now && now !== before;
        }""", arg=[selector, before, attribute], timeout=TIMEOUT_MS)
    element = page.locator(selector).first
    return element.get_attribute(attribute) if attribute else element.text_content()


def test_outcome_and_group_change_the_chart_and_sentence(voila):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chart, sentence = ".ek-explorer img", ".ek-sentence"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(voila, timeout=TIMEOUT_MS)
        page.wait_for_selector(sentence, timeout=TIMEOUT_MS)
        page.wait_for_selector(chart, timeout=TIMEOUT_MS)
        first_src = page.locator(chart).first.get_attribute("src")
        first_text = page.locator(sentence).first.text_content()
        page.screenshot(path=ARTIFACTS / "01_opened.png", full_page=True)

        _select(page, "Outcome", "Suspended out of school")
        text = _changed(page, sentence, first_text)
        src = _changed(page, chart, first_src, "src")
        assert "suspended out of school" in text
        page.screenshot(path=ARTIFACTS / "02_outcome_oss.png", full_page=True)

        _select(page, "Focus group", "Black students")
        text2 = _changed(page, sentence, text)
        _changed(page, chart, src, "src")
        assert "Black students were" in text2 and "times as likely" in text2
        page.screenshot(path=ARTIFACTS / "03_group_black.png", full_page=True)

        _select(page, "Focus group", "Native Hawaiian/Pacific Islander students")
        hidden = _changed(page, sentence, text2)
        assert "suppressed (fewer than 10 students" in hidden
        page.screenshot(path=ARTIFACTS / "04_suppressed_group.png", full_page=True)

        page.get_by_text("What predicts it").click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.ek-detail')]"
            ".some(e => e.textContent.includes('demographics alone'))", timeout=TIMEOUT_MS)
        page.wait_for_selector("text=Where the gap sits", timeout=TIMEOUT_MS)
        _select(page, "Focus group", "Black students")
        page.wait_for_selector("text=from which schools students attend", timeout=TIMEOUT_MS)
        page.screenshot(path=ARTIFACTS / "05_predictiveness_tab.png", full_page=True)
        browser.close()
    assert len(list(ARTIFACTS.glob("*.png"))) >= 5
