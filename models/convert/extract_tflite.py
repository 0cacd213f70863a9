"""Cut one file out of an Emscripten packed-assets bundle (MediaPipe JS solutions).

The npm package @mediapipe/face_mesh ships its models inside
face_mesh_solution_packed_assets.data; the byte ranges of each file are in the
metadata object passed to loadPackage({...}) in
face_mesh_solution_packed_assets_loader.js.

Usage:
  python extract_tflite.py LOADER_JS DATA_FILE NAME OUT_PATH

NAME is matched against the end of each packed file name
(e.g. "face_landmark.tflite" matches only "/.../face_landmark.tflite").
"""

import json
import re
import sys


def packed_files(loader_js: str) -> list[dict]:
    text = open(loader_js, encoding="utf-8").read()
    m = re.search(r"loadPackage\((\{\"files\".*?\})\);", text, re.S)
    if not m:
        raise SystemExit(f"no loadPackage({{...}}) metadata in {loader_js}")
    return json.loads(m.group(1))["files"]


def main() -> None:
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    loader_js, data_file, name, out_path = sys.argv[1:]
    entries = [f for f in packed_files(loader_js) if f["filename"].split("/")[-1] == name]
    if len(entries) != 1:
        raise SystemExit(f"expected exactly one packed file named {name!r}, found {len(entries)}")
    entry = entries[0]
    start, end = int(entry["start"]), int(entry["end"])
    with open(data_file, "rb") as f:
        f.seek(start)
        blob = f.read(end - start)
    if len(blob) != end - start:
        raise SystemExit(f"{data_file} is too short for {entry['filename']} [{start}, {end})")
    with open(out_path, "wb") as f:
        f.write(blob)
    print(f"{entry['filename']} [{start}, {end}) -> {out_path} ({len(blob)} bytes)")


if __name__ == "__main__":
    main()
