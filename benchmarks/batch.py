"""Batch speed: ``equitykit batch --workers N`` against a naive loop of the two CLIs per district.

The naive loop is what a consultant would script by hand: for each district, ``papermill``
(a fresh kernel, fresh imports) then ``jupyter nbconvert --to html --no-input``. Both sides run
as separate processes, so interpreter start and imports count. Prints wall-clock seconds, the
speed-up and, from ``manifest.json``, where each district's seconds went.

    python benchmarks/batch.py [--notebook notebooks/district_audit.ipynb] [--data DIR]
                               [--districts D01,D02] [--workers 2] [--out /tmp/bench]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BATCH = (
    "import sys; from equitykit.execute import run_batch; "
    "r = run_batch(sys.argv[1], sys.argv[2], notebook=sys.argv[3], workers=int(sys.argv[4]), "
    "districts=sys.argv[5].split(',')); sys.exit(r.exit_code)"
)


def _run(command: list) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(map(str, command[:2]))} failed:\n{done.stderr[-3000:]}")


def naive(notebook: Path, data: Path, districts: list[str], out: Path) -> float:
    """papermill CLI + nbconvert CLI per district, one after the other."""
    bin_dir = Path(sys.executable).parent
    start = time.perf_counter()
    for district in districts:
        folder = out / district
        folder.mkdir(parents=True)
        executed = folder / "audit.ipynb"
        _run([bin_dir / "papermill", notebook, executed, "-p", "data_dir", data,
              "-p", "district_id", district, "-p", "output_dir", folder, "--no-progress-bar"])
        _run([bin_dir / "jupyter", "nbconvert", "--to", "html", "--no-input", executed])
    return time.perf_counter() - start


def batch(notebook: Path, data: Path, districts: list[str], out: Path, workers: int) -> float:
    """equitykit's batch in its own process (interpreter start and imports included)."""
    start = time.perf_counter()
    _run([sys.executable, "-c", BATCH, data, out, notebook, str(workers), ",".join(districts)])
    return time.perf_counter() - start


def main() -> None:
    from equitykit.samples import sample_data_dir

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--notebook", type=Path, default=REPO / "notebooks" / "district_audit.ipynb")
    p.add_argument("--data", type=Path, default=None, help="default: the shipped sample data")
    p.add_argument("--districts", default=None, help="comma-separated; default: all")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", type=Path, default=Path("/tmp/equitykit-bench"))
    args = p.parse_args()

    from equitykit.config import AuditConfig
    from equitykit.execute._inputs import read_folder

    data = (args.data or sample_data_dir()).resolve()
    districts = (args.districts.split(",") if args.districts
                 else list(read_folder(data, AuditConfig()).districts))
    shutil.rmtree(args.out, ignore_errors=True)
    notebook = args.notebook.resolve()
    slow = naive(notebook, data, districts, args.out / "naive")
    fast = batch(notebook, data, districts, args.out / "batch", args.workers)
    print(f"{len(districts)} districts; naive papermill + nbconvert loop: {slow:.1f} s; "
          f"equitykit batch --workers {args.workers}: {fast:.1f} s; speed-up {slow / fast:.1f}x")
    manifest = json.loads((args.out / "batch" / "manifest.json").read_text())
    parts = ("startup", "validate", "kernel", "imports", "compute", "figures", "html", "write")
    print("district  total  " + "  ".join(f"{p:>8}" for p in parts))
    for district, entry in manifest["districts"].items():
        cells = "  ".join(f"{entry['durations'].get(p, float('nan')):8.2f}" for p in parts)
        print(f"{district:<8} {entry['duration']:6.2f}  {cells}")


if __name__ == "__main__":
    main()
