"""The audit notebook: the shipped template, a client's customised copy, and checks on either.

An analyst starts a client's notebook with ``equitykit new-notebook client_audit.ipynb`` (a copy
of the template; the template itself is never edited) and runs it with ``--notebook`` or the
config key ``notebook``. Before anything runs, :func:`notebook_problem` checks that the file is
a regular ``.ipynb`` file of reasonable size, a Jupyter notebook, and has the cell tagged
``parameters`` that papermill replaces: without it the notebook's own ``district_id`` would
silently win over the one asked for.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ._files import FileRefused, read_regular
from .errors import UsageError

__all__ = ["MAX_NOTEBOOK_BYTES", "default_notebook", "new_notebook", "notebook_problem",
           "own_notebook_notice"]

#: Largest audit notebook accepted (a notebook saved with its outputs can be a few MB).
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
PARAMETERS_TAG = "parameters"
NO_NOTEBOOK = "the audit notebook was not found at {path}"
NOT_IPYNB = "its name does not end in .ipynb"
NOT_A_NOTEBOOK = "it is not a Jupyter notebook ({reason})"
NO_PARAMETERS = ('no code cell is tagged "parameters" (the cell setting data_dir, district_id, '
                 "…; in JupyterLab: the gear icon in the right sidebar, Common Tools → Cell "
                 "Tags)")
EXISTS = "{path} already exists; choose another name (a notebook is never overwritten)"
NO_FOLDER = "the folder {path} does not exist"
OWN_NOTEBOOK = ("This config runs its own audit notebook: {path} (a notebook is code: run it "
                "only if you trust who wrote the config)")
_DATA_DIR = re.compile(r"^data_dir\s*=.*$", re.M)


def default_notebook() -> Path:
    """The shipped audit notebook (``equitykit/resources`` when installed, else the source tree)."""
    here = Path(__file__).resolve().parent
    for path in (here / "resources" / "district_audit.ipynb",
                 here.parent / "notebooks" / "district_audit.ipynb"):
        if path.is_file():
            return path
    raise UsageError(NO_NOTEBOOK.format(path=here.parent / "notebooks" / "district_audit.ipynb"))


def own_notebook_notice(config_notebook: Path | None) -> str | None:
    """The line ``validate``, ``audit`` and ``batch`` print when a config names its own
    notebook (``config_notebook``, the config's ``notebook``), else None."""
    if config_notebook is None:
        return None
    return OWN_NOTEBOOK.format(path=config_notebook.resolve())


def notebook_problem(path: Path) -> str | None:
    """Why ``path`` cannot be run as the audit notebook, in words; None when it can."""
    if path.suffix.lower() != ".ipynb":
        return NOT_IPYNB
    try:
        text = read_regular(path, limit=MAX_NOTEBOOK_BYTES).decode("utf-8")
        notebook = json.loads(text)
        cells = notebook["cells"]
        tagged = [c for c in cells if c.get("cell_type") == "code"
                  and PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])]
    except FileRefused as exc:
        return str(exc)
    except (UnicodeDecodeError, ValueError) as exc:
        return NOT_A_NOTEBOOK.format(reason=exc)
    except (KeyError, TypeError, AttributeError):
        return NOT_A_NOTEBOOK.format(reason="no list of cells")
    return None if tagged else NO_PARAMETERS


def new_notebook(path: str | Path) -> Path:
    """Start a client's audit notebook at ``path``: a copy of the shipped template.

    The copy's ``data_dir`` points at the sample data, so it runs as it is in JupyterLab; an
    audit run (``--notebook``) passes the real parameters. An existing file is never
    overwritten.

    Raises
    ------
    UsageError
        ``path`` does not end in ``.ipynb``, exists already, or its folder does not exist.

    Examples
    --------
    >>> new_notebook("client_audit.ipynb")  # doctest: +SKIP
    PosixPath('client_audit.ipynb')
    """
    import nbformat

    from .samples import sample_data_dir

    path = Path(path)
    if path.suffix.lower() != ".ipynb":
        raise UsageError(f"{path}: {NOT_IPYNB}")
    if not path.parent.is_dir():
        raise UsageError(NO_FOLDER.format(path=path.parent))
    notebook = nbformat.read(default_notebook(), as_version=4)
    data_dir = f"data_dir = {str(sample_data_dir())!r}"
    for cell in notebook.cells:
        if PARAMETERS_TAG in cell.metadata.get("tags", []):
            cell.source = _DATA_DIR.sub(lambda _: data_dir, cell.source, count=1)
    text = nbformat.writes(notebook)
    try:
        handle = path.open("x", encoding="utf-8")  # never over an existing file
    except FileExistsError:
        raise UsageError(EXISTS.format(path=path)) from None
    with handle:
        try:
            handle.write(text)
        except OSError:
            path.unlink(missing_ok=True)
            raise
    return path
