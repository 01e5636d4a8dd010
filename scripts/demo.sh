#!/usr/bin/env bash
# Install equitykit with everything its three kinds of users need into .venv (idempotent): the
# package, JupyterLab, ipywidgets and Voilà (the `app` extra). Then audit every sample district
# and say what to try next.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[app]"
.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
out="${1:-equitykit-demo}"
.venv/bin/equitykit demo --out "$out"
root=""
[ "$(id -u)" = 0 ] && root=" --allow-root"   # JupyterLab refuses to run as root without it
cat <<NEXT

Next, try:
  1. The reports: open $(cd "$out" && pwd)/index.html in a browser
     (every district's audit.html is linked from there).
  2. The audit notebook in JupyterLab (analysts):
       .venv/bin/jupyter lab$root notebooks/district_audit.ipynb
  3. The explorer for training sessions (trainers):
       .venv/bin/equitykit explore --app
     (without --app it opens the explorer notebook in JupyterLab).
Run \`source .venv/bin/activate\` once per terminal to type the commands without .venv/bin/.
NEXT
