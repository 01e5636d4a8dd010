"""Write environment.yml (conda) from pyproject.toml, so conda users get the same packages and
lower bounds as pip users: the core dependencies and the ``app``, ``dask`` and ``test`` extras.

Run ``python scripts/gen_environment.py`` after changing dependencies in pyproject.toml;
tests/test_environment_yml.py fails while the two disagree.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: pip requirement name (with extras) → conda-forge package names, where they differ.
CONDA_NAMES = {"dask[distributed]": ["dask", "distributed"]}
EXTRAS = ("app", "dask", "test")
HEADER = """\
# GENERATED from pyproject.toml by scripts/gen_environment.py: do not edit by hand.
# Conda environment with everything pip users get from `pip install -e ".[app,dask,test]"`:
#   conda env create -f environment.yml && conda activate equitykit
name: equitykit
channels:
  - conda-forge
dependencies:
"""
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.-]+(?:\[[^\]]+\])?)\s*(.*)$")


def conda_specs(requirement: str) -> list[str]:
    """``"dask[distributed]>=2024.1"`` → ``["dask>=2024.1", "distributed>=2024.1"]``."""
    match = REQUIREMENT.match(requirement)
    if not match:
        raise ValueError(f"cannot read requirement {requirement!r}")
    name, bounds = match.group(1).lower(), match.group(2).replace(" ", "")
    if "[" in name and name not in CONDA_NAMES:
        raise ValueError(f"add a conda name for {name!r} to CONDA_NAMES")
    return [f"{conda}{bounds}" for conda in CONDA_NAMES.get(name, [name])]


def render(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The text of environment.yml for ``pyproject``."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = [HEADER, f"  - python{project['requires-python']}\n", "  # core\n"]
    lines += [f"  - {spec}\n" for req in project["dependencies"] for spec in conda_specs(req)]
    for extra in EXTRAS:
        lines.append(f"  # extra: {extra}\n")
        lines += [f"  - {spec}\n" for req in project["optional-dependencies"][extra]
                  for spec in conda_specs(req)]
    lines += ["  - pip\n", "  - pip:\n", "      - -e .\n"]
    return "".join(lines)


if __name__ == "__main__":
    target = ROOT / "environment.yml"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
