"""Auditing many districts in parallel, with failure isolation and ``--resume`` (CONTRACT §3–4)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from .._versions import versions
from ..config import load_config
from ..errors import UsageError
from ._index import render_index
from ._inputs import read_folder
from ._pools import default_workers, open_pool
from ._progress import Progress
from ._run import (
    OUTPUT_FILES,
    STAMP,
    DistrictResult,
    _write_json,
    default_notebook,
    district_parameters,
    run_district,
    stamp_key,
)

__all__ = ["MAX_ATTEMPTS", "BatchResult", "run_batch"]

#: How many times a district is tried when the worker running it is lost.
MAX_ATTEMPTS = 3
LOST_WORKER = "the worker running this district was lost {attempts} times ({reason})"
UNKNOWN_DISTRICTS = "unknown district(s) {unknown} in {data}; the districts there are: {valid}"
EXIT_OK, EXIT_DATA, EXIT_SOME_FAILED = 0, 1, 3
#: Notebook errors that mean the district's data or config is at fault (exit status 1).
DATA_ERRORS = frozenset({"DataError", "ConfigError"})


@dataclass(frozen=True)
class BatchResult:
    """A finished batch: one :class:`DistrictResult` per district, in district order."""

    out_dir: Path
    districts: tuple[DistrictResult, ...]

    @property
    def exit_code(self) -> int:
        """0 all complete, 1 every district has data or config problems, 3 some failed."""
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
) -> BatchResult:
    """Audit every district in ``data_dir`` (or those named) in parallel into ``out_dir``.

    Writes ``out_dir/<district>/`` for each district that succeeds, then ``out_dir/metrics.csv``
    (the districts' metrics stacked in district order), ``out_dir/manifest.json`` and
    ``out_dir/index.html``. A district that fails never stops the others.

    Parameters
    ----------
    data_dir, out_dir : the data folder and the output folder.
    config_path : the client config; problems in it stop the batch before it starts.
    workers : local worker processes (default: one per core).
    scheduler : a Dask scheduler address (``tcp://host:8786``); the districts run there.
    resume : skip districts whose outputs are complete and current (same data, parameters,
        config, notebook and toolkit version).
    districts : audit only these ids.
    timeout : seconds allowed per district.
    notebook, engine : see :func:`run_district`.
    progress_stream : where progress goes (default stderr).

    Raises
    ------
    ConfigError, DataError
        The config or the data folder cannot be used at all (exit status 1).
    UsageError
        A named district is not in the data (the message lists the valid ids).

    Examples
    --------
    >>> result = run_batch("data", "out", workers=2)  # doctest: +SKIP
    >>> result.exit_code, result.index  # doctest: +SKIP
    (0, PosixPath('out/index.html'))
    """
    data_dir, out_dir = Path(data_dir).resolve(), Path(out_dir).resolve()
    config = load_config(config_path)
    notebook = Path(notebook).resolve() if notebook is not None else default_notebook()
    folder = read_folder(data_dir, config)
    chosen = _choose(folder.districts, districts, data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out_dir)
    task = functools.partial(
        run_district, config_path=config_path, notebook=notebook, timeout=timeout, engine=engine
    )
    results: dict[str, DistrictResult] = {}
    with Progress(len(chosen), progress_stream) as progress:
        todo = []
        for district in chosen:
            key = stamp_key(district_parameters(data_dir, district, config_path, None),
                            folder.digests[district], notebook)
            done = _current(out_dir, district, key) if resume else None
            if done is None:
                todo.append(district)
            else:
                results[district] = done
                progress.finished(done)
        if todo:
            _run_all(task, todo, data_dir, out_dir, folder.digests, workers, scheduler,
                     results, progress)
    _remove_leftovers(out_dir)
    batch = BatchResult(out_dir, tuple(results[d] for d in chosen))
    _stack_metrics(batch)
    _write_json(batch.manifest, _manifest(batch, data_dir, config_path, notebook, engine,
                                          folder.files, scheduler))
    batch.index.write_text(render_index(batch.districts, out_dir, title=config.title),
                           encoding="utf-8")
    return batch


def _choose(available: tuple[str, ...], named: Sequence[str] | None, data_dir: Path) -> list[str]:
    if not named:
        return list(available)
    wanted = list(dict.fromkeys(d.strip() for d in named if d.strip()))
    unknown = [d for d in wanted if d not in available]
    if unknown:
        raise UsageError(UNKNOWN_DISTRICTS.format(unknown=", ".join(unknown), data=data_dir,
                                                  valid=", ".join(available)))
    return sorted(wanted)


def _current(out_dir: Path, district: str, key: dict[str, Any]) -> DistrictResult | None:
    """The stored result when the district's outputs are complete and current, else None."""
    folder = out_dir / district
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stamp.get("key") != json.loads(json.dumps(key, default=str)):
        return None
    if not all((folder / name).is_file() for name in OUTPUT_FILES.values()):
        return None
    return DistrictResult(**{**stamp["result"], "status": "skipped"})


def _run_all(task, todo: list[str], data_dir: Path, out_dir: Path, digests: dict[str, str],
             workers: int | None, scheduler: str | None, results: dict[str, DistrictResult],
             progress: Progress) -> None:
    """Run ``todo`` on a pool; a district whose worker is lost is tried again elsewhere."""
    local_workers = min(workers or default_workers(), len(todo))
    pool = open_pool(workers=local_workers, scheduler=scheduler)
    generation = 0
    pending: dict[Future, tuple[str, int, int]] = {}

    def submit(district: str, attempt: int) -> None:
        run = functools.partial(task, input_sha256=digests[district])
        pending[pool.submit(run, data_dir, district, out_dir)] = (district, attempt, generation)

    try:
        for district in todo:
            submit(district, 1)
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
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
                    result = DistrictResult(district, "failed", error={
                        "cell": None, "execution_count": None, "name": type(exc).__name__,
                        "message": LOST_WORKER.format(attempts=attempt, reason=exc)})
                results[district] = result
                progress.finished(result)
    finally:
        pool.close()


def _remove_leftovers(out_dir: Path) -> None:
    """Delete the private folders of runs that were killed (``.tmp-*``, ``.old-*``)."""
    for path in [*out_dir.glob(".tmp-*"), *out_dir.glob(".old-*")]:
        shutil.rmtree(path, ignore_errors=True)


def _stack_metrics(batch: BatchResult) -> None:
    """``OUT/metrics.csv``: every complete district's metrics.csv, in district order.

    The files share one header (one notebook wrote them all), so they are joined as text: a
    batch of many districts need not parse millions of rows to write them again.
    """
    paths = [batch.out_dir / r.outputs["metrics"] for r in batch.districts
             if r.status in ("ok", "skipped")]
    target = batch.out_dir / "metrics.csv"
    if not paths:
        target.unlink(missing_ok=True)
        return
    tmp = target.with_name(".metrics.csv.tmp")
    headers = {_first_line(p) for p in paths}
    if len(headers) == 1:
        with tmp.open("wb") as out:
            for i, path in enumerate(paths):
                with path.open("rb") as part:
                    if i:
                        part.readline()  # the shared header, written once
                    shutil.copyfileobj(part, out)
    else:  # districts audited by different notebook versions: align the columns
        frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths]
        pd.concat(frames, ignore_index=True).to_csv(tmp, index=False)
    tmp.replace(target)


def _first_line(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.readline()


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
        "summary": {s: statuses.count(s) for s in ("ok", "skipped", "failed", "invalid")},
        "metrics": "metrics.csv",
        "index": "index.html",
        "districts": {r.district_id: r.to_dict() for r in batch.districts},
    }
