"""The adversary of tests/privacy_attack.py against what `equitykit batch` writes.

It reads only the published files of each district (metrics.csv, findings.json, audit.html)
and asks for the smallest and largest value of every withheld count (scipy HiGHS, linprog then
milp). The gate promises (rule 7 of the rule book, on by default): no withheld count narrower
than the protection width, none pinned to 0, no coded rate narrowed, no small complement
published, no number derived from a withheld or coded cell published beside it, no number in
the report's tables that metrics.csv does not publish.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import privacy_attack

from equitykit.privacy import DEFAULT_PROTECTION_WIDTH

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _batch(data: Path, out: Path, *config: str) -> None:
    """``equitykit batch`` with the default privacy configuration (protection width 3)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "equitykit", "batch", str(data), "--out", str(out),
                          "--workers", "1", *config],
                         env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-2000:]


#: Generated districts: a race group of about 3-6 students (0.1% of 5,500; 0.5% of 900), a
#: nonbinary group of about 25 (the generator gives about 0.45%), outcomes nobody in a small
#: group had, and graduation, which nearly everybody has. They carry discipline incidents,
#: staff and surveys (the discipline, teacher and climate rows), and the focus lens is on.
GENERATED = (
    ("G01", 5500, {"White": 0.55, "Black": 0.25, "Hispanic/Latino": 0.179, "Asian": 0.02,
                   "American Indian/Alaska Native": 0.001}),
    ("G02", 900, {"White": 0.7, "Hispanic/Latino": 0.295,
                  "Native Hawaiian/Pacific Islander": 0.005}),
)


FOCUS = "focus: {dimension: race_ethnicity, group: Black, reference: White}\n"


@pytest.fixture(scope="module")
def generated_batch(tmp_path_factory) -> Path:
    from equitykit.samples import DistrictSpec, generate_samples

    folder = tmp_path_factory.mktemp("generated")
    specs = [DistrictSpec(d, d, n, 3, race_mix=mix) for d, n, mix in GENERATED]
    data = generate_samples(folder / "data", districts=specs, seed=11)
    config = folder / "config.yaml"
    config.write_text(FOCUS, encoding="utf-8")
    _batch(data, folder / "out", "--config", str(config))
    return folder / "out"


@pytest.fixture(scope="module")
def sample_batch(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("batch")
    _batch(ROOT / "data_samples", out)
    return out


def test_the_attack_learns_nothing_from_the_sample_batch(sample_batch):
    found = privacy_attack.leaks(privacy_attack.attack_batch(
        sample_batch, width=DEFAULT_PROTECTION_WIDTH))
    assert not found, "\n".join(str(f) for f in found[:40])


def test_the_attack_learns_nothing_from_generated_districts(generated_batch):
    found = privacy_attack.leaks(privacy_attack.attack_batch(
        generated_batch, width=DEFAULT_PROTECTION_WIDTH))
    assert not found, "\n".join(str(f) for f in found[:40])


def test_every_district_reports_its_information_loss(sample_batch):
    import json

    manifest = json.loads((sample_batch / "manifest.json").read_text())
    for entry in manifest["districts"].values() if isinstance(manifest["districts"], dict) \
            else manifest["districts"]:
        loss = entry["privacy"]
        assert 0 <= loss["share_withheld"] <= 1
        assert sum(loss["withheld_by_reason"].values()) == loss["rows_withheld"]
