"""Fast string columns: a million ids or school codes without a Python loop."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

__all__: list[str] = []

_ID_DIGITS = 7


def pseudonymous_ids(rng: np.random.Generator, prefix: str, n: int) -> pa.StringArray:
    """``n`` distinct random ids like ``S4821937`` (prefix + 7 digits); they mean nothing."""
    numbers = rng.choice(9 * 10 ** (_ID_DIGITS - 1), size=n, replace=False) + 10 ** (
        _ID_DIGITS - 1)
    digits = (numbers[:, None] // 10 ** np.arange(_ID_DIGITS - 1, -1, -1)) % 10 + ord("0")
    chars = np.concatenate([np.full((n, 1), ord(prefix)), digits], axis=1).astype(np.uint8)
    width = _ID_DIGITS + 1
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars.tobytes()))


def labelled(labels: Sequence[str] | pa.Array, codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    """The string column ``labels[codes]`` (pandas ``string`` dtype)."""
    labels = labels if isinstance(labels, pa.Array) else pa.array(list(labels), pa.string())
    return pd.arrays.ArrowStringArray(labels.take(pa.array(codes)))
