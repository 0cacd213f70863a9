#!/usr/bin/env bash
# The arm64 image, proved here (issue 25 item 7): builds the amd64 and arm64 images into one
# manifest list from offline bases, runs each, and checks that the arm64 one, under qemu, gives the
# amd64 one's answers on the fixed image set (boxes within a pixel, probabilities within 1e-3).
#
#   deploy/check-arm64-image.sh X64_ADDON ARM64_ADDON     (as root; scripts/cross-build.sh makes both)
#
# Needs: podman runc mmdebstrap arch-test qemu-user-static (Debian), binfmt_misc mounted and
# qemu-aarch64 registered (`mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc;
# update-binfmts --enable qemu-aarch64`), `pnpm build` done. ONNX Runtime needs an arm64
# /proc/cpuinfo under emulation: the container gets one bind-mounted. About 10 minutes, most of
# it the 12 images analysed under qemu.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/platform-check/common.sh
source scripts/platform-check/common.sh
x64_addon=$1 arm64_addon=$2
podman=(podman --runtime runc --cgroup-manager cgroupfs)
ulimits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
tag=localhost/emotion-multiarch:check

bash deploy/make-base.sh >/dev/null
ARCH=arm64 bash deploy/make-base.sh >/dev/null
BASE_AMD64=localhost/bookworm-min BASE_ARM64=localhost/bookworm-min-arm64 \
  bash deploy/build-multiarch.sh "$tag" "$x64_addon" "$arm64_addon" --quiet >/dev/null
mkdir -p "$work/images" && cp "${images[@]}" "$work/images/"
printf 'processor\t: 0\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n\n' \
  >"$work/arm64-cpuinfo"

for arch in amd64 arm64; do
  digest=$("${podman[@]}" manifest inspect "$tag" |
    node -e "const m = JSON.parse(require('fs').readFileSync(0)); console.log(m.manifests.find((x) => x.platform.architecture === '$arch').digest)")
  image=$("${podman[@]}" images --digests --format '{{.Digest}} {{.ID}}' | awk -v d="$digest" '$1 == d { print $2; exit }')
  name=emotion-check-$arch
  "${podman[@]}" rm -f "$name" >/dev/null 2>&1 || true
  mount=()
  [ "$arch" = amd64 ] || mount=(-v "$work/arm64-cpuinfo:/proc/cpuinfo:ro")
  "${podman[@]}" run -d --name "$name" "${ulimits[@]}" "${mount[@]}" -p 127.0.0.1::8080 "$image" >/dev/null
  port=$("${podman[@]}" port "$name" 8080 | sed 's/.*://')
  for _ in $(seq 120); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 1; done
  [ "$("${podman[@]}" exec "$name" node -p process.arch)" = "${arch/amd64/x64}" ] || { echo "not $arch" >&2 && exit 1; }
  started=$SECONDS
  node scripts/platform-check/http-answers.mjs "http://127.0.0.1:$port" "$work/images" "$arch-image" >"$work/$arch-image.json"
  echo "$arch image: $((SECONDS - started)) s for ${#images[@]} images"
  "${podman[@]}" rm -f "$name" >/dev/null
done
node scripts/platform-check/compare.mjs "$work/arm64-image.json" "$work/amd64-image.json"
