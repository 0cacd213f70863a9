"""Print the result tables of models/README.md ("Emotion classifier") from results.json."""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
r = json.load(open(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results.json")))
C = r["classes"]
ours, rf = r["ours"], r["seed_random_forest"]
test = ours["test"]
val_key = "validation" if "validation" in ours else "validation_in_sample"
pct = lambda x: f"{100 * x:.1f} %"  # noqa: E731
members = r["hyperparameters"]["members"]
name = "one CNN + geometry MLP" if members == 1 else f"{members} × CNN + geometry MLP"

print(f"| test split | ours ({name}) | seed (RandomForest on mesh) |")
print("|---|---|---|")
hs, hr = test["happy_vs_sad"], rf["test"]["happy_vs_sad"]
rows = [
    (
        f"faces-224, 7-class accuracy, faces found ({test['faces_found']})",
        test["accuracy_faces_found"],
        rf["test"]["accuracy_faces_found"],
    ),
    (
        f"faces-224, 7-class accuracy, all images ({test['images']}; no face = wrong)",
        test["accuracy_all_images"],
        rf["test"]["accuracy_all_images"],
    ),
    (
        f"faces-224, HAPPY-vs-SAD, faces found ({hs['images_faces_found']})",
        hs["accuracy_faces_found"],
        hr["accuracy_faces_found"],
    ),
    (f"faces-224, HAPPY-vs-SAD, all images ({hs['images_all']})", hs["accuracy_all_images"], hr["accuracy_all_images"]),
]
for label, a, b in rows:
    print(f"| {label} | **{pct(a)}** | {pct(b)} |")
sample = test["happy_vs_sad_detail"]["balanced_sample"]
rec = sample["per_class_recall"]
print(
    f"| faces-224, HAPPY-vs-SAD, fixed sample of 100 happy + 100 sad | **{pct(sample['accuracy'])}** "
    f"(happy {100 * rec['happy']:.0f}, sad {100 * rec['sad']:.0f}) | – |"
)
for c in C:
    a, b = test["per_class_recall_faces_found"][c], rf["test"]["per_class_recall_faces_found"][c]
    print(f"| faces-224, recall {c} | {pct(a)} | {pct(b)} |")
lf, lo = (
    ours["test_faces224_linked_scored_with_ferplus_majority"],
    ours["test_faces224_linked_scored_with_original_labels"],
)
print(
    f"| faces-224 test images that are FER2013 pictures with a FER+ majority ({lf['faces_found']}): 7-class vs FER+ "
    f"majority / vs folder label | {pct(lf['accuracy_faces_found'])} / {pct(lo['accuracy_faces_found'])} | – |"
)
lhs = lf["happy_vs_sad"]
print(
    f"| the same, HAPPY-vs-SAD vs FER+ majority ({lhs['images_faces_found']}) | {pct(lhs['accuracy_faces_found'])}",
    "| – |",
)
fer = ours["ferplus_privatetest_majority7"]
print(
    f"| FER+ PrivateTest, 7-class accuracy vs majority label, all {fer['images']} faces with a majority among our "
    f"seven (no face = wrong) / faces found ({fer['faces_found']}) | **{pct(fer['accuracy_all_images'])}** / "
    f"{pct(fer['accuracy_faces_found'])} | – |"
)
fv = ours.get(f"ferplus_validation_majority7_{val_key}")
v = ours[val_key]
print(
    f"| {val_key.replace('_', ' ')}: faces-224 7-class / HAPPY-vs-SAD; FER+ validation faces, 7-class (all) | "
    f"{pct(v['accuracy_faces_found'])} / {pct(v['happy_vs_sad']['accuracy_faces_found'])}; "
    f"{pct(fv['accuracy_all_images']) if fv else '–'} "
    f"| {pct(rf[val_key]['accuracy_faces_found'])} / {pct(rf[val_key]['happy_vs_sad']['accuracy_faces_found'])}; – |"
)
for title, m in (("faces-224 test split, faces found", test), ("FER+ PrivateTest, majority label, faces found", fer)):
    print()
    print(f"Confusion matrix of our model, {title} (rows: true class, columns: predicted):")
    print()
    print("| true \\ predicted | " + " | ".join(C) + " |")
    print("|---" * (len(C) + 1) + "|")
    for c, row in zip(C, m["confusion_matrix_faces_found"]["matrix"], strict=True):
        print(f"| {c} | " + " | ".join(str(x) for x in row) + " |")
