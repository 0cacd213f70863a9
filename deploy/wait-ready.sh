#!/usr/bin/env bash
# wait-ready.sh BASE_URL [SECONDS]: waits until the server at BASE_URL is ready, 60 s at most.
# Ready is GET /health/ready answering 200; a server without that route (404) is asked
# GET /health instead, which answers 200 once the engine is loaded.
set -euo pipefail
base=$1
deadline=$((SECONDS + ${2:-60}))
path=/health/ready
while ((SECONDS < deadline)); do
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base$path" || true)
  [ "$status" = 200 ] && exit 0
  [ "$status" = 404 ] && path=/health
  sleep 0.5
done
echo "wait-ready: $base not ready after ${2:-60} s (last: $path → $status)" >&2
exit 1
