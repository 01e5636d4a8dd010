"""Seconds the report formats add per district to a batch (target: at most 2 s).

Runs ``equitykit batch`` on the shipped sample districts twice, as a consultant would: HTML
only, then ``--format html,pdf,docx,brief``. Prints

- the wall time of both batches and their difference per district;
- from the second batch's manifest.json, each format's seconds per district (``pdf``, ``docx``,
  ``brief``: the time a district's worker spent on it), their median sum, and the same for the
  districts after a worker's first (the browser is started once per worker and reused).

    python benchmarks/formats.py [--workers 2] [--out /tmp/equitykit-formats] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
FORMATS = ("pdf", "docx", "brief")


def batch(data: Path, out: Path, workers: int, formats: str) -> float:
    """Seconds of one ``equitykit batch`` run into a fresh ``out``."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "equitykit"), "batch", str(data), "--out", str(out),
                           "--workers", str(workers), "--format", formats],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"batch --format {formats} failed:\n{done.stderr[-3000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("/tmp/equitykit-formats"))
    parser.add_argument("--repeat", type=int, default=1, help="runs of each batch (best kept)")
    args = parser.parse_args()
    from equitykit.samples import sample_data_dir

    data = sample_data_dir()
    plain = min(batch(data, args.out / "html", args.workers, "html")
                for _ in range(args.repeat))
    every = min(batch(data, args.out / "all", args.workers, ",".join(("html", *FORMATS)))
                for _ in range(args.repeat))
    manifest = json.loads((args.out / "all" / "manifest.json").read_text(encoding="utf-8"))
    districts = manifest["districts"]
    count = len(districts)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{count} sample districts, --workers {args.workers}; load average {load} "
          f"on {os.cpu_count()} cores (other work on the machine slows every figure)")
    print(f"batch, html only:           {plain:6.1f} s")
    print(f"batch, html,pdf,docx,brief: {every:6.1f} s")
    print(f"wall time added per district: {(every - plain) / count:.2f} s "
          f"(x {args.workers} workers: {(every - plain) / count * args.workers:.2f} s of a worker)")
    sums = []
    for district, result in districts.items():
        parts = {f: result["durations"].get(f, float("nan")) for f in FORMATS}
        sums.append(sum(parts.values()))
        shown = "  ".join(f"{f} {s:5.2f}" for f, s in parts.items())
        print(f"  {district}: {shown}  = {sums[-1]:5.2f} s of its worker")
    print(f"median seconds of the formats per district: {statistics.median(sums):.2f} s "
          "(target: at most 2 s)")


if __name__ == "__main__":
    main()
