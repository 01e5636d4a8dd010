"""Running audits: one district or a whole data folder, locally or on a Dask cluster.

``run_district`` executes the audit notebook for one district and writes its folder atomically;
``run_batch`` does every district in parallel and writes ``manifest.json``, the stacked
``metrics.csv`` and ``index.html`` (docs/outputs.md). Notebooks run by default in each worker's
persistent IPython shell (:class:`InProcessEngine`, registered with papermill as
``"equitykit"``); ``engine="kernel"`` uses a fresh Jupyter kernel per district instead.

A district's folder is its id when the id is a plain name (``D01``), otherwise a safe name
derived from it; every write stays inside the output folder, which one run at a time may use
(``OUT/.equitykit.lock``). SIGTERM or Ctrl-C stops a batch's workers and raises
:class:`Stopped` after writing a manifest of what finished.
"""

from ._batch import MAX_ATTEMPTS, BatchResult, run_batch
from ._commands import audit_command, batch_command, demo_command
from ._deadline import DistrictTimeout
from ._engine import ENGINES, InProcessEngine
from ._pools import POOLS, DaskPool, LocalPool, default_workers
from ._run import (
    OUTPUT_FILES,
    STATUSES,
    DistrictResult,
    audit_notebook,
    default_notebook,
    run_district,
)
from ._stop import Stopped

__all__ = [
    "ENGINES",
    "MAX_ATTEMPTS",
    "OUTPUT_FILES",
    "POOLS",
    "STATUSES",
    "BatchResult",
    "DaskPool",
    "DistrictResult",
    "DistrictTimeout",
    "InProcessEngine",
    "LocalPool",
    "Stopped",
    "audit_command",
    "audit_notebook",
    "batch_command",
    "default_notebook",
    "default_workers",
    "demo_command",
    "run_batch",
    "run_district",
]
