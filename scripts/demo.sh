#!/usr/bin/env bash
# Install equitykit into .venv (idempotent) and audit every sample district.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
.venv/bin/equitykit demo --out "${1:-equitykit-demo}"
