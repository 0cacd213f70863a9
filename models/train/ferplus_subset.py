"""Which FER+ faces to run through the pipeline when CPU time is short (train.sh, FERPLUS_PER_CLASS).

    python ferplus_subset.py MANIFEST.tsv OUT_DIR PER_CLASS

Writes OUT_DIR/test/... and OUT_DIR/train/... as symbolic links to the data set's files: every
PrivateTest face with a majority among our seven classes (the benchmark), and from Training at most
PER_CLASS faces per class of their most voted of our seven classes, drawn with a fixed seed, so the
rare classes (fear, disgust) are kept whole and the common ones (neutral, happy) are thinned.
PublicTest is left out. Standard library only: it runs before the training venv exists."""

import csv
import os
import random
import sys

CLASSES = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]
VOTES = ["anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise"]
SEED = 20240607


def main() -> None:
    manifest, out, per_class = sys.argv[1], sys.argv[2], int(sys.argv[3])
    root = os.path.dirname(os.path.abspath(manifest))
    with open(manifest, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    chosen = [r["file"] for r in rows if r["split"] == "test" and r["majority7"]]
    by_class: dict[int, list[str]] = {k: [] for k in range(len(CLASSES))}
    for r in rows:
        votes = [int(r[c]) for c in VOTES]
        if r["split"] == "train" and max(votes) > 0:
            by_class[votes.index(max(votes))].append(r["file"])
    rng = random.Random(SEED)
    for k in range(len(CLASSES)):
        files = sorted(by_class[k])
        chosen += sorted(rng.sample(files, min(per_class, len(files))))
    for name in chosen:
        path = os.path.join(out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(os.path.join(root, name), path)
    print(f"{len(chosen)} faces linked under {out}")


if __name__ == "__main__":
    main()
