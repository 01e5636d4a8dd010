"""Auditing many districts in parallel, with failure isolation and ``--resume``.

Outputs and manifest: docs/outputs.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import signal
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from .._versions import versions
from ..config import AuditConfig, load_config
from ..errors import UsageError
from ._index import render_index
from ._inputs import file_digest, read_folder
from ._lock import OutputLock, prepare_out
from ._paths import confined, folder_names, scratch
from ._pools import default_workers, open_pool
from ._progress import Progress
from ._run import (
    OUTPUT_FILES,
    STAMP,
    STATUSES,
    DistrictResult,
    audit_notebook,
    district_files,
    district_parameters,
    listed,
    output_paths,
    run_district,
    school_reports,
    stamp_key,
)
from ._stop import Stopped, stop_on_signals

__all__ = ["MAX_ATTEMPTS", "BatchResult", "run_batch"]

#: How many times a district is tried when the worker running it is lost.
MAX_ATTEMPTS = 3
LOST_WORKER = "the worker running this district was lost {attempts} times ({reason})"
UNKNOWN_DISTRICTS = "unknown district(s) {unknown} in {data}; the districts there are: {valid}"
NO_DISTRICTS_NAMED = "no district ids given: --districts needs ids separated by commas"
NO_WORKERS = ("no worker was running for {seconds:g} s, so this district could not be "
              "audited; start Dask workers for the scheduler, then run again with --resume")
NOT_FINISHED = "the batch was stopped ({signal}) before this district finished"
NOT_OUR_FILES = ("{out} already holds {names}, which equitykit did not write (there is no "
                 "equitykit manifest.json); move them away or choose another --out")
#: The files a batch writes at the top of the output folder.
TOP_FILES = ("metrics.csv", "index.html", "manifest.json")
EXIT_OK, EXIT_DATA, EXIT_SOME_FAILED = 0, 1, 3
#: Seconds a batch waits while its pool has no live worker before failing the districts left.
WORKER_WAIT = 120.0
#: Seconds between checks of the pool while no district finishes.
POLL_SECONDS = 1.0
_RESULT_FIELDS = {f.name for f in fields(DistrictResult)}
#: Notebook errors that mean the district's data or config is at fault (exit status 1).
DATA_ERRORS = frozenset({"DataError", "ConfigError"})


@dataclass(frozen=True)
class BatchResult:
    """A finished batch: one :class:`DistrictResult` per district, in district order.

    ``stopped_by`` is the signal number when SIGTERM or Ctrl-C stopped the batch.
    """

    out_dir: Path
    districts: tuple[DistrictResult, ...]
    stopped_by: int | None = None

    @property
    def exit_code(self) -> int:
        """0 all complete, 1 every district has data or config problems, 3 some failed;
        128 + the signal number when stopped (143 for SIGTERM, 130 for Ctrl-C)."""
        if self.stopped_by:
            return 128 + self.stopped_by
        if all(r.status in ("ok", "skipped") for r in self.districts):
            return EXIT_OK
        return EXIT_DATA if all(map(_data_problem, self.districts)) else EXIT_SOME_FAILED

    @property
    def index(self) -> Path:
        return self.out_dir / "index.html"

    @property
    def manifest(self) -> Path:
        return self.out_dir / "manifest.json"


def _data_problem(result: DistrictResult) -> bool:
    """Invalid before execution, or stopped by a data or config error inside the notebook."""
    error = result.error or {}
    return result.status == "invalid" or error.get("name") in DATA_ERRORS


def run_batch(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    config_path: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    districts: Sequence[str] | None = None,
    timeout: float | None = 1800,
    notebook: str | Path | None = None,
    engine: str = "inprocess",
    progress_stream: Any = None,
    formats: Sequence[str] | None = None,
    by_school: bool = False,
) -> BatchResult:
    """Audit every district in ``data_dir`` (or those named) in parallel into ``out_dir``.

    Writes ``out_dir/<folder>/`` for each district that succeeds (the folder is the district id
    when it is a plain name such as ``D01``, else a safe name derived from it; the manifest
    states each), then ``out_dir/metrics.csv`` (the districts' metrics stacked in district
    order), ``out_dir/manifest.json`` and ``out_dir/index.html``. A district that fails never
    stops the others. While the batch runs it holds ``out_dir/.equitykit.lock``: a second
    ``audit`` or ``batch`` into the same folder is refused.

    Parameters
    ----------
    data_dir, out_dir : the data folder and the output folder.
    config_path : the client config; problems in it stop the batch before it starts.
    workers : local worker processes (default: one per core).
    scheduler : a Dask scheduler address (``tcp://host:8786``); the districts run there.
    resume : skip districts whose outputs are complete and current (same data, parameters,
        config, notebook and toolkit version, and every output file as it was written).
    districts : audit only these ids.
    timeout : seconds allowed per district.
    notebook : the audit notebook to run (``--notebook``); default: the config's ``notebook``,
        else the shipped template.
    engine : see :func:`run_district`.
    progress_stream : where progress goes (default stderr).
    formats : the report formats of every district (see :func:`run_district`); default: the
        config's ``report.formats``; ``resume`` redoes a district written with other formats.
    by_school : also write a report per school in each district (see :func:`run_district`).

    Raises
    ------
    ConfigError, DataError
        The config or the data folder cannot be used at all (exit status 1).
    UsageError
        A named district is not in the data (the message lists the valid ids), ``notebook``
        cannot be run, the output folder cannot be written, another run holds it, or it
        holds a ``metrics.csv``, ``index.html`` or ``manifest.json`` that equitykit did not
        write (nothing is written then).
    Stopped
        SIGTERM or Ctrl-C: the workers were stopped, the districts that finished are kept and
        listed in the manifest (the others as "stopped"), so ``resume=True`` completes the
        batch; the exception's ``batch`` is the :class:`BatchResult`.

    Examples
    --------
    >>> result = run_batch("data", "out", workers=2)  # doctest: +SKIP
    >>> result.exit_code, result.index  # doctest: +SKIP
    (0, PosixPath('out/index.html'))
    """
    data_dir = Path(data_dir).resolve()
    config = load_config(config_path)
    notebook = audit_notebook(notebook, config)
    formats = config.report.formats if formats is None else formats
    folder = read_folder(data_dir, config)
    chosen = _choose(folder.districts, districts, data_dir)
    names = folder_names(folder.districts)
    out_dir = prepare_out(out_dir)
    _check_top_files(out_dir)
    results: dict[str, DistrictResult] = {}
    by_school = by_school or config.report.by_school
    keys = {d: stamp_key(district_parameters(data_dir, d, config_path, None, by_school),
                         folder.digests[d], notebook, formats) for d in chosen}
    stopped: Stopped | None = None
    with OutputLock(out_dir, "batch") as lock, stop_on_signals():
        task = functools.partial(run_district, config_path=config_path, notebook=notebook,
                                 timeout=timeout, engine=engine, token=lock.token,
                                 formats=formats, by_school=by_school)
        try:
            with Progress(len(chosen), progress_stream) as progress:
                todo = []
                for district in chosen:
                    key = keys[district]
                    done = _current(out_dir, district, names[district], key) if resume else None
                    if done is None:
                        todo.append(district)
                    else:
                        results[district] = done
                        progress.finished(done)
                if todo:
                    _run_all(task, todo, data_dir, out_dir, folder.digests, names, workers,
                             scheduler, results, progress)
        except KeyboardInterrupt as exc:  # SIGTERM or Ctrl-C: keep what finished
            stopped = exc if isinstance(exc, Stopped) else Stopped()
        batch = BatchResult(out_dir, tuple(
            results.get(d) or _settled(out_dir, d, names[d], keys[d], stopped) for d in chosen),
            stopped.signum if stopped else None)
        manifest = _manifest(batch, data_dir, config_path, notebook, engine, folder.files,
                             scheduler)
        _write_batch(batch, manifest, config, lock.token)
    if stopped is not None:
        stopped.batch = batch
        raise stopped
    return batch


def _check_top_files(out_dir: Path) -> None:
    """Refuse an output folder whose ``metrics.csv``, ``index.html`` or ``manifest.json`` a
    batch would overwrite although equitykit did not write them: any of them is there and
    ``manifest.json`` is not an equitykit manifest (an object with ``equitykit`` and
    ``districts``).

    Raises
    ------
    UsageError
        Naming the files.
    """
    present = [n for n in TOP_FILES if os.path.lexists(out_dir / n)]
    if not present:
        return
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not (isinstance(manifest, dict) and "equitykit" in manifest
            and isinstance(manifest.get("districts"), dict)):
        raise UsageError(NOT_OUR_FILES.format(out=out_dir, names=", ".join(present)))


def _settled(out_dir: Path, district: str, folder: str, key: dict[str, Any],
             stopped: Stopped | None) -> DistrictResult:
    """A district with no reported result after a stop: "ok" when its worker had already moved
    complete, verified outputs into place (the report was still on its way), else "stopped"."""
    done = _current(out_dir, district, folder, key)
    if done is not None:
        done.status = "ok"
        return done
    return DistrictResult(district, "stopped", folder=folder, error={
        "cell": None, "execution_count": None, "name": Stopped.__name__,
        "message": NOT_FINISHED.format(signal=stopped)})


def _write_batch(batch: BatchResult, manifest: dict[str, Any], config: AuditConfig,
                 token: str) -> None:
    """The stacked ``metrics.csv``, ``manifest.json`` and ``index.html``, each atomically."""
    _stack_metrics(batch, token)
    _write_text(batch.manifest, json.dumps(manifest, indent=2, default=str), token)
    _write_text(batch.index, render_index(batch.districts, batch.out_dir, title=config.title,
                                          names=config.district_names), token)


def _choose(available: tuple[str, ...], named: Sequence[str] | None, data_dir: Path) -> list[str]:
    if named is None:
        return list(available)
    wanted = list(dict.fromkeys(d.strip() for d in named if d.strip()))
    if not wanted:
        raise UsageError(NO_DISTRICTS_NAMED)
    unknown = [d for d in wanted if d not in available]
    if unknown:
        raise UsageError(UNKNOWN_DISTRICTS.format(unknown=listed(unknown), data=data_dir,
                                                  valid=listed(available)))
    return sorted(wanted)


def _current(out_dir: Path, district: str, folder: str,
             key: dict[str, Any]) -> DistrictResult | None:
    """The stored result when the district's outputs are complete, current and exactly as
    written (same SHA-256), else None."""
    path = confined(out_dir, folder)
    try:
        stamp = json.loads((path / STAMP).read_text(encoding="utf-8"))
        stored = {k: v for k, v in stamp["result"].items() if k in _RESULT_FIELDS}
        result = DistrictResult(**{**stored, "status": "skipped", "folder": folder,
                                   "outputs": output_paths(folder, key["formats"],
                                                           school_reports(key))})
        if stamp.get("key") != json.loads(json.dumps(key, default=str)):
            return None
        files = district_files(key["formats"], school_reports(key))
        if result.district_id != district or set(result.output_sha256) != set(files):
            return None
        for name, file in files.items():
            if file_digest(path / file) != result.output_sha256[name]:
                return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return result


def _run_all(task, todo: list[str], data_dir: Path, out_dir: Path, digests: dict[str, str],
             names: dict[str, str], workers: int | None, scheduler: str | None,
             results: dict[str, DistrictResult], progress: Progress) -> None:
    """Run ``todo`` on a pool; a district whose worker is lost is tried again elsewhere.

    Districts still waiting after the pool has had no live worker for :data:`WORKER_WAIT`
    seconds fail. On any exception (SIGTERM, Ctrl-C) the workers are stopped first.
    """
    local_workers = min(workers or default_workers(), len(todo))
    pool = open_pool(workers=local_workers, scheduler=scheduler)
    generation = 0
    pending: dict[Future, tuple[str, int, int]] = {}

    def submit(district: str, attempt: int) -> None:
        run = functools.partial(task, input_sha256=digests[district], folder=names[district])
        pending[pool.submit(run, data_dir, district, out_dir)] = (district, attempt, generation)

    def fail(district: str, name: str, message: str) -> None:
        results[district] = DistrictResult(district, "failed", folder=names[district], error={
            "cell": None, "execution_count": None, "name": name, "message": message})
        progress.finished(results[district])

    try:
        for district in todo:
            submit(district, 1)
        while pending:
            finished, _ = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            if not finished and pool.workers_missing() > WORKER_WAIT:
                for future, (district, _, _) in pending.items():
                    future.cancel()
                    fail(district, "NoWorkers", NO_WORKERS.format(seconds=WORKER_WAIT))
                pending.clear()
            for future in finished:
                district, attempt, born = pending.pop(future)
                try:
                    result = future.result()
                except pool.lost as exc:
                    if born == generation:
                        generation += 1
                        pool.renew()
                    if attempt < MAX_ATTEMPTS:
                        submit(district, attempt + 1)
                        continue
                    fail(district, type(exc).__name__,
                         LOST_WORKER.format(attempts=attempt, reason=exc))
                    continue
                except Exception as exc:  # the district could not even start (never the batch)
                    fail(district, type(exc).__name__, str(exc))
                    continue
                results[district] = result
                progress.finished(result)
    except BaseException:
        pool.close(stop=True)
        raise
    pool.close()


def _stack_metrics(batch: BatchResult, token: str) -> None:
    """``OUT/metrics.csv``: every complete district's metrics.csv, in district order.

    The files share one header (one notebook wrote them all), so they are joined as text: a
    batch of many districts need not parse millions of rows to write them again. Each part
    ends with a line break, so no row runs into the next district's first.
    """
    paths = [confined(batch.out_dir, r.folder, OUTPUT_FILES["metrics"])
             for r in batch.districts if r.status in ("ok", "skipped")]
    target = batch.out_dir / "metrics.csv"
    if not paths:
        target.unlink(missing_ok=True)
        return
    tmp = scratch(batch.out_dir, token, target.name)
    headers = {_first_line(p) for p in paths}
    if len(headers) == 1:
        with tmp.open("wb") as out:
            for i, path in enumerate(paths):
                text = path.read_bytes()
                if i:
                    text = text.partition(b"\n")[2]  # the shared header, written once
                out.write(text if not text or text.endswith(b"\n") else text + b"\n")
    else:  # districts audited by different notebook versions: align the columns
        frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths]
        pd.concat(frames, ignore_index=True).to_csv(tmp, index=False)
    os.replace(tmp, target)


def _first_line(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.readline().rstrip(b"\r\n")


def _write_text(path: Path, text: str, token: str) -> None:
    """Write a file of the output folder atomically, through a private name of this run."""
    tmp = scratch(path.parent, token, path.name)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _manifest(batch: BatchResult, data_dir: Path, config_path, notebook: Path, engine: str,
              files: dict[str, str], scheduler: str | None) -> dict[str, Any]:
    statuses = [r.status for r in batch.districts]
    return {
        "equitykit": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data_dir": str(data_dir),
        "config_path": str(Path(config_path).resolve()) if config_path else None,
        "notebook": str(notebook),
        "engine": engine,
        "scheduler": scheduler,
        "input_files_sha256": files,
        "versions": versions(),
        "exit_code": batch.exit_code,
        "stopped_by": signal.Signals(batch.stopped_by).name if batch.stopped_by else None,
        "summary": {s: statuses.count(s) for s in STATUSES},
        "metrics": "metrics.csv",
        "index": "index.html",
        "districts": {r.district_id: r.to_dict() for r in batch.districts},
    }
