"""Batch speed: ``equitykit batch`` against the loop a consultant would script by hand.

On the same districts (default: 12 synthetic districts of 2,000–8,000 students, three years
each, generated with ``equitykit.samples``), side by side in one run:

(a) the naive loop: per district ``papermill`` (fresh kernel, fresh imports) then
    ``jupyter nbconvert --to html --no-input``, one district at a time;
(b) the same loop with two districts in parallel;
(c) ``equitykit batch --workers 2``.

Every side runs as separate processes, so interpreter start and imports count. Prints the wall
time of each, per-district medians, where a district's seconds go in (c) (from manifest.json),
and the speed-ups. Target: (c) at least 4x faster than (a) on a 2-core machine.

    python benchmarks/batch.py [--districts 12] [--workers 2] [--out /tmp/equitykit-bench]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "district_audit.ipynb"
BIN = Path(sys.executable).parent


def make_districts(folder: Path, count: int) -> list[str]:
    """``count`` districts cycling through the small and middle sample designs."""
    from equitykit.samples import DEFAULT_DISTRICTS, generate_samples

    designs = [d for d in DEFAULT_DISTRICTS if d.n_students <= 8_000]
    specs = [
        dataclasses.replace(designs[i % len(designs)], district_id=f"B{i + 1:02d}",
                            name=f"Bench {i + 1}")
        for i in range(count)
    ]
    generate_samples(folder, districts=specs)
    return [s.district_id for s in specs]


def _run(command: list) -> None:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(map(str, command[:2]))} failed:\n{done.stderr[-3000:]}")


def naive_one(data: Path, district: str, out: Path) -> float:
    """papermill CLI then nbconvert CLI for one district; its seconds."""
    start = time.perf_counter()
    folder = out / district
    folder.mkdir(parents=True)
    executed = folder / "audit.ipynb"
    _run([BIN / "papermill", NOTEBOOK, executed, "-p", "data_dir", data, "-p", "district_id",
          district, "-p", "output_dir", folder, "--no-progress-bar", "--cwd", folder])
    _run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed])
    return time.perf_counter() - start


def naive(data: Path, districts: list[str], out: Path, parallel: int) -> tuple[float, list]:
    start = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        each = list(pool.map(lambda d: naive_one(data, d, out), districts))
    return time.perf_counter() - start, each


def batch(data: Path, districts: list[str], out: Path, workers: int) -> float:
    start = time.perf_counter()
    _run([BIN / "equitykit", "batch", data, "--out", out, "--workers", workers,
          "--districts", ",".join(districts)])
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--districts", type=int, default=12)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", type=Path, default=Path("/tmp/equitykit-bench"))
    args = p.parse_args()

    shutil.rmtree(args.out, ignore_errors=True)
    data = args.out / "data"
    districts = make_districts(data, args.districts)
    a, a_each = naive(data, districts, args.out / "naive", 1)
    b, b_each = naive(data, districts, args.out / "naive2", 2)
    c = batch(data, districts, args.out / "batch", args.workers)
    manifest = json.loads((args.out / "batch" / "manifest.json").read_text())
    entries = list(manifest["districts"].values())
    assert all(e["status"] == "ok" for e in entries), "a district failed"

    print(f"{len(districts)} districts, {args.workers} workers")
    print(f"(a) naive loop, one at a time : {a:7.1f} s   median per district "
          f"{statistics.median(a_each):5.2f} s")
    print(f"(b) naive loop, two at a time : {b:7.1f} s   median per district "
          f"{statistics.median(b_each):5.2f} s")
    print(f"(c) equitykit batch           : {c:7.1f} s   median per district "
          f"{statistics.median(e['duration'] for e in entries):5.2f} s (inside a worker)")
    print(f"speed-up (c) vs (a): {a / c:.1f}x   (c) vs (b): {b / c:.1f}x")
    parts = sorted({k for e in entries for k in e["durations"]})
    print("where a district's seconds go in (c), median: " + ", ".join(
        f"{k} {statistics.median(e['durations'].get(k, 0.0) for e in entries):.2f}"
        for k in parts))


if __name__ == "__main__":
    main()
