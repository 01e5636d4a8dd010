"""Running audits: one district or a whole data folder, locally or on a Dask cluster.

``run_district`` executes the audit notebook for one district and writes its folder atomically;
``run_batch`` does every district in parallel and writes ``manifest.json``, the stacked
``metrics.csv`` and ``index.html`` (CONTRACT §3–4). Notebooks run by default in each worker's
persistent IPython shell (:class:`InProcessEngine`, registered with papermill as
``"equitykit"``); ``engine="kernel"`` uses a fresh Jupyter kernel per district instead.
"""

from ._batch import MAX_ATTEMPTS, BatchResult, run_batch
from ._commands import audit_command, batch_command, demo_command
from ._deadline import DistrictTimeout
from ._engine import ENGINES, InProcessEngine
from ._pools import POOLS, DaskPool, LocalPool, default_workers
from ._run import OUTPUT_FILES, STATUSES, DistrictResult, default_notebook, run_district

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
    "audit_command",
    "batch_command",
    "default_notebook",
    "default_workers",
    "demo_command",
    "run_batch",
    "run_district",
]
