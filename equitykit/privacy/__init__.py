"""Disclosure control: the publishing gate every published number passes.

:func:`publish` is the gate for ``metrics.csv`` rows (and so for everything the report,
findings and explorer show); :func:`suppress_metrics` is the same gate without the information
loss; :func:`suppress` applies the same rules to a two-way table; :func:`top_bottom_code` is the
coding of extreme rates; :func:`withheld_note` is the sentence a table with withheld rows
carries. The rule book is the docstring of :mod:`equitykit.privacy._suppression`.
"""

from . import _notes, _suppression
from ._notes import *  # noqa: F403
from ._suppression import *  # noqa: F403

__all__ = [*_suppression.__all__, *_notes.__all__]
