#!/usr/bin/env bash
# No request lost in a rolling restart: two replicas of the image behind HAProxy (Debian's),
# health-checked on /health/ready, under steady /predict load from autocannon on loopback;
# meanwhile each replica in turn gets SIGTERM, drains and exits, and a new one starts and
# becomes ready, as a Kubernetes rolling update does. Every request must get the right 200:
# no connection error, no timeout, no 5xx (a replica's 503 is retried by HAProxy, as a
# client honouring Retry-After would; those retries are counted).
# Needs root, `apt-get install podman runc haproxy curl`, the image (deploy/test-image.sh
# builds it) and the faces in ../shared (EMOTION_SHARED_DIR elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."

faces=${EMOTION_SHARED_DIR:-$(cd .. && pwd)/shared}/datasets/faces-224
image=${IMAGE:-localhost/emotion:test}
duration=${LOAD_SECONDS:-60}
connections=${LOAD_CONNECTIONS:-4}
export LB_PORT=18100 STATS_PORT=18109 PORT_A=18101 PORT_B=18102
podman=(podman --runtime runc --cgroup-manager cgroupfs)
run=(run -d --network host --cpus 1 --read-only --read-only-tmpfs=false
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -e LOG_REQUESTS=0 -e SHUTDOWN_DELAY_MS=1000)

# HAProxy binds with SO_REUSEPORT: a leftover one on these ports would silently share the load.
for port in "$LB_PORT" "$STATS_PORT" "$PORT_A" "$PORT_B"; do
  if curl -s -o /dev/null --max-time 2 "127.0.0.1:$port"; then
    echo "rolling-restart: port $port is in use" >&2 && exit 1
  fi
done
"${podman[@]}" image exists "$image" || { echo "rolling-restart: no image $image: run deploy/test-image.sh" >&2 && exit 1; }
tmp=$(mktemp -d)
haproxy_pid=
cleanup() {
  [ -z "$haproxy_pid" ] || kill "$haproxy_pid" 2>/dev/null || true
  "${podman[@]}" rm -f emotion-rr-a emotion-rr-b >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "rolling-restart: FAIL: $*" >&2
  exit 1
}

start_replica() { # name port
  "${podman[@]}" "${run[@]}" --name "$1" -e PORT="$2" "$image" >/dev/null
  bash deploy/wait-ready.sh "http://127.0.0.1:$2" 120 || fail "$1 not ready"
}
restart_replica() { # name port
  local began=$SECONDS code
  # podman stop: SIGTERM to tini, which forwards it; SIGKILL only after 30 s.
  "${podman[@]}" stop --time 30 "$1" >/dev/null
  code=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$1")
  [ "$code" = 0 ] || fail "$1 exited with $code after SIGTERM"
  "${podman[@]}" rm "$1" >/dev/null
  start_replica "$1" "$2"
  lb_sees_up "${1#emotion-rr-}"
  echo "rolling-restart: $1 drained (exit 0), replaced and ready again in $((SECONDS - began)) s"
}
# A replica answering ready is not yet back in rotation: the load balancer must have checked
# it. Stopping the next one before that leaves no server up, and HAProxy answers 503 itself
# (a Kubernetes rolling update likewise waits for the new pod's readiness before the next).
lb_sees_up() { # HAProxy's server name
  local deadline=$((SECONDS + 20))
  while ((SECONDS < deadline)); do
    # HAProxy's CSV: status is column 18.
    [ "$(curl -s "127.0.0.1:$STATS_PORT/stats;csv" | awk -F, -v s="$1" '$1=="replicas" && $2==s {print $18}')" = UP ] && return 0
    sleep 0.1
  done
  fail "HAProxy does not see replica $1 up 20 s after it answered ready"
}

start_replica emotion-rr-a "$PORT_A"
start_replica emotion-rr-b "$PORT_B"
# Until every server has /health/ready, HAProxy checks /health (wait-ready.sh does the same).
HEALTH_PATH=/health/ready
[ "$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$PORT_A/health/ready")" = 404 ] && HEALTH_PATH=/health
export HEALTH_PATH
haproxy -f deploy/haproxy.cfg -db >"$tmp/haproxy.log" 2>&1 &
haproxy_pid=$!

printf '{"image":"data:image/jpeg;base64,%s"}' "$(base64 -w0 "$faces/happy/img_161012313.jpg")" >"$tmp/body.json"
expected='{"emotion":"HAPPY"}'$'\n'
for _ in $(seq 40); do
  answer=$(curl -s -H 'Content-Type: application/json' --data-binary @"$tmp/body.json" "127.0.0.1:$LB_PORT/predict" || true)
  [ "$answer" = "${expected%$'\n'}" ] && break # $(…) drops the newline
  sleep 0.5
done
[ "$answer" = "${expected%$'\n'}" ] || fail "the load balancer does not answer: '$answer'"

echo "rolling-restart: $duration s of /predict load, $connections connections, health check $HEALTH_PATH"
node_modules/.bin/autocannon --json --connections "$connections" --duration "$duration" --timeout 30 \
  --method POST --headers 'Content-Type=application/json' --input "$tmp/body.json" --expectBody "$expected" \
  "http://127.0.0.1:$LB_PORT/predict" >"$tmp/load.json" 2>"$tmp/load.log" &
load=$!
began=$SECONDS
sleep 5
restart_replica emotion-rr-a "$PORT_A"
restart_replica emotion-rr-b "$PORT_B"
restarted=$((SECONDS - began))
wait "$load" || fail "autocannon failed: $(cat "$tmp/load.log")"
((restarted < duration)) || fail "the restarts took $restarted s, longer than the load ($duration s): raise LOAD_SECONDS"

stats=$(curl -s "127.0.0.1:$STATS_PORT/stats;csv")
# HAProxy's CSV: wretr (col 16) and wredis (col 17) on the backend, hrsp_5xx (col 44) on the frontend.
retries=$(awk -F, '$1=="replicas" && $2=="BACKEND" {print $16 "+" $17}' <<<"$stats")
lb5xx=$(awk -F, '$1=="api" && $2=="FRONTEND" {print $44}' <<<"$stats")
# Each replica's share (2xx, connection errors, response errors, retries): both must have served.
awk -F, '$1=="replicas" && $2!="BACKEND" {printf "rolling-restart: replica %s: %s × 2xx, %s connection errors, %s response errors, %s retries\n", $2, $41, $14, $15, $16}' <<<"$stats"
# shellcheck disable=SC2016 # JavaScript's template literals, not shell expansions
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const bad = r.errors + r.timeouts + r.non2xx + r.mismatches;
  console.log(`rolling-restart: ${r.requests.total} requests, ${r["2xx"]} × 200 with the expected body, ` +
    `${r.non2xx} other statuses, ${r.errors} errors, ${r.timeouts} timeouts, ${r.mismatches} wrong bodies; ` +
    `latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms; ` +
    `HAProxy: ${process.argv[2]} retries+redispatches, ${process.argv[3]} 5xx sent to clients`);
  process.exit(bad === 0 && r["2xx"] > 0 && process.argv[3] === "0" ? 0 : 1);
' "$tmp/load.json" "$retries" "$lb5xx" || {
  # HAProxy logs each server going up or down: when requests were lost, the timeline says why.
  grep -E 'is (UP|DOWN)|no server available' "$tmp/haproxy.log" >&2 || true
  fail "requests were lost"
}
echo "rolling-restart: passed, both replicas replaced in $restarted s under load"
