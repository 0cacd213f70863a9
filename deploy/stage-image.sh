#!/usr/bin/env bash
# Gathers what the container image holds into .image/, the only part of the build context
# (.dockerignore): the server with its production dependencies only, the web client, and
# Node.js. Run after `pnpm build`; `deploy/build-image.sh` runs it for you.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=${NODE_VERSION:-20.20.2}
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "stage-image: no Node.js or ONNX Runtime build for $(uname -m)" >&2 && exit 1 ;;
esac
for built in packages/server/dist/start.cjs packages/web/dist/index.html packages/core/native; do
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
# onnxruntime-node ships ONNX Runtime for five platforms (~290 MB); we load only this
# platform's libonnxruntime (never its Node binding).
ort=$(echo "$out"/app/node_modules/.pnpm/onnxruntime-node@*/node_modules/onnxruntime-node/bin/napi-v6)
find "$ort" -mindepth 2 -maxdepth 2 ! -path "$ort/linux/$arch" -exec rm -rf {} +
find "$ort" -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} +
rm -f "$ort/linux/$arch/onnxruntime_binding.node"
cp -r packages/web/dist "$out/app/web"

# Node.js: the official binary as the npm registry's per-platform package carries it (npm
# checks the tarball against the registry's integrity hash), so the image does not depend
# on whichever Node the build machine has.
tarball=$(npm pack --silent "node-linux-$arch@$NODE_VERSION" --pack-destination "$out")
tar -xzf "$out/$tarball" -C "$out" package/bin/node
mv "$out/package/bin/node" "$out/node"
rm -rf "${out:?}/package" "${out:?}/$tarball"
echo "stage-image: $(du -sh "$out" | cut -f1) in $out (node $("$out/node" --version), $arch)"
