#!/usr/bin/env bash
# What CI runs (`pnpm test`): the static gates (scripts/lint.sh), the build, a check that the
# committed binding typings are the build's, then every test of both tiers: Rust (cargo
# test, the slow `#[ignore]`d ones included) and TypeScript (vitest in each package).
#
# Then the deployment tests (deploy/test.sh: chart, image, rolling restart) where root, podman,
# HAProxy and Go are present; CI requires them.
#
# `pnpm test:fast` (`scripts/test.sh --fast`) is the edit-run loop: no gates, no build (run
# `pnpm build` after changing Rust), and only the fast tier: no 7,229-image detection run,
# no server processes, packing or browser (TEST_TIER=fast in each vitest.config.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

fast=false
[ "${1:-}" = "--fast" ] && fast=true

# Same profile and target triple as `napi build --release`, so cargo reuses the artifacts
# of the addon's build instead of compiling every dependency a second time.
host=$(rustc -vV | sed -n 's/^host: //p')
cargo_test=(cargo test --workspace --release --target "$host")

if $fast; then
  export TEST_TIER=fast
  # Unit and integration tests only: the examples and doc tests build in the full run (and clippy).
  echo "== ${cargo_test[*]} --lib --tests (fast tier)"
  "${cargo_test[@]}" --lib --tests
else
  echo "== gates (scripts/lint.sh)"
  bash scripts/lint.sh

  echo "== build (napi addon, TypeScript packages)"
  pnpm build
  echo "== packages/core/native/index.d.ts is what the build generates"
  git diff --exit-code -- packages/core/native/index.d.ts ||
    { echo "the binding's typings changed: commit packages/core/native/index.d.ts" >&2; exit 1; }

  echo "== ${cargo_test[*]} -- --include-ignored (both tiers)"
  "${cargo_test[@]}" -- --include-ignored
fi

echo "== TypeScript tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# One package at a time: the server's process tests need the CPUs.
status=0
pnpm -r --workspace-concurrency=1 test 2>&1 | tee "$log" || status=$?
# The web client's browser test leaves screenshots of the page as artifacts.
shopt -s nullglob
shots=(packages/web/test-artifacts/*.png)
[ ${#shots[@]} -eq 0 ] || echo "browser test screenshots: ${shots[*]}"
node scripts/vitest-summary.mjs "$log"
[ "$status" -eq 0 ] || exit "$status"

# The container image, the chart and the rolling restart (deploy/test.sh) need root, podman,
# HAProxy and Go: CI (.ci/run installs them) must run them; elsewhere they run when present.
if ! $fast; then
  if [ "$(id -u)" = 0 ] && command -v podman >/dev/null && command -v haproxy >/dev/null && command -v go >/dev/null; then
    bash deploy/test.sh
  elif [ -n "${CI:-}" ]; then
    echo "CI must run deploy/test.sh: it needs root, podman, haproxy and go" >&2
    exit 1
  else
    echo "== deploy/test.sh skipped: it needs root, podman, haproxy and go"
  fi
fi
