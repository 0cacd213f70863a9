#!/usr/bin/env bash
# Builds the server image for linux/amd64 and linux/arm64 into one manifest list (podman):
#
#   deploy/build-multiarch.sh TAG X64_ADDON ARM64_ADDON [podman build arguments...]
#
# Each architecture is staged by deploy/stage-image.sh with its own addon (scripts/cross-build.sh
# makes both here), Node binary and ONNX Runtime library, then built from the same Containerfile.
# The arm64 image's RUN step runs under qemu: register qemu-user-static with binfmt_misc first
# (Debian's qemu-user-static does). Offline, BASE_AMD64 and BASE_ARM64 name each architecture's
# base (deploy/make-base.sh, and ARCH=arm64 deploy/make-base.sh). Push with
# `podman manifest push --all TAG docker://TAG`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: $0 TAG X64_ADDON ARM64_ADDON [podman build args...]" >&2 && exit 2; }
tag=$1 x64_addon=$2 arm64_addon=$3
shift 3
podman=(podman --runtime runc --cgroup-manager cgroupfs)
"${podman[@]}" manifest rm "$tag" >/dev/null 2>&1 || true
"${podman[@]}" manifest create "$tag" >/dev/null
for spec in "amd64 x64 $x64_addon ${BASE_AMD64:-}" "arm64 arm64 $arm64_addon ${BASE_ARM64:-}"; do
  read -r platform arch addon base <<<"$spec"
  ARCH=$arch ADDON=$addon bash deploy/stage-image.sh
  base_arg=()
  [ -z "$base" ] || base_arg=(--build-arg "BASE=$base")
  "${podman[@]}" build --platform "linux/$platform" --manifest "$tag" --file Containerfile "${base_arg[@]}" "$@" .
done
"${podman[@]}" manifest inspect "$tag" | grep -o '"architecture": *"[a-z0-9]*"'
