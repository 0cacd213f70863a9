#!/usr/bin/env bash
# Gathers what the container image holds into .image/, the only part of the build context
# (.dockerignore): the server with its production dependencies only, the web client, and
# Node.js. Run after `pnpm build`; `deploy/build-image.sh` runs it for you.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=${NODE_VERSION:-20.20.2}
# ARCH=arm64 (or x64) stages another architecture's image, with ADDON naming its addon (e.g.
# cross-built by scripts/cross-build.sh); by default this machine's architecture and local build.
case "${ARCH:-$(uname -m)}" in
  x86_64 | x64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "stage-image: no Node.js or ONNX Runtime build for ${ARCH:-$(uname -m)}" >&2 && exit 1 ;;
esac
addon=${ADDON:-packages/core/native/emotion.linux-$arch-gnu.node}
for built in packages/server/dist/start.cjs packages/web/dist/index.html "$addon"; do
  [ -e "$built" ] || { echo "stage-image: $built is missing: run 'pnpm build' first" >&2 && exit 1; }
done

out=.image
rm -rf "$out"
mkdir -p "$out"
# A self-contained copy of the server: @emotion/core copied in (its dist and native addon),
# production dependencies only.
pnpm --filter @emotion/server deploy --legacy --prod --prefer-offline "$out/app" >/dev/null
# `deploy` copies the whole package folder; the image runs only the compiled server.
rm -rf "$out/app/src" "$out/app/test" "$out/app/tsconfig.json" "$out/app/vitest.config.ts"
# The addon and this architecture's ONNX Runtime library (from the pinned onnxruntime-node, a
# root dev dependency) side by side in the deployed @emotion/core's native/, where its loader
# looks first and the core finds the library next to the addon.
core=$(dirname "$(find "$out/app/node_modules" -path '*/@emotion/core/package.json' -print -quit)")
ort=$(node -p "require('path').dirname(require.resolve('onnxruntime-node/package.json'))")
mkdir -p "$core/native"
cp "$addon" "$core/native/emotion.linux-$arch-gnu.node"
cp "$ort/bin/napi-v6/linux/$arch/libonnxruntime.so.1" "$core/native/"
cp -r packages/web/dist "$out/app/web"

# Node.js: the official binary as the npm registry's per-platform package carries it (npm
# checks the tarball against the registry's integrity hash), so the image does not depend
# on whichever Node the build machine has.
tarball=$(npm pack --silent "node-linux-$arch@$NODE_VERSION" --pack-destination "$out")
tar -xzf "$out/$tarball" -C "$out" package/bin/node
mv "$out/package/bin/node" "$out/node"
rm -rf "${out:?}/package" "${out:?}/$tarball"
echo "stage-image: $(du -sh "$out" | cut -f1) in $out (node $("$out/node" --version), $arch)"
