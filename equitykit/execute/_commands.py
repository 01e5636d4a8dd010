"""The ``audit``, ``batch`` and ``demo`` commands (README, Commands); each returns its exit
status."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from .._notebooks import own_notebook_notice
from ..config import AuditConfig, load_config
from ._batch import BatchResult, run_batch
from ._lock import OutputLock, prepare_out
from ._paths import shown
from ._run import audit_notebook, locate, run_district
from ._stop import Stopped, stop_on_signals

__all__ = ["audit_command", "batch_command", "demo_command"]

AUDIT_OK = "audit of {district} written to {path}"
AUDIT_INVALID = "district {district} was not audited:\n{problems}"
AUDIT_FAILED = "district {district} failed{where}: {name}: {message}"
BATCH_SUMMARY = ("{ok} of {total} districts complete ({skipped} unchanged, skipped){failures}"
                 "{stopped}")
BATCH_STOPPED = ("equitykit: stopped by {signal}; the districts that finished are kept. "
                 "Run the same command with --resume to finish the others.")


def audit_command(data: Path, *, district_id: str, out_dir: Path, config_path: Path | None,
                  school_year: int | None, notebook: Path | None = None,
                  formats: Sequence[str] | None = None, by_school: bool = False) -> int:
    """``equitykit audit DATA --district ID --out DIR``: one district, in this process.

    ``formats``: the report formats (``--format``); None: the config's ``report.formats``.
    Nothing is created before the district is found in the data and the notebook is checked;
    the output folder is locked for the run.
    """
    config = load_config(config_path)
    _notice(config, notebook)
    notebook = audit_notebook(notebook, config)
    digest, folder = locate(Path(data), district_id, config)
    out = prepare_out(out_dir)
    with OutputLock(out, "audit") as lock, stop_on_signals():
        result = run_district(data, district_id, out, config_path=config_path,
                              school_year=school_year, notebook=notebook, input_sha256=digest,
                              folder=folder, token=lock.token, formats=formats,
                              by_school=by_school)
    district = shown(district_id)
    if result.status == "ok":
        print(AUDIT_OK.format(district=district, path=out / result.outputs["html"]))
        return 0
    if result.status == "invalid":
        problems = "\n".join(f"  - {p}" for p in result.problems)
        print(AUDIT_INVALID.format(district=district, problems=problems), file=sys.stderr)
    else:
        error = result.error or {}
        cell = error.get("cell")
        print(AUDIT_FAILED.format(district=district,
                                  where=f" in cell {cell}" if cell is not None else "",
                                  name=error.get("name"), message=error.get("message")),
              file=sys.stderr)
    return BatchResult(out, (result,)).exit_code


def batch_command(data: Path, *, out_dir: Path, config_path: Path | None, workers: int | None,
                  scheduler: str | None, resume: bool, districts: Sequence[str] | None,
                  timeout: float | None, notebook: Path | None = None,
                  formats: Sequence[str] | None = None, by_school: bool = False) -> int:
    """``equitykit batch DATA --out DIR``: every district (or those named), in parallel;
    ``formats`` None: the config's ``report.formats``."""
    _notice(load_config(config_path), notebook)
    try:
        batch = run_batch(data, out_dir, config_path=config_path, workers=workers,
                          scheduler=scheduler, resume=resume, districts=districts,
                          timeout=timeout, notebook=notebook, formats=formats,
                          by_school=by_school)
    except Stopped as exc:
        _summarise(exc.batch)
        print(BATCH_STOPPED.format(signal=exc), file=sys.stderr)
        return exc.exit_code
    _summarise(batch)
    return batch.exit_code


def demo_command(*, out_dir: Path, workers: int | None, config_path: Path | None = None
                 ) -> int:
    """``equitykit demo``: audit the shipped sample districts (with ``config_path``, e.g.
    ``examples/sample_goals.yml``); the last line is index.html."""
    from ..samples import sample_data_dir

    return batch_command(sample_data_dir(), out_dir=out_dir, config_path=config_path,
                         workers=workers,
                         scheduler=None, resume=False, districts=None, timeout=1800)


def _notice(config: AuditConfig, notebook: Path | None) -> None:
    """Say so (stderr) when the config's own notebook will run (no ``--notebook``)."""
    notice = own_notebook_notice(config.notebook) if notebook is None else None
    if notice:
        print(notice, file=sys.stderr)


def _summarise(batch: BatchResult) -> None:
    statuses = [r.status for r in batch.districts]
    failures = [shown(r.district_id) for r in batch.districts
                if r.status in ("failed", "invalid")]
    stopped = statuses.count("stopped")
    print(BATCH_SUMMARY.format(
        ok=statuses.count("ok") + statuses.count("skipped"), total=len(statuses),
        skipped=statuses.count("skipped"),
        failures=f"; not complete: {', '.join(failures)} (see manifest.json)" if failures else "",
        stopped=f"; {stopped} not finished (stopped)" if stopped else "",
    ))
    print(batch.index)
