"""A papermill engine that runs notebook cells in this process's own IPython shell.

A kernel engine starts a fresh kernel per notebook and re-imports pandas, matplotlib and
equitykit every time (seconds per district). :class:`InProcessEngine` keeps one
:class:`~IPython.core.interactiveshell.InteractiveShell` per worker process, resets its user
namespace before each notebook, and records what each cell shows exactly as a kernel would:
``stream`` outputs for stdout/stderr, ``display_data`` for ``display()`` calls and inline
matplotlib figures, ``execute_result`` for a cell's last expression and ``error`` outputs with
``ename``, ``evalue`` and the traceback. papermill then raises its usual
:class:`~papermill.exceptions.PapermillExecutionError` for the failing cell.

Registered with papermill as ``"equitykit"`` (also through the ``papermill.engine`` entry point
of an installed equitykit, so plain ``papermill --engine equitykit`` finds it); the kernel engine
stays available as ``"kernel"``.
"""

from __future__ import annotations

import gc
import io
import sys
import threading
import time
import types
import warnings
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from typing import Any

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from papermill.engines import Engine, NBClientEngine, papermill_engines
from traitlets.config import Config

from .._timing import seconds as report_seconds

__all__ = ["ENGINES", "InProcessEngine", "preload", "warm_up"]

#: Notebook engines by the name :func:`~equitykit.execute.run_district` accepts, mapped onto
#: papermill's engine registry.
ENGINES: dict[str, str] = {"inprocess": "equitykit", "kernel": "nbclient"}

#: Modules imported once per worker so that no notebook pays for them.
_PRELOAD = ("numpy", "pandas", "scipy.stats", "matplotlib.pyplot", "equitykit.audit")
_KERNEL_MAX_COLUMNS = 20


class _Capture:
    """Collects the outputs of the cell being run, in the order they happen."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the previous notebook's outputs and display ids."""
        self.outputs: list[nbformat.NotebookNode] = []
        self.execution_count: int | None = None
        self._clear_pending = False
        self._by_display_id: defaultdict[str, list[nbformat.NotebookNode]] = defaultdict(list)

    def start_cell(self, outputs: list[nbformat.NotebookNode], execution_count: int) -> None:
        self.outputs, self.execution_count, self._clear_pending = outputs, execution_count, False

    def add(self, output: nbformat.NotebookNode, display_id: str | None = None) -> None:
        if self._clear_pending:
            self.outputs.clear()
            self._clear_pending = False
        self.outputs.append(output)
        if display_id is not None:
            self._by_display_id[display_id].append(output)

    def stream(self, name: str, text: str) -> None:
        last = self.outputs[-1] if self.outputs and not self._clear_pending else None
        if last is not None and last.output_type == "stream" and last.name == name:
            last.text += text
        else:
            self.add(nbformat.v4.new_output("stream", name=name, text=text))

    def update_display(self, display_id: str, data: dict, metadata: dict) -> None:
        for output in self._by_display_id.get(display_id, []):
            output.data, output.metadata = data, metadata

    def clear(self, wait: bool) -> None:
        if wait:
            self._clear_pending = True
        else:
            self.outputs.clear()


class _Stream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` replacement writing ``stream`` outputs."""

    def __init__(self, capture: _Capture, name: str) -> None:
        self._capture, self.name = capture, name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text:
            self._capture.stream(self.name, text)
        return len(text)


class _Publisher(DisplayPublisher):
    """``display()`` and inline figures become ``display_data`` outputs."""

    capture: _Capture

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False,
                **kwargs) -> None:
        display_id = (transient or {}).get("display_id")
        if update and display_id is not None:
            self.capture.update_display(display_id, data, metadata or {})
            return
        output = nbformat.v4.new_output("display_data", data=data, metadata=metadata or {})
        self.capture.add(output, display_id)

    def clear_output(self, wait: bool = False) -> None:
        self.capture.clear(wait)


class _ResultHook(DisplayHook):
    """A cell's last expression becomes an ``execute_result`` output."""

    capture: _Capture

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        self.capture.add(nbformat.v4.new_output(
            "execute_result", data=format_dict, metadata=md_dict or {},
            execution_count=self.capture.execution_count,
        ))

    def finish_displayhook(self) -> None:
        self._is_active = False


class _ZMQLikeShell(InteractiveShell):
    """An IPython shell whose tracebacks become ``error`` outputs.

    The name matters: pandas and others recognise a notebook front end (and then format for it,
    not for a terminal) by ``"zmq"`` in the shell's type name, as ipykernel's shell has.
    """

    capture: _Capture

    def enable_gui(self, gui=None) -> None:
        """Inline figures need no GUI event loop."""

    def init_sys_modules(self) -> None:
        """Leave ``sys.modules["__main__"]`` alone; :func:`_as_main` swaps it in per notebook."""

    def _showtraceback(self, etype, evalue, stb: list[str]) -> None:
        self.capture.add(nbformat.v4.new_output(
            "error", ename=etype.__name__, evalue=str(evalue), traceback=stb,
        ))


_state: dict[str, Any] = {}
_lock = threading.Lock()  # one notebook at a time per process: the shell and sys.stdout are shared


def warm_up() -> float:
    """Import the heavy modules and build this process's shell; returns the seconds it took.

    Called once per worker process (process-pool initializer, or the first task on a Dask
    worker); later calls return 0.
    """
    if "shell" in _state:
        return 0.0
    start = time.perf_counter()
    preload()
    capture = _Capture()
    config = Config()
    config.HistoryManager.enabled = False  # no SQLite history file shared between workers
    _ZMQLikeShell.capture = _Publisher.capture = _ResultHook.capture = capture
    shell = _ZMQLikeShell.instance(config=config, display_pub_class=_Publisher,
                            displayhook_class=_ResultHook)
    with redirect_stdout(io.StringIO()):
        shell.enable_matplotlib("inline")
    _state.update(shell=shell, capture=capture, baseline=_baseline())
    _time_figures(shell)
    gc.freeze()  # the modules stay: the collection in each reset need not walk them again
    return time.perf_counter() - start


def preload() -> None:
    """Import what every audit notebook needs, and compile the report template, once
    (forked workers inherit both from their parent)."""
    for name in _PRELOAD:
        try:
            __import__(name)
        except ImportError:  # the notebook will report it, in the cell that needs it
            continue
    from ..report import warm_exporter

    warm_exporter()


def _time_figures(shell: InteractiveShell) -> None:
    """Wrap the inline backend's end-of-cell figure rendering so its time is measured."""
    from matplotlib_inline.backend_inline import flush_figures

    def flush() -> None:
        start = time.perf_counter()
        try:
            flush_figures()
        finally:
            InProcessEngine.figure_seconds += time.perf_counter() - start

    shell.events.unregister("post_execute", flush_figures)
    shell.events.register("post_execute", flush)


def _baseline() -> dict[str, Any]:
    import matplotlib

    return {"rc": matplotlib.rcParams.copy(), "warnings": list(warnings.filters)}


def _fresh_start(shell: InteractiveShell) -> None:
    """Forget everything the previous notebook left behind in this process."""
    import matplotlib
    import matplotlib.pyplot as plt

    shell.reset(new_session=True)
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(_state["baseline"]["rc"])
        if "pandas" in sys.modules:
            pandas = sys.modules["pandas"]
            pandas.reset_option("all")
            # pandas picks "fit the terminal" (0) at import outside a kernel; a kernel gets 20
            pandas.set_option("display.max_columns", _KERNEL_MAX_COLUMNS)
    warnings.filters[:] = _state["baseline"]["warnings"]


class InProcessEngine(Engine):
    """papermill engine running cells in the worker's persistent IPython shell.

    After execution, ``InProcessEngine.figure_seconds`` holds the seconds spent rendering
    inline matplotlib figures (part of the cells' time).

    Examples
    --------
    >>> import papermill as pm
    >>> pm.execute_notebook("audit.ipynb", "out.ipynb", engine_name="equitykit")  # doctest: +SKIP
    """

    figure_seconds = 0.0

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs) -> None:
        warm_up()
        shell, capture = _state["shell"], _state["capture"]
        with _lock, _as_main(shell.user_module):
            cls.figure_seconds = -report_seconds("figures")  # the report's own PNG figures
            _fresh_start(shell)
            capture.reset()
            with redirect_stdout(_Stream(capture, "stdout")), \
                    redirect_stderr(_Stream(capture, "stderr")):
                for index, cell in enumerate(nb_man.nb.cells):
                    nb_man.cell_start(cell, index)
                    try:
                        if cell.cell_type == "code" and not _run_cell(shell, capture, cell):
                            nb_man.cell_exception(cell, cell_index=index)
                            break
                    finally:
                        nb_man.cell_complete(cell, cell_index=index)
            cls.figure_seconds += report_seconds("figures")
            nb_man.nb.metadata["language_info"] = {"name": "python",
                                                   "version": sys.version.split()[0]}


@contextmanager
def _as_main(module: types.ModuleType) -> Iterator[None]:
    """Make the notebook's namespace ``__main__`` while it runs (as in a kernel), then restore."""
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = module
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


def _run_cell(shell: InteractiveShell, capture: _Capture, cell: nbformat.NotebookNode) -> bool:
    """Run one code cell into ``cell.outputs``; False when it raised."""
    cell.outputs = []
    cell.execution_count = shell.execution_count
    capture.start_cell(cell.outputs, shell.execution_count)
    return shell.run_cell(cell.source, store_history=True).success


papermill_engines.register(ENGINES["inprocess"], InProcessEngine)
papermill_engines.register(ENGINES["kernel"], NBClientEngine)
