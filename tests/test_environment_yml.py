"""environment.yml (conda) is generated from pyproject.toml and says the same: every core and
extra (app, dask, test) requirement with the same bounds; statsmodels>=0.15 and threadpoolctl."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_environment",
                                                  ROOT / "scripts" / "gen_environment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_file_is_what_the_generator_writes():
    committed = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert committed == _generator().render(), (
        "environment.yml is out of date: run python scripts/gen_environment.py")


def test_same_packages_and_bounds_as_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {}
    for item in env["dependencies"]:
        if isinstance(item, str):
            name, bounds = re.match(r"([a-z0-9_.-]+)(.*)", item).groups()
            conda[name] = bounds
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in ("app", "dask", "test"):
        wanted += project["optional-dependencies"][extra]
    for requirement in wanted:
        name, bounds = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]+\])?(.*)", requirement).groups()
        assert conda.get(name.lower()) == bounds.replace(" ", ""), requirement
    assert conda["distributed"] == conda["dask"]  # dask[distributed] is two conda packages
    assert conda["statsmodels"] == ">=0.15" and "threadpoolctl" in conda
    assert conda["python"] == project["requires-python"]
    assert {"-e ."} <= set(env["dependencies"][-1]["pip"])
