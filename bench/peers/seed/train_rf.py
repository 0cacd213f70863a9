"""Train the seed's model: FaceMesh features -> RandomForestClassifier() with default parameters.

Trained on faces-224 happy + sad minus every image of models/train/test_split.tsv, so accuracy measured
on test images (accuracy.py) is honest. Writes .cache/model.pkl (pickle, as the seed loads it).
Usage: .venv/bin/python train_rf.py [DATASET]   (DATASET: default
../shared/datasets/faces-224 beside the repository, or under $EMOTION_SHARED_DIR)
"""

import os
import pickle
import sys
import time

import cv2
from sklearn.ensemble import RandomForestClassifier

from utils import get_face_landmarks, make_face_mesh

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SHARED = os.environ.get("EMOTION_SHARED_DIR") or os.path.join(HERE, "..", "..", "..", "..", "shared")
DATASET = sys.argv[1] if len(sys.argv) > 1 else os.path.join(SHARED, "datasets", "faces-224")
SPLIT = os.path.join(REPO, "models", "train", "test_split.tsv")
OUT = os.path.join(HERE, ".cache", "model.pkl")
emotions = ["HAPPY", "SAD"]  # the seed's labels: class index 0 = HAPPY, 1 = SAD


def main():
    with open(SPLIT) as f:
        test_paths = {line.split("\t")[1] for line in f.read().splitlines()[1:] if line}

    # One FaceMesh for the whole run: with static_image_mode=True every image is processed on its own,
    # so the features equal the seed's new-graph-per-call ones (accuracy.py checks this) and it is faster.
    mesh = make_face_mesh(static_image_mode=True)
    X, y, used = [], [], 0
    t0 = time.time()
    for label, folder in enumerate(["happy", "sad"]):
        for name in sorted(os.listdir(os.path.join(DATASET, folder))):
            rel = f"{folder}/{name}"
            if rel in test_paths:
                continue
            used += 1
            image = cv2.imread(os.path.join(DATASET, rel))
            features = get_face_landmarks(image, draw=False, static_image_mode=True, face_mesh=mesh)
            if len(features) == 1404:  # the tutorial keeps only images with a face
                X.append(features)
                y.append(label)
    t_features = time.time() - t0

    model = RandomForestClassifier(random_state=0)  # defaults otherwise; random_state only for reproducibility
    t0 = time.time()
    model.fit(X, y)
    t_train = time.time() - t0

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        pickle.dump(model, f)
    print(f"images used: {used} (test split excluded: {len(test_paths)} rows, all classes)")
    print(f"faces found: {len(X)} (HAPPY {y.count(0)}, SAD {y.count(1)})")
    print(f"landmark seconds: {t_features:.1f}, training seconds: {t_train:.1f}")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
