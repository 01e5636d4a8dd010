"""The small result object every statistic returns (docs/methods.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Estimate"]


@dataclass(frozen=True)
class Estimate:
    """A statistic with its uncertainty.

    ``value`` is NaN when the statistic is undefined for the data (a zero cell, an empty group);
    ``reason`` then says why in words, so nothing is silently filled. ``extra`` holds named parts
    a method has beyond the common fields (e.g. ``between`` and ``within`` of a decomposition).

    Examples
    --------
    >>> e = Estimate(4.5, ci_low=3.1, ci_high=6.5)
    >>> float(e)
    4.5
    >>> Estimate(float("nan"), reason="no students in the comparison group").defined
    False
    """

    value: float
    ci_low: float = math.nan
    ci_high: float = math.nan
    se: float = math.nan
    p_value: float = math.nan
    n: float = math.nan
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __float__(self) -> float:
        return float(self.value)

    def __getattr__(self, name: str) -> Any:
        # Named parts (e.g. ``.between``) read like attributes.
        extra = self.__dict__.get("extra", {})
        if name in extra:
            return extra[name]
        raise AttributeError(name)

    @property
    def defined(self) -> bool:
        """True when ``value`` is a finite number."""
        return math.isfinite(self.value)

    @classmethod
    def undefined(cls, reason: str, **extra: Any) -> Estimate:
        """An estimate that cannot be computed, with the reason in words."""
        return cls(math.nan, reason=reason, extra=extra)
