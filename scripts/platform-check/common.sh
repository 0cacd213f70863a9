# shellcheck shell=bash
# Shared by check-arm64.sh and check-glibc.sh: paths, the fixed image set, and a project with
# @emotion/core and one platform package installed from tarballs packed by scripts/pack.mjs.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
shared=${EMOTION_SHARED_DIR:-$root/../shared}
work=${WORK:-/tmp/emotion-platform-check}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
mkdir -p "$work"
# Two faces per class (and group scenes' worth of boxes): the set test-support's FACE_FILES names.
images=()
for f in angry/48239881.jpg angry/61321442.jpg disgust/72535797.jpg fear/70168233.jpg fear/70279489.jpg \
  happy/44820917.jpg happy/45342163.jpg neutral/11081001.jpg neutral/15340193.jpg sad/47668189.jpg \
  sad/60581216.jpg surprise/71596657.jpg; do
  images+=("$shared/datasets/faces-224/$f")
done

# zigbuild ADDON_TARGET: a release build of the addon against glibc 2.28 (cargo-zigbuild and
# ziglang from PyPI, on PATH); prints the built library's path.
zigbuild() {
  (cd "$root" && cargo zigbuild --release --target "$1.2.28" -p emotion-node >&2)
  echo "$CARGO_TARGET_DIR/$1/release/libemotion_node.so"
}

# project DIR PLATFORM ADDON [npm flags]: a fresh project with @emotion/core and its PLATFORM package.
project() {
  local dir=$1 platform=$2 addon=$3; shift 3
  rm -rf "$dir" "$work/tarballs-$platform" && mkdir -p "$dir"
  node "$root/scripts/pack.mjs" --out "$work/tarballs-$platform" --platform "$platform=$addon" >/dev/null
  echo '{"name":"check","private":true,"type":"module"}' >"$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund "$@" "$work/tarballs-$platform"/emotion-core-*.tgz >/dev/null)
  cp "$root/scripts/platform-check/answers.mjs" "$dir/"
  mkdir -p "$dir/images" && cp "${images[@]}" "$dir/images/"
}
