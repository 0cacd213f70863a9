#!/usr/bin/env bash
# Every static gate CI runs (scripts/test.sh runs this first): formatting, lints and type
# checks of the whole tree. All gates run, then the failed ones are listed. To add a gate,
# add one line to GATES: "name|command".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

# ruff is pinned and comes from PyPI into the gitignored .venv, made here when missing;
# RUFF=path uses another.
RUFF_VERSION=0.14.5
ruff=${RUFF:-.venv/bin/ruff}
if [ -z "${RUFF:-}" ] && [ "$("$ruff" --version 2>/dev/null)" != "ruff $RUFF_VERSION" ]; then
  echo "== installing ruff $RUFF_VERSION into .venv"
  python3 -m venv .venv && .venv/bin/pip install -q "ruff==$RUFF_VERSION"
fi

GATES=(
  "rustfmt|cargo fmt --all --check"
  "clippy|cargo clippy --workspace --all-targets -- -D warnings"
  "biome (TS/JS/JSON/CSS format and lint)|pnpm exec biome check --error-on-warnings ."
  "ruff lint|$ruff check ."
  "ruff format|$ruff format --check ."
  "tsc --noEmit (every package, tests included)|pnpm -r --workspace-concurrency=1 typecheck"
  "shellcheck (every shell script)|git ls-files -z '*.sh' .ci/run | xargs -0 shellcheck"
)

failed=()
for gate in "${GATES[@]}"; do
  name=${gate%%|*}
  echo "== $name"
  bash -c "${gate#*|}" || failed+=("$name")
done
if [ ${#failed[@]} -gt 0 ]; then
  printf 'gate failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "every gate passed"
