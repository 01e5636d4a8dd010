"""Where the sample data live: the checkout's ``data_samples/`` or a per-version user cache."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .. import __version__
from ._generate import SAMPLE_FILES, generate_samples

__all__ = ["ensure_samples", "sample_data_dir"]

_CHECKOUT_SAMPLES = Path(__file__).resolve().parents[2] / "data_samples"


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "equitykit"


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in SAMPLE_FILES.values())


def ensure_samples(out_dir: str | Path) -> Path:
    """Generate the default sample data into ``out_dir`` unless it is already there.

    The files are written to a temporary folder next to ``out_dir`` and moved into place in
    one step, so a reader (or a second process doing the same) never sees half a folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = ensure_samples(pathlib.Path(tempfile.mkdtemp()) / "samples")
    >>> (folder / "students.parquet").is_file()
    True
    """
    out = Path(out_dir)
    if _complete(out):
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        generate_samples(staging)
        try:
            staging.replace(out)
        except OSError:  # out exists: another process finished first, or it is incomplete
            if not _complete(out):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def sample_data_dir() -> Path:
    """The folder holding the sample districts, ready to audit.

    In a source checkout this is the committed ``data_samples/``; in an installed package the
    data are generated once (a second or two) into ``~/.cache/equitykit/samples-<version>``
    (``$XDG_CACHE_HOME`` is honoured) and reused.

    Examples
    --------
    >>> (sample_data_dir() / "students.parquet").is_file()
    True
    """
    if (_CHECKOUT_SAMPLES / SAMPLE_FILES["students"]).is_file():
        return _CHECKOUT_SAMPLES
    return ensure_samples(_cache_root() / f"samples-{__version__}")
