#!/usr/bin/env bash
# Start the seed peer in the foreground: bash run.sh as_shipped|best   (HOST, PORT from env; default 127.0.0.1:5001)
# exec, so the PID the caller gets is the server's (gunicorn's master in best mode; killing it stops the workers).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
HOST="${HOST:-127.0.0.1}" PORT="${PORT:-5001}"
export HOST PORT
case "${1:-}" in
  as_shipped) SEED_MODE=as_shipped exec .venv/bin/python app.py ;;
  # Sync workers, one per core: each serves one request at a time, so its single FaceMesh is never shared.
  # --no-control-socket: gunicorn 27 otherwise opens ~/.gunicorn/gunicorn.ctl, shared by every instance.
  best) SEED_MODE=best exec .venv/bin/gunicorn -w "$(nproc)" -b "$HOST:$PORT" --no-control-socket app:app ;;
  *) echo "usage: $0 as_shipped|best" >&2; exit 2 ;;
esac
