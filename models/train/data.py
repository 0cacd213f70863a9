"""Loading the feature dump written by `dump_features` and the fixed train/val/test split."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass

import numpy as np

CLASSES = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]
N_LANDMARKS = 468
GEOMETRY_DIM = N_LANDMARKS * 3
CROP = 64
SPLIT_SEED = 20240607
SPLIT_FRACTIONS = (0.70, 0.10, 0.20)


@dataclass
class Dump:
    classes: np.ndarray  # [rows] int label (-1: the folder is not a class, e.g. FER+'s usages)
    paths: list[str]  # [rows] "class/file"
    face_row: np.ndarray  # [rows] index into the binary arrays, -1 where no face was found
    geometry: np.ndarray  # [faces, 1404]
    crops: np.ndarray  # [faces, 64, 64]
    mesh: np.ndarray  # [faces, 1404]


def load_dump(directory: str) -> Dump:
    classes, paths, face_row = [], [], []
    with open(os.path.join(directory, "index.tsv"), newline="") as f:
        reader = csv.DictReader(f, delimiter="\t")
        n = 0
        for row in reader:
            classes.append(CLASSES.index(row["class"]) if row["class"] in CLASSES else -1)
            paths.append(row["path"])
            if int(row["faces"]) > 0:
                face_row.append(n)
                n += 1
            else:
                face_row.append(-1)

    def read(name: str, width: int) -> np.ndarray:
        a = np.fromfile(os.path.join(directory, name), dtype="<f4")
        assert a.size == n * width, (name, a.size, n, width)
        return a.reshape(n, width)

    return Dump(
        classes=np.array(classes, dtype=np.int64),
        paths=paths,
        face_row=np.array(face_row, dtype=np.int64),
        geometry=read("geometry.f32", GEOMETRY_DIM),
        crops=read("crops.f32", CROP * CROP).reshape(n, CROP, CROP),
        mesh=read("mesh.f32", GEOMETRY_DIM),
    )


def split(paths: list[str], classes: np.ndarray) -> np.ndarray:
    """0 = train, 1 = validation, 2 = test, per file, stratified by class, fixed seed.

    Decided on file names and labels only (before any feature or augmentation), so images
    where no face was found keep their place in the split."""
    rng = np.random.default_rng(SPLIT_SEED)
    out = np.full(len(paths), -1, dtype=np.int64)
    order = np.argsort(np.array(paths), kind="stable")
    for c in range(len(CLASSES)):
        idx = order[classes[order] == c]
        idx = idx[rng.permutation(len(idx))]
        n_train = int(round(SPLIT_FRACTIONS[0] * len(idx)))
        n_val = int(round(SPLIT_FRACTIONS[1] * len(idx)))
        out[idx[:n_train]] = 0
        out[idx[n_train : n_train + n_val]] = 1
        out[idx[n_train + n_val :]] = 2
    assert (out >= 0).all()
    return out


def seed_features(mesh: np.ndarray) -> np.ndarray:
    """The seed's recipe: per face, x - min(x), y - min(y), z - min(z) over the 468 landmarks."""
    m = mesh.reshape(-1, N_LANDMARKS, 3)
    return (m - m.min(axis=1, keepdims=True)).reshape(-1, GEOMETRY_DIM)


def mirror_permutation(geometry: np.ndarray) -> np.ndarray:
    """Index p such that landmark p[i] of a face is the mirror image of landmark i.

    Found from the mean eye-aligned shape: mirror x -> -x and match points one to one."""
    from scipy.optimize import linear_sum_assignment

    mean = geometry.reshape(-1, N_LANDMARKS, 3).mean(axis=0)[:, :2].astype(np.float64)
    mirrored = mean * np.array([-1.0, 1.0])
    cost = ((mirrored[:, None, :] - mean[None, :, :]) ** 2).sum(-1)
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(N_LANDMARKS, dtype=np.int64)
    perm[rows] = cols
    return perm


def mirror_geometry(geometry: np.ndarray, perm: np.ndarray) -> np.ndarray:
    g = geometry.reshape(-1, N_LANDMARKS, 3)[:, perm, :].copy()
    g[:, :, 0] *= -1.0
    return g.reshape(-1, GEOMETRY_DIM)


SAMPLE_PER_CLASS = 100


def happy_sad_sample(classes: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Indices of the fixed HAPPY-vs-SAD sample (models/train/happy_sad_sample.tsv): 100 happy and
    100 sad test images drawn at random with the split's seed, in index order. Random rather than
    the first 100 by name: names group the sources (81 of the first 100 happy test files come from
    the source that makes up 17 % of the happy test files)."""
    rng = np.random.default_rng(SPLIT_SEED)
    test = np.flatnonzero(s == 2)
    picks = []
    for label in ("happy", "sad"):
        idx = test[classes[test] == CLASSES.index(label)]
        picks.append(idx[np.sort(rng.choice(len(idx), SAMPLE_PER_CLASS, replace=False))])
    return np.concatenate(picks)
