#!/usr/bin/env bash
# Reproduce models/*.onnx from the MediaPipe .tflite files published on npm.
#
#   bash models/convert/convert.sh            # convert, then check outputs against outputs.sha256
#   UPDATE_OUTPUT_HASHES=1 bash models/convert/convert.sh   # convert and rewrite its lines of outputs.sha256
#
# Needs: python3 (3.11 used), npm (only the registry is contacted), sha256sum.
# Environment: VENV (default models/convert/.venv, git-ignored), PYTHON (default python3),
#              KEEP_TFLITE=DIR to keep the checked .tflite inputs (parity.py reads them).
# Parity:  models/convert/.venv/bin/python models/convert/parity.py DIR
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODELS="$(cd "$HERE/.." && pwd)"
VENV="${VENV:-$HERE/.venv}"
PYTHON="${PYTHON:-python3}"
OPSET=13

FACE_DETECTION_PKG="@mediapipe/face_detection@0.4.1657300184"
FACE_MESH_PKG="@mediapipe/face_mesh@0.4.1657299874"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# 1. Python environment with exact pins.
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check pip==25.3
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"

# 2. Fetch the npm tarballs (no install scripts run: npm pack only downloads).
(cd "$WORK" && npm pack --silent "$FACE_DETECTION_PKG" "$FACE_MESH_PKG" >/dev/null)
mkdir -p "$WORK/face_detection" "$WORK/face_mesh"
tar -xzf "$WORK"/mediapipe-face_detection-0.4.1657300184.tgz -C "$WORK/face_detection"
tar -xzf "$WORK"/mediapipe-face_mesh-0.4.1657299874.tgz -C "$WORK/face_mesh"

# 3. Extract the .tflite files.
cp "$WORK/face_detection/package/face_detection_short_range.tflite" "$WORK/"
cp "$WORK/face_detection/package/face_detection_full_range.tflite" "$WORK/"
"$VENV/bin/python" "$HERE/extract_tflite.py" \
  "$WORK/face_mesh/package/face_mesh_solution_packed_assets_loader.js" \
  "$WORK/face_mesh/package/face_mesh_solution_packed_assets.data" \
  face_landmark.tflite "$WORK/face_landmark.tflite"

# 4. Check the tarballs and the models against the recorded sha256.
(cd "$WORK" && sha256sum --check --strict "$HERE/inputs.sha256")
if [ -n "${KEEP_TFLITE:-}" ]; then   # for parity.py
  mkdir -p "$KEEP_TFLITE"
  cp "$WORK"/face_detection_short_range.tflite "$WORK"/face_detection_full_range.tflite \
     "$WORK"/face_landmark.tflite "$KEEP_TFLITE/"
fi

# 5. Convert. Run inside $WORK with a bare file name: tf2onnx writes the --tflite argument
#    into the graph's doc_string. tf2onnx's node order and generated names vary from run
#    to run (it iterates sets of objects); canonicalize_onnx.py sorts and renames the graph
#    by structure only (ops, attributes, weights and graph I/O names unchanged), so the
#    same pins + inputs give byte-identical outputs (checked below).
export TF_CPP_MIN_LOG_LEVEL=2 CUDA_VISIBLE_DEVICES="" PYTHONHASHSEED=0
for name in face_detection_short_range face_detection_full_range face_landmark; do
  (cd "$WORK" && "$VENV/bin/python" -m tf2onnx.convert \
    --tflite "$name.tflite" \
    --output "$name.onnx" \
    --opset "$OPSET")
  "$VENV/bin/python" "$HERE/canonicalize_onnx.py" "$WORK/$name.onnx"
  cp "$WORK/$name.onnx" "$MODELS/$name.onnx"
done

# 6. Check (or record) the outputs.
cd "$MODELS"
if [ "${UPDATE_OUTPUT_HASHES:-0}" = "1" ]; then
  # The file also lists mtcnn.sh's outputs: keep those lines.
  { sha256sum face_detection_short_range.onnx face_detection_full_range.onnx face_landmark.onnx
    grep '  mtcnn_' "$HERE/outputs.sha256" || true; } > "$WORK/outputs.sha256"
  cp "$WORK/outputs.sha256" "$HERE/outputs.sha256"
  echo "rewrote the MediaPipe lines of $HERE/outputs.sha256"
fi
sha256sum --check --strict "$HERE/outputs.sha256"
