"""Information loss and time of the publishing gate, before and after, on the sample districts.

    PYTHONPATH=. python benchmarks/privacy_loss.py [--data data_samples] [--ref REF] [--width 10]

"Before" is the suppression of git ref ``--ref`` (default: where this branch left ``main``;
``equitykit/metrics/_suppression.py`` there, loaded from ``git show``); "after" is
:func:`equitykit.privacy.publish` of this checkout with ``protection_width=--width`` (rule 7). For
each district it prints the share of metrics.csv rows withheld (after: by reason), the seconds
of computing every metric (the same code for both), the seconds of the gate, and the audit
seconds (compute + gate) before and after.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

from equitykit.audit._compute import compute_metrics
from equitykit.config import load_config
from equitykit.intake import load_district_data
from equitykit.privacy import publish

ROOT = Path(__file__).resolve().parents[1]


def _before_module(ref: str):
    path = f"{ref}:equitykit/metrics/_suppression.py"
    source = subprocess.run(["git", "-C", str(ROOT), "show", path],
                            capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_loader("equitykit.metrics._suppression_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "equitykit.metrics"
    sys.modules[spec.name] = module
    exec(compile(source, f"{ref}:_suppression.py", "exec"), module.__dict__)  # our own file
    return module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT / "data_samples"))
    parser.add_argument("--ref", default=None)
    parser.add_argument("--width", type=int, default=10)
    args = parser.parse_args()
    ref = args.ref or subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
                                     capture_output=True, text=True, check=True).stdout.strip()
    before = _before_module(ref)
    config = load_config(None)
    import pandas as pd

    districts = sorted(pd.read_parquet(Path(args.data) / "students.parquet",
                                       columns=["district_id"])["district_id"].unique())
    print(f"{'district':8} {'rows':>6} {'withheld before':>16} {'after':>7} {'compute s':>10} "
          f"{'gate s before':>14} {'after':>7} {'audit s before':>15} {'after':>7}")
    for district in districts:
        data = load_district_data(args.data, config=config, district_id=str(district))
        tick = time.perf_counter()
        raw, _ = compute_metrics(data, config)
        compute = time.perf_counter() - tick
        tick = time.perf_counter()
        old = before.suppress_metrics(raw, min_n=config.privacy.min_n)
        gate_before = time.perf_counter() - tick
        tick = time.perf_counter()
        new = publish(raw, min_n=config.privacy.min_n, protection_width=args.width)
        gate_after = time.perf_counter() - tick
        print(f"{district:8} {len(raw):6d} {old['suppressed'].mean():16.1%} "
              f"{new.loss['share_withheld']:7.1%} {compute:10.1f} {gate_before:14.1f} "
              f"{gate_after:7.1f} {compute + gate_before:15.1f} {compute + gate_after:7.1f}")
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(new.loss["withheld_by_reason"].items(),
                                                           key=lambda kv: -kv[1]))
        print(f"{'':8} after, rows withheld by reason: {reasons}; coded rates "
              f"{new.loss['rates_coded']}; unprotected counts {new.loss['unprotected_counts']}")


if __name__ == "__main__":
    main()
