#!/usr/bin/env bash
# Builds the Linux addons against glibc 2.28 with cargo zigbuild, as the release workflow does:
#
#   scripts/cross-build.sh [x64|arm64]...     (default: both)
#
# Prints each addon's path (CARGO_TARGET_DIR/<target>/release/libemotion_node.so); give them to
# scripts/pack.mjs --platform linux-<arch>-gnu=PATH, to deploy/stage-image.sh as ADDON, or to the
# checks (scripts/check-arm64.sh, scripts/check-glibc.sh). Needs `pip install ziglang
# cargo-zigbuild` (PyPI) and `rustup target add aarch64-unknown-linux-gnu` for arm64.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
for arch in "${@:-x64 arm64}"; do
  for a in $arch; do
    case "$a" in
      x64) target=x86_64-unknown-linux-gnu ;;
      arm64) target=aarch64-unknown-linux-gnu ;;
      *) echo "cross-build: no Linux target for $a" >&2 && exit 1 ;;
    esac
    cargo zigbuild --release --target "$target.2.28" -p emotion-node >&2
    addon="$target_dir/$target/release/libemotion_node.so"
    newest=$(objdump -T "$addon" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
    [ "$newest" = GLIBC_2.28 ] || [ "$(printf '%s\n' "$newest" GLIBC_2.28 | sort -V | tail -1)" = GLIBC_2.28 ] ||
      { echo "cross-build: $addon needs $newest, newer than 2.28" >&2 && exit 1; }
    echo "$addon"
  done
done
