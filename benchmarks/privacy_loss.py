"""Information loss and time of the publishing gate on the sample districts, by protection rule.

    PYTHONPATH=. python benchmarks/privacy_loss.py [--data data_samples] [--width off default 10]
                                                   [--full] [--cpu]

For each district it computes every metric once (``compute s``), then runs
:func:`equitykit.privacy.publish` once per ``--width`` setting: ``off`` is rules 1-6 only (the
protection-interval rule switched off, as before it became the default), ``default`` is the
config default, a number is a flat width in students. It prints the share of ``metrics.csv``
rows withheld, the seconds of the gate, the audit seconds (compute + gate) and their ratio to
the ``off`` run, then the rows withheld by reason. With ``--full`` it also times a whole
``equitykit audit`` (notebook and report included) per district and setting, which is the time
a user waits. With ``--cpu`` the compute and gate times are CPU seconds of this process, which
other work on a shared machine does not inflate (the ratio is then the one an idle machine
would show).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from equitykit.audit._compute import compute_metrics
from equitykit.config import load_config
from equitykit.intake import load_district_data
from equitykit.privacy import publish

ROOT = Path(__file__).resolve().parents[1]


def _width(text: str) -> int | None:
    """``protection_width`` of a setting: 0 = rule 7 off, None = the default (``min_n``)."""
    return {"off": 0, "default": None}.get(text) if text in ("off", "default") else int(text)


def _full_audit(data: str, district: str, width: int | None, folder: Path) -> float:
    """Seconds of ``equitykit audit`` of one district with ``privacy.protection_width``."""
    config = folder / "config.yaml"
    config.write_text("" if width is None else f"privacy: {{protection_width: {width}}}\n",
                      encoding="utf-8")
    out = folder / f"out-{district}-{width}"
    tick = time.perf_counter()
    subprocess.run([sys.executable, "-m", "equitykit", "audit", data, "--district", district,
                    "--out", str(out), "--config", str(config)], check=True,
                   capture_output=True)
    return time.perf_counter() - tick


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT / "data_samples"))
    parser.add_argument("--width", nargs="+", default=["off", "default"])
    parser.add_argument("--full", action="store_true", help="also time whole audits")
    parser.add_argument("--cpu", action="store_true", help="CPU seconds instead of wall time")
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter
    config = load_config(None)
    districts = sorted(pd.read_parquet(Path(args.data) / "students.parquet",
                                       columns=["district_id"])["district_id"].unique())
    print(f"{'district':8} {'width':>7} {'rows':>6} {'withheld':>8} {'compute s':>9} "
          f"{'gate s':>6} {'audit s':>7} {'× off':>5}")
    for district in districts:
        data = load_district_data(args.data, config=config, district_id=str(district))
        tick = clock()
        raw, _ = compute_metrics(data, config)
        compute = clock() - tick
        base = None
        for setting in args.width:
            width = _width(setting)
            tick = clock()
            gate = publish(raw, min_n=config.privacy.min_n, protection_width=width)
            seconds = clock() - tick
            audit = compute + seconds
            base = audit if base is None else base
            print(f"{district:8} {setting:>7} {len(raw):6d} {gate.loss['share_withheld']:8.1%} "
                  f"{compute:9.1f} {seconds:6.1f} {audit:7.1f} {audit / base:5.2f}")
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(
                gate.loss["withheld_by_reason"].items(), key=lambda kv: -kv[1]))
            print(f"{'':8} {'':>7} by reason: {reasons}; coded rates "
                  f"{gate.loss['rates_coded']}; unprotected counts "
                  f"{gate.loss['unprotected_counts']}")
        if args.full:
            with tempfile.TemporaryDirectory() as folder:
                times = {setting: _full_audit(args.data, str(district), _width(setting),
                                              Path(folder))
                         for setting in args.width}
            first = next(iter(times.values()))
            print(f"{'':8} whole audit s: " + ", ".join(
                f"{k} {v:.1f} (× {v / first:.2f})" for k, v in times.items()))


if __name__ == "__main__":
    main()
