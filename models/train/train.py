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

# The thread settings above must be in the environment before numpy and torch load.
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from data import (  # noqa: E402
    CLASSES,
    happy_sad_sample,
    load_dump,
    mirror_geometry,
    mirror_permutation,
    seed_features,
    split,
)
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


def train_model(cfg, g_tr, c_tr, y_tr, perm, log, g_val, c_val, y_val, *, seed: int) -> EmotionNet:
    """Train one EmotionNet on labels y_tr; log validation accuracy every cfg.eval_every epochs."""
    set_determinism(seed)
    # Normalisation statistics (train split, both mirror images so the mirrored input is in range).
    both = np.concatenate([g_tr, mirror_geometry(g_tr, perm)])
    mean, std = both.mean(0), both.std(0) + 1e-3
    model = EmotionNet(mean, std, perm, n_classes=len(CLASSES), width=cfg.width, dropout=cfg.dropout)
    counts = np.bincount(y_tr, minlength=len(CLASSES)).astype(np.float64)
    weights = (counts.sum() / counts) ** cfg.class_weight_power
    weights = torch.tensor(weights / (weights * counts).sum() * counts.sum(), dtype=torch.float32)
    log(f"class weights {np.round(weights.numpy(), 3).tolist()}")

    decay, no_decay = [], []
    for p in model.parameters():
        (no_decay if p.ndim <= 1 else decay).append(p)
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr
    )
    gt, ct, yt = torch.from_numpy(g_tr), torch.from_numpy(c_tr)[:, None], torch.from_numpy(y_tr)
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("features")
    ap.add_argument("--dev", action="store_true", help="report on validation only; write nothing")
    ap.add_argument("--members", type=int, default=3, help="ensemble size")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--dropout", type=float, default=0.3)
    ap.add_argument("--smoothing", type=float, default=0.05)
    ap.add_argument("--aux", type=float, default=0.3)
    ap.add_argument("--class-weight-power", type=float, default=0.5)
    ap.add_argument("--member-start", type=int, default=0, help="with --dev: index of the first member's seed")
    ap.add_argument("--dev-probs", help="with --dev: save the validation probabilities here (.npy)")
    ap.add_argument("--fit-on", choices=["train", "train+val"], default="train+val")
    ap.add_argument("--eval-every", type=int, default=5)
    cfg = ap.parse_args()
    if cfg.dev:
        cfg.fit_on = "train"  # validation must stay unseen to choose on it
    log = lambda m: print(m, flush=True)  # noqa: E731
    t_start = time.time()

    d = load_dump(cfg.features)
    s = split(d.paths, d.classes)
    has = d.face_row >= 0
    perm = mirror_permutation(d.geometry[d.face_row[has & (s == 0)]])

    def part(k):
        m = (s == k) & has
        rows = d.face_row[m]
        missing = np.bincount(d.classes[(s == k) & ~has], minlength=len(CLASSES))
        return d.geometry[rows], d.crops[rows], d.classes[m], d.mesh[rows], missing

    g_tr, c_tr, y_tr, m_tr, _ = part(0)
    g_va, c_va, y_va, m_va, miss_va = part(1)
    g_te, c_te, y_te, m_te, miss_te = part(2)
    log(f"split train/val/test {[(s == k).sum() for k in range(3)]} faces {[len(y_tr), len(y_va), len(y_te)]}")

    results_path = os.path.join(HERE, "results.json")
    results = train_emotion(
        cfg,
        log,
        t_start,
        d,
        s,
        has,
        perm,
        g_tr,
        c_tr,
        y_tr,
        m_tr,
        g_va,
        c_va,
        y_va,
        m_va,
        miss_va,
        g_te,
        c_te,
        y_te,
        m_te,
        miss_te,
    )
    if results is not None:
        with open(results_path, "w") as f:
            json.dump(results, f, indent=2)
            f.write("\n")
        log(f"wrote {results_path}")


def train_emotion(
    cfg,
    log,
    t_start,
    d,
    s,
    has,
    perm,
    g_tr,
    c_tr,
    y_tr,
    m_tr,
    g_va,
    c_va,
    y_va,
    m_va,
    miss_va,
    g_te,
    c_te,
    y_te,
    m_te,
    miss_te,
) -> dict | None:
    """The 7-class model (an ensemble of cfg.members seeds), the seed's RandomForest on the same
    split, export, checks, test_split.tsv and happy_sad_sample.tsv; returns results.json's content
    (None with --dev)."""
    t0 = time.time()
    # The recipe is chosen on validation (--fit-on train); the final members may then also learn
    # from the validation images (--fit-on train+val), which leaves validation scores in-sample.
    in_sample = cfg.fit_on == "train+val"
    g_fit, c_fit, y_fit, m_fit = g_tr, c_tr, y_tr, m_tr
    if in_sample:
        g_fit, c_fit, y_fit, m_fit = (
            np.concatenate(pair) for pair in ((g_tr, g_va), (c_tr, c_va), (y_tr, y_va), (m_tr, m_va))
        )
    members = []
    for k in range(cfg.member_start, cfg.member_start + cfg.members):
        log(f"member {k - cfg.member_start + 1}/{cfg.members}, seed {SEED + k * MEMBER_SEED_STEP}")
        members.append(
            train_model(
                cfg, g_fit, c_fit, y_fit, perm, log, g_va, c_va[:, None], y_va, seed=SEED + k * MEMBER_SEED_STEP
            )
        )
    model = members[0] if len(members) == 1 else Ensemble(members)
    train_seconds = time.time() - t0
    p_va = predict(model, g_va, c_va[:, None])
    val = scores(p_va, y_va, miss_va, d, s, has, 1)
    log(
        f"validation{' (in-sample)' if in_sample else ''}: acc {val['accuracy_faces_found']:.4f} "
        f"happy/sad {val['happy_vs_sad']['accuracy_faces_found']:.4f} "
        f"balanced {val['happy_vs_sad_detail']['balanced_accuracy_faces_found']:.4f} "
        f"recall {json.dumps({k: round(v, 3) for k, v in val['per_class_recall_faces_found'].items()})}"
    )
    if cfg.dev:
        if cfg.dev_probs:
            np.save(cfg.dev_probs, p_va)
        return None

    # --- the seed's recipe on the same split ---
    from sklearn import __version__ as sklearn_version
    from sklearn.ensemble import RandomForestClassifier

    t0 = time.time()
    rf = RandomForestClassifier(random_state=0, n_jobs=THREADS).fit(seed_features(m_fit), y_fit)
    rf_seconds = time.time() - t0
    rf_val = metrics(rf.predict_proba(seed_features(m_va)), y_va, miss_va)
    rf_test = metrics(rf.predict_proba(seed_features(m_te)), y_te, miss_te)

    # --- export and verify ---
    from export import export_onnx, verify_onnx

    export_onnx(model, ONNX_PATH)
    p_te = predict(model, g_te, c_te[:, None])
    # Test metrics from the ONNX model itself (what serving runs).
    max_diff, ort_version, p_te_onnx = verify_onnx(ONNX_PATH, g_te, c_te[:, None], p_te)
    log(f"onnx vs torch on {len(y_te)} test faces: max |diff| {max_diff:.2e}")
    assert max_diff < 1e-4, max_diff
    test = scores(p_te_onnx, y_te, miss_te, d, s, has, 2)
    log(
        f"TEST: acc {test['accuracy_faces_found']:.4f} (all images {test['accuracy_all_images']:.4f}) "
        f"happy/sad {test['happy_vs_sad']['accuracy_faces_found']:.4f} "
        f"| seed RF acc {rf_test['accuracy_faces_found']:.4f} "
        f"happy/sad {rf_test['happy_vs_sad']['accuracy_faces_found']:.4f}"
    )

    with open(os.path.join(HERE, "test_split.tsv"), "w") as f:
        f.write("class\tpath\tface_found\n")
        for i in np.flatnonzero(s == 2):
            f.write(f"{CLASSES[d.classes[i]]}\t{d.paths[i]}\t{int(has[i])}\n")
    with open(os.path.join(HERE, "happy_sad_sample.tsv"), "w") as f:
        f.write("class\tpath\n")
        for i in happy_sad_sample(d.classes, s):
            f.write(f"{CLASSES[d.classes[i]]}\t{d.paths[i]}\n")

    import onnx

    val_key = "validation_in_sample" if in_sample else "validation"

    results = {
        "model": "models/emotion_classifier.onnx",
        "onnx_sha256": sha256(ONNX_PATH),
        "onnx_bytes": os.path.getsize(ONNX_PATH),
        "classes": CLASSES,
        "split": {
            "seed": int(__import__("data").SPLIT_SEED),
            "fractions_train_val_test": list(__import__("data").SPLIT_FRACTIONS),
            "stratified_by": "class, per file",
            **{
                name: {
                    "images": int((s == k).sum()),
                    "faces_found": int(((s == k) & has).sum()),
                    "faces_not_found": int(((s == k) & ~has).sum()),
                }
                for k, name in enumerate(["train", "validation", "test"])
            },
        },
        "ours": {val_key: val, "test": test},
        "seed_random_forest": {
            "recipe": "RandomForestClassifier(random_state=0) on mesh landmarks (x/width, y/height, z/width) "
            "minus their per-face minimum, 1404 values",
            val_key: rf_val,
            "test": rf_test,
            "train_seconds": round(rf_seconds, 1),
        },
        "onnx_vs_torch_max_abs_diff_test": max_diff,
        "hyperparameters": {
            k: v for k, v in vars(cfg).items() if k not in ("features", "dev", "dev_probs", "member_start")
        },
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
