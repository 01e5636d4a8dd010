"""Auditing one district: validate, execute the notebook, export HTML, move into place atomically.

Everything is written into a private ``OUT/.tmp-<token>-<folder>-<random>/`` first; only when
the notebook ran, wrote ``metrics.csv`` and ``findings.json`` and the HTML exists is the folder
renamed to ``OUT/<folder>/``. A run that fails or is killed never leaves a half-written file
there. ``<folder>`` is the district id when it is a plain name (``D01``), otherwise a safe name
derived from it; every write is checked to stay inside ``OUT``.
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import shutil
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import papermill
from papermill.exceptions import PapermillExecutionError

from .. import __version__
from .._notebooks import default_notebook, notebook_problem
from .._versions import versions
from ..config import AuditConfig, load_config
from ..errors import ConfigError, DataError, DataProblem, UsageError
from ..report import DEFAULT_FORMATS, FORMAT_FILES, FORMATS, convert, notebook_to_html
from ..report._browser import start_browser
from ..report._school import SCHOOLS_DIR, SCHOOLS_INDEX, SCHOOLS_MAP, link_school_reports
from ._deadline import deadline
from ._engine import ENGINES, InProcessEngine, warm_up
from ._inputs import DISTRICT_COLUMN, file_digest, read_folder
from ._paths import confined, control_character, folder_names, shown
from ._stop import stopped_by

__all__ = ["OUTPUT_FILES", "STATUSES", "DistrictResult", "audit_notebook", "default_notebook",
           "district_files", "run_district"]

#: What a complete district folder holds (docs/outputs.md), by the name used in the manifest.
OUTPUT_FILES: dict[str, str] = {
    "notebook": "audit.ipynb",
    "html": "audit.html",
    "metrics": "metrics.csv",
    "findings": "findings.json",
}


def district_files(formats: Sequence[str] = DEFAULT_FORMATS, by_school: bool = False
                   ) -> dict[str, str]:
    """What a complete district folder holds with the report ``formats``, by manifest name:
    :data:`OUTPUT_FILES`, the file of each other format (``audit.pdf``, …) and, with
    ``by_school``, the index of the school reports (``schools/index.html``)."""
    schools = {"schools": SCHOOLS_INDEX_FILE} if by_school else {}
    return {**OUTPUT_FILES, **{f: FORMAT_FILES[f] for f in formats if f in FORMAT_FILES},
            **schools}


#: The index of a district's school reports (``--by-school``), and its school id → report map.
SCHOOLS_INDEX_FILE = f"{SCHOOLS_DIR}/{SCHOOLS_INDEX}"
SCHOOLS_MAP_FILE = f"{SCHOOLS_DIR}/{SCHOOLS_MAP}"


#: The gate's information loss, copied into the district's manifest entry.
PRIVACY_FILE = "privacy.json"
#: A district's status in the manifest.
STATUSES: tuple[str, ...] = ("ok", "failed", "invalid", "skipped", "stopped")
STAMP = ".equitykit-stamp.json"
FAILED_DIR = "failed"

UNKNOWN_DISTRICT = "district {district!r} is not in {data}; the districts there are: {valid}"
UNKNOWN_ENGINE = "unknown engine {engine!r}; choose from {choices}"
MISSING_OUTPUT = "the notebook ran but did not write {name} into output_dir"
BAD_NOTEBOOK = "--notebook {path} cannot be run: {problem}"
NOT_OURS = ("{path} holds files equitykit did not write ({names}); move them away or choose "
            "another --out")
CANNOT_WRITE = "could not write the district's files: {reason}"
#: The formats Chromium prints.
PRINTED_FORMATS = frozenset({"pdf", "brief"})
#: How many valid ids a message lists before "and N more".
SHOWN_IDS = 20


@dataclass
class DistrictResult:
    """How one district's audit went; one entry of ``manifest.json``.

    ``status`` is one of :data:`STATUSES`. ``durations`` splits ``duration`` (seconds) into
    ``startup`` (imports and shell set-up of a fresh worker), ``validate``, ``kernel`` (kernel
    start and stop, papermill bookkeeping), ``imports`` (cells of import statements only),
    ``compute`` (the other cells), ``figures`` (rendering inline figures, in-process engine only),
    ``html``, one entry per other report format (``pdf``, ``docx``, ``brief``) and ``write``.
    ``error`` is ``{cell, execution_count, name, message}`` for a failed
    run; ``problems`` lists the readable data or config problems of an invalid one. ``folder``
    is the district's folder in the output folder; ``outputs`` are paths relative to the output
    folder and ``output_sha256`` the SHA-256 of each (``--resume`` checks them). "stopped"
    marks a district a stopped batch did not finish.
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
    folder: str | None = None
    output_sha256: dict[str, str] = field(default_factory=dict)
    #: Information loss of the publishing gate (``privacy.json`` of the audit), if written.
    privacy: dict[str, Any] = field(default_factory=dict)
    #: School id → its report, relative to the output folder (``--by-school``).
    schools: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def audit_notebook(notebook: str | Path | None, config: AuditConfig) -> Path:
    """The notebook to run: ``notebook`` (``--notebook``), else the config's ``notebook``, else
    the shipped template (:func:`default_notebook`).

    Raises
    ------
    UsageError
        ``notebook`` is not a runnable audit notebook (the message says why).
    """
    if notebook is None:
        return config.notebook.resolve() if config.notebook is not None else default_notebook()
    path = Path(notebook).resolve()
    problem = notebook_problem(path)
    if problem:
        raise UsageError(BAD_NOTEBOOK.format(path=path, problem=problem))
    return path


def district_parameters(data_dir: str | Path, district_id: str, config_path: str | Path | None,
                        school_year: int | None, by_school: bool = False) -> dict[str, Any]:
    """The notebook's parameters (absolute paths) apart from ``output_dir``; ``by_school``
    only when school reports are asked for (``--by-school``), so a run without them passes
    the same parameters as before."""
    return {
        "data_dir": str(Path(data_dir).resolve()),
        "district_id": district_id,
        "config_path": str(Path(config_path).resolve()) if config_path is not None else None,
        "school_year": school_year,
        **({"by_school": True} if by_school else {}),
    }


def stamp_key(parameters: dict[str, Any], input_sha256: str, notebook: Path,
              formats: Sequence[str] = DEFAULT_FORMATS) -> dict[str, Any]:
    """What a district's outputs depend on; ``--resume`` redoes a district when it changes."""
    config = parameters["config_path"]
    return {
        "toolkit": __version__,
        "input_sha256": input_sha256,
        "config_sha256": file_digest(Path(config)) if config else None,
        "notebook_sha256": file_digest(notebook),
        "parameters": parameters,
        "formats": list(formats),
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
    folder: str | None = None,
    token: str | None = None,
    formats: Sequence[str] | None = None,
    by_school: bool = False,
) -> DistrictResult:
    """Audit one district into ``out_dir/<folder>/``.

    Parameters
    ----------
    data_dir : the data folder (docs/data.md).
    district_id : the district to audit.
    out_dir : the batch output folder; the district's files go to ``out_dir/<folder>/``, where
        ``<folder>`` is the id when it is a plain name (``D01``), else a safe name derived from
        it (``result.folder``).
    config_path : the client config (YAML), or None for the defaults.
    school_year : the year to audit; None = the latest in the data.
    notebook : the parameterised audit notebook; default: the config's ``notebook``, else the
        shipped template (:func:`audit_notebook`).
    timeout : seconds allowed for the whole district (None = no limit).
    engine : ``"inprocess"`` (cells run in this process's persistent IPython shell) or
        ``"kernel"`` (a fresh Jupyter kernel, as plain papermill does).
    input_sha256, folder : the district's data fingerprint and folder name when the caller
        already has them (a batch); found from ``data_dir`` otherwise.
    token : the random token of the run holding the output folder's lock; private folders are
        named ``.tmp-<token>-…`` so that run can remove them if this one is killed.
    formats : the report formats (:data:`equitykit.report.FORMATS`, as
        :func:`equitykit.report.parse_formats` returns them); default: the config's
        ``report.formats``. ``audit.html`` is always written.
        A format that cannot be made fails the district (nothing is written for it).
    by_school : also write a report per school into ``<folder>/schools/`` (``--by-school``;
        the config's ``report.by_school`` does the same).

    Returns
    -------
    DistrictResult
        ``status`` "ok", "failed" (a cell raised, the time limit passed, or the files could
        not be written; nothing is written for the district) or "invalid" (config or data
        problems found before execution, such as an id with a control character). Never
        raises for a problem of the district itself.

    Raises
    ------
    UsageError
        The district is not in the data, the engine is unknown, or ``notebook`` cannot be run.
    Stopped
        SIGTERM or Ctrl-C stopped the notebook (nothing is written for the district).

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
    parameters = district_parameters(data_dir, district_id, config_path, school_year)
    result = DistrictResult(district_id, "ok", parameters=parameters, versions=versions(),
                            folder=folder)
    durations = result.durations
    durations["startup"] = warm_up() if engine == "inprocess" else 0.0
    tick = time.perf_counter()
    try:
        config = load_config(parameters["config_path"])
        if by_school or config.report.by_school:
            parameters["by_school"] = True  # result.parameters is this dict
        notebook = audit_notebook(notebook, config)
        if input_sha256 is None or folder is None:
            input_sha256, folder = locate(Path(data_dir), district_id, config)
        result.folder = folder
        problem = control_character(district_id)
        if problem:
            raise DataError([DataProblem(file="students", column=DISTRICT_COLUMN,
                                         message=problem)])
        _validate(parameters["data_dir"], district_id, config, school_year)
    except (ConfigError, DataError) as exc:
        problems = exc.problems if isinstance(exc, DataError) else [str(exc)]
        result.status, result.problems = "invalid", [str(p) for p in problems]
    result.input_sha256 = input_sha256
    durations["validate"] = time.perf_counter() - tick
    if result.status == "ok":
        key = stamp_key(parameters, input_sha256, notebook,
                        config.report.formats if formats is None else formats)
        try:
            _execute(result, key, notebook, out_dir, config, timeout, engine,
                     token or secrets.token_hex(8))
        except (UsageError, OSError) as exc:
            result.status, result.outputs, result.output_sha256 = "failed", {}, {}
            result.error = {"cell": None, "execution_count": None, "name": type(exc).__name__,
                            "message": _write_problem(exc)}
    result.duration = time.perf_counter() - start
    return result


def locate(data_dir: Path, district_id: str, config) -> tuple[str, str]:
    """The district's data fingerprint and output folder name.

    Raises
    ------
    UsageError
        The district is not in the data (the message lists the valid ids).
    """
    folder = read_folder(data_dir, config)
    if district_id not in folder.districts:
        raise UsageError(UNKNOWN_DISTRICT.format(district=district_id, data=data_dir,
                                                 valid=listed(folder.districts)))
    return folder.digests[district_id], folder_names(folder.districts)[district_id]


def listed(ids: Sequence[str]) -> str:
    """Ids for a message: the first :data:`SHOWN_IDS`, then how many more."""
    more = f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
    return ", ".join(shown(i) for i in ids[:SHOWN_IDS]) + more


def _write_problem(exc: UsageError | OSError) -> str:
    """A sentence for a failure to write the district's files."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return CANNOT_WRITE.format(reason=f"{exc.strerror.lower()}{where}")
    return str(exc)


def _validate(data_dir: str, district_id: str, config, school_year: int | None) -> None:
    """Raise :class:`DataError` when the district's data cannot be audited, or does not hold
    the requested school year (so nothing is written for it).

    Public (aggregate) data was read and checked when its districts were listed.
    """
    if config.aggregate is not None:
        return
    from ..audit._compute import audited_year
    from ..intake import load_district_data

    data = load_district_data(data_dir, config=config, district_id=district_id)
    audited_year(data.students["school_year"], school_year)


def _audited_year(metrics: Path) -> int | None:
    """The audited school year, for the masthead: the latest year of the district's published
    metrics (earlier years are kept for trends, later ones are never published); None when a
    customised notebook's ``metrics.csv`` has no readable ``school_year``."""
    try:
        frame = pd.read_csv(metrics, usecols=lambda column: column == "school_year")
    except ValueError:  # empty or unreadable as CSV
        return None
    if "school_year" not in frame:
        return None
    years = pd.to_numeric(frame["school_year"], errors="coerce").dropna()
    return int(years.max()) if len(years) else None


def _execute(result: DistrictResult, key: dict[str, Any], notebook: Path, out_dir: Path,
             config, timeout: float | None, engine: str, token: str) -> None:
    """Run the notebook into a private folder and move it into place only when complete."""
    folder = result.folder
    durations = result.durations
    by_school = school_reports(key)
    if confined(out_dir, folder).exists():  # refused before the run, and again at the swap
        _refuse_foreign(confined(out_dir, folder))
    work = confined(out_dir, f".tmp-{token}-{folder}-{secrets.token_hex(4)}")
    work.mkdir(parents=True)
    if PRINTED_FORMATS & set(key["formats"]):
        start_browser()  # Chromium starts (once per process) while the notebook computes
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
                expected = [OUTPUT_FILES["metrics"], OUTPUT_FILES["findings"]]
                for name in expected + ([SCHOOLS_INDEX_FILE] if by_school else []):
                    if not (work / name).is_file():
                        raise RuntimeError(MISSING_OUTPUT.format(name=name))
                tick = time.perf_counter()
                page = notebook_to_html(executed, config=config, district_id=result.district_id,
                                        school_year=_audited_year(work / OUTPUT_FILES["metrics"]))
                if by_school:
                    page = link_school_reports(page)
                durations["html"] = time.perf_counter() - tick
                made = _convert(page, work, config, result.district_id, key["formats"],
                                durations)
        except PapermillExecutionError as exc:
            stop = stopped_by(exc.ename, exc.evalue)
            if stop is not None:
                raise stop from None
            result.status = "failed"
            result.error = {"cell": exc.cell_index, "execution_count": exc.exec_count,
                            "name": exc.ename, "message": exc.evalue}
        except Exception as exc:  # a timeout, a missing output, an export or format failure
            result.status = "failed"
            result.error = {"cell": None, "execution_count": None,
                            "name": type(exc).__name__, "message": str(exc)}
        tick = time.perf_counter()
        if result.status == "failed":
            result.outputs = _keep_failed(work, out_dir, folder)
            return
        (work / OUTPUT_FILES["html"]).write_text(page, encoding="utf-8")
        for fmt, data in made.items():
            (work / FORMAT_FILES[fmt]).write_bytes(data)
        files = district_files(key["formats"], by_school)
        result.outputs = output_paths(folder, key["formats"], by_school)
        result.output_sha256 = {name: file_digest(work / file) for name, file in files.items()}
        if (work / PRIVACY_FILE).is_file():
            result.privacy = json.loads((work / PRIVACY_FILE).read_text(encoding="utf-8"))
        if by_school:
            schools = json.loads((work / SCHOOLS_MAP_FILE).read_text(encoding="utf-8"))
            result.schools = {str(s): f"{folder}/{link}" for s, link in schools.items()}
        durations["write"] = time.perf_counter() - tick
        files = sorted(_written(work) | {STAMP})
        _write_json(work / STAMP, {"key": key, "result": result.to_dict(), "files": files})
        _replace_dir(work, out_dir, folder, token)
        confined(out_dir, FAILED_DIR, f"{folder}.ipynb").unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _convert(page: str, work: Path, config, district: str, formats: Sequence[str],
             durations: dict[str, float]) -> dict[str, bytes]:
    """The other report formats' bytes, timed one by one (written with the HTML).

    The Word document is built in a thread while the browser prints the PDFs (the browser is
    another process, so the two overlap).
    """
    def made(fmt: str) -> bytes:
        tick = time.perf_counter()
        data = convert(fmt, page, work, config=config, district=district)
        durations[fmt] = time.perf_counter() - tick
        return data

    wanted = [f for f in formats if f in FORMAT_FILES]
    with ThreadPoolExecutor(max_workers=1) as pool:
        word = pool.submit(made, "docx") if "docx" in wanted else None
        files = {fmt: made(fmt) for fmt in wanted if fmt != "docx"}
        if word is not None:
            files["docx"] = word.result()
    return {fmt: files[fmt] for fmt in wanted}


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


def output_paths(folder: str, formats: Sequence[str] = DEFAULT_FORMATS,
                 by_school: bool = False) -> dict[str, str]:
    """A complete district's outputs, relative to the output folder."""
    return {name: f"{folder}/{file}" for name, file in district_files(formats, by_school).items()}


def school_reports(key: dict[str, Any]) -> bool:
    """Whether the run with stamp ``key`` writes school reports."""
    return bool(key["parameters"].get("by_school"))


def _written(folder: Path) -> set[str]:
    """Every regular file under ``folder``, as a path relative to it (``schools/…``)."""
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")
            if path.is_file() and not path.is_symlink()}


def _keep_failed(work: Path, out_dir: Path, folder: str) -> dict[str, str]:
    """Keep the failed notebook (with its traceback) as ``failed/<folder>.ipynb``."""
    executed = work / OUTPUT_FILES["notebook"]
    if not executed.is_file():
        return {}
    confined(out_dir, FAILED_DIR).mkdir(exist_ok=True)
    os.replace(executed, confined(out_dir, FAILED_DIR, f"{folder}.ipynb"))
    return {"notebook": f"{FAILED_DIR}/{folder}.ipynb"}


def _replace_dir(source: Path, out_dir: Path, folder: str, token: str) -> None:
    """Put ``source`` at ``out_dir/folder``. An output already there that holds exactly what
    equitykit wrote (:func:`_foreign_entries` finds nothing else) is swapped out to
    ``.old-<token>-<folder>``, then removed; a folder holding anything else is left alone
    (:class:`UsageError` naming what equitykit did not write)."""
    target = confined(out_dir, folder)
    old = confined(out_dir, f".old-{token}-{folder}")
    if target.exists():
        _refuse_foreign(target)
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(source, target)
    shutil.rmtree(old, ignore_errors=True)


def _refuse_foreign(folder: Path) -> None:
    """Raise :class:`UsageError` naming the entries of ``folder`` equitykit did not write."""
    foreign = _foreign_entries(folder)
    if foreign:
        raise UsageError(NOT_OURS.format(path=folder, names=", ".join(map(shown, foreign))))


def _foreign_entries(folder: Path) -> list[str]:
    """The entries of a district folder that equitykit did not write, sorted.

    equitykit's own folder has a stamp (a JSON object with ``key`` and ``result``) and nothing
    but the regular files the stamp records (for a stamp without that record: the outputs, the
    stamp and ``privacy.json``). Without such a stamp, every entry is foreign.
    """
    if not folder.is_dir() or folder.is_symlink():
        return [folder.name]
    names = sorted(os.listdir(folder))
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return names
    if not (isinstance(stamp, dict) and isinstance(stamp.get("key"), dict)
            and isinstance(stamp.get("result"), dict)):
        return names
    ours = stamp.get("files", [*district_files(FORMATS).values(), STAMP, PRIVACY_FILE])
    if not isinstance(ours, list):
        return names
    return [n for n in names if not (_our_schools(folder / n, ours) if n == SCHOOLS_DIR else (
        n in ours and not (folder / n).is_symlink() and (folder / n).is_file()))]


def _our_schools(schools: Path, ours: list) -> bool:
    """True when the school reports' folder holds only folders and the regular files the stamp
    records (``schools/…``), and no link."""
    if schools.is_symlink() or not schools.is_dir():
        return False
    base = schools.parent
    for path in schools.rglob("*"):
        if path.is_symlink():
            return False
        if path.is_file() and path.relative_to(base).as_posix() not in ours:
            return False
        if not path.is_file() and not path.is_dir():
            return False
    return True


def _write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a temporary file in the same folder, then a rename."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)
