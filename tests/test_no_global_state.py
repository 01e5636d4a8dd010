"""Importing equitykit, or drawing its figures, changes no global state of the analyst's session.

No matplotlib backend or rcParams (so seaborn themes too), no colour codes, no warnings filters,
no pandas options and no logging configuration. Third-party modules that equitykit imports are
imported before the first snapshot: what they do on import is theirs, not equitykit's.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
INLINE = "module://matplotlib_inline.backend_inline"

_PROBE = r"""
import importlib, json, logging, pkgutil, sys, warnings
import matplotlib, matplotlib.colors, pandas as pd

def snapshot():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading a deprecated pandas option warns
        options = {k: repr(pd.get_option(k)) for k in pd._config.config._registered_options}
    return {
        "backend": dict.__getitem__(matplotlib.rcParams, "backend"),
        "rcParams": {k: repr(v) for k, v in dict.items(matplotlib.rcParams)},
        "colour codes": {k: repr(v) for k, v in
                         matplotlib.colors.get_named_colors_mapping().items() if len(k) == 1},
        "warnings filters": [repr(f) for f in warnings.filters],
        "pandas options": options,
        "logging": repr((logging.root.level, logging.root.handlers,
                         logging.root.manager.disable)),
    }

for name in json.loads(sys.argv[1]):  # what equitykit imports, imported first
    try:
        importlib.import_module(name)
    except ImportError:  # an optional dependency
        pass
before = snapshot()
import equitykit
for module in pkgutil.walk_packages(equitykit.__path__, "equitykit."):
    if not module.name.endswith(".__main__"):
        importlib.import_module(module.name)
after = snapshot()
print(json.dumps({"changed": sorted(k for k in before if before[k] != after[k]),
                  "backend": matplotlib.get_backend()}))
"""


def _third_party_imports() -> list[str]:
    """Every module outside equitykit named in an import statement of equitykit's source."""
    names: set[str] = set()
    for path in (REPO / "equitykit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    return sorted(n for n in names if n.split(".")[0] != "equitykit")


def _probe(env: dict[str, str]) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(_third_party_imports())],
        capture_output=True, text=True, cwd=REPO, timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


@pytest.mark.slow
def test_importing_every_module_changes_nothing():
    """Run as in a notebook, where ``plt.show()`` needs the inline backend the kernel chose."""
    assert _probe({"MPLBACKEND": INLINE}) == {"changed": [], "backend": INLINE}


def test_drawing_figures_leaves_rcparams_alone():
    from equitykit.report import _figures
    from equitykit.widgets import _charts

    before = dict(matplotlib.rcParams)
    rows = pd.DataFrame({"group": ["A", "B"], "value": [0.5, 2.0], "ci_low": [0.3, 1.5],
                         "ci_high": [0.8, 3.0]})
    html = _figures.forest_plot(rows, title="Suspensions", label="group").to_html()
    html += _figures.gap_plot(rows.assign(value=[-0.2, 0.1], ci_low=[-0.4, 0.0],
                                          ci_high=[0.0, 0.2]), title="Gaps", label="group"
                              ).to_html()
    png = _charts.bar_chart(pd.Series([1.0, -2.0], index=["a", "b"]), title="t", xlabel="x")
    assert html.count("data:image/png;base64,") == 2 and png.startswith(b"\x89PNG")
    assert dict(matplotlib.rcParams) == before
    assert "matplotlib.pyplot" not in sys.modules or not sys.modules["matplotlib.pyplot"] \
        .get_fignums()  # Figure objects, never pyplot's: nothing left open


@pytest.mark.slow
def test_building_every_section_leaves_rcparams_alone(sample_audit):
    audit = sample_audit("D01")
    before = dict(matplotlib.rcParams)
    pages = [audit.section(name).data for name in audit.sections]
    assert sum(page.count("data:image/png;base64,") for page in pages) > 0
    assert dict(matplotlib.rcParams) == before
    assert "matplotlib.pyplot" not in sys.modules or not sys.modules["matplotlib.pyplot"] \
        .get_fignums()
