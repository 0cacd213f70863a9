"""Parity of models/*.onnx (ONNX Runtime) against the original .tflite (LiteRT interpreter).

Usage (after convert.sh, in its venv):
  models/convert/.venv/bin/python models/convert/parity.py TFLITE_DIR [--faces DIR] [--per-class N]

TFLITE_DIR holds face_detection_short_range.tflite, face_detection_full_range.tflite
and face_landmark.tflite (convert.sh keeps them with KEEP_TFLITE=DIR).
Inputs: the first N images (sorted by file name) of each class folder of the face set,
converted to RGB, resized to the model input with PIL bilinear, NHWC float32:
detectors in [-1, 1] (x/127.5 - 1), landmark model in [0, 1] (x/255).
Prints the ONNX I/O names and shapes, the max abs difference per output over all
images, and ONNX Runtime median latency with one thread.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from ai_edge_litert.interpreter import Interpreter
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "models"
CLASSES = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]
SPECS = {
    # name: (input size, value range)
    "face_detection_short_range": (128, (-1.0, 1.0)),
    "face_detection_full_range": (192, (-1.0, 1.0)),
    "face_landmark": (192, (0.0, 1.0)),
}


def load_images(faces: Path, per_class: int) -> list[Image.Image]:
    images = []
    for c in CLASSES:
        files = sorted(p for p in (faces / c).iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
        if len(files) < per_class:
            sys.exit(f"{faces / c}: only {len(files)} images")
        images += [Image.open(p).convert("RGB") for p in files[:per_class]]
    return images


def to_tensor(img: Image.Image, size: int, lo: float, hi: float) -> np.ndarray:
    x = np.asarray(img.resize((size, size), Image.BILINEAR), dtype=np.float32)
    x = x / 255.0 * (hi - lo) + lo
    return x[None].astype(np.float32)  # [1, size, size, 3] NHWC RGB


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("tflite_dir", type=Path)
    # The team's data beside the repository (../shared), or where EMOTION_SHARED_DIR says.
    shared = Path(os.environ.get("EMOTION_SHARED_DIR") or Path(__file__).resolve().parents[3] / "shared")
    ap.add_argument("--faces", type=Path, default=shared / "datasets/faces-224")
    ap.add_argument("--per-class", type=int, default=10)
    ap.add_argument("--latency-runs", type=int, default=200)
    args = ap.parse_args()

    images = load_images(args.faces, args.per_class)
    print(f"onnxruntime {ort.__version__}; {len(images)} images ({args.per_class} per class) from {args.faces}")
    worst_overall = {}
    for name, (size, (lo, hi)) in SPECS.items():
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        sess = ort.InferenceSession(str(MODELS / f"{name}.onnx"), so, providers=["CPUExecutionProvider"])
        tfl = Interpreter(model_path=str(args.tflite_dir / f"{name}.tflite"), num_threads=1)
        tfl.allocate_tensors()
        tin = tfl.get_input_details()[0]
        touts = tfl.get_output_details()
        oin = sess.get_inputs()[0]
        oouts = sess.get_outputs()

        print(f"\n== {name}.onnx")
        print(
            f"  input  {oin.name!r} {oin.shape} {oin.type}   (tflite {tin['name']!r} {[int(d) for d in tin['shape']]})"
        )
        for o in oouts:
            print(f"  output {o.name!r} {o.shape} {o.type}")
        # Match outputs by name (tf2onnx keeps the TFLite output tensor names).
        tidx = {d["name"]: d["index"] for d in touts}
        missing = [o.name for o in oouts if o.name not in tidx]
        if missing:
            sys.exit(f"ONNX outputs {missing} not among TFLite outputs {list(tidx)}")

        max_diff = {o.name: 0.0 for o in oouts}
        max_sig = 0.0
        argmax_agree = 0
        for img in images:
            x = to_tensor(img, size, lo, hi)
            tfl.set_tensor(tin["index"], x)
            tfl.invoke()
            ref = {n: tfl.get_tensor(i) for n, i in tidx.items()}
            got = dict(zip([o.name for o in oouts], sess.run(None, {oin.name: x}), strict=True))
            for n in got:
                if got[n].shape != ref[n].shape:
                    sys.exit(f"{name}/{n}: shape {got[n].shape} vs tflite {ref[n].shape}")
                max_diff[n] = max(max_diff[n], float(np.max(np.abs(got[n] - ref[n]))))
            if name.startswith("face_detection"):
                s_ref = sigmoid(ref[oouts[1].name].ravel())
                s_got = sigmoid(got[oouts[1].name].ravel())
                max_sig = max(max_sig, float(np.max(np.abs(s_got - s_ref))))
                argmax_agree += int(np.argmax(s_ref) == np.argmax(s_got))
        for n, d in max_diff.items():
            print(f"  max |onnx - tflite| {n}: {d:.3g}")
        if name.startswith("face_detection"):
            print(f"  max |sigmoid diff| scores: {max_sig:.3g}; best anchor agrees on {argmax_agree}/{len(images)}")
        worst_overall[name] = max_diff

        x = to_tensor(images[0], size, lo, hi)
        for _ in range(20):
            sess.run(None, {oin.name: x})
        times = []
        for _ in range(args.latency_runs):
            t0 = time.perf_counter()
            sess.run(None, {oin.name: x})
            times.append((time.perf_counter() - t0) * 1000.0)
        print(
            f"  onnxruntime 1 thread: median {statistics.median(times):.2f} ms "
            f"(p10 {np.percentile(times, 10):.2f}, p90 {np.percentile(times, 90):.2f}, n={len(times)})"
        )


if __name__ == "__main__":
    main()
