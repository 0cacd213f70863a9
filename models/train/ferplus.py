"""FER+ (fer2013-ferplus): its votes as soft targets, and the joint split with faces-224.

The FER+ dump is `dump_features` run over the data set's folder as it is: its sub-folders are
FER+'s usages (train/valid/test), and the engine reads each 48x48 face as a user's 48x48 image,
warping it to the detector, mesh and crop inputs with its own bilinear sampling."""

from __future__ import annotations

import csv

import numpy as np

from data import CLASSES, SPLIT_FRACTIONS, SPLIT_SEED

# FER+ vote columns in our class order; contempt, unknown and NF have no class of ours.
VOTE_COLUMNS = ["anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise"]
OTHER_COLUMNS = ["contempt", "unknown", "NF"]
# A face trains only when most annotators put it in one of our seven classes: a face mostly
# called contempt, unknown or not-a-face says little about them.
MIN_VOTE_SHARE = 0.5


class Manifest:
    """MANIFEST.tsv indexed by file (e.g. "train/fer0000000.png")."""

    def __init__(self, path: str):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        self.files = [r["file"] for r in rows]
        self.index = {name: i for i, name in enumerate(self.files)}
        self.usage = [r["split"] for r in rows]
        self.group = [r["group"] for r in rows]
        self.votes = np.array([[float(r[c]) for c in VOTE_COLUMNS] for r in rows], dtype=np.float64)
        other = np.array([[float(r[c]) for c in OTHER_COLUMNS] for r in rows], dtype=np.float64)
        self.total = self.votes.sum(1) + other.sum(1)
        self.majority = np.array([CLASSES.index(r["majority7"]) if r["majority7"] else -1 for r in rows])
        self.links = [[p for p in r["same_as_faces224"].split(",") if p] for r in rows]

    def soft_target(self, i: int) -> np.ndarray | None:
        """The vote distribution over our seven classes, or None when it is too thin."""
        v = self.votes[i]
        if v.sum() < MIN_VOTE_SHARE * max(self.total[i], 1) or v.sum() == 0:
            return None
        return (v / v.sum()).astype(np.float32)


def joint_split(faces_paths: list[str], faces_classes: np.ndarray, m: Manifest):
    """0 = train, 1 = validation, 2 = test for each faces-224 file and each FER+ file.

    Near-duplicates stay together: FER+ files of one `group` and the faces-224 files they are
    linked to form one component. A component holding a FER+ PrivateTest face is test (FER+'s
    benchmark stays unseen); one holding a faces-224 file is drawn 70/10/20 at random with the
    split's seed, stratified by the class of its first faces-224 file; the rest keep FER+'s usage
    (Training = train, PublicTest = validation; a group that has both goes by its first file)."""
    n_f = len(faces_paths)
    parent = list(range(n_f + len(m.files)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    face_index = {p: i for i, p in enumerate(faces_paths)}
    first_of_group: dict[str, int] = {}
    for j, g in enumerate(m.group):
        k = n_f + j
        if g in first_of_group:
            union(first_of_group[g], k)
        else:
            first_of_group[g] = k
        for p in m.links[j]:
            union(face_index[p], k)

    roots = np.array([find(a) for a in range(len(parent))])
    part = np.full(len(parent), -1, dtype=np.int64)
    has_test = {roots[n_f + j] for j, u in enumerate(m.usage) if u == "test"}
    for a, r in enumerate(roots):
        if r in has_test:
            part[a] = 2
    # Components with a faces-224 file and no FER+ test face: stratified draw over components,
    # ordered by their first faces-224 path (roots are the smallest index = first path in order).
    order = np.argsort(np.array(faces_paths), kind="stable")
    comps_by_class: list[list[int]] = [[] for _ in CLASSES]
    seen = set()
    for i in order:
        r = roots[i]
        if r in has_test or r in seen:
            continue
        seen.add(r)
        comps_by_class[faces_classes[i]].append(r)
    rng = np.random.default_rng(SPLIT_SEED)
    comp_part = {}
    for comps in comps_by_class:
        comps = [comps[k] for k in rng.permutation(len(comps))]
        n_train = int(round(SPLIT_FRACTIONS[0] * len(comps)))
        n_val = int(round(SPLIT_FRACTIONS[1] * len(comps)))
        for k, r in enumerate(comps):
            comp_part[r] = 0 if k < n_train else 1 if k < n_train + n_val else 2
    for a, r in enumerate(roots):
        if part[a] < 0 and r in comp_part:
            part[a] = comp_part[r]
    for j in range(len(m.files)):
        if part[n_f + j] < 0:  # FER+ only: the usage of the group's first file
            part[n_f + j] = {"train": 0, "valid": 1}[m.usage[roots[n_f + j] - n_f]]
    assert (part >= 0).all()
    # Every component on one side.
    side: dict[int, int] = {}
    for r, k in zip(roots.tolist(), part.tolist(), strict=True):
        assert side.setdefault(r, k) == k
    return part[:n_f], part[n_f:]
