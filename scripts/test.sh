#!/usr/bin/env bash
# Builds what the tests need, then runs every test suite: Rust (cargo test) and TypeScript
# (vitest in each package). Each runner's own summary lines are printed as they come; a
# combined line for the TypeScript suites closes the run.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== build (napi addon, TypeScript packages)"
pnpm build

# Same profile and target triple as `napi build --release`, so cargo reuses the artifacts
# of the addon's build instead of compiling every dependency a second time.
host=$(rustc -vV | sed -n 's/^host: //p')
echo "== cargo test --workspace --release --target $host"
cargo test --workspace --release --target "$host"

echo "== TypeScript tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# One package at a time: the concurrency test times the event loop and needs the CPUs.
status=0
pnpm -r --workspace-concurrency=1 test 2>&1 | tee "$log" || status=$?
# The web client's browser test leaves screenshots of the page as artifacts.
shopt -s nullglob
shots=(packages/web/test-artifacts/*.png)
[ ${#shots[@]} -eq 0 ] || echo "browser test screenshots: ${shots[*]}"
node scripts/vitest-summary.mjs "$log"
exit "$status"
