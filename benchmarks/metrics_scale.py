"""Every metric of the audit for one district of 10k, 100k and 1,000,000 students.

For each size a fresh process generates a synthetic district (one school year, via
``equitykit.samples.generate_district``), writes it as Parquet, then times the audit's
computation: intake (read, validate, type), all metrics (rates, disproportionality, IDEA, gaps,
V, segregation, locus, predictiveness, teacher quality, resources, climate) and suppression.
Prints seconds per stage and the process's peak memory. Target: 1M students in ≤ 30 s and
≤ 3 GB on a 2-core machine.

    python benchmarks/metrics_scale.py [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
from equitykit import metrics
from equitykit.audit._compute import compute_metrics
from equitykit.config import AuditConfig
from equitykit.intake import load_district_data
from equitykit.samples import generate_district

n, folder = int(sys.argv[1]), Path(sys.argv[2])
tables = generate_district("B01", n_students=n, n_schools=max(5, min(400, n // 600)),
                           years=(2023,), seed=7)
tables["students"].to_parquet(folder / "students.parquet", index=False)
for name in ("staff", "schools"):
    tables[name].to_csv(folder / f"{name}.csv", index=False)
tables["survey"].to_parquet(folder / "survey.parquet", index=False)
config = AuditConfig()
t0 = time.perf_counter()
data = load_district_data(folder, config=config, district_id="B01")
t1 = time.perf_counter()
raw, counts = compute_metrics(data, config)
t2 = time.perf_counter()
published = metrics.suppress_metrics(raw, min_n=config.privacy.min_n)
t3 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB -> GiB
print(json.dumps({"students": n, "schools": int(data.students["school_id"].nunique()),
                  "intake": t1 - t0, "metrics": t2 - t1, "suppress": t3 - t2,
                  "total": t3 - t0, "rows": len(published), "peak_gib": peak}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    print(f"{'students':>10} {'schools':>8} {'intake s':>9} {'metrics s':>10} "
          f"{'suppress s':>11} {'total s':>8} {'rows':>8} {'peak GiB':>9}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            done = subprocess.run([sys.executable, "-c", CHILD, str(size), folder],
                                  capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(done.stderr[-3000:])
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{r['students']:>10,} {r['schools']:>8} {r['intake']:>9.2f} {r['metrics']:>10.2f} "
              f"{r['suppress']:>11.2f} {r['total']:>8.2f} {r['rows']:>8,} {r['peak_gib']:>9.2f}")


if __name__ == "__main__":
    main()
