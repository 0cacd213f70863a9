#!/usr/bin/env python3
"""Golden MediaPipe outputs for images: face detection boxes/keypoints and 468-point face meshes.

Runs the legacy `mp.solutions` API of the pinned `mediapipe` wheel (see requirements.txt) on every image given
and writes one JSON file. This is the *reference* (MediaPipe itself), not our code; CI only reads the JSON.

    python landmarks.py -o OUT.json [--rel-root DIR] [--path-prefix P] PATH_OR_DIR...
    python landmarks.py -o OUT.json --sample-faces224 5 --seed 20261124

Per image:
  path          relative to --rel-root (default ../shared/datasets beside the repository), with --path-prefix prepended
  sha256        of the file bytes; rgb_sha256 of the decoded H x W x 3 uint8 RGB pixels fed to MediaPipe
  width/height  pixels
  detections    FaceDetection(model_selection=0, min_detection_confidence=0.5), in MediaPipe's output order:
                score, bbox [xmin, ymin, width, height] in pixels (relative * image width/height),
                bbox_rel (MediaPipe's relative box, unrounded-ish: 7 decimals), keypoints: 6 x [x, y] in pixels
                (0 right eye, 1 left eye, 2 nose tip, 3 mouth centre, 4 right ear tragion, 5 left ear tragion;
                "right/left" of the subject)
  meshes        FaceMesh(static_image_mode=True, max_num_faces=5, refine_landmarks=False,
                min_detection_confidence=0.5), in MediaPipe's output order: 468 x [x*W, y*H, z*W], 3 decimals

Images are decoded as the seed service did: cv2.imdecode(IMREAD_COLOR) then BGR->RGB (grey PNGs become three equal
channels; IMREAD_COLOR would also apply an EXIF orientation, none of faces-224 has one). With --decoder pil,
PIL's Image.convert("RGB") is used instead (identical pixels on faces-224).
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import sys
import time

import cv2
import numpy as np

# The team's data beside the repository (../shared), or where EMOTION_SHARED_DIR says.
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("EMOTION_SHARED_DIR") or os.path.join(HERE, "..", "..", "..", "shared")
DATASETS = os.path.normpath(os.path.join(SHARED, "datasets"))
FACES224 = os.path.join(DATASETS, "faces-224")
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp", ".webp")

DETECTION_CONFIG = dict(model_selection=0, min_detection_confidence=0.5)
MESH_CONFIG = dict(static_image_mode=True, max_num_faces=5, refine_landmarks=False, min_detection_confidence=0.5)


def quiet_glog():
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def read_rgb(path, decoder="cv2"):
    """H x W x 3 uint8 RGB, contiguous."""
    if decoder == "pil":
        from PIL import Image

        with Image.open(path) as im:
            return np.ascontiguousarray(np.asarray(im.convert("RGB")))
    data = np.fromfile(path, dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError(f"cannot decode {path}")
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def list_images(args_paths):
    out = []
    for p in args_paths:
        if os.path.isdir(p):
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames.sort()
                for f in sorted(filenames):
                    if f.lower().endswith(IMAGE_EXT):
                        out.append(os.path.join(dirpath, f))
        else:
            out.append(p)
    return out


def sample_faces224(per_class, seed):
    """Deterministic pick: per class, sorted file names split into JPEG and PNG groups; seeded random.sample
    takes ceil(per_class/2) from the larger group and the rest from the other (all from one if the other is empty)."""
    rng = random.Random(seed)
    picked = []
    for cls in sorted(d for d in os.listdir(FACES224) if os.path.isdir(os.path.join(FACES224, d))):
        files = sorted(os.listdir(os.path.join(FACES224, cls)))
        jpg = [f for f in files if f.lower().endswith((".jpg", ".jpeg"))]
        png = [f for f in files if f.lower().endswith(".png")]
        big, small = (jpg, png) if len(jpg) >= len(png) else (png, jpg)
        n_small = min(len(small), per_class // 2)
        n_big = per_class - n_small
        chosen = rng.sample(big, n_big) + rng.sample(small, n_small)
        picked += [os.path.join(FACES224, cls, f) for f in sorted(chosen)]
    return picked


def r(v, nd=3):
    return round(float(v), nd)


def detections_to_json(result, w, h):
    out = []
    for d in result.detections or []:
        loc = d.location_data
        bb = loc.relative_bounding_box
        out.append(
            {
                "score": r(d.score[0], 6),
                "bbox": [r(bb.xmin * w), r(bb.ymin * h), r(bb.width * w), r(bb.height * h)],
                "bbox_rel": [r(bb.xmin, 7), r(bb.ymin, 7), r(bb.width, 7), r(bb.height, 7)],
                "keypoints": [[r(k.x * w), r(k.y * h)] for k in loc.relative_keypoints],
            }
        )
    return out


def meshes_to_json(result, w, h):
    out = []
    for face in result.multi_face_landmarks or []:
        out.append({"landmarks": [[r(p.x * w), r(p.y * h), r(p.z * w)] for p in face.landmark]})
    return out


def header(extra=None):
    import mediapipe as mp

    h = {
        "generator": "models/reference/" + os.path.basename(sys.argv[0]),
        "mediapipe_version": mp.__version__,
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "opencv_version": cv2.__version__,
        "platform": platform.platform(),
        "command": "python "
        + " ".join([os.path.join("models/reference", os.path.basename(sys.argv[0]))] + sys.argv[1:]),
        "date": datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
    }
    if extra:
        h.update(extra)
    return h


def dump(obj, fp, indent=0):
    """JSON with number lists kept on one line (a landmark list is one line per face)."""
    pad = "  " * indent
    if isinstance(obj, dict):
        if not obj:
            fp.write("{}")
            return
        fp.write("{\n")
        items = list(obj.items())
        for i, (k, v) in enumerate(items):
            fp.write(pad + "  " + json.dumps(k) + ": ")
            dump(v, fp, indent + 1)
            fp.write(",\n" if i + 1 < len(items) else "\n")
        fp.write(pad + "}")
    elif isinstance(obj, list):
        if all(
            not isinstance(x, (dict, list)) or (isinstance(x, list) and all(not isinstance(y, (dict, list)) for y in x))
            for x in obj
        ):
            fp.write(json.dumps(obj, separators=(",", ":")))
            return
        if not obj:
            fp.write("[]")
            return
        fp.write("[\n")
        for i, v in enumerate(obj):
            fp.write(pad + "  ")
            dump(v, fp, indent + 1)
            fp.write(",\n" if i + 1 < len(obj) else "\n")
        fp.write(pad + "]")
    else:
        fp.write(json.dumps(obj))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", help="image files or directories (walked recursively, sorted)")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--rel-root", default=DATASETS, help="paths are written relative to this (default %(default)s)")
    ap.add_argument("--path-prefix", default="", help="prepended to each relative path, e.g. 'scenes/'")
    ap.add_argument(
        "--sample-faces224", type=int, metavar="N", help="add N images per faces-224 class (see sample_faces224)"
    )
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--decoder", choices=["cv2", "pil"], default="cv2")
    args = ap.parse_args()

    quiet_glog()
    import mediapipe as mp

    files = list_images(args.paths)
    if args.sample_faces224:
        files += sample_faces224(args.sample_faces224, args.seed)
    if not files:
        ap.error("no images")

    det = mp.solutions.face_detection.FaceDetection(**DETECTION_CONFIG)
    mesh = mp.solutions.face_mesh.FaceMesh(**MESH_CONFIG)

    images = []
    t_det = t_mesh = 0.0
    for path in files:
        raw = open(path, "rb").read()
        rgb = read_rgb(path, args.decoder)
        h, w = rgb.shape[:2]
        t0 = time.perf_counter()
        dres = det.process(rgb)
        t1 = time.perf_counter()
        mres = mesh.process(rgb)
        t2 = time.perf_counter()
        t_det += t1 - t0
        t_mesh += t2 - t1
        rel = os.path.relpath(os.path.abspath(path), args.rel_root)
        if rel.startswith(".."):
            rel = os.path.basename(path)
        rec = {
            "path": args.path_prefix + rel.replace(os.sep, "/"),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "rgb_sha256": hashlib.sha256(rgb.tobytes()).hexdigest(),
            "width": w,
            "height": h,
            "detections": detections_to_json(dres, w, h),
            "meshes": meshes_to_json(mres, w, h),
        }
        images.append(rec)
        print(f"{rec['path']}: {len(rec['detections'])} detection(s), {len(rec['meshes'])} mesh(es)", file=sys.stderr)
    det.close()
    mesh.close()

    out = {
        "header": header(
            {
                "decoder": "cv2.imdecode(IMREAD_COLOR) + cvtColor(BGR2RGB)"
                if args.decoder == "cv2"
                else "PIL convert('RGB')",
                "face_detection": "mp.solutions.face_detection.FaceDetection("
                + ", ".join(f"{k}={v}" for k, v in DETECTION_CONFIG.items())
                + ")",
                "face_mesh": "mp.solutions.face_mesh.FaceMesh("
                + ", ".join(f"{k}={v}" for k, v in MESH_CONFIG.items())
                + ")",
                "units": "pixels; bbox=[xmin,ymin,width,height]; keypoints=[x,y]; "
                "landmarks=[x*W,y*H,z*W] rounded to 3 decimals",
                "sample_faces224": {"per_class": args.sample_faces224, "seed": args.seed}
                if args.sample_faces224
                else None,
                "mean_ms_face_detection": round(1000 * t_det / len(files), 2),
                "mean_ms_face_mesh": round(1000 * t_mesh / len(files), 2),
                "image_count": len(files),
            }
        ),
        "images": images,
    }
    with open(args.output, "w") as fp:
        dump(out, fp)
        fp.write("\n")
    print(f"wrote {args.output}: {len(images)} images", file=sys.stderr)


if __name__ == "__main__":
    main()
