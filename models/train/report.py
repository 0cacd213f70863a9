"""Print the result tables of models/README.md ("Emotion classifier") from results.json."""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
r = json.load(open(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results.json")))
C = r["classes"]
ours, rf = r["ours"]["test"], r["seed_random_forest"]["test"]
in_sample = "validation" not in r["ours"]  # the final members also learned from validation
pct = lambda x: f"{100 * x:.1f} %"  # noqa: E731

print("| test split | ours (3 × CNN + geometry MLP) | seed (RandomForest on mesh) |")
print("|---|---|---|")
print(
    f"| 7-class accuracy, faces found ({ours['faces_found']}) | **{pct(ours['accuracy_faces_found'])}** "
    f"| {pct(rf['accuracy_faces_found'])} |"
)
print(
    f"| 7-class accuracy, all images ({ours['images']}; no face = wrong) | {pct(ours['accuracy_all_images'])} "
    f"| {pct(rf['accuracy_all_images'])} |"
)
hs, hr = ours["happy_vs_sad"], rf["happy_vs_sad"]
print(
    f"| HAPPY-vs-SAD, faces found ({hs['images_faces_found']}) | **{pct(hs['accuracy_faces_found'])}** "
    f"| {pct(hr['accuracy_faces_found'])} |"
)
print(
    f"| HAPPY-vs-SAD, all images ({hs['images_all']}) | {pct(hs['accuracy_all_images'])} "
    f"| {pct(hr['accuracy_all_images'])} |"
)
for c in C:
    print(
        f"| recall {c} | {pct(ours['per_class_recall_faces_found'][c])} "
        f"| {pct(rf['per_class_recall_faces_found'][c])} |"
    )
if not in_sample:
    ours_v, rf_v = r["ours"]["validation"], r["seed_random_forest"]["validation"]
    print(
        f"| validation: 7-class / HAPPY-vs-SAD | {pct(ours_v['accuracy_faces_found'])} "
        f"/ {pct(ours_v['happy_vs_sad']['accuracy_faces_found'])} "
        f"| {pct(rf_v['accuracy_faces_found'])} / {pct(rf_v['happy_vs_sad']['accuracy_faces_found'])} |"
    )
print()
print("Confusion matrix of our model, test split, faces found (rows: true class, columns: predicted):")
print()
print("| true \\ predicted | " + " | ".join(C) + " |")
print("|---" * (len(C) + 1) + "|")
for c, row in zip(C, ours["confusion_matrix_faces_found"]["matrix"], strict=True):
    print(f"| {c} | " + " | ".join(str(v) for v in row) + " |")
