"""Seconds ``--by-school`` adds to a district's audit, and what it costs the district's figures.

For each sample district (default: the shipped D01, D02 and D03), in this process, without and
with school reports: the seconds to compute the metrics, to pass them through the privacy gate and
(with) to write the school reports; the rows published, the share withheld, the gate's
unprotected counts (0 expected) and how many district rows the school rows made the gate
withhold that it publishes without them (a district the gate cannot protect is reported as
refused). Then, unless ``--no-cli``, the wall time of
``equitykit audit`` without and with ``--by-school`` (notebook, HTML and all).

    PYTHONPATH=. python benchmarks/by_school.py [--districts D01,D02,D03] [--no-cli]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from equitykit.errors import PrivacyError

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data_samples"
BIN = Path(sys.executable).parent
KEY = ["school_year", "outcome", "dimension", "group", "measure", "comparison"]


def in_process(district: str, by_school: bool, out: Path) -> tuple[dict, object]:
    from equitykit.audit import DistrictAudit
    from equitykit.report._school import write_school_reports

    tick = time.perf_counter()
    audit = DistrictAudit.compute(data_dir=DATA, district_id=district, by_school=by_school)
    seconds = {"compute": time.perf_counter() - tick}
    tick = time.perf_counter()
    audit.publish()
    seconds["publish"] = time.perf_counter() - tick
    if by_school:
        out.mkdir(parents=True, exist_ok=True)
        tick = time.perf_counter()
        audit.rank()
        write_school_reports(audit, out)
        seconds["school reports"] = time.perf_counter() - tick
    return seconds, audit


def cli(district: str, by_school: bool, out: Path) -> float:
    tick = time.perf_counter()
    subprocess.run([BIN / "equitykit", "audit", DATA, "--district", district, "--out", out,
                    *(["--by-school"] if by_school else [])], check=True, capture_output=True)
    return time.perf_counter() - tick


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--districts", default="D01,D02,D03")
    p.add_argument("--no-cli", dest="cli", action="store_false")
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="equitykit-by-school-"))
    try:
        for district in args.districts.split(","):
            off, plain = in_process(district, False, work)
            try:
                on, audit = in_process(district, True, work / district)
            except PrivacyError as refused:
                print(f"{district}: with: refused: {refused}")
                continue
            loss = audit.privacy_loss
            before = plain.published[plain.published["school_id"] == ""].set_index(KEY)
            after = audit.published[audit.published["school_id"] == ""].set_index(KEY)
            both = before[["suppressed"]].join(
                after[["suppressed"]].rename(columns={"suppressed": "on"}), how="inner")
            lost = int((both["on"] & ~both["suppressed"]).sum())
            print(f"{district}: without: " + ", ".join(f"{k} {v:.2f} s" for k, v in off.items())
                  + f"; {len(plain.published)} rows, "
                  f"{plain.privacy_loss['share_withheld']:.1%} withheld")
            print(f"{district}: with:    " + ", ".join(f"{k} {v:.2f} s" for k, v in on.items())
                  + f"; {len(audit.published)} rows, {loss['share_withheld']:.1%} withheld, "
                  f"unprotected counts {loss['unprotected_counts']}, district rows newly "
                  f"withheld {lost} of {len(both)}")
            if args.cli:
                plain_s = cli(district, False, work / "cli-off")
                school_s = cli(district, True, work / "cli-on")
                print(f"{district}: equitykit audit {plain_s:.1f} s, with --by-school "
                      f"{school_s:.1f} s (+{school_s - plain_s:.1f} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
