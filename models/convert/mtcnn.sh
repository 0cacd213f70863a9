#!/usr/bin/env bash
# Reproduce models/mtcnn_{pnet,rnet,onet}.onnx from the MTCNN weights shipped in the PyPI wheel
# facenet-pytorch==2.6.0 (facenet_pytorch/data/{pnet,rnet,onet}.pt; only the weights are used,
# none of the package's code):
#
#   bash models/convert/mtcnn.sh                          # export, then check against outputs.sha256
#   UPDATE_OUTPUT_HASHES=1 bash models/convert/mtcnn.sh   # export and rewrite the mtcnn_ lines there
#
# 1. a Python venv with the exact pins of models/train/requirements.txt (torch, onnx, onnxruntime),
# 2. pip download of the wheel (no dependencies, nothing installed), its sha256 and the three .pt checked,
# 3. models/convert/mtcnn_export.py: our own PNet/RNet/ONet modules, ONNX export (opset 17), check with
#    ONNX Runtime against PyTorch (max |diff| <= 1e-5),
# 4. the outputs copied to models/ and checked against models/convert/outputs.sha256.
# Environment: VENV (default models/train/.venv, git-ignored: the same pins as train.sh, so one venv
#   serves both; e.g. VENV=/work/wt/d-accuracy/models/train/.venv reuses an existing one),
#   PYTHON (default python3). Only the PyPI registry is contacted.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODELS="$(cd "$HERE/.." && pwd)"
VENV="${VENV:-$MODELS/train/.venv}"
PYTHON="${PYTHON:-python3}"

WHEEL="facenet_pytorch-2.6.0-py3-none-any.whl"
WHEEL_SHA256="ecb82b27beb226d106f2219efe8f829b01b87a8595badd01545679bdb9f19cca"
PT_SHA256="a2a71925e0b9996a42f63e47efc1ca19043e69558b5c523b978d611dfae49c8f  pnet.pt
bbb937de72efc9ef83b186c49f5f558467a1d7e3453a8ece0d71a886633f6a86  rnet.pt
165bfbe42940416ccfb977545cf0e976d5bf321f67083ae2aaaa5c764280118d  onet.pt"
OUTPUTS=(mtcnn_pnet.onnx mtcnn_rnet.onnx mtcnn_onet.onnx)

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# 1. Python environment with exact pins.
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check pip==25.3
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$MODELS/train/requirements.txt"

# 2. Fetch the wheel (download only), check it, take the three state dicts out of it.
"$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --no-cache-dir \
  --only-binary=:all: --dest "$WORK" facenet-pytorch==2.6.0
(cd "$WORK" && echo "$WHEEL_SHA256  $WHEEL" | sha256sum --check --strict)
mkdir -p "$WORK/pt" "$WORK/out"
"$VENV/bin/python" - "$WORK/$WHEEL" "$WORK/pt" <<'EOF'
import sys
import zipfile
from pathlib import Path

with zipfile.ZipFile(sys.argv[1]) as wheel:
    for name in ("pnet", "rnet", "onet"):
        (Path(sys.argv[2]) / f"{name}.pt").write_bytes(wheel.read(f"facenet_pytorch/data/{name}.pt"))
EOF
(cd "$WORK/pt" && echo "$PT_SHA256" | sha256sum --check --strict)

# 3. Export and check with ONNX Runtime (one thread: the parity numbers do not depend on the machine's cores).
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0 CUDA_VISIBLE_DEVICES="" \
  "$VENV/bin/python" "$HERE/mtcnn_export.py" "$WORK/pt" "$WORK/out"

# 4. Copy, then check (or record) the outputs. outputs.sha256 also lists convert.sh's files;
#    only the mtcnn_ lines are touched here.
for name in "${OUTPUTS[@]}"; do
  cp "$WORK/out/$name" "$MODELS/$name"
done
cd "$MODELS"
if [ "${UPDATE_OUTPUT_HASHES:-0}" = "1" ]; then
  { grep -v '  mtcnn_' "$HERE/outputs.sha256" || true; sha256sum "${OUTPUTS[@]}"; } > "$WORK/outputs.sha256"
  cp "$WORK/outputs.sha256" "$HERE/outputs.sha256"
  echo "rewrote the mtcnn_ lines of $HERE/outputs.sha256"
fi
grep '  mtcnn_' "$HERE/outputs.sha256" | sha256sum --check --strict
