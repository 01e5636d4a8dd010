"""A client config is read strictly: a key given twice, a number with a leading zero, a number
too long to read and an unpaired surrogate are each a clear config error (exit 1), never a
silent reading or a traceback."""

from __future__ import annotations

import pytest

from equitykit.cli import main

CASES = {
    "duplicate key": ("privacy: {min_n: 5}\nprivacy: {min_n: 1}\n", "given twice"),
    "leading zero": ("privacy: {min_n: 010}\n", "leading zero"),
    "huge integer": ("privacy: {min_n: " + "9" * 5000 + "}\n", "too large to read"),
    "surrogate": ('client: "\\ud800"\n', "unpaired surrogate"),
    "duplicate nested key": ("privacy:\n  min_n: 12\n  min_n: 1\n", "given twice"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_read_strictly(name, tmp_path, capsys):
    text, phrase = CASES[name]
    config = tmp_path / "client.yml"
    config.write_text(text, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    code = main(["validate", str(data), "--config", str(config)])
    printed = capsys.readouterr()
    assert code == 1
    assert phrase in printed.err + printed.out
    assert "Traceback" not in printed.err + printed.out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["client.yml", "data"]


@pytest.mark.parametrize("name", ["albemarle.yml", "crdc_montessori.yml", "nyc.yml",
                                  "opensdp_texas.yml"])
def test_shipped_example_configs_still_load(repo_root, name):
    from equitykit.config import load_config

    load_config(repo_root / "examples" / name)  # YAML merges (<<) and anchors included


@pytest.mark.parametrize("target", ["/dev/zero", "missing.csv", "."])
def test_state_comparison_must_be_a_regular_file(target, tmp_path, capsys):
    config = tmp_path / "client.yml"
    config.write_text(f"idea: {{state_comparison: '{target}'}}\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    code = main(["validate", str(data), "--config", str(config)])
    printed = capsys.readouterr()
    assert code == 1
    assert "idea.state_comparison" in printed.err + printed.out
    assert "Traceback" not in printed.err + printed.out
