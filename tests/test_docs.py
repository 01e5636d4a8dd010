"""The project carries its own documentation: README and docs/ link only to files in the repo,
nothing a user reads points outside it, and docs/data.md lists every canonical column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from equitykit import schema

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
USER_FACING = [*PAGES, *(ROOT / "equitykit").rglob("*.py"), *(ROOT / "notebooks").glob("*"),
               *(ROOT / "templates").rglob("*"), *(ROOT / "examples").glob("*"),
               *(ROOT / "equitykit" / "resources").rglob("*")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page):
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        if "://" not in target:
            assert (page.parent / target).exists(), f"{page.name}: broken link {target}"


def test_nothing_a_user_reads_points_outside_the_repo():
    for path in USER_FACING:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert not re.search(r"(\.\./)?shared/(CONTRACT|METHODS|DESIGN|real_data)", text), path


def test_data_page_lists_every_canonical_column():
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    for table, columns in schema.TABLES.items():
        assert f"## {table}" in text
        for column in columns:
            assert f"`{column}`" in text, f"{table}.{column} is not in docs/data.md"
    for code in (*schema.RACE_ETHNICITY, *schema.DISABILITY_CATEGORIES, *schema.PLACEMENTS):
        assert f"`{code}`" in text, code


def test_outputs_page_lists_every_metrics_column():
    from equitykit.audit._compute import METRIC_COLUMNS

    text = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    for column in (*METRIC_COLUMNS, "display"):
        assert f"`{column}`" in text, column
