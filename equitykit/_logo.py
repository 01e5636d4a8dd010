"""The report's logo: a PNG, JPEG or GIF image file, checked before it is embedded.

``branding.logo`` is embedded into every ``audit.html`` as a data URI, so it must be an image:
the type is read from the file's first bytes (never from its name), SVG is refused (it can
carry scripts), and the file must be a regular file of at most :data:`MAX_LOGO_BYTES`.
"""

from __future__ import annotations

from pathlib import Path

from ._files import FileRefused, read_regular
from .errors import ConfigError

__all__ = ["MAX_LOGO_BYTES", "check_logo_value", "read_logo"]

#: Largest logo accepted (it is embedded in every report).
MAX_LOGO_BYTES = 2 * 1024 * 1024
_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
NOT_AN_IMAGE = ("branding.logo: {path} is not a PNG, JPEG or GIF image{svg}; save the logo as "
                "PNG")
SVG = " (SVG is refused: it can carry scripts)"
REFUSED = "branding.logo: {path} is {reason}"
URL = ("{value!r} is a web address; download the image and give its file path "
       "(reports embed the logo and never load anything from the web)")


def read_logo(path: Path) -> tuple[str, bytes]:
    """The logo's MIME type and bytes.

    Raises
    ------
    ConfigError
        The path is missing, not a regular file, larger than :data:`MAX_LOGO_BYTES`, or not a
        PNG, JPEG or GIF image; the message names ``branding.logo`` and the path.
    """
    try:
        data = read_regular(path, limit=MAX_LOGO_BYTES)
    except FileRefused as exc:
        raise ConfigError(REFUSED.format(path=path, reason=exc)) from None
    mime = next((mime for magic, mime in _TYPES if data.startswith(magic)), None)
    if mime is None:
        head = data[:512].lstrip().lower()
        svg = SVG if path.suffix.lower() == ".svg" or b"<svg" in head or head.startswith(
            b"<?xml") else ""
        raise ConfigError(NOT_AN_IMAGE.format(path=path, svg=svg))
    return mime, data


def check_logo_value(value: object) -> object:
    """Refuse a web address before it becomes a path (``https://…`` would be silently lost)."""
    text = str(value) if isinstance(value, str | Path) else ""
    if "://" in text or text.lower().startswith(("data:", "www.")):
        raise ValueError(URL.format(value=text))
    return value
