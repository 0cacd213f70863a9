#!/usr/bin/env bash
# Reproduce models/emotion_classifier.onnx, models/train/results.json,
# models/train/test_split.tsv and models/train/happy_sad_sample.tsv from the faces-224 and
# fer2013-ferplus data sets:
#
#   bash models/train/train.sh
#
# 1. a Python venv with exact pins (models/train/.venv, git-ignored),
# 2. the features of both data sets from our own Rust pipeline (dump_features, into a temporary folder),
# 3. training, the seed's RandomForest on the same split, ONNX export, the ONNX Runtime check.
# Environment: DATASET (default datasets/faces-224 in ../shared beside the repo, or in $EMOTION_SHARED_DIR),
#   FERPLUS (default datasets/fer2013-ferplus there), FEATURES=DIR to reuse existing dumps
#   (DIR/faces-224 and DIR/fer2013-ferplus) instead of writing them, FERPLUS_PER_CLASS=N to dump only
#   the FER+ faces ferplus_subset.py picks (the shipped model: N=1000), VENV, PYTHON (default python3).
# Uses 2 threads throughout.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${VENV:-$HERE/.venv}"
PYTHON="${PYTHON:-python3}"
SHARED="${EMOTION_SHARED_DIR:-$(cd "$REPO/.." && pwd)/shared}"
DATASET="${DATASET:-$SHARED/datasets/faces-224}"
FERPLUS="${FERPLUS:-$SHARED/datasets/fer2013-ferplus}"

START=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check pip==25.3
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"

if [ -z "${FEATURES:-}" ]; then
  FEATURES="$(mktemp -d)"
  trap 'rm -rf "$FEATURES"' EXIT
  if [ -n "${FERPLUS_PER_CLASS:-}" ]; then
    "$PYTHON" "$HERE/ferplus_subset.py" "$FERPLUS/MANIFEST.tsv" "$FEATURES/ferplus-subset" "$FERPLUS_PER_CLASS"
    FERPLUS_FACES="$FEATURES/ferplus-subset"
  fi
  for set in "$DATASET:faces-224" "${FERPLUS_FACES:-$FERPLUS}:fer2013-ferplus"; do
    (cd "$REPO" && cargo run --quiet --release -p emotion-core --example dump_features -- "${set%%:*}" "$FEATURES/${set##*:}" 2)
  done
fi

OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 PYTHONHASHSEED=0 "$VENV/bin/python" "$HERE/train.py" \
  "$FEATURES/faces-224" "$FEATURES/fer2013-ferplus" --manifest "$FERPLUS/MANIFEST.tsv" "$@"
echo "total $(( $(date +%s) - START )) s (venv, features, training, export, checks)"
