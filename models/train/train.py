"""Train, export and evaluate the emotion classifier (see models/README.md, "Emotion classifier").

    python models/train/train.py FEATURES_DIR          # full run: writes the model, results.json, test_split.tsv
    python models/train/train.py FEATURES_DIR --dev    # iterate: train on train, report on validation only

The model is an ensemble of `--members` EmotionNets that differ only in their seed (weights and
augmentation order); the exported graph averages their probabilities. The recipe was chosen with
--dev runs; the full run then fits the members on train + validation (--fit-on), so its
validation scores are in-sample and the test split is the only honest measure.

FEATURES_DIR is the output of `cargo run --release -p emotion-core --example dump_features`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import sys
import time

THREADS = int(os.environ.get("TRAIN_THREADS", "2"))  # 2 = this machine; results.json records it
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
os.environ.setdefault("MKL_NUM_THREADS", str(THREADS))
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

import numpy as np  # noqa: E402 (after the thread settings above)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from data import CLASSES, happy_sad_sample, load_dump, mirror_geometry, mirror_permutation, seed_features  # noqa: E402
from ferplus import MIN_VOTE_SHARE, Manifest, joint_split  # noqa: E402
from model import EmotionNet, Ensemble  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
ONNX_PATH = os.path.join(REPO, "models", "emotion_classifier.onnx")
SEED = 1234
MEMBER_SEED_STEP = 1000  # member k trains with seed SEED + k * MEMBER_SEED_STEP
HAPPY, SAD = CLASSES.index("happy"), CLASSES.index("sad")
HVS_CLASSES = ["happy", "sad"]


def set_determinism(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(THREADS)
    if torch.get_num_interop_threads() != 1:  # settable once per process, before any parallel work
        torch.set_num_interop_threads(1)
    torch.use_deterministic_algorithms(True)


def augment(g: torch.Tensor, c: torch.Tensor, gen: torch.Generator, mirror_index, mirror_sign):
    """Random mirror (crop flipped, landmarks mirrored with their left/right partners), small
    rotation/scale/shift of the crop and of the geometry, contrast/gamma jitter, landmark noise."""
    n = g.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    gm = g.index_select(1, mirror_index) * mirror_sign
    g = torch.where(flip[:, None], gm, g)
    c = torch.where(flip[:, None, None, None], torch.flip(c, dims=[3]), c)

    angle = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(10)
    scale = 1 + (torch.rand(n, generator=gen) * 2 - 1) * 0.08
    shift = (torch.rand(n, 2, generator=gen) * 2 - 1) * 0.08
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(c.shape), align_corners=False)
    c = F.grid_sample(c, grid, mode="bilinear", padding_mode="border", align_corners=False)
    gamma = torch.exp((torch.rand(n, 1, 1, 1, generator=gen) * 2 - 1) * 0.3)
    c = c.clamp(0, 1) ** gamma

    # Geometry: small in-plane rotation and scale about the eye centre, plus noise.
    ga = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(4)
    gs = 1 + (torch.rand(n, generator=gen) * 2 - 1) * 0.04
    p = g.reshape(n, -1, 3)
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    ca, sa = torch.cos(ga)[:, None], torch.sin(ga)[:, None]
    p = torch.stack([(ca * x - sa * y) * gs[:, None], (sa * x + ca * y) * gs[:, None], z], -1)
    g = p.reshape(n, -1) + torch.randn(g.shape, generator=gen) * 0.01
    return g, c


def predict(model: torch.nn.Module, g: np.ndarray, c: np.ndarray, batch: int = 256) -> np.ndarray:
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(g), batch):
            out.append(model(torch.from_numpy(g[i : i + batch]), torch.from_numpy(c[i : i + batch])).numpy())
    return np.concatenate(out) if out else np.zeros((0, len(CLASSES)), np.float32)


def train_model(cfg, g_tr, c_tr, t_tr, perm, log, g_val, c_val, y_val, *, seed: int) -> EmotionNet:
    """Train one EmotionNet on soft targets t_tr ([faces, 7], rows sum to 1); log validation
    accuracy (hard labels y_val) every cfg.eval_every epochs."""
    set_determinism(seed)
    # Normalisation statistics (train split, both mirror images so the mirrored input is in range).
    both = np.concatenate([g_tr, mirror_geometry(g_tr, perm)])
    mean, std = both.mean(0), both.std(0) + 1e-3
    model = EmotionNet(
        mean, std, perm, n_classes=len(CLASSES), width=cfg.width, dropout=cfg.dropout, crop_net=cfg.crop_net
    )
    counts = t_tr.sum(0).astype(np.float64)
    weights = (counts.sum() / counts) ** cfg.class_weight_power
    weights = torch.tensor(weights / (weights * counts).sum() * counts.sum(), dtype=torch.float32)
    log(f"class weights {np.round(weights.numpy(), 3).tolist()}")
    if cfg.weights:  # re-run what follows training (evaluation, export) on saved weights
        model.load_state_dict(torch.load(cfg.weights))
        model.eval()
        return model

    decay, no_decay = [], []
    for _name, p in model.named_parameters():
        (no_decay if p.ndim <= 1 else decay).append(p)
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr
    )
    gt, ct, yt = torch.from_numpy(g_tr), torch.from_numpy(c_tr)[:, None], torch.from_numpy(t_tr)
    n = len(yt)
    steps_per_epoch = n // cfg.batch
    total = steps_per_epoch * cfg.epochs
    warm = steps_per_epoch
    gen = torch.Generator().manual_seed(seed)
    step = 0
    for epoch in range(cfg.epochs):
        model.train()
        t0 = time.time()
        order = torch.randperm(n, generator=gen)
        run_loss = 0.0
        for b in range(steps_per_epoch):
            idx = order[b * cfg.batch : (b + 1) * cfg.batch]
            g, c = augment(gt[idx], ct[idx], gen, model.mirror_index, model.mirror_sign)
            y = yt[idx]
            lr = (
                cfg.lr * (step + 1) / warm
                if step < warm
                else cfg.lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / (total - warm)))
            )
            for group in opt.param_groups:
                group["lr"] = lr
            out, out_c, out_g = model.logits(g, c, aux=True)
            loss = F.cross_entropy(out, y, weight=weights, label_smoothing=cfg.smoothing)
            loss = loss + cfg.aux * (
                F.cross_entropy(out_c, y, weight=weights, label_smoothing=cfg.smoothing)
                + F.cross_entropy(out_g, y, weight=weights, label_smoothing=cfg.smoothing)
            )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            run_loss += loss.item()
            step += 1
        msg = (
            f"epoch {epoch + 1}/{cfg.epochs} loss {run_loss / steps_per_epoch:.4f} lr {lr:.2e} {time.time() - t0:.1f}s"
        )
        if (epoch + 1) % cfg.eval_every == 0 or epoch + 1 == cfg.epochs:
            p = predict(model, g_val, c_val)
            msg += f" | val acc {(p.argmax(1) == y_val).mean():.4f} happy/sad {happy_sad(p, y_val)[0]:.4f}"
        log(msg)
        if cfg.checkpoint:
            torch.save(model.state_dict(), cfg.checkpoint)
    model.eval()
    return model


def happy_sad(p: np.ndarray, y: np.ndarray):
    m = (y == HAPPY) | (y == SAD)
    pred = np.where(p[m, HAPPY] >= p[m, SAD], HAPPY, SAD)
    return float((pred == y[m]).mean()) if m.any() else float("nan"), int(m.sum())


def metrics(p: np.ndarray, y: np.ndarray, n_missing_by_class: np.ndarray) -> dict:
    """p, y: over the images where a face was found; missing faces count as wrong in *_all."""
    pred = p.argmax(1)
    k = len(CLASSES)
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (y, pred), 1)
    correct = int((pred == y).sum())
    n_missing = int(n_missing_by_class.sum())
    total_by_class = cm.sum(1) + n_missing_by_class
    hs, n_hs = happy_sad(p, y)
    hs_missing = int(n_missing_by_class[HAPPY] + n_missing_by_class[SAD])
    return {
        "images": int(len(y) + n_missing),
        "faces_found": int(len(y)),
        "faces_not_found": n_missing,
        "accuracy_faces_found": correct / len(y),
        "accuracy_all_images": correct / (len(y) + n_missing),
        "per_class_recall_faces_found": {c: float(cm[i, i] / max(cm[i].sum(), 1)) for i, c in enumerate(CLASSES)},
        "per_class_recall_all_images": {c: float(cm[i, i] / max(total_by_class[i], 1)) for i, c in enumerate(CLASSES)},
        "confusion_matrix_faces_found": {"rows_true_cols_predicted": CLASSES, "matrix": cm.tolist()},
        "happy_vs_sad": {
            "images_faces_found": n_hs,
            "accuracy_faces_found": hs,
            "images_all": n_hs + hs_missing,
            "accuracy_all_images": hs * n_hs / (n_hs + hs_missing),
        },
    }


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def hvs_metrics(p2: np.ndarray, y: np.ndarray, face: np.ndarray, sample: np.ndarray | None = None) -> dict:
    """HAPPY-vs-SAD scores at image level. p2: [faces, 2] scores (happy, sad) of the images with a
    face; y: [images] 0 = happy, 1 = sad, in test_split.tsv order; face: [images] bool. Images
    without a face count as wrong in *_all_images. sample: [images] bool, the fixed balanced
    sample (data.happy_sad_sample; what crates/core/tests/classifier.rs runs), if it is among them."""
    pred = np.full(len(y), -1, dtype=np.int64)
    pred[face] = np.where(p2[:, 0] >= p2[:, 1], 0, 1)
    ok = pred == y
    cm = np.zeros((2, 2), dtype=np.int64)
    np.add.at(cm, (y[face], pred[face]), 1)
    rec_f = {c: float(cm[k, k] / max(cm[k].sum(), 1)) for k, c in enumerate(HVS_CLASSES)}
    rec_a = {c: float(ok[y == k].mean()) for k, c in enumerate(HVS_CLASSES)}
    out = {
        "images": int(len(y)),
        "faces_found": int(face.sum()),
        "images_by_class": {c: int((y == k).sum()) for k, c in enumerate(HVS_CLASSES)},
        "accuracy_faces_found": float(ok[face].mean()),
        "accuracy_all_images": float(ok.mean()),
        "per_class_recall_faces_found": rec_f,
        "per_class_recall_all_images": rec_a,
        "balanced_accuracy_faces_found": float(np.mean(list(rec_f.values()))),
        "balanced_accuracy_all_images": float(np.mean(list(rec_a.values()))),
        "confusion_matrix_faces_found": {"rows_true_cols_predicted": HVS_CLASSES, "matrix": cm.tolist()},
    }
    if sample is not None:
        out["balanced_sample"] = {
            "definition": "models/train/happy_sad_sample.tsv: 100 happy + 100 sad test images drawn at random "
            "(data.happy_sad_sample); no face = wrong",
            "images": {c: int((y[sample] == k).sum()) for k, c in enumerate(HVS_CLASSES)},
            "faces_found": int(face[sample].sum()),
            "accuracy": float(ok[sample].mean()),
            "per_class_recall": {c: float(ok[sample][y[sample] == k].mean()) for k, c in enumerate(HVS_CLASSES)},
        }
    return out


def scores(
    p: np.ndarray, y_faces: np.ndarray, missing: np.ndarray, d, s: np.ndarray, has: np.ndarray, part: int
) -> dict:
    """metrics() of one split part, with its HAPPY-vs-SAD detail."""
    return {**metrics(p, y_faces, missing), "happy_vs_sad_detail": happy_sad_detail(p, y_faces, d, s, has, part)}


def happy_sad_detail(p: np.ndarray, y_faces: np.ndarray, d, s: np.ndarray, has: np.ndarray, part: int) -> dict:
    """hvs_metrics for one split part: p and y_faces cover its images with a face, in index order."""
    idx = np.flatnonzero((s == part) & ((d.classes == HAPPY) | (d.classes == SAD)))
    keep = (y_faces == HAPPY) | (y_faces == SAD)
    sample = np.isin(idx, happy_sad_sample(d.classes, s)) if part == 2 else None
    return hvs_metrics(p[keep][:, [HAPPY, SAD]], (d.classes[idx] == SAD).astype(np.int64), has[idx], sample)


class Data:
    """Both data sets' faces, per split part: features, soft targets and hard labels.

    faces-224: the target is the FER+ vote distribution of the linked FER2013 picture where there
    is one with enough votes on our classes, else the folder's label; its hard label (reports) is
    the folder's. FER+: the vote distribution; faces without enough votes on our seven classes are
    left out of training; its hard label is `majority7` (-1 where there is none)."""

    def __init__(self, d, f, m: Manifest, s_faces: np.ndarray, s_fer: np.ndarray):
        k = len(CLASSES)
        self.d, self.f, self.m, self.s, self.s_fer = d, f, m, s_faces, s_fer
        self.has = d.face_row >= 0
        fer_of = {}  # faces-224 path -> FER+ manifest rows linked to it
        for j, links in enumerate(m.links):
            for p in links:
                fer_of.setdefault(p, []).append(j)
        self.faces_target = np.zeros((len(d.paths), k), np.float32)
        self.faces_fer_majority = np.full(len(d.paths), -1, dtype=np.int64)
        for i, p in enumerate(d.paths):
            soft = [t for t in (m.soft_target(j) for j in fer_of.get(p, [])) if t is not None]
            self.faces_target[i] = np.mean(soft, 0) if soft else np.eye(k, dtype=np.float32)[d.classes[i]]
            majorities = {int(m.majority[j]) for j in fer_of.get(p, [])}
            if len(majorities) == 1:
                self.faces_fer_majority[i] = majorities.pop()
        self.faces_relabelled = np.array([bool(fer_of.get(p)) for p in d.paths])
        fer_rows = [m.index[p] for p in f.paths]
        self.fer_target = [m.soft_target(j) for j in fer_rows]
        self.fer_majority = m.majority[fer_rows]
        self.fer_private_test = np.array([m.usage[j] == "test" for j in fer_rows], dtype=bool)
        self.fer_has = f.face_row >= 0

    def faces(self, part: int):
        """faces-224 images of a part with a face: geometry, crop, target, label, mesh, missing per class."""
        sel = (self.s == part) & self.has
        rows = self.d.face_row[sel]
        missing = np.bincount(self.d.classes[(self.s == part) & ~self.has], minlength=len(CLASSES))
        return (
            self.d.geometry[rows],
            self.d.crops[rows],
            self.faces_target[sel],
            self.d.classes[sel],
            self.d.mesh[rows],
            missing,
        )

    def fer_train(self, part: int):
        """FER+ faces of a part that train: found, with enough votes on our classes."""
        sel = np.array(
            [
                self.s_fer[i] == part and self.fer_has[i] and self.fer_target[i] is not None
                for i in range(len(self.s_fer))
            ]
        )
        rows = self.f.face_row[sel]
        return (
            self.f.geometry[rows],
            self.f.crops[rows],
            np.stack([t for t, k in zip(self.fer_target, sel, strict=True) if k]),
        )

    def fer_majority_set(self, part: int, private_test: bool = False):
        """FER+ faces of a part with a majority among our seven (only PrivateTest's with
        private_test): geometry, crop and label of those found, and the missing ones per class."""
        sel = (self.s_fer == part) & (self.fer_majority >= 0) & (self.fer_private_test | (not private_test))
        found = sel & self.fer_has
        rows = self.f.face_row[found]
        missing = np.bincount(self.fer_majority[sel & ~self.fer_has], minlength=len(CLASSES))
        return self.f.geometry[rows], self.f.crops[rows], self.fer_majority[found], missing


def compare_with_previous(model, data: Data, fg_te, fc_te, fy_te, log) -> dict:
    """The committed classifier (about to be replaced) against the new one: on the faces-224
    images in both its test split (the committed test_split.tsv) and the new one, and on FER+
    PrivateTest less the faces linked to a faces-224 image it trained on."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(ONNX_PATH, so, providers=["CPUExecutionProvider"])

    def old(g, c):
        return (
            np.concatenate(
                [
                    sess.run(["probabilities"], {"geometry": g[i : i + 100], "crop": c[i : i + 100]})[0]
                    for i in range(0, len(g), 100)
                ]
            )
            if len(g)
            else np.zeros((0, len(CLASSES)), np.float32)
        )

    with open(os.path.join(HERE, "test_split.tsv")) as fh:
        old_test = {line.split("\t")[1] for line in fh.read().splitlines()[1:]}
    d, s, has = data.d, data.s, data.has
    both = np.array([s[i] == 2 and has[i] and p in old_test for i, p in enumerate(d.paths)])
    rows = d.face_row[both]
    g, c, y = d.geometry[rows], d.crops[rows][:, None], d.classes[both]
    none = np.zeros(len(CLASSES), np.int64)
    out = {"onnx_sha256": sha256(ONNX_PATH), "faces224_in_both_test_splits": {}, "ferplus_privatetest_majority7": {}}
    for name, p in (("previous", old(g, c)), ("new", predict(model, g, c))):
        out["faces224_in_both_test_splits"][name] = metrics(p, y, none)
    # FER+ test faces whose faces-224 twin the previous model may have trained on are left out.
    fer_test_rows = np.flatnonzero((data.s_fer == 2) & (data.fer_majority >= 0) & data.fer_private_test & data.fer_has)
    unseen = np.array(
        [all(p in old_test for p in data.m.links[data.m.index[data.f.paths[i]]]) for i in fer_test_rows], dtype=bool
    )
    g, c = fg_te[unseen], fc_te[unseen][:, None]
    for name, p in (("previous", old(g, c)), ("new", predict(model, g, c))):
        out["ferplus_privatetest_majority7"][name] = metrics(p, fy_te[unseen], none)
    for key, v in out.items():
        if isinstance(v, dict):
            log(
                f"{key}: previous acc {v['previous']['accuracy_faces_found']:.4f} happy/sad "
                f"{v['previous']['happy_vs_sad']['accuracy_faces_found']:.4f} | new acc "
                f"{v['new']['accuracy_faces_found']:.4f} "
                f"happy/sad {v['new']['happy_vs_sad']['accuracy_faces_found']:.4f} "
                f"({v['new']['faces_found']} faces)"
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("features", help="dump_features over faces-224")
    ap.add_argument("ferplus_features", help="dump_features over fer2013-ferplus (its train/valid/test folders)")
    ap.add_argument(
        "--manifest", default=os.path.join(os.path.dirname(REPO), "shared/datasets/fer2013-ferplus/MANIFEST.tsv")
    )
    ap.add_argument("--dev", action="store_true", help="report on validation only; write nothing")
    ap.add_argument("--members", type=int, default=1, help="ensemble size")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument(
        "--crop-net",
        choices=["small", "efficientnet-lite0"],
        default="small",
        help="the crop's network: ours, or EfficientNet-Lite0 with ImageNet weights (a variant; see LiteCropNet)",
    )
    ap.add_argument("--dropout", type=float, default=0.3)
    ap.add_argument("--smoothing", type=float, default=0.05)
    ap.add_argument("--aux", type=float, default=0.3)
    ap.add_argument("--class-weight-power", type=float, default=0.5)
    ap.add_argument("--member-start", type=int, default=0, help="with --dev: index of the first member's seed")
    ap.add_argument("--dev-probs", help="with --dev: save the validation probabilities here (.npy)")
    ap.add_argument("--fit-on", choices=["train", "train+val"], default="train")
    ap.add_argument("--eval-every", type=int, default=2)
    ap.add_argument("--checkpoint", help="save the member's weights here after every epoch")
    ap.add_argument("--weights", help="skip training: load these weights (a --checkpoint file) instead")
    cfg = ap.parse_args()
    if cfg.dev:
        cfg.fit_on = "train"  # validation must stay unseen to choose on it
    log = lambda m: print(m, flush=True)  # noqa: E731
    t_start = time.time()

    d = load_dump(cfg.features)
    f = load_dump(cfg.ferplus_features)
    m = Manifest(cfg.manifest)
    s, s_manifest = joint_split(d.paths, d.classes, m)
    s_fer = s_manifest[[m.index[p] for p in f.paths]]
    data = Data(d, f, m, s, s_fer)
    perm = mirror_permutation(d.geometry[d.face_row[data.has & (s == 0)]])
    log(
        f"faces-224 train/val/test {[int((s == k).sum()) for k in range(3)]}, "
        f"FER+ {[int((s_fer == k).sum()) for k in range(3)]}"
    )
    results = train_emotion(cfg, log, t_start, data, perm)
    if results is not None:
        results_path = os.path.join(HERE, "results.json")
        with open(results_path, "w") as fh:
            json.dump(results, fh, indent=2)
            fh.write("\n")
        log(f"wrote {results_path}")


def train_emotion(cfg, log, t_start, data: Data, perm) -> dict | None:
    """The 7-class model (cfg.members seeds), the seed's RandomForest on faces-224's training
    split, export, checks, test_split.tsv and happy_sad_sample.tsv; returns results.json's content
    (None with --dev)."""
    d, s, has = data.d, data.s, data.has
    g_tr, c_tr, t_tr, y_tr, m_tr, _ = data.faces(0)
    g_va, c_va, t_va, y_va, m_va, miss_va = data.faces(1)
    g_te, c_te, _, y_te, m_te, miss_te = data.faces(2)
    fg_tr, fc_tr, ft_tr = data.fer_train(0)
    fg_va, fc_va, fy_va, fmiss_va = data.fer_majority_set(1)
    fg_te, fc_te, fy_te, fmiss_te = data.fer_majority_set(2, private_test=True)
    in_sample = cfg.fit_on == "train+val"
    parts = [(g_tr, c_tr, t_tr), (fg_tr, fc_tr, ft_tr)]
    if in_sample:
        parts += [(g_va, c_va, t_va), data.fer_train(1)]
    g_fit, c_fit, t_fit = (np.concatenate([p[k] for p in parts]) for k in range(3))
    # Validation while training: both sets' validation faces with a hard label.
    g_mon, c_mon, y_mon = np.concatenate([g_va, fg_va]), np.concatenate([c_va, fc_va]), np.concatenate([y_va, fy_va])
    log(f"training faces {len(t_fit)} (faces-224 {len(t_tr)}, FER+ {len(ft_tr)}); validation faces {len(y_mon)}")

    t0 = time.time()
    members = []
    for k in range(cfg.member_start, cfg.member_start + cfg.members):
        log(f"member {k - cfg.member_start + 1}/{cfg.members}, seed {SEED + k * MEMBER_SEED_STEP}")
        members.append(
            train_model(
                cfg, g_fit, c_fit, t_fit, perm, log, g_mon, c_mon[:, None], y_mon, seed=SEED + k * MEMBER_SEED_STEP
            )
        )
    model = members[0] if len(members) == 1 else Ensemble(members)
    train_seconds = time.time() - t0
    val = scores(predict(model, g_va, c_va[:, None]), y_va, miss_va, d, s, has, 1)
    # FER+ faces of the validation part: PublicTest when the whole data set was dumped; with
    # FERPLUS_PER_CLASS, only the few Training faces drawn there with a faces-224 twin.
    fer_val = metrics(predict(model, fg_va, fc_va[:, None]), fy_va, fmiss_va) if len(fy_va) else None
    log(
        f"validation{' (in-sample)' if in_sample else ''}: faces-224 acc {val['accuracy_faces_found']:.4f} "
        f"happy/sad {val['happy_vs_sad']['accuracy_faces_found']:.4f} "
        f"recall {json.dumps({k: round(v, 3) for k, v in val['per_class_recall_faces_found'].items()})}; "
        f"FER+ validation faces acc {fer_val['accuracy_faces_found'] if fer_val else float('nan'):.4f}"
    )
    if cfg.dev:
        return None

    # --- the seed's recipe on faces-224's training split, its original labels ---
    from sklearn import __version__ as sklearn_version
    from sklearn.ensemble import RandomForestClassifier

    t0 = time.time()
    rf = RandomForestClassifier(random_state=0, n_jobs=THREADS).fit(seed_features(m_tr), y_tr)
    rf_seconds = time.time() - t0
    rf_val = metrics(rf.predict_proba(seed_features(m_va)), y_va, miss_va)
    rf_test = metrics(rf.predict_proba(seed_features(m_te)), y_te, miss_te)

    # --- the model this one replaces, on faces neither has trained on ---
    previous = compare_with_previous(model, data, fg_te, fc_te, fy_te, log)

    # --- export and verify ---
    from export import export_onnx, verify_onnx

    export_onnx(model, ONNX_PATH)
    p_te = predict(model, g_te, c_te[:, None])
    max_diff, ort_version, p_te_onnx = verify_onnx(ONNX_PATH, g_te, c_te[:, None], p_te)
    log(f"onnx vs torch on {len(y_te)} test faces: max |diff| {max_diff:.2e}")
    assert max_diff < 1e-4, max_diff
    # Test metrics from the ONNX model itself (what serving runs).
    test = scores(p_te_onnx, y_te, miss_te, d, s, has, 2)
    _, _, p_fer_te = verify_onnx(ONNX_PATH, fg_te, fc_te[:, None], predict(model, fg_te, fc_te[:, None]))
    fer_test = metrics(p_fer_te, fy_te, fmiss_te)
    # faces-224 test images whose FER2013 picture has a FER+ majority: scored against it.
    fm = data.faces_fer_majority[(s == 2) & has]
    relabelled = metrics(p_te_onnx[fm >= 0], fm[fm >= 0], np.zeros(len(CLASSES), np.int64))
    original_same = metrics(p_te_onnx[fm >= 0], y_te[fm >= 0], np.zeros(len(CLASSES), np.int64))
    log(
        f"TEST faces-224: acc {test['accuracy_faces_found']:.4f} (all images {test['accuracy_all_images']:.4f}) "
        f"happy/sad {test['happy_vs_sad']['accuracy_faces_found']:.4f} sample "
        f"{test['happy_vs_sad_detail']['balanced_sample']['accuracy']:.4f} | FER+ majority on the linked ones "
        f"acc {relabelled['accuracy_faces_found']:.4f} | FER+ PrivateTest acc {fer_test['accuracy_all_images']:.4f} | "
        f"seed RF acc {rf_test['accuracy_faces_found']:.4f} "
        f"happy/sad {rf_test['happy_vs_sad']['accuracy_faces_found']:.4f}"
    )

    with open(os.path.join(HERE, "test_split.tsv"), "w") as fh:
        fh.write("class\tpath\tface_found\n")
        for i in np.flatnonzero(s == 2):
            fh.write(f"{CLASSES[d.classes[i]]}\t{d.paths[i]}\t{int(has[i])}\n")
    with open(os.path.join(HERE, "happy_sad_sample.tsv"), "w") as fh:
        fh.write("class\tpath\n")
        for i in happy_sad_sample(d.classes, s):
            fh.write(f"{CLASSES[d.classes[i]]}\t{d.paths[i]}\n")

    import onnx

    val_key = "validation_in_sample" if in_sample else "validation"
    results = {
        "model": "models/emotion_classifier.onnx",
        "onnx_sha256": sha256(ONNX_PATH),
        "onnx_bytes": os.path.getsize(ONNX_PATH),
        "classes": CLASSES,
        "split": {
            "seed": int(__import__("data").SPLIT_SEED),
            "rule": joint_split.__doc__.split("\n\n")[1].strip().replace("\n    ", " "),
            **{
                name: {
                    "faces224_images": int((s == k).sum()),
                    "faces224_faces_found": int(((s == k) & has).sum()),
                    "ferplus_images": int((data.s_fer == k).sum()),
                    "ferplus_faces_found": int(((data.s_fer == k) & data.fer_has).sum()),
                }
                for k, name in enumerate(["train", "validation", "test"])
            },
            "training_faces": {"faces224": int(len(t_tr)), "ferplus": int(len(ft_tr)), "total": int(len(t_fit))},
            "faces224_relabelled_by_ferplus_votes": int(data.faces_relabelled.sum()),
        },
        "ours": {
            val_key: val,
            "test": test,
            "test_faces224_linked_scored_with_ferplus_majority": relabelled,
            "test_faces224_linked_scored_with_original_labels": original_same,
            f"ferplus_validation_majority7_{val_key}": fer_val,
            "ferplus_privatetest_majority7": fer_test,
        },
        "seed_random_forest": {
            "recipe": "RandomForestClassifier(random_state=0) on mesh landmarks (x/width, y/height, z/width) minus "
            "their per-face minimum, 1404 values; faces-224 training split, folder labels",
            val_key: rf_val,
            "test": rf_test,
            "train_seconds": round(rf_seconds, 1),
        },
        "previous_model_on_faces_neither_trained_on": previous,
        "onnx_vs_torch_max_abs_diff_test": max_diff,
        "hyperparameters": {
            k: v
            for k, v in vars(cfg).items()
            if k
            not in (
                "features",
                "ferplus_features",
                "manifest",
                "dev",
                "dev_probs",
                "member_start",
                "checkpoint",
                "weights",
            )
        },
        "targets": "soft: FER+ vote distribution over our seven classes (contempt, unknown, NF votes dropped; faces "
        f"with under {MIN_VOTE_SHARE:.0%} of their votes on our classes left out)",
        "train_seconds": round(train_seconds, 1),
        "train_py_total_seconds": round(time.time() - t_start, 1),
        "threads": THREADS,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "numpy": np.__version__,
            "scikit-learn": sklearn_version,
            "onnx": onnx.__version__,
            "onnxruntime": ort_version,
        },
    }
    log(f"wrote {ONNX_PATH} sha256 {results['onnx_sha256']}")
    return results


if __name__ == "__main__":
    main()
