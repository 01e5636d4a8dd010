"""The audit renders in a real browser: Debian's Chromium, headless, from a file:// URL.

The screenshot is written to ``test-artifacts/audit/D01.png`` for a person to look at.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
HEADINGS = (
    "Summary", "Achievement equity", "Programmatic equity", "Teacher quality equity",
    "Are outcomes predicted by demographics?", "Ranked systemic contributors",
    "Methods and privacy", "Provenance",
)
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "audit"


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    profile = tmp_path_factory.mktemp("chromium-profile")

    def run(*args: str) -> str:
        done = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120, check=True,
        )
        return done.stdout

    return run


def test_rendered_page_has_sections_and_contents(chromium, audit_dir):
    dom = chromium("--dump-dom", (audit_dir / "audit.html").as_uri())
    for heading in HEADINGS:
        assert f">{heading}</h2>" in dom.replace("&amp;", "&"), heading
        anchor = heading  # every section is also a table-of-contents link
        assert f">{anchor}</a>" in dom.replace("&amp;", "&"), anchor
    assert 'class="ek-toc"' in dom


def test_screenshot_is_written(chromium, audit_dir):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "D01.png"
    shot.unlink(missing_ok=True)
    chromium("--window-size=1280,4000", f"--screenshot={shot}", (audit_dir / "audit.html").as_uri())
    assert shot.stat().st_size > 50_000  # a rendered page, not a blank one
