#!/usr/bin/env python3
"""Face-found rates of MediaPipe on every image of faces-224.

    python detection_rate.py [--root ../shared/datasets/faces-224] \
        [--tsv faces224_found.tsv] [--summary faces224_found_summary.json]

Per image it runs
  * FaceMesh(static_image_mode=True, max_num_faces=1, min_detection_confidence=0.5)  -- the seed service's setup
    (refine_landmarks left at its default False);
  * FaceDetection(model_selection=0, min_detection_confidence=0.5)                   -- short-range detector
and writes a TSV (path, facemesh_found 0/1, facedetection_count, facedetection_max_score) plus a JSON summary
with per-class and overall rates. Images decoded as in landmarks.py (cv2 IMREAD_COLOR, BGR->RGB).
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from landmarks import DATASETS, FACES224, header, quiet_glog, read_rgb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_MESH_CONFIG = dict(static_image_mode=True, max_num_faces=1, min_detection_confidence=0.5)
DETECTION_CONFIG = dict(model_selection=0, min_detection_confidence=0.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=FACES224)
    ap.add_argument("--tsv", default=os.path.join(HERE, "faces224_found.tsv"))
    ap.add_argument("--summary", default=os.path.join(HERE, "faces224_found_summary.json"))
    args = ap.parse_args()

    quiet_glog()
    import mediapipe as mp

    mesh = mp.solutions.face_mesh.FaceMesh(**SEED_MESH_CONFIG)
    det = mp.solutions.face_detection.FaceDetection(**DETECTION_CONFIG)

    classes = sorted(d for d in os.listdir(args.root) if os.path.isdir(os.path.join(args.root, d)))
    rows = []
    per = {}
    t_mesh = t_det = 0.0
    t_start = time.time()
    for cls in classes:
        s = per.setdefault(
            cls,
            {
                "images": 0,
                "facemesh_found": 0,
                "facedetection_found": 0,
                "facedetection_multi": 0,
                "both": 0,
                "neither": 0,
            },
        )
        for f in sorted(os.listdir(os.path.join(args.root, cls))):
            path = os.path.join(args.root, cls, f)
            rgb = read_rgb(path)
            t0 = time.perf_counter()
            m = mesh.process(rgb)
            t1 = time.perf_counter()
            d = det.process(rgb)
            t2 = time.perf_counter()
            t_mesh += t1 - t0
            t_det += t2 - t1
            found = 1 if m.multi_face_landmarks else 0
            dets = d.detections or []
            n = len(dets)
            best = max((x.score[0] for x in dets), default=0.0)
            rel = os.path.relpath(path, DATASETS)
            rows.append((rel, found, n, best))
            s["images"] += 1
            s["facemesh_found"] += found
            s["facedetection_found"] += 1 if n else 0
            s["facedetection_multi"] += 1 if n > 1 else 0
            s["both"] += 1 if (found and n) else 0
            s["neither"] += 1 if (not found and not n) else 0
        print(f"{cls}: {s}", file=sys.stderr)
    mesh.close()
    det.close()

    total = {k: sum(p[k] for p in per.values()) for k in next(iter(per.values()))}

    def rates(s):
        s = dict(s)
        s["facemesh_rate"] = round(s["facemesh_found"] / s["images"], 4)
        s["facedetection_rate"] = round(s["facedetection_found"] / s["images"], 4)
        return s

    mesh_args = ", ".join(f"{k}={v}" for k, v in SEED_MESH_CONFIG.items())
    detection_args = ", ".join(f"{k}={v}" for k, v in DETECTION_CONFIG.items())
    summary = {
        "header": header(
            {
                "face_mesh": f"mp.solutions.face_mesh.FaceMesh({mesh_args})",
                "face_detection": f"mp.solutions.face_detection.FaceDetection({detection_args})",
                "decoder": "cv2.imdecode(IMREAD_COLOR) + cvtColor(BGR2RGB)",
                "mean_ms_face_mesh": round(1000 * t_mesh / len(rows), 2),
                "mean_ms_face_detection": round(1000 * t_det / len(rows), 2),
                "wall_s": round(time.time() - t_start, 1),
            }
        ),
        "per_class": {c: rates(s) for c, s in per.items()},
        "overall": rates(total),
    }
    with open(args.tsv, "w") as fp:
        fp.write(
            f"# MediaPipe {summary['header']['mediapipe_version']} on faces-224; "
            f"facemesh = FaceMesh({mesh_args}); facedetection = FaceDetection({detection_args})\n"
        )
        for c, s in summary["per_class"].items():
            fp.write(
                f"# {c}: {s['images']} images, facemesh {s['facemesh_found']} ({s['facemesh_rate']:.2%}), "
                f"facedetection {s['facedetection_found']} ({s['facedetection_rate']:.2%})\n"
            )
        o = summary["overall"]
        fp.write(
            f"# overall: {o['images']} images, facemesh {o['facemesh_found']} ({o['facemesh_rate']:.2%}), "
            f"facedetection {o['facedetection_found']} ({o['facedetection_rate']:.2%})\n"
        )
        fp.write("path\tfacemesh_found\tfacedetection_count\tfacedetection_max_score\n")
        for rel, found, n, best in rows:
            fp.write(f"{rel}\t{found}\t{n}\t{best:.4f}\n")
    with open(args.summary, "w") as fp:
        json.dump(summary, fp, indent=2)
        fp.write("\n")
    print(json.dumps(summary["overall"]), file=sys.stderr)


if __name__ == "__main__":
    main()
