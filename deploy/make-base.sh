#!/usr/bin/env bash
# Makes the image's base offline, from Debian's packages (no image registry needed):
# localhost/bookworm-min, Debian 12 minbase plus tini and libstdc++ (Node.js needs it).
# Needs root and `apt-get install mmdebstrap podman runc`. Build with
# `--build-arg BASE=localhost/bookworm-min`. ARCH=arm64 makes the arm64 base
# (localhost/bookworm-min-arm64) for the arm64 image; its package scripts run under qemu, so
# register Debian's qemu-user-static with binfmt_misc first.
set -euo pipefail
arch=${ARCH:-$(dpkg --print-architecture)}
default_tag=localhost/bookworm-min
[ "$arch" = "$(dpkg --print-architecture)" ] || default_tag=localhost/bookworm-min-$arch
tag=${1:-$default_tag}
podman=(podman --runtime runc --cgroup-manager cgroupfs)
if "${podman[@]}" image exists "$tag"; then
  echo "make-base: $tag exists"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# merged-usr without the usrmerge package (which pulls in Perl), and no docs, man pages or
# translations: 77 MB instead of 171 MB.
mmdebstrap --variant=minbase --architectures="$arch" --include=tini,libstdc++6 \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  bookworm "$tmp/base.tar" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2 && exit 1; }
"${podman[@]}" import --quiet --arch "$arch" --os linux "$tmp/base.tar" "$tag" >/dev/null
echo "make-base: $tag made"
