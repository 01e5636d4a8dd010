"""Seconds the report formats add per district to a batch (target: at most 2 s).

Runs ``equitykit batch`` on the shipped sample districts twice, as a consultant would: HTML
only, then ``--format html,pdf,docx,brief``. Prints

- the wall time of both batches and their difference per district;
- from the second batch's manifest.json, each format's seconds per district (``pdf``, ``docx``,
  ``brief``); the Word document is built while the browser prints, so a district's worker
  spends max(pdf + brief, docx) on them;
- the same conversions of one district repeated in this process (the browser started once,
  as a batch worker keeps it): the first run (with the browser's start) and the best of
  ``--repeat`` runs after it, in wall seconds and in CPU seconds of this process and the
  browser's (CPU seconds hardly change with other work on the machine; wall seconds do);
- a first district as a run makes it: the browser started as its audit begins, the formats
  made :data:`AUDIT_SECONDS` later (the audit's compute, stood in for by waiting), in wall
  seconds of the formats and CPU seconds including the browser's start.

    python benchmarks/formats.py [--workers 2] [--out /tmp/equitykit-formats] [--repeat 5]
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
#: Seconds between a district's start and its formats (a sample district's audit takes longer).
AUDIT_SECONDS = 5.0


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
    parser.add_argument("--repeat", type=int, default=5,
                        help="warm conversions of one district (best kept)")
    args = parser.parse_args()
    from equitykit.samples import sample_data_dir

    data = sample_data_dir()
    plain = batch(data, args.out / "html", args.workers, "html")
    every = batch(data, args.out / "all", args.workers, ",".join(("html", *FORMATS)))
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
        sums.append(max(parts["pdf"] + parts["brief"], parts["docx"]))
        shown = "  ".join(f"{f} {s:5.2f}" for f, s in parts.items())
        print(f"  {district}: {shown}  -> {sums[-1]:5.2f} s of its worker")
    print(f"median seconds of the formats per district in the batch: "
          f"{statistics.median(sums):.2f} s")
    (first, first_cpu), (best, best_cpu) = warm(args.out / "all" / next(iter(districts)),
                                                args.repeat)
    print(f"one district in one process: first {first:.2f} s ({first_cpu:.2f} CPU s; starts "
          f"the browser), then best of {args.repeat}: {best:.2f} s ({best_cpu:.2f} CPU s) per "
          "district (target: at most 2 s)")
    started, started_cpu = started_first(args.out / "all" / next(iter(districts)))
    print(f"first district, browser started as its audit begins ({AUDIT_SECONDS:g} s before "
          f"the formats): {started:.2f} s ({started_cpu:.2f} CPU s with the browser's start)")


def _cpu_seconds() -> float:
    """CPU seconds of this process and all its descendants (the browser, its driver)."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.Error:  # ended meanwhile
            continue
        # and its ended children (a page's renderer process ends with the page)
        total += times.user + times.system + times.children_user + times.children_system
    return total


def warm(folder: Path, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """(wall, CPU) seconds of the conversions of one district: the first, and the best of
    ``repeat`` after it."""
    from equitykit.config import load_config
    from equitykit.execute._run import _convert

    page = (folder / "audit.html").read_text(encoding="utf-8")
    config = load_config(None)
    runs = []
    for _ in range(repeat + 1):
        start, cpu = time.perf_counter(), _cpu_seconds()
        _convert(page, folder, config, folder.name, ("html", *FORMATS), {})
        runs.append((time.perf_counter() - start, _cpu_seconds() - cpu))
    return runs[0], min(runs[1:])


def started_first(folder: Path) -> tuple[float, float]:
    """(wall seconds of the formats, CPU seconds with the browser's start) of a first district
    whose browser was started :data:`AUDIT_SECONDS` before its formats, as ``run_district``
    starts it when the audit begins."""
    from equitykit.config import load_config
    from equitykit.execute._run import _convert
    from equitykit.report import _browser

    _browser._current().close()  # the one warm() used
    page = (folder / "audit.html").read_text(encoding="utf-8")
    config = load_config(None)
    cpu = _cpu_seconds()
    _browser.start_browser()
    time.sleep(AUDIT_SECONDS)
    start = time.perf_counter()
    _convert(page, folder, config, folder.name, ("html", *FORMATS), {})
    return time.perf_counter() - start, _cpu_seconds() - cpu


if __name__ == "__main__":
    main()
