"""Auditing one district: validate, execute the notebook, export HTML, move into place atomically.

Everything is written into ``OUT/.tmp-<district>-<random>/`` first; only when the notebook ran,
wrote ``metrics.csv`` and ``findings.json`` and the HTML exists is the folder renamed to
``OUT/<district>/``. A run that fails or is killed never leaves a half-written file there.
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from .. import __version__
from .._versions import versions
from ..config import load_config
from ..errors import ConfigError, DataError, UsageError
from ..report import notebook_to_html
from ._deadline import deadline
from ._engine import ENGINES, InProcessEngine, warm_up
from ._inputs import file_digest, read_folder

__all__ = ["OUTPUT_FILES", "STATUSES", "DistrictResult", "default_notebook", "run_district"]

#: What a complete district folder holds (CONTRACT §4), by the name used in the manifest.
OUTPUT_FILES: dict[str, str] = {
    "notebook": "audit.ipynb",
    "html": "audit.html",
    "metrics": "metrics.csv",
    "findings": "findings.json",
}
#: The gate's information loss, copied into the district's manifest entry.
PRIVACY_FILE = "privacy.json"
#: A district's status in the manifest.
STATUSES: tuple[str, ...] = ("ok", "failed", "invalid", "skipped")
STAMP = ".equitykit-stamp.json"
FAILED_DIR = "failed"

UNKNOWN_DISTRICT = "district {district!r} is not in {data}; the districts there are: {valid}"
UNKNOWN_ENGINE = "unknown engine {engine!r}; choose from {choices}"
MISSING_OUTPUT = "the notebook ran but did not write {name} into output_dir"
NO_NOTEBOOK = "the audit notebook was not found at {path}"


@dataclass
class DistrictResult:
    """How one district's audit went; one entry of ``manifest.json``.

    ``status`` is one of :data:`STATUSES`. ``durations`` splits ``duration`` (seconds) into
    ``startup`` (imports and shell set-up of a fresh worker), ``validate``, ``kernel`` (kernel
    start and stop, papermill bookkeeping), ``imports`` (cells of import statements only),
    ``compute`` (the other cells), ``figures`` (rendering inline figures, in-process engine only),
    ``html`` and ``write``. ``error`` is ``{cell, execution_count, name, message}`` for a failed
    run; ``problems`` lists the readable data or config problems of an invalid one. ``outputs``
    are paths relative to the batch output folder.
    """

    district_id: str
    status: str
    duration: float = 0.0
    durations: dict[str, float] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    input_sha256: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    #: Information loss of the publishing gate (``privacy.json`` of the audit), if written.
    privacy: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_notebook() -> Path:
    """The shipped audit notebook (``equitykit/resources`` when installed, else the source tree)."""
    here = Path(__file__).resolve().parents[1]
    for path in (here / "resources" / "district_audit.ipynb",
                 here.parent / "notebooks" / "district_audit.ipynb"):
        if path.is_file():
            return path
    raise UsageError(NO_NOTEBOOK.format(path=here.parent / "notebooks" / "district_audit.ipynb"))


def district_parameters(data_dir: str | Path, district_id: str, config_path: str | Path | None,
                        school_year: int | None) -> dict[str, Any]:
    """The notebook's parameters (absolute paths) apart from ``output_dir``."""
    return {
        "data_dir": str(Path(data_dir).resolve()),
        "district_id": district_id,
        "config_path": str(Path(config_path).resolve()) if config_path is not None else None,
        "school_year": school_year,
    }


def stamp_key(parameters: dict[str, Any], input_sha256: str, notebook: Path) -> dict[str, Any]:
    """What a district's outputs depend on; ``--resume`` redoes a district when it changes."""
    config = parameters["config_path"]
    return {
        "toolkit": __version__,
        "input_sha256": input_sha256,
        "config_sha256": file_digest(Path(config)) if config else None,
        "notebook_sha256": file_digest(notebook),
        "parameters": parameters,
    }


def run_district(
    data_dir: str | Path,
    district_id: str,
    out_dir: str | Path,
    *,
    config_path: str | Path | None = None,
    school_year: int | None = None,
    notebook: str | Path | None = None,
    timeout: float | None = None,
    engine: str = "inprocess",
    input_sha256: str | None = None,
) -> DistrictResult:
    """Audit one district into ``out_dir/<district_id>/``.

    Parameters
    ----------
    data_dir : the data folder (CONTRACT §1).
    district_id : the district to audit.
    out_dir : the batch output folder; the district's files go to ``out_dir/<district_id>/``.
    config_path : the client config (YAML), or None for the defaults.
    school_year : the year to audit; None = the latest in the data.
    notebook : the parameterised audit notebook; default :func:`default_notebook`.
    timeout : seconds allowed for the whole district (None = no limit).
    engine : ``"inprocess"`` (cells run in this process's persistent IPython shell) or
        ``"kernel"`` (a fresh Jupyter kernel, as plain papermill does).
    input_sha256 : the district's data fingerprint when the caller already has it (a batch);
        computed from ``data_dir`` otherwise.

    Returns
    -------
    DistrictResult
        ``status`` "ok", "failed" (a cell raised, or the time limit passed; nothing is written
        for the district) or "invalid" (config or data problems found before execution).
        Never raises for a problem of the district itself.

    Examples
    --------
    >>> result = run_district("data", "D01", "out")  # doctest: +SKIP
    >>> result.status, result.outputs["html"]  # doctest: +SKIP
    ('ok', 'D01/audit.html')
    """
    if engine not in ENGINES:
        raise UsageError(UNKNOWN_ENGINE.format(engine=engine, choices=sorted(ENGINES)))
    start = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    notebook = Path(notebook).resolve() if notebook is not None else default_notebook()
    parameters = district_parameters(data_dir, district_id, config_path, school_year)
    result = DistrictResult(district_id, "ok", parameters=parameters, versions=versions())
    durations = result.durations
    durations["startup"] = warm_up() if engine == "inprocess" else 0.0
    tick = time.perf_counter()
    try:
        config = load_config(parameters["config_path"])
        if input_sha256 is None:
            input_sha256 = _own_digest(Path(data_dir), district_id, config)
        _validate(parameters["data_dir"], district_id, config)
    except (ConfigError, DataError) as exc:
        problems = exc.problems if isinstance(exc, DataError) else [str(exc)]
        result.status, result.problems = "invalid", [str(p) for p in problems]
    result.input_sha256 = input_sha256
    durations["validate"] = time.perf_counter() - tick
    if result.status == "ok":
        key = stamp_key(parameters, input_sha256, notebook)
        _execute(result, key, notebook, out_dir, config, timeout, engine)
    result.duration = time.perf_counter() - start
    return result


def _own_digest(data_dir: Path, district_id: str, config) -> str:
    folder = read_folder(data_dir, config)
    if district_id not in folder.districts:
        raise UsageError(UNKNOWN_DISTRICT.format(district=district_id, data=data_dir,
                                                 valid=", ".join(folder.districts)))
    return folder.digests[district_id]


def _validate(data_dir: str, district_id: str, config) -> None:
    """Raise :class:`DataError` when the district's data cannot be audited.

    Public (aggregate) data was read and checked when its districts were listed.
    """
    if config.aggregate is not None:
        return
    from ..intake import load_district_data

    load_district_data(data_dir, config=config, district_id=district_id)


def _execute(result: DistrictResult, key: dict[str, Any], notebook: Path, out_dir: Path,
             config, timeout: float | None, engine: str) -> None:
    """Run the notebook into a private folder and move it into place only when complete."""
    district = result.district_id
    durations = result.durations
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / f".tmp-{district}-{secrets.token_hex(4)}"
    work.mkdir()
    try:
        tick = time.perf_counter()
        try:
            with deadline(timeout):
                executed = papermill.execute_notebook(
                    str(notebook), str(work / OUTPUT_FILES["notebook"]),
                    parameters={**key["parameters"], "output_dir": str(work)},
                    engine_name=ENGINES[engine], progress_bar=False,
                    request_save_on_cell_execute=False,
                )
                durations.update(_cell_seconds(executed, time.perf_counter() - tick, engine))
                for name in ("metrics", "findings"):
                    if not (work / OUTPUT_FILES[name]).is_file():
                        raise RuntimeError(MISSING_OUTPUT.format(name=OUTPUT_FILES[name]))
                tick = time.perf_counter()
                page = notebook_to_html(executed, config=config)
                durations["html"] = time.perf_counter() - tick
        except PapermillExecutionError as exc:
            result.status = "failed"
            result.error = {"cell": exc.cell_index, "execution_count": exc.exec_count,
                            "name": exc.ename, "message": exc.evalue}
        except Exception as exc:  # a timeout, a missing output, an HTML export failure
            result.status = "failed"
            result.error = {"cell": None, "execution_count": None,
                            "name": type(exc).__name__, "message": str(exc)}
        tick = time.perf_counter()
        if result.status == "failed":
            result.outputs = _keep_failed(work, out_dir, district)
            return
        (work / OUTPUT_FILES["html"]).write_text(page, encoding="utf-8")
        result.outputs = {name: f"{district}/{file}" for name, file in OUTPUT_FILES.items()}
        if (work / PRIVACY_FILE).is_file():
            result.privacy = json.loads((work / PRIVACY_FILE).read_text(encoding="utf-8"))
        durations["write"] = time.perf_counter() - tick
        _write_json(work / STAMP, {"key": key, "result": result.to_dict()})
        _replace_dir(work, out_dir / district)
        (out_dir / FAILED_DIR / f"{district}.ipynb").unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _cell_seconds(executed: nbformat.NotebookNode, seconds: float, engine: str) -> dict:
    """Split the notebook's time into kernel overhead, import cells, other cells and figures."""
    imports = compute = 0.0
    for cell in executed.cells:
        spent = cell.metadata.get("papermill", {}).get("duration") or 0.0
        if cell.cell_type != "code":
            continue
        if _only_imports(cell.source):
            imports += spent
        else:
            compute += spent
    figures = InProcessEngine.figure_seconds if engine == "inprocess" else None
    parts = {"kernel": max(seconds - imports - compute, 0.0), "imports": imports,
             "compute": compute - (figures or 0.0)}
    if figures is not None:
        parts["figures"] = figures
    return parts


def _only_imports(source: str) -> bool:
    """True for a cell of import statements only (its time counts as imports)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and all(isinstance(s, ast.Import | ast.ImportFrom) for s in body)


def _keep_failed(work: Path, out_dir: Path, district: str) -> dict[str, str]:
    """Keep the failed notebook (with its traceback) as ``failed/<district>.ipynb``."""
    executed = work / OUTPUT_FILES["notebook"]
    if not executed.is_file():
        return {}
    (out_dir / FAILED_DIR).mkdir(exist_ok=True)
    os.replace(executed, out_dir / FAILED_DIR / f"{district}.ipynb")
    return {"notebook": f"{FAILED_DIR}/{district}.ipynb"}


def _replace_dir(source: Path, target: Path) -> None:
    """Put ``source`` at ``target``; an existing ``target`` is swapped out, then removed."""
    old = target.with_name(f".old-{target.name}-{secrets.token_hex(4)}")
    if target.exists():
        os.replace(target, old)
    os.replace(source, target)
    shutil.rmtree(old, ignore_errors=True)


def _write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a temporary file in the same folder, then a rename."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)
