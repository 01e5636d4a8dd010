"""Shared fixtures: where the real public data lives, and skipping cleanly without it."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = REPO.parent / "shared" / "real_data"


@pytest.fixture(scope="session")
def real_data() -> Path:
    """``../shared/real_data``; the test is skipped when the folder is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data not available at {REAL_DATA}")
    return REAL_DATA


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def sample_audit():
    """``sample_audit("D02")``: the computed audit of a sample district, once per session."""
    from equitykit.audit import DistrictAudit

    cache: dict = {}

    def get(district_id: str):
        if district_id not in cache:
            cache[district_id] = DistrictAudit.run(
                data_dir=REPO / "data_samples", district_id=district_id
            )
        return cache[district_id]

    return get
