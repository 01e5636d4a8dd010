"""One progress bar for a batch on a terminal; one line per finished district otherwise."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from tqdm import tqdm

from ._paths import shown
from ._run import DistrictResult

__all__ = ["Progress"]

LINE = "[{done}/{total}] {district}: {status} ({seconds:.1f} s){detail}"


class Progress:
    """Reports finished districts to ``stream`` (stderr by default).

    A tqdm bar when ``stream`` is a terminal and ``CI`` is not ``true``; plain lines otherwise
    (logs, CI, pipes).

    Examples
    --------
    >>> with Progress(total=0) as progress:
    ...     pass
    """

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        interactive = self.stream.isatty() and os.environ.get("CI", "").lower() != "true"
        self._bar = tqdm(total=total, unit="district", file=self.stream, dynamic_ncols=True,
                         desc="auditing") if interactive else None

    def finished(self, result: DistrictResult) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.set_postfix_str(f"{shown(result.district_id)} {result.status}")
            self._bar.update(1)
            return
        detail = ""
        if result.error:
            detail = f": {result.error['name']}: {_one_line(result.error['message'])}"
        elif result.problems:
            detail = f": {_one_line(result.problems[0])}"
        print(LINE.format(done=self.done, total=self.total, district=shown(result.district_id),
                          status=result.status, seconds=result.duration, detail=detail),
              file=self.stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
