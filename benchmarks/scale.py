"""Scale: one 1,000,000-student district end to end, and 200 small districts in one batch.

1. A synthetic district of 1,000,000 students (one school year, 400 schools, with staff,
   schools and survey tables) is audited with ``equitykit audit`` (notebook and HTML) in a
   child process; prints wall seconds and the child's peak memory. Target: ≤ 60 s, ≤ 4 GB.
2. 200 districts of about 500 students each are audited with ``equitykit batch --workers 2``;
   prints the total wall time and the time per district.

    python benchmarks/scale.py [--students 1000000] [--districts 200] [--out /tmp/ek-scale]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def big_district(folder: Path, students: int) -> None:
    from equitykit.samples import generate_district

    tables = generate_district("BIG", n_students=students, n_schools=400, years=(2023,), seed=11)
    folder.mkdir(parents=True)
    tables["students"].to_parquet(folder / "students.parquet", index=False)
    tables["survey"].to_parquet(folder / "survey.parquet", index=False)
    for name in ("staff", "schools"):
        tables[name].to_csv(folder / f"{name}.csv", index=False)


def small_districts(folder: Path, count: int) -> None:
    from equitykit.samples import DEFAULT_DISTRICTS, generate_samples

    base = DEFAULT_DISTRICTS[0]
    specs = [dataclasses.replace(base, district_id=f"S{i:03d}", name=f"Small {i}",
                                 n_students=500, n_schools=5) for i in range(1, count + 1)]
    generate_samples(folder, districts=specs)


def timed(command: list) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{command[1]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=1_000_000)
    p.add_argument("--districts", type=int, default=200)
    p.add_argument("--out", type=Path, default=Path("/tmp/ek-scale"))
    args = p.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)

    big_district(args.out / "big", args.students)
    seconds = timed([BIN / "equitykit", "audit", args.out / "big", "--district", "BIG",
                     "--out", args.out / "big-out"])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    html = (args.out / "big-out" / "BIG" / "audit.html").stat().st_size / 1024**2
    print(f"1 district of {args.students:,} students, notebook + HTML: {seconds:.1f} s, "
          f"peak memory {peak:.2f} GiB, audit.html {html:.2f} MiB")

    small_districts(args.out / "small", args.districts)
    seconds = timed([BIN / "equitykit", "batch", args.out / "small", "--out",
                     args.out / "small-out", "--workers", "2"])
    print(f"{args.districts} districts of 500 students, batch --workers 2: {seconds:.1f} s "
          f"({seconds / args.districts:.2f} s per district)")


if __name__ == "__main__":
    main()
