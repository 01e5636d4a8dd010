"""Disclosure control: the publishing gate every published number passes.

:func:`suppress_metrics` is the gate for ``metrics.csv`` rows (and so for everything the report,
findings and explorer show); :func:`suppress` applies the same rules to a two-way table;
:func:`top_bottom_code` is the coding of extreme rates. The rule book is the docstring of
:mod:`equitykit.privacy._suppression`.
"""

from . import _suppression
from ._suppression import *  # noqa: F403

__all__ = list(_suppression.__all__)
