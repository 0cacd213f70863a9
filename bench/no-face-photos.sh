#!/usr/bin/env bash
# The no-face photos scikit-image ships (skimage/data), for the group-scene recall measurement
# (crates/core/examples/group_scenes.rs). The pinned wheel is fetched from PyPI with pip (no install, no
# dependencies) and only these photos are kept, in bench/.frames/no-face (git-ignored; nothing is committed;
# each photo's source and licence are in the docstrings of skimage/data/__init__.py). Left out:
# astronaut.png, camera.png and no_time_for_that_tiny.gif show faces; the charts and logos are no photos.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$REPO/bench/.frames/no-face"
PHOTOS=(brick cell chelsea clock_motion coffee coins color grass gravel horse hubble_deep_field ihc microaneurysms
  moon motorcycle_left motorcycle_right page phantom retina rocket text)
if [ -d "$OUT" ] && [ "$(find "$OUT" -maxdepth 1 -type f | wc -l)" -eq "${#PHOTOS[@]}" ]; then
  echo "no-face photos present in $OUT"
  exit 0
fi
WHEEL="$(mktemp -d)"
trap 'rm -rf "$WHEEL"' EXIT
"${PYTHON:-python3}" -m pip download --quiet --no-deps --only-binary=:all: --dest "$WHEEL" scikit-image==0.26.0
mkdir -p "$OUT"
python3 - "$WHEEL"/scikit_image-*.whl "$OUT" "${PHOTOS[@]}" <<'PY'
import os, sys, zipfile
wheel, out, names = sys.argv[1], sys.argv[2], set(sys.argv[3:])
with zipfile.ZipFile(wheel) as z:
    for entry in z.namelist():
        base = os.path.basename(entry)
        if entry.startswith("skimage/data/") and os.path.splitext(base)[0] in names:
            with open(os.path.join(out, base), "wb") as f:
                f.write(z.read(entry))
PY
echo "no-face photos in $OUT: $(find "$OUT" -maxdepth 1 -type f | wc -l)"
