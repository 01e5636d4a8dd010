"""``branding.logo`` must be a PNG, JPEG or GIF file: anything else is a clear config error."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
import yaml

from equitykit._logo import MAX_LOGO_BYTES
from equitykit.cli import main
from equitykit.config import AuditConfig, Branding, load_config
from equitykit.errors import ConfigError
from equitykit.report._html import _data_uri

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def _config(tmp_path: Path, logo: object) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump({"branding": {"logo": logo}}), encoding="utf-8")
    return path


def _make(tmp_path: Path, kind: str) -> str:
    target = tmp_path / "logo"
    if kind == "missing":
        return "nowhere.png"
    if kind == "passwd":
        return "/etc/passwd"
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "loop":
        target.symlink_to(tmp_path / "logo2")
        (tmp_path / "logo2").symlink_to(target)
    elif kind == "svg":
        target = tmp_path / "logo.svg"
        target.write_bytes(SVG)
    elif kind == "text_named_png":
        target = tmp_path / "logo.png"
        target.write_text("not an image")
    elif kind == "huge":
        target.write_bytes(PNG + b"\x00" * MAX_LOGO_BYTES)
    return str(target)


@pytest.mark.parametrize(("kind", "phrase"), [
    ("missing", "nowhere.png is not found"),
    ("passwd", "/etc/passwd is not a PNG, JPEG or GIF image"),
    ("folder", "not a regular file (it is a folder)"),
    ("fifo", "not a regular file (it is a named pipe (FIFO))"),
    ("loop", "cannot be opened (Too many levels of symbolic links)"),
    ("svg", "SVG is refused: it can carry scripts"),
    ("text_named_png", "logo.png is not a PNG, JPEG or GIF image"),
    ("huge", "too large"),
])
def test_a_logo_that_is_not_an_image_file_is_refused(
        tmp_path: Path, kind: str, phrase: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, _make(tmp_path, kind))
    assert main(["validate", str(tmp_path), "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "branding.logo" in err and phrase in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("url", ["https://example.org/logo.png", "http://x/y.png",
                                 "data:image/png;base64,AAAA", "file:///etc/passwd"])
def test_a_web_address_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match=r"branding.logo: .*web address"):
        load_config(_config(tmp_path, url))


def test_an_image_is_embedded_with_the_type_of_its_bytes(tmp_path: Path) -> None:
    (tmp_path / "brand.jpg").write_bytes(PNG)  # a PNG saved with a .jpg name
    config = load_config(_config(tmp_path, "brand.jpg"))
    assert config.branding.logo == tmp_path / "brand.jpg"
    assert _data_uri(config.branding.logo) == (
        "data:image/png;base64," + base64.b64encode(PNG).decode())


def test_the_report_never_drops_or_embeds_a_bad_logo_silently(tmp_path: Path) -> None:
    config = AuditConfig(branding=Branding(logo=Path("/etc/passwd")))
    with pytest.raises(ConfigError, match="not a PNG"):
        _data_uri(config.branding.logo)
    assert _data_uri(None) == ""
