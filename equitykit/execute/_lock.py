"""One run at a time per output folder, and a record of the private names each run uses.

``OUT/.equitykit.lock`` is held (an OS file lock, released by the OS when the process dies)
for the whole of an ``audit`` or ``batch``. It also records the run's random token: every
private folder or file the run creates is named ``.tmp-<token>-…`` or ``.old-<token>-…``, so
the next run removes exactly what a killed run left behind and never a user's ``.tmp-notes``.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import secrets
import shutil
import socket
import sys
from pathlib import Path
from typing import Any

from ..errors import UsageError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

__all__ = ["LOCK", "OutputLock", "prepare_out", "remove_private"]

LOCK = ".equitykit.lock"
_TOKEN = re.compile(r"[0-9a-f]{16}")
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)  # a link planted as the lock file is not followed
NOT_A_FOLDER = "the output folder {out} is a file, not a folder; choose another --out"
CANNOT_CREATE = "cannot create the output folder {out}: {reason}; choose another --out"
NOT_WRITABLE = "cannot write into the output folder {out}: permission denied; choose another --out"
NO_LOCK = ("cannot lock the output folder with {path}: {reason}; remove that file, or choose "
           "another --out")
BUSY = ("another equitykit run{holder} is writing into {out}; wait for it to finish, "
        "or choose another --out")


def prepare_out(out_dir: str | Path) -> Path:
    """The output folder, created if needed and checked writable; its resolved path.

    Raises
    ------
    UsageError
        It is a file, cannot be created, or cannot be written.
    """
    try:
        out = Path(out_dir).resolve()
    except (RuntimeError, OSError):  # a symlink loop
        raise UsageError(CANNOT_CREATE.format(out=out_dir, reason="it is a link that leads "
                                              "back to itself")) from None
    if Path(out_dir).is_symlink() and not out.exists():
        raise UsageError(CANNOT_CREATE.format(out=out_dir, reason="it is a link to a folder "
                                              "that does not exist"))
    if out.exists() and not out.is_dir():
        raise UsageError(NOT_A_FOLDER.format(out=out))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(CANNOT_CREATE.format(out=out, reason=_reason(exc))) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(NOT_WRITABLE.format(out=out))
    return out


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return "part of the path is a file"
    if exc.errno == errno.ELOOP:
        return "it is a link"
    return (exc.strerror or str(exc)).lower()


class OutputLock:
    """Exclusive use of an output folder for one run (a context manager).

    On entry: take the lock (or raise :class:`UsageError` naming the run that holds it), remove
    what an earlier killed run recorded and left behind, and record this run's token. On exit:
    remove this run's private names and release the lock.

    Examples
    --------
    >>> with OutputLock(prepare_out("out"), "batch") as lock:  # doctest: +SKIP
    ...     lock.token
    """

    def __init__(self, out_dir: Path, command: str) -> None:
        self.out_dir, self.command = out_dir, command
        self.path = out_dir / LOCK
        self.token = secrets.token_hex(8)
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NO_FOLLOW, 0o644)
            except OSError as exc:
                raise UsageError(NO_LOCK.format(path=self.path, reason=_reason(exc))) from None
            previous = _read(fd)
            try:
                locked = _try_lock(fd)
            except OSError as exc:
                os.close(fd)
                raise UsageError(NO_LOCK.format(path=self.path, reason=_reason(exc))) from None
            if not locked:
                os.close(fd)
                raise UsageError(BUSY.format(holder=_holder(previous), out=self.out_dir))
            if _same_file(fd, self.path):  # not removed by a run that just finished
                break
            os.close(fd)
        self._fd = fd
        if _TOKEN.fullmatch(str(previous.get("token"))):
            remove_private(self.out_dir, previous["token"])
        record = {"pid": os.getpid(), "host": socket.gethostname(), "command": self.command,
                  "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                  "token": self.token}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(record).encode())
        os.fsync(fd)
        return self

    def __exit__(self, *exc: object) -> None:
        remove_private(self.out_dir, self.token)
        if sys.platform == "win32":  # an open file cannot be removed there; left, unlocked
            os.close(self._fd)
            return
        self.path.unlink(missing_ok=True)
        os.close(self._fd)


def _try_lock(fd: int) -> bool:
    """Take the lock; False when another process holds it. Raises OSError when the file
    system cannot lock at all."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except (BlockingIOError, PermissionError):  # held elsewhere (POSIX; Windows)
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False


def _read(fd: int) -> dict[str, Any]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = json.loads(os.read(fd, 4096) or b"{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _holder(record: dict[str, Any]) -> str:
    if not record.get("pid"):
        return ""
    return (f" (equitykit {record.get('command')}, process {record['pid']} on "
            f"{record.get('host')}, started {record.get('started')})")


def remove_private(out_dir: Path, token: str) -> None:
    """Remove the private names of the run with ``token``: ``.tmp-<token>-…`` go; an
    ``.old-<token>-<folder>`` (a previous complete output being replaced) goes back to
    ``<folder>`` when the run was killed before putting the new one there, else goes."""
    for path in out_dir.glob(f".tmp-{token}-*"):
        _remove(path)
    for path in out_dir.glob(f".old-{token}-*"):
        target = out_dir / path.name.removeprefix(f".old-{token}-")
        if target.exists():
            _remove(path)
        else:
            os.replace(path, target)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
