#!/usr/bin/env bash
# Builds the server image for linux/amd64 and linux/arm64 into one manifest list (podman):
#
#   deploy/build-multiarch.sh TAG X64_ADDON ARM64_ADDON [podman build arguments...]
#
# Each architecture is staged by deploy/stage-image.sh with its own addon (scripts/cross-build.sh
# makes both here), Node binary and ONNX Runtime library, then built from the same Containerfile.
# The arm64 image's RUN step runs under qemu: register qemu-user-static with binfmt_misc first
# (Debian's qemu-user-static does). Offline, pass --build-arg BASE=<an arm64+amd64 base>
# (deploy/make-base.sh per architecture). Push with `podman manifest push --all TAG docker://TAG`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: $0 TAG X64_ADDON ARM64_ADDON [podman build args...]" >&2 && exit 2; }
tag=$1 x64_addon=$2 arm64_addon=$3
shift 3
podman manifest rm "$tag" >/dev/null 2>&1 || true
podman manifest create "$tag" >/dev/null
for spec in "amd64 x64 $x64_addon" "arm64 arm64 $arm64_addon"; do
  read -r platform arch addon <<<"$spec"
  ARCH=$arch ADDON=$addon bash deploy/stage-image.sh
  podman build --platform "linux/$platform" --manifest "$tag" --file Containerfile "$@" .
done
podman manifest inspect "$tag" | grep -o '"architecture": *"[a-z0-9]*"'
