#!/usr/bin/env bash
# Builds the container image from `pnpm build`'s output: stage-image.sh, then the
# Containerfile. IMAGE names it (default emotion:latest); CONTAINER_ENGINE is the build
# command's prefix (default: docker, else podman); further arguments go to `build`, e.g.
# `--build-arg BASE=localhost/bookworm-min` for the offline base of deploy/make-base.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

read -ra engine <<<"${CONTAINER_ENGINE:-$(command -v docker || command -v podman || echo docker)}"
bash deploy/stage-image.sh
"${engine[@]}" build --file Containerfile --tag "${IMAGE:-emotion:latest}" "$@" .
