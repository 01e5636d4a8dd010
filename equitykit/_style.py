"""Figure styling without global side effects.

``sns.set_theme`` and ``matplotlib.use`` change the whole process: an analyst who imports
equitykit would find their own plots restyled, or ``plt.show()`` showing nothing. Instead,
:func:`theme` turns a seaborn theme into a plain dictionary of rcParams, and :func:`styled`
applies it with :func:`matplotlib.rc_context` only while a figure is drawn and saved. Figures
are :class:`matplotlib.figure.Figure` objects, never pyplot's, so none is left open either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import matplotlib
import seaborn as sns
from matplotlib.rcsetup import cycler

__all__ = ["styled", "theme"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def theme(*, context: str, style: str, palette: str | list = "deep", font_scale: float = 1.0,
          rc: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rcParams ``sns.set_theme(context, style, palette, font_scale=..., rc=...)`` would
    set, as a dictionary; nothing is changed."""
    return {
        **sns.plotting_context(context, font_scale=font_scale),
        **sns.axes_style(style, rc={"font.family": "sans-serif"}),
        "axes.prop_cycle": cycler(color=sns.color_palette(palette)),
        **(rc or {}),
    }


def styled(rc: dict[str, Any]) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Decorate a function that draws and saves a figure so that it runs under ``rc``."""
    def decorate(draw: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(draw)
        def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with matplotlib.rc_context(rc):
                return draw(*args, **kwargs)

        return run

    return decorate
