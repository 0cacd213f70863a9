#!/usr/bin/env bash
# The peer comparison in one command: us vs the seed (as shipped, at its best) over HTTP,
# us vs @vladmandic/human in process, and the accuracy of all three on the same 200 images.
# Needs Debian's wrk (apt-get install wrk) as the HTTP load generator.
# JSON in bench/.results/, the tables in bench/.results/summary.md (copied into RESULTS.md).
#
#   bash bench/run.sh            (about 10 minutes on 2 cores; DURATION=20 s per HTTP run)
#
# The stage breakdown and the soak are separate, slower commands:
#   cargo bench -p emotion-core --bench stages && node bench/stages-node.mjs
#   node bench/soak.mjs
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RESULTS="$REPO/bench/.results"
cd "$REPO"
mkdir -p "$RESULTS"

command -v wrk >/dev/null || { echo "bench/run.sh needs wrk: apt-get install wrk" >&2; exit 1; }
pnpm build
bash bench/frames.sh
bash bench/peers/seed/setup.sh
(cd bench/peers/human && npm ci --no-audit --no-fund --loglevel=error)

node bench/http.mjs --duration "${DURATION:-20}" --out "$RESULTS/http.json"
node bench/peers/human/bench.mjs 100 10 > "$RESULTS/inprocess.json"
node bench/peers/human/accuracy.mjs > "$RESULTS/accuracy.json"
bench/peers/seed/.venv/bin/python bench/peers/seed/accuracy.py > "$RESULTS/accuracy-seed.json"
node bench/report.mjs | tee "$RESULTS/summary.md"
