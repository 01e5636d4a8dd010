"""The printed report fits the paper: laid out for print at the width of a Letter page inside
the PDF's margins, no table or figure is wider than the page (Chromium would otherwise shrink
every page to the widest one, leaving each chart and its tables alone on a half-empty page), and
figures are printed at the width they are drawn at (so their text prints at its own size), at
most about half the page, so a chart shares its page with its tables."""

from __future__ import annotations

import pytest
from _servers import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM

from equitykit import cli
from equitykit.report._figures import FIGURE_WIDTH
from equitykit.report._pdf import PAGE_MARGINS
from equitykit.samples import sample_data_dir

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

CSS_PX_PER_MM = 96 / 25.4
#: Letter is 8.5 × 11 in; the content box is what the PDF's margins leave.
WIDTH = round(8.5 * 96 - (float(PAGE_MARGINS["left"][:-2]) + float(PAGE_MARGINS["right"][:-2]))
              * CSS_PX_PER_MM)
HEIGHT = round(11 * 96 - (float(PAGE_MARGINS["top"][:-2]) + float(PAGE_MARGINS["bottom"][:-2]))
               * CSS_PX_PER_MM)


@pytest.fixture(scope="module")
def d02_page(tmp_path_factory) -> str:
    """D02's audit.html (the sample district with the widest tables)."""
    out = tmp_path_factory.mktemp("print")
    assert cli.main(["audit", str(sample_data_dir()), "--district", "D02", "--out",
                     str(out)]) == 0
    return (out / "D02" / "audit.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def printed(d02_page):
    """A Chromium tab showing D02's audit.html as it prints (print media, the page's width)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        tab.emulate_media(media="print")
        tab.set_content(d02_page, wait_until="load")
        yield tab
        browser.close()


def test_nothing_is_wider_than_the_printed_page_and_figures_are_half_a_page(printed):
    too_wide = printed.evaluate(
        """w => [...document.querySelectorAll('.ek-report table, .ek-report img')]
            .filter(e => e.getBoundingClientRect().right > w + 1)
            .map(e => (e.querySelector('caption') || e).textContent || e.alt)""", WIDTH)
    figures = printed.evaluate(
        """() => [...document.querySelectorAll('.ek-report figure img')]
            .map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])""")
    width = printed.evaluate("document.documentElement.scrollWidth")
    assert too_wide == [] and width <= WIDTH
    assert len(figures) > 20
    assert all(abs(w - FIGURE_WIDTH * 96) <= 1 for w, _ in figures), figures
    assert FIGURE_WIDTH * 96 <= 0.6 * WIDTH and all(h <= HEIGHT / 2 for _, h in figures), figures


def test_long_tables_break_between_rows_and_short_ones_move_whole(printed):
    """A table of 15 rows or more may break between rows (its header repeats), so it does not
    leave the rest of a page empty; a shorter one moves whole to the next page."""
    tables = printed.evaluate(
        """() => [...document.querySelectorAll('.ek-report table')].map(t => [
            t.querySelectorAll('tbody tr').length, getComputedStyle(t).breakInside,
            getComputedStyle(t.querySelector('thead') || t).display])""")
    long = [t for t in tables if t[0] >= 15]
    short = [t for t in tables if t[0] < 15]
    assert long and short
    assert all(style == "auto" and head == "table-header-group" for _, style, head in long)
    assert all(style == "avoid" for _, style, _ in short)


def test_headings_keep_room_below_them_on_their_page(printed):
    """Each heading is an unbreakable block reaching 6rem below its text (pulled back by a
    negative margin), so a heading never ends a page without what it introduces; the h2's
    rule still sits right under its text."""
    styles = printed.evaluate(
        """() => [...document.querySelectorAll('.ek-report h2, .ek-report h3')].map(h => {
            const s = getComputedStyle(h), rem = parseFloat(
                getComputedStyle(document.documentElement).fontSize);
            return [h.tagName, s.breakInside, parseFloat(s.paddingBottom) / rem,
                    parseFloat(s.marginBottom) / rem, s.borderBottomStyle,
                    s.backgroundImage.startsWith('linear-gradient')]; })""")
    assert len(styles) > 20
    for tag, inside, padding, margin, border, rule in styles:
        assert inside == "avoid" and padding >= 6 and margin < -5, (tag, padding, margin)
        if tag == "H2":
            assert border == "none" and rule
