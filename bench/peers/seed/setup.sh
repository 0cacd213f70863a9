#!/usr/bin/env bash
# Create .venv (python3.11) with requirements.txt and train .cache/model.pkl. Idempotent: each step is skipped
# when its result is already there. Usage: bash bench/peers/seed/setup.sh [DATASET]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# pip's own `pip freeze` check: only reinstall when the environment differs from the pins.
if [ -x .venv/bin/python ] && diff -q <(grep -v '^#' requirements.txt) <(.venv/bin/pip freeze) >/dev/null; then
  echo "seed: .venv up to date"
else
  [ -x .venv/bin/python ] || python3.11 -m venv .venv
  .venv/bin/pip install --quiet -r requirements.txt
fi
if [ -f .cache/model.pkl ]; then
  echo "seed: .cache/model.pkl present (delete it to retrain)"
else
  .venv/bin/python train_rf.py "$@"
fi
