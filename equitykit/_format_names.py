"""The names of the report formats and how a list of them is read (``--format`` and the
config's ``report.formats``); kept apart from :mod:`equitykit.report` so the config can check
them without loading the report."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["DEFAULT_FORMATS", "FORMATS", "parse_formats"]

#: Every format, in the order they are written.
FORMATS: tuple[str, ...] = ("html", "pdf", "docx", "brief")
DEFAULT_FORMATS: tuple[str, ...] = ("html",)
UNKNOWN_FORMAT = "unknown format {name!r} in {text!r}; choose from {choices}, separated by commas"
NO_FORMAT = "no format given; choose from {choices}, separated by commas, e.g. html,pdf"


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"pdf, brief"`` → ``("html", "pdf", "brief")``: the formats named (HTML always), in
    :data:`FORMATS` order.

    Raises
    ------
    ValueError
        A name is not a format (the message names it and lists the formats), or none is given.
    """
    names = text.split(",") if isinstance(text, str) else list(text)
    wanted = {str(n).strip().lower() for n in names if str(n).strip()}
    choices = ", ".join(FORMATS)
    if not wanted:
        raise ValueError(NO_FORMAT.format(choices=choices))
    for name in sorted(wanted):
        if name not in FORMATS:
            shown = text if isinstance(text, str) else ",".join(map(str, names))
            raise ValueError(UNKNOWN_FORMAT.format(name=name, text=shown, choices=choices))
    return tuple(f for f in FORMATS if f == "html" or f in wanted)
