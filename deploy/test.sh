#!/usr/bin/env bash
# Every deployment test, for CI: the chart's offline validation, the image test, then the
# rolling restart on that image. Needs root, Go, `apt-get install podman runc mmdebstrap
# haproxy curl`, `pnpm build` done and the faces in ../shared (EMOTION_SHARED_DIR elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
for step in validate-chart test-image rolling-restart; do
  echo "== deploy/$step.sh"
  bash "deploy/$step.sh"
done
echo "deploy tests passed in $((SECONDS - started)) s"
