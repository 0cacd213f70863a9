"""The seed's /predict service, for benchmarking. SEED_MODE picks how FaceMesh is used:
  as_shipped  a new FaceMesh per request, as the seed; `python app.py` -> Flask's development server
  best        one FaceMesh per worker process, reused, and the features' minima taken once with numpy instead
              of the tutorial's min() per value; `gunicorn -w $(nproc) app:app` (sync workers, since FaceMesh is
              not thread-safe). Same answers: static_image_mode=True keeps no state between images, and the
              features are equal (accuracy.py checks both).
See run.sh for both start commands.
"""

import base64
import os
import pickle

import cv2
import numpy as np
from flask import Flask, jsonify, request

import utils

HERE = os.path.dirname(os.path.abspath(__file__))
MODE = os.environ.get("SEED_MODE", "as_shipped")
if MODE not in ("as_shipped", "best"):
    raise SystemExit(f"SEED_MODE must be as_shipped or best, not {MODE!r}")

app = Flask(__name__)
emotions = ["HAPPY", "SAD"]
with open(os.path.join(HERE, ".cache", "model.pkl"), "rb") as f:
    model = pickle.load(f)

if MODE == "as_shipped":
    get_face_landmarks = utils.get_face_landmarks
else:
    _mesh = None

    def get_face_landmarks(image, draw=False, static_image_mode=True):
        # Created on first use, not at import, so it is made inside each worker even under gunicorn --preload.
        global _mesh
        if _mesh is None:
            _mesh = utils.make_face_mesh(static_image_mode)
        return utils.get_face_landmarks(image, draw, static_image_mode, face_mesh=_mesh, tuned=True)


# From here to the end of predict(): the seed's code (predict-api.txt, "app.py:35-57"), unchanged.
@app.route("/predict", methods=["POST"])
def predict():
    try:
        data = request.json
        if "image" not in data:
            return jsonify({"error": "No image provided"}), 400

        # Decode base64 image
        img_data = data["image"].split(",")[1]
        nparr = np.frombuffer(base64.b64decode(img_data), np.uint8)
        frame = cv2.imdecode(nparr, cv2.IMREAD_COLOR)

        face_landmarks = get_face_landmarks(frame, draw=False, static_image_mode=True)

        if len(face_landmarks) > 0:
            output = model.predict([face_landmarks])
            emotion = emotions[int(output[0])] if 0 <= int(output[0]) < len(emotions) else "UNKNOWN"
            return jsonify({"emotion": emotion})
        else:
            return jsonify({"emotion": "No face detected"})

    except Exception as e:
        return jsonify({"error": str(e)}), 500


if __name__ == "__main__":
    # Flask's defaults (debug off, so no reloader; threaded=True since Flask 1.0).
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5001")))
