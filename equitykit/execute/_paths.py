"""District ids are data, never paths: a safe, unique folder name per district, and writes
confined to the output folder.

An ordinary id (``D01``, ``0123``, ``north-county_2``) is its own folder name, as before. Any
other id (``../x``, ``a/b``, ``index.html``, ``CON``, ``Écoles``, 300 bytes long, ids that
differ only in case) gets a readable slug plus a short hash of the exact id, so two ids never
share a folder on any file system, including case-insensitive ones.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from ..errors import UsageError

__all__ = ["RESERVED", "confined", "control_character", "folder_names", "scratch", "shown"]

#: Names equitykit writes at the top of an output folder, and names Windows forbids.
RESERVED = frozenset(
    {"index.html", "manifest.json", "metrics.csv", "failed"}
    | {"con", "prn", "aux", "nul"}
    | {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
)
_PLAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_-])?")
_SLUG_LENGTH = 40
_HASH_LENGTH = 10

OUTSIDE = ("refusing to use {path}: it leads outside the output folder {out} (through a link, "
           "or a name such as '..')")
CONTROL = "the district id {id} contains a control character ({name}); ids must be printable text"


def folder_names(ids: Iterable[str]) -> dict[str, str]:
    """The output folder of each district id: plain ids as they are, others slug + hash.

    Names are unique ignoring case; ids whose plain names would collide all get hashed names.

    Examples
    --------
    >>> folder_names(["D01", "../victim"])
    {'D01': 'D01', '../victim': 'victim-18d36a5a94'}
    """
    ids = list(dict.fromkeys(ids))
    names = {i: _plain(i) or _hashed(i) for i in ids}
    while True:
        taken: defaultdict[str, list[str]] = defaultdict(list)
        for i, name in names.items():
            taken[name.casefold()].append(i)
        clashes = [group for group in taken.values() if len(group) > 1]
        if not clashes:
            return names
        for group in clashes:
            for i in group:
                names[i] = _hashed(i, longer=names[i] == _hashed(i))


def _plain(district_id: str) -> str | None:
    """The id itself when it is a safe, portable folder name."""
    if _PLAIN.fullmatch(district_id) and not _reserved(district_id):
        return district_id
    return None


def _reserved(name: str) -> bool:
    lower = name.casefold()
    return lower in RESERVED or lower.split(".")[0] in RESERVED


def _hashed(district_id: str, *, longer: bool = False) -> str:
    """``<slug>-<hash>``: ASCII letters, digits, ``_`` and ``-`` only; at most 63 bytes."""
    ascii_text = unicodedata.normalize("NFKD", district_id).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", ascii_text).strip("-_")[:_SLUG_LENGTH].strip("-_")
    digest = hashlib.sha256(district_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{slug or 'district'}-{digest[:_HASH_LENGTH * (2 if longer else 1)]}"


def confined(out_dir: Path, *parts: str) -> Path:
    """``out_dir/parts…``, checked to stay inside ``out_dir`` once links are followed.

    Raises
    ------
    UsageError
        The path would leave ``out_dir`` (``..``, an absolute part, a link pointing elsewhere).
    """
    root = Path(os.path.realpath(out_dir))
    path = Path(os.path.realpath(root.joinpath(*parts)))
    if path == root or not path.is_relative_to(root) or any(
            p in ("", ".", "..") or "/" in p or "\\" in p or "\0" in p for p in parts):
        raise UsageError(OUTSIDE.format(path=shown(os.path.join(out_dir, *parts)), out=out_dir))
    return path


def scratch(out_dir: Path, token: str, name: str) -> Path:
    """A private name in ``out_dir`` for the run with ``token`` (removed when it ends)."""
    return confined(out_dir, f".tmp-{token}-{name}")


def control_character(district_id: str) -> str | None:
    """A message when the id holds a control character (NUL, tab, newline…), else None."""
    for char in district_id:
        if unicodedata.category(char) == "Cc":
            return CONTROL.format(id=shown(district_id), name=f"U+{ord(char):04X}")
    return None


def shown(text: str) -> str:
    """``text`` as it may be printed in a message: as is when plainly printable, else quoted
    with escapes (so a NUL, a newline or surrounding spaces are visible)."""
    if text and text.isprintable() and text == text.strip():
        return text
    return repr(text)
