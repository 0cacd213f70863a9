#!/usr/bin/env bash
# The frames every benchmark uses, written to bench/.frames (git-ignored):
#   webcam_one_face.png  640x480 PNG, one face (the composed test scene of crates/core/tests/support/scenes.rs)
#   hd_two_faces.png     1280x720 PNG, two faces (same source)
#   face224.jpg          a 224x224 JPEG face: the first happy JPEG of models/train/test_split.tsv
#   sample200.tsv        the accuracy sample: models/train/happy_sad_sample.tsv, 100 happy and 100 sad
#                        test-split images drawn at random (class, path relative to the data set)
# Usage: bash bench/frames.sh   (DATASET defaults to ../shared/datasets/faces-224 beside the repo)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATASET="${DATASET:-$(cd "$REPO/.." && pwd)/shared/datasets/faces-224}"
OUT="$REPO/bench/.frames"
SPLIT="$REPO/models/train/test_split.tsv"
mkdir -p "$OUT"

SCENES="$(mktemp -d)"
trap 'rm -rf "$SCENES"' EXIT
(cd "$REPO" && cargo run --quiet --release -p emotion-core --example compose_scenes -- "$SCENES" >/dev/null)
cp "$SCENES/webcam_one_face.png" "$SCENES/hd_two_faces.png" "$OUT/"

face="$(awk -F'\t' '$1 == "happy" && $2 ~ /\.jpg$/ { print $2; exit }' "$SPLIT")"
install -m 0644 "$DATASET/$face" "$OUT/face224.jpg"

cp "$REPO/models/train/happy_sad_sample.tsv" "$OUT/sample200.tsv"
echo "frames in $OUT (face224.jpg = $face; sample200.tsv: $(($(wc -l < "$OUT/sample200.tsv") - 1)) images)"
