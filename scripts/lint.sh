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

# A few of clippy's pedantic lints, beyond its default set: ones that keep the code plain at no
# cost (a unit statement ends in `;`, a cast that cannot lose is `from`, format arguments inline,
# let-else and iteration the short way, no needless clone or pass by value). Casts that may
# truncate and doc wording stay unlinted: there they would only add noise.
CLIPPY_PEDANTIC="-D clippy::semicolon_if_nothing_returned -D clippy::cast_lossless -D clippy::map_unwrap_or \
-D clippy::uninlined_format_args -D clippy::manual_let_else -D clippy::explicit_iter_loop \
-D clippy::inefficient_to_string -D clippy::implicit_clone -D clippy::needless_pass_by_value -D clippy::redundant_else"

GATES=(
  "rustfmt|cargo fmt --all --check"
  "clippy|cargo clippy --workspace --all-targets -- -D warnings $CLIPPY_PEDANTIC"
  "cargo doc (warnings as errors)|RUSTDOCFLAGS='-D warnings' cargo doc --workspace --no-deps --quiet"
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
