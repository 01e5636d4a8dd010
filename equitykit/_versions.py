"""The versions a run records: the toolkit's, Python's and the key packages'."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version

from . import __version__

__all__ = ["PACKAGES", "versions"]

PACKAGES: tuple[str, ...] = (
    "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "papermill", "nbconvert",
    "ipython",
)


def versions() -> dict[str, str]:
    """The toolkit's, Python's and the key packages' versions."""
    found = {"equitykit": __version__, "python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found
