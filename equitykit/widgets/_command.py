"""``equitykit explore [DATA] [--app]``: open the explorer notebook in JupyterLab or Voilà.

The notebook reads its data folder from the environment variable ``EQUITYKIT_DATA`` (default:
the shipped sample data), so the same file works in JupyterLab, in Voilà and under papermill.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..errors import DataError, UsageError

__all__ = ["DATA_ENV", "EXPLORE_NOTEBOOK", "default_data_dir", "explore_command",
           "server_command"]

#: Environment variable naming the data folder the explorer notebook opens.
DATA_ENV = "EQUITYKIT_DATA"
#: The explorer notebook (in the source tree, next to the package).
#: ``notebooks/explore.ipynb``, shipped in the package as ``equitykit/resources/explore.ipynb``.
EXPLORE_NOTEBOOK = Path(__file__).resolve().parents[1] / "resources" / "explore.ipynb"

NO_DATA = "data folder not found: {path}"
NO_NOTEBOOK = ("the explorer notebook is missing ({path}); `equitykit explore` runs from a "
               "source checkout of equitykit")
BAD_PORT = "--port must be between 1 and 65535, got {port}"


def default_data_dir() -> Path:
    """The folder the explorer notebook opens: ``$EQUITYKIT_DATA``, else the sample data."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    from ..samples import sample_data_dir

    return Path(sample_data_dir())


def server_command(*, app: bool, port: int = 8866, open_browser: bool = True,
                   notebook: Path = EXPLORE_NOTEBOOK) -> list[str]:
    """The command line that serves the explorer notebook.

    ``app=True``: Voilà on 127.0.0.1 (no code shown); otherwise JupyterLab opened on the
    notebook. Both run with this Python, so the notebook's kernel sees the same equitykit.

    Examples
    --------
    >>> server_command(app=True, port=9000, open_browser=False)[1:4]
    ['-m', 'voila', '--no-browser']
    """
    if not 0 < port < 65536:
        raise UsageError(BAD_PORT.format(port=port))
    browser = [] if open_browser else ["--no-browser"]
    if app:
        return [sys.executable, "-m", "voila", *browser, f"--port={port}", "--Voila.ip=127.0.0.1",
                "--show_tracebacks=False", str(notebook)]
    return [sys.executable, "-m", "jupyter", "lab", *browser, f"--port={port}",
            "--ServerApp.ip=127.0.0.1", str(notebook)]


def explore_command(data: str | Path | None, *, app: bool = False, port: int = 8866) -> int:
    """Open the training explorer on a data folder; returns the server's exit status.

    Parameters
    ----------
    data : str, Path or None
        The data folder (CONTRACT §1); ``None`` opens the shipped sample data.
    app : bool
        Serve it as a Voilà app on 127.0.0.1 (controls and charts, no code) instead of
        opening the notebook in JupyterLab.
    port : int
        Port of the local server.

    Raises
    ------
    DataError
        The data folder does not exist.
    UsageError
        The notebook is missing or the port is invalid.

    Examples
    --------
    >>> explore_command("data_samples", app=True)  # doctest: +SKIP
    """
    folder = Path(data if data is not None else default_data_dir()).expanduser().resolve()
    if not folder.is_dir():
        raise DataError(NO_DATA.format(path=folder))
    if not EXPLORE_NOTEBOOK.is_file():
        raise UsageError(NO_NOTEBOOK.format(path=EXPLORE_NOTEBOOK))
    env = {**os.environ, DATA_ENV: str(folder)}
    try:
        return subprocess.run(server_command(app=app, port=port), env=env, check=False
                              ).returncode
    except KeyboardInterrupt:  # the trainer stopped the server: a normal end
        return 0
