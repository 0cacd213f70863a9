#!/usr/bin/env bash
# The image test: build the image on an offline base, run it limited to 1 CPU on a read-only
# root file system, wait until ready, check /predict's exact answers on two real faces,
# check the processes are not root and nothing can be written, then SIGTERM → exit 0.
# Needs root, `apt-get install podman runc mmdebstrap curl`, `pnpm build` done, and the
# faces in ../shared (EMOTION_SHARED_DIR elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

faces=${EMOTION_SHARED_DIR:-$(cd .. && pwd)/shared}/datasets/faces-224
image=${IMAGE:-localhost/emotion:test}
port=${TEST_PORT:-18080}
name=emotion-image-test-$$
# This machine's podman: crun fails on hybrid cgroups, and its default ulimits are refused.
podman=(podman --runtime runc --cgroup-manager cgroupfs)
ulimits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

fail() {
  echo "test-image: FAIL: $*" >&2
  "${podman[@]}" logs "$name" >&2 || true
  exit 1
}

bash deploy/make-base.sh
tmp=$(mktemp -d)
trap '"${podman[@]}" rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
# The OCI format drops HEALTHCHECK with a warning per step: kept out of the way unless it fails.
CONTAINER_ENGINE="${podman[*]}" IMAGE=$image bash deploy/build-image.sh --quiet "${ulimits[@]}" \
  --build-arg BASE=localhost/bookworm-min >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2 && exit 1; }
size=$("${podman[@]}" image inspect --format '{{.Size}}' "$image")
echo "test-image: built $image, $((size / 1000000)) MB"

# --read-only-tmpfs=false: no writable /tmp either, so the server must write nothing at all.
"${podman[@]}" run -d --name "$name" "${ulimits[@]}" --cpus 1 --read-only --read-only-tmpfs=false \
  -p "127.0.0.1:$port:8080" "$image" >/dev/null
bash deploy/wait-ready.sh "http://127.0.0.1:$port" 120 || fail "not ready"
grep -q 'inference threads: 1\b' <<<"$("${podman[@]}" logs "$name" 2>&1)" || fail "1 CPU did not give 1 inference thread"

# The faces packages/server/test/fixtures.ts uses, with the answers the server tests expect.
for face in happy/img_161012313.jpg:HAPPY sad/img_161025507.jpg:SAD; do
  # Flask's framing, byte for byte: compact JSON and a newline.
  file=${face%%:*} expected="{\"emotion\":\"${face##*:}\"}"$'\n'
  printf '{"image":"data:image/jpeg;base64,%s"}' "$(base64 -w0 "$faces/$file")" >"$tmp/body.json"
  answer=$(curl -s --max-time 30 -H 'Content-Type: application/json' --data-binary @"$tmp/body.json" \
    -w ' %{http_code}' "http://127.0.0.1:$port/predict")
  [ "$answer" = "$expected 200" ] || fail "/predict $file answered '$answer', expected '$expected 200'"
done
echo "test-image: /predict answers HAPPY and SAD on the two faces"

uids=$("${podman[@]}" exec "$name" sh -c 'grep -h "^Uid:" /proc/[0-9]*/status' | awk '{print $2}' | sort -u)
if [ -z "$uids" ] || grep -qx 0 <<<"$uids"; then fail "a process runs as root (uids: $uids)"; fi
for dir in / /app /tmp /home; do
  if "${podman[@]}" exec "$name" sh -c "echo x > $dir/.write-test" 2>/dev/null; then fail "$dir is writable"; fi
done
# What the image must not hold: a compiler or package manager of ours, sources, tests, dev dependencies.
leftovers=$("${podman[@]}" exec "$name" sh -c 'command -v cc gcc rustc cargo npm pnpm;
  ls -d /app/src /app/test /app/node_modules/.pnpm/vitest@* /app/node_modules/.pnpm/typescript@* 2>/dev/null' || true)
[ -z "$leftovers" ] || fail "the image holds what it should not: $leftovers"
echo "test-image: every process runs as uid $(echo "$uids" | tr '\n' ' ')and the root file system is read-only"

"${podman[@]}" kill --signal TERM "$name" >/dev/null
code=$(timeout 30 "${podman[@]}" wait "$name") || fail "no exit within 30 s of SIGTERM"
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
grep -q SIGTERM <<<"$("${podman[@]}" logs "$name" 2>&1)" || fail "the server did not see SIGTERM"
echo "test-image: SIGTERM → clean exit (0); passed in $((SECONDS - started)) s"
