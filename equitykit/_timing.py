"""Process-wide running totals of where time goes (figure rendering), for the batch manifest."""

from __future__ import annotations

from collections import defaultdict

__all__ = ["add_seconds", "seconds"]

_TOTALS: defaultdict[str, float] = defaultdict(float)


def add_seconds(part: str, spent: float) -> None:
    """Count ``spent`` seconds towards ``part`` (e.g. ``"figures"``)."""
    _TOTALS[part] += spent


def seconds(part: str) -> float:
    """Seconds counted towards ``part`` so far in this process."""
    return _TOTALS[part]
