"""Accuracy of the seed peer on bench/.frames/sample200.tsv (100 happy + 100 sad test-split images), through
the service's own /predict route (Flask test client, in-process), so the numbers are the service's.
Runs in `best` mode (one reused FaceMesh) for speed, after checking on CHECK images spread over the sample that
as_shipped (a new FaceMesh per call) gives identical features and answers. Prints JSON on stdout.
Usage: .venv/bin/python accuracy.py [DATASET]   (DATASET: default
../shared/datasets/faces-224 beside the repository, or under $EMOTION_SHARED_DIR)
"""

import base64
import json
import os
import sys
import time

os.environ["SEED_MODE"] = "best"
import cv2  # noqa: E402
import numpy as np  # noqa: E402

import app as service  # noqa: E402
import utils  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "..", ".frames", "sample200.tsv")
SHARED = os.environ.get("EMOTION_SHARED_DIR") or os.path.join(HERE, "..", "..", "..", "..", "shared")
DATASET = sys.argv[1] if len(sys.argv) > 1 else os.path.join(SHARED, "datasets", "faces-224")
CHECK = 20
MIME = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def data_url(path):
    with open(path, "rb") as f:
        raw = f.read()
    return f"data:{MIME[os.path.splitext(path)[1].lower()]};base64," + base64.b64encode(raw).decode()


def main():
    with open(SAMPLE) as f:
        rows = [line.split("\t") for line in f.read().splitlines()[1:] if line]
    client = service.app.test_client()
    reused = service.get_face_landmarks

    def ask(url):
        r = client.post("/predict", json={"image": url})
        assert r.status_code == 200, r.get_json()
        return r.get_json()["emotion"]

    # as_shipped vs best on CHECK images spread over the sample: same features bit for bit, same answers.
    same_features = same_answers = 0
    for _, rel in rows[:: max(1, len(rows) // CHECK)][:CHECK]:  # spread over both classes
        url = data_url(os.path.join(DATASET, rel))
        frame = cv2.imdecode(np.frombuffer(base64.b64decode(url.split(",")[1]), np.uint8), cv2.IMREAD_COLOR)
        same_features += utils.get_face_landmarks(frame) == reused(frame)
        service.get_face_landmarks = utils.get_face_landmarks  # the route looks this name up per request
        shipped = ask(url)
        service.get_face_landmarks = reused
        same_answers += shipped == ask(url)

    found = correct = 0
    confusion = {"happy": {}, "sad": {}}
    t0 = time.time()
    for cls, rel in rows:
        answer = ask(data_url(os.path.join(DATASET, rel)))
        confusion[cls][answer] = confusion[cls].get(answer, 0) + 1
        found += answer != "No face detected"
        correct += answer == cls.upper()
    seconds = time.time() - t0

    print(
        json.dumps(
            {
                "images": len(rows),
                "face_found_rate": round(found / len(rows), 4),
                "accuracy": round(correct / len(rows), 4),  # no face counts as wrong
                "accuracy_on_found": round(correct / found, 4) if found else None,
                "confusion": confusion,  # true class -> answers
                "as_shipped_vs_best": {
                    "images": CHECK,
                    "identical_features": same_features,
                    "identical_answers": same_answers,
                },
                "mode": "best",
                "seconds": round(seconds, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
