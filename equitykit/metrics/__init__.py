"""Equity statistics on counts and summary statistics; no Jupyter needed.

Every function returns an :class:`Estimate` (``.value``, ``.ci_low``, ``.ci_high``, ``.se`` where
the method has them; ``float(result)`` works) or, for the table-wide functions, a DataFrame.
Formulas and sources: docs/methods.md.
"""

from ._result import Estimate

__all__ = ["Estimate"]

# Each private module lists its public names in its own ``__all__``; they are re-exported here.
from ..privacy import _suppression
from . import (
    _decompose,
    _discipline,
    _disproportionality,
    _gaps,
    _grade_levels,
    _idea,
    _intersections,
    _multiple,
    _out_of_sample,
    _predictiveness,
    _rates,
    _resources,
    _retention,
    _score_locus,
    _segregation,
    _shrinkage,
    _teachers,
)

for _module in (
    _rates, _multiple, _disproportionality, _idea, _suppression, _shrinkage,
    _gaps, _grade_levels, _segregation, _decompose, _predictiveness, _out_of_sample, _teachers,
    _resources, _score_locus, _intersections, _discipline, _retention,
):
    globals().update({name: getattr(_module, name) for name in _module.__all__})
    __all__ += list(_module.__all__)
del _module
