#!/usr/bin/env bash
# The frames every benchmark uses, written to bench/.frames (git-ignored):
#   webcam_one_face.png  640x480 PNG, one face (the composed test scene of crates/core/tests/support/scenes.rs)
#   hd_two_faces.png     1280x720 PNG, two faces (same source)
#   face224.jpg          a 224x224 JPEG face: the first happy JPEG of models/train/test_split.tsv
#   sample200.tsv        the accuracy sample: the first 100 happy and first 100 sad rows of test_split.tsv
#                        (class, path relative to the data set)
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

{
  printf 'class\tpath\n'
  awk -F'\t' '$1 == "happy" && h < 100 { h++; print $1 "\t" $2 }' "$SPLIT"
  awk -F'\t' '$1 == "sad" && s < 100 { s++; print $1 "\t" $2 }' "$SPLIT"
} > "$OUT/sample200.tsv"
echo "frames in $OUT (face224.jpg = $face; sample200.tsv: $(($(wc -l < "$OUT/sample200.tsv") - 1)) images)"
