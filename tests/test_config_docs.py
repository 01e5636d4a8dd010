"""docs/config.md is generated from the config models and cannot drift from them."""

from __future__ import annotations

from pathlib import Path

from equitykit._docgen import config_reference
from equitykit.config import AuditConfig

DOC = Path(__file__).resolve().parents[1] / "docs" / "config.md"


def test_committed_reference_is_what_the_models_generate():
    assert DOC.read_text(encoding="utf-8") == config_reference(), (
        "docs/config.md is out of date: run python -m equitykit._docgen docs/config.md")


def test_every_key_of_the_top_level_is_documented():
    text = config_reference()
    for key, field in AuditConfig.model_fields.items():
        assert f"| `{key}` |" in text and field.description in text
    assert "| `min_n` | integer | `10` | ≥ 1, ≤ 1000 |" in text
    assert "shared/" not in text
