"""equitykit: K-12 equity audits with honest statistics and private, self-contained reports.

The statistics are importable without Jupyter::

    from equitykit import metrics
    metrics.risk_ratio(40, 400, 80, 3600).value   # 4.5
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("equitykit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
