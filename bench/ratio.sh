#!/usr/bin/env bash
# The speed claim, checkable in one command of a few minutes: ours and the seed at its best over HTTP
# (POST /predict, the 640x480 PNG, concurrency 1 and 8), the floor F (the models' own runs, stage bench),
# and analyze vs Human in process, all in the same run; the ratios are the last lines printed.
#   bash bench/ratio.sh        (needs wrk: apt-get install wrk; DURATION=10 s per HTTP run, RUNS=30 in process)
# Timings on a machine shared with other jobs move: compare ratios, taken side by side, not milliseconds.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RESULTS="$REPO/bench/.results"
cd "$REPO"
mkdir -p "$RESULTS"

command -v wrk >/dev/null || { echo "bench/ratio.sh needs wrk: apt-get install wrk" >&2; exit 1; }
pnpm build >/dev/null
[ -f bench/.frames/webcam_one_face.png ] || bash bench/frames.sh
bash bench/peers/seed/setup.sh
[ -d bench/peers/human/node_modules ] || (cd bench/peers/human && npm ci --no-audit --no-fund --loglevel=error)

# The floor: each model's Session::run on the frame's own tensors (criterion medians in target/criterion).
cargo bench --quiet -p emotion-core --bench stages -- '^webcam_one_face/(detect|landmarks|classify)_floor$' \
  --warm-up-time 1 --measurement-time 3 >"$RESULTS/ratio-floor.log" 2>&1 || { cat "$RESULTS/ratio-floor.log" >&2; exit 1; }
node bench/http.mjs --only 'ours,at best' --image webcam --duration "${DURATION:-10}" --warmup 2 \
  --out "$RESULTS/ratio-http.json" >/dev/null
node bench/peers/human/bench.mjs "${RUNS:-30}" 5 > "$RESULTS/ratio-inprocess.json" 2>/dev/null
node bench/ratio.mjs
