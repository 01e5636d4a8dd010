"""The ``audit``, ``batch`` and ``demo`` commands (CONTRACT §3); each returns the exit status."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ._batch import BatchResult, run_batch
from ._run import run_district

__all__ = ["audit_command", "batch_command", "demo_command"]

AUDIT_OK = "audit of {district} written to {path}"
AUDIT_INVALID = "district {district} was not audited:\n{problems}"
AUDIT_FAILED = "district {district} failed{where}: {name}: {message}"
BATCH_SUMMARY = "{ok} of {total} districts complete ({skipped} unchanged, skipped){failures}"


def audit_command(data: Path, *, district_id: str, out_dir: Path, config_path: Path | None,
                  school_year: int | None) -> int:
    """``equitykit audit DATA --district ID --out DIR``: one district, in this process."""
    result = run_district(data, district_id, out_dir, config_path=config_path,
                          school_year=school_year)
    if result.status == "ok":
        print(AUDIT_OK.format(district=district_id,
                              path=(Path(out_dir) / result.outputs["html"]).resolve()))
        return 0
    if result.status == "invalid":
        problems = "\n".join(f"  - {p}" for p in result.problems)
        print(AUDIT_INVALID.format(district=district_id, problems=problems), file=sys.stderr)
    else:
        error = result.error or {}
        cell = error.get("cell")
        print(AUDIT_FAILED.format(district=district_id,
                                  where=f" in cell {cell}" if cell is not None else "",
                                  name=error.get("name"), message=error.get("message")),
              file=sys.stderr)
    return BatchResult(Path(out_dir), (result,)).exit_code


def batch_command(data: Path, *, out_dir: Path, config_path: Path | None, workers: int | None,
                  scheduler: str | None, resume: bool, districts: Sequence[str] | None,
                  timeout: float | None) -> int:
    """``equitykit batch DATA --out DIR``: every district (or those named), in parallel."""
    batch = run_batch(data, out_dir, config_path=config_path, workers=workers,
                      scheduler=scheduler, resume=resume, districts=districts, timeout=timeout)
    _summarise(batch)
    return batch.exit_code


def demo_command(*, out_dir: Path, workers: int | None) -> int:
    """``equitykit demo``: audit the shipped sample districts; the last line is index.html."""
    from ..samples import sample_data_dir

    batch = run_batch(sample_data_dir(), out_dir, workers=workers)
    _summarise(batch)
    return batch.exit_code


def _summarise(batch: BatchResult) -> None:
    statuses = [r.status for r in batch.districts]
    failures = [r.district_id for r in batch.districts if r.status in ("failed", "invalid")]
    print(BATCH_SUMMARY.format(
        ok=statuses.count("ok") + statuses.count("skipped"), total=len(statuses),
        skipped=statuses.count("skipped"),
        failures=f"; not complete: {', '.join(failures)} (see manifest.json)" if failures else "",
    ))
    print(batch.index)
