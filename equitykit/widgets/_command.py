"""``equitykit explore [DATA] [--app]``: open the explorer notebook in JupyterLab or Voilà.

The notebook reads its data folder from the environment variable ``EQUITYKIT_DATA`` (default:
the shipped sample data), so the same file works in JupyterLab, in Voilà and under papermill.
JupyterLab and Voilà come with the ``app`` extra (``pip install "equitykit[app]"``, which
``scripts/demo.sh`` installs); without them the command says how to install them instead of
failing inside Jupyter.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from ..errors import DataError, UsageError
from ..execute._stop import Stopped, stop_on_signals

__all__ = ["DATA_ENV", "EXPLORE_NOTEBOOK", "default_data_dir", "explore_command",
           "server_command"]

#: Environment variable naming the data folder the explorer notebook opens.
DATA_ENV = "EQUITYKIT_DATA"
#: The explorer notebook: ``notebooks/explore.ipynb``, shipped in the package as
#: ``equitykit/resources/explore.ipynb``.
EXPLORE_NOTEBOOK = Path(__file__).resolve().parents[1] / "resources" / "explore.ipynb"

#: Seconds the server is given to shut down when the explorer is stopped.
STOP_SECONDS = 10

NO_DATA = "data folder not found: {path}"
NO_NOTEBOOK = ("the explorer notebook is missing ({path}); reinstall equitykit "
               "(pip install -e '.[app]' in a source checkout)")
BAD_PORT = "--port must be between 1 and 65535, got {port}"
NOT_INSTALLED = ("{tool} is not installed in this Python environment ({python}). "
                 "Install the explorer's extra with:\n"
                 "    {python} -m pip install -e '.[app]'    (in the equitykit checkout)\n"
                 "or  {python} -m pip install 'equitykit[app]'")


def default_data_dir() -> Path:
    """The folder the explorer notebook opens: ``$EQUITYKIT_DATA``, else the sample data."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    from ..samples import sample_data_dir

    return Path(sample_data_dir())


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def server_command(*, app: bool, port: int = 8866, open_browser: bool = True,
                   notebook: Path = EXPLORE_NOTEBOOK,
                   as_root: bool | None = None) -> list[str]:
    """The command line that serves the explorer notebook.

    ``app=True``: Voilà on 127.0.0.1 (no code shown); otherwise JupyterLab on 127.0.0.1,
    opened on the notebook. Both run with this Python, so the notebook's kernel sees the same
    equitykit. JupyterLab refuses to start as root unless told ``--allow-root``, which is added
    when ``as_root`` (default: this process runs as uid 0, common in containers); Voilà has no
    such check.

    Examples
    --------
    >>> server_command(app=True, port=9000, open_browser=False)[1:4]
    ['-m', 'voila', '--no-browser']
    >>> "--allow-root" in server_command(app=False, as_root=True)
    True
    """
    if not 0 < port < 65536:
        raise UsageError(BAD_PORT.format(port=port))
    browser = [] if open_browser else ["--no-browser"]
    if app:
        return [sys.executable, "-m", "voila", *browser, f"--port={port}", "--Voila.ip=127.0.0.1",
                "--show_tracebacks=False", str(notebook)]
    root = _running_as_root() if as_root is None else as_root
    return [sys.executable, "-m", "jupyterlab", *browser, *(["--allow-root"] if root else []),
            f"--port={port}", "--ServerApp.ip=127.0.0.1", str(notebook)]


def _require(module: str, tool: str) -> None:
    """Raise a :class:`UsageError` saying how to install ``tool`` when ``module`` is missing."""
    if importlib.util.find_spec(module) is None:
        raise UsageError(NOT_INSTALLED.format(tool=tool, python=sys.executable))


def explore_command(data: str | Path | None, *, app: bool = False, port: int = 8866,
                    open_browser: bool = True) -> int:
    """Open the training explorer on a data folder; returns the server's exit status.

    Parameters
    ----------
    data : str, Path or None
        The data folder (docs/data.md); ``None`` opens the shipped sample data.
    app : bool
        Serve it as a Voilà app on 127.0.0.1 (controls and charts, no code) instead of
        opening the notebook in JupyterLab.
    port : int
        Port of the local server.
    open_browser : bool
        Open a browser tab on the server (``--no-browser`` turns it off, e.g. on a server
        reached through a tunnel, or in tests).

    Raises
    ------
    DataError
        The data folder does not exist.
    UsageError
        The notebook is missing, the port is invalid, or JupyterLab / Voilà is not installed
        (the message says how to install it).

    Examples
    --------
    >>> explore_command("data_samples", app=True)  # doctest: +SKIP
    """
    folder = Path(data if data is not None else default_data_dir()).expanduser().resolve()
    if not folder.is_dir():
        raise DataError(NO_DATA.format(path=folder))
    if not EXPLORE_NOTEBOOK.is_file():
        raise UsageError(NO_NOTEBOOK.format(path=EXPLORE_NOTEBOOK))
    if app:
        _require("voila", "Voilà")
    else:
        _require("jupyterlab", "JupyterLab")
    command = server_command(app=app, port=port, open_browser=open_browser)
    env = {**os.environ, DATA_ENV: str(folder)}
    with stop_on_signals():
        server = subprocess.Popen(command, env=env)
        try:
            return server.wait()
        except Stopped:  # Ctrl-C, or SIGTERM from a supervisor: stop the server too
            _stop(server)
            return 0  # the trainer (or the supervisor) ended the session: a normal end


def _stop(server: subprocess.Popen) -> None:
    """Ask the server to shut down (it stops its kernels), then end it if it has not within
    :data:`STOP_SECONDS`."""
    server.terminate()
    try:
        server.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
