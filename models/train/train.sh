#!/usr/bin/env bash
# Reproduce models/emotion_classifier.onnx, models/train/results.json and
# models/train/test_split.tsv from the faces-224 data set:
#
#   bash models/train/train.sh
#
# 1. a Python venv with exact pins (models/train/.venv, git-ignored),
# 2. the features from our own Rust pipeline (dump_features, into a temporary folder),
# 3. training, the seed's RandomForest on the same split, ONNX export, the ONNX Runtime check.
# Environment: DATASET (default ../shared/datasets/faces-224 beside the repo, or under EMOTION_SHARED_DIR),
#   FEATURES=DIR to reuse an existing dump instead of writing one, VENV, PYTHON (default python3).
# Uses 2 threads throughout.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${VENV:-$HERE/.venv}"
PYTHON="${PYTHON:-python3}"
DATASET="${DATASET:-${EMOTION_SHARED_DIR:-$(cd "$REPO/.." && pwd)/shared}/datasets/faces-224}"

START=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check pip==25.3
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"

if [ -z "${FEATURES:-}" ]; then
  FEATURES="$(mktemp -d)"
  trap 'rm -rf "$FEATURES"' EXIT
  (cd "$REPO" && cargo run --quiet --release -p emotion-core --example dump_features -- "$DATASET" "$FEATURES" 2)
fi

OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 PYTHONHASHSEED=0 "$VENV/bin/python" "$HERE/train.py" "$FEATURES"
echo "total $(( $(date +%s) - START )) s (venv, features, training, export, checks)"
