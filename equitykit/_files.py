"""Reading input files without surprises: only regular files, never blocking, size-limited.

A path in a config or a data folder can name a FIFO (reading blocks forever), a device
(``/dev/zero`` never ends), a folder, or a symlink loop. :func:`read_regular` opens without
blocking, checks what the path is, and reads at most a given number of bytes, turning every
refusal into :class:`FileRefused` with a reason a person can act on.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from pathlib import Path

__all__ = ["LINKED_OUTSIDE", "FileRefused", "csv_error", "is_inside", "ragged_rows", "read_regular",
           "resolves_inside"]

RAGGED = "line {line} has {found} field(s) but the header has {expected}"
RAGGED_MORE = " (and {n} more ragged line(s))"
UNCLOSED_QUOTE = ("a quote (\") opened on line {line} is never closed, so the rest of the file "
                  "reads as one cell")
_PANDAS_PREFIX = "Error tokenizing data. C error: "

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


#: A data file that is a link to a file outside its data folder (read only from inside).
LINKED_OUTSIDE = ("is a link to a file outside the data folder; equitykit reads only files "
                  "inside the folder (copy the file in instead of linking it)")


class FileRefused(Exception):
    """A path that is not a readable regular file within the size limit; ``str()`` says why."""


def read_regular(path: str | os.PathLike, *, limit: int | None = None) -> bytes:
    """The bytes of a regular file (symlinks followed), at most ``limit`` bytes.

    Raises
    ------
    FileRefused
        Not found, not a regular file (folder, FIFO, device, socket), a symlink loop,
        unreadable, or larger than ``limit``.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise FileRefused("not found") from None
    except OSError as exc:
        raise FileRefused(f"cannot be opened ({exc.strerror or exc})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
        raise FileRefused(f"not a regular file (it is {kind})")
    with os.fdopen(fd, "rb") as handle:
        if limit is not None and info.st_size > limit:
            raise FileRefused(f"too large ({info.st_size:,} bytes; at most {limit:,})")
        try:
            data = handle.read() if limit is None else handle.read(limit + 1)
        except OSError as exc:
            raise FileRefused(f"cannot be read ({exc.strerror or exc})") from None
    if limit is not None and len(data) > limit:
        raise FileRefused(f"too large (more than {limit:,} bytes)")
    return data


def resolves_inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, links followed, lies inside ``folder`` (already resolved); a link
    loop counts as inside, since reading the file reports it."""
    try:
        return path.resolve().is_relative_to(folder)
    except (RuntimeError, OSError):
        return True


def is_inside(name: str | os.PathLike) -> bool:
    """Whether a file name from a config stays inside its folder: relative, no ``..``.

    Examples
    --------
    >>> is_inside("students.csv"), is_inside("exports/2024.csv")
    (True, True)
    >>> is_inside("../../etc/passwd"), is_inside("/etc/passwd"), is_inside("")
    (False, False, False)
    """
    path = Path(name)
    text = str(name)
    return bool(text.strip()) and "\x00" not in text and not path.is_absolute() \
        and not path.drive and ".." not in path.parts


def ragged_rows(text: str, sep: str = ",") -> str | None:
    """Which rows of a CSV text have more or fewer fields than the header, in words.

    Lines are counted as a spreadsheet numbers rows (header = 1); ``None`` when every row
    fits (or the text is not CSV the ``csv`` module can read, which the caller reports).

    Examples
    --------
    >>> ragged_rows("a,b\\n1,2\\n3\\n4,5,6\\n")
    'line 3 has 1 field(s) but the header has 2 (and 1 more ragged line(s))'
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        expected = len(next(reader))
        bad = [(line, len(row)) for line, row in enumerate(reader, start=2)
               if row and len(row) != expected]
    except (csv.Error, StopIteration):
        return None
    if not bad:
        return None
    line, found = bad[0]
    more = RAGGED_MORE.format(n=len(bad) - 1) if len(bad) > 1 else ""
    return RAGGED.format(line=line, found=found, expected=expected) + more


def csv_error(error: Exception, text: str, sep: str = ",") -> str:
    """pandas' CSV parser error in words, with the line a spreadsheet shows.

    An unclosed quote names the line where it opened (pandas counts rows from 0); a row with
    the wrong number of fields names every such line; anything else keeps pandas' words.
    """
    reason = re.sub(r"\s+", " ", str(error)).strip().removeprefix(_PANDAS_PREFIX)
    quote = re.fullmatch(r"EOF inside string starting at row (\d+)", reason)
    if quote:
        return UNCLOSED_QUOTE.format(line=int(quote.group(1)) + 1)
    return ragged_rows(text, sep) or reason
