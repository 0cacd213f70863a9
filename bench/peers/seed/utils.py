"""The seed's feature function: MediaPipe FaceMesh landmarks -> 1404 floats (x, y, z per landmark, min-shifted)."""

import cv2
import mediapipe as mp
import numpy as np


def make_face_mesh(static_image_mode=True):
    # The seed's settings; refine_landmarks stays False, so there are 468 landmarks.
    return mp.solutions.face_mesh.FaceMesh(
        static_image_mode=static_image_mode, max_num_faces=1, min_detection_confidence=0.5
    )


def get_face_landmarks(image, draw=False, static_image_mode=True, face_mesh=None, tuned=False):
    """`face_mesh=None` is the seed as shipped: a new FaceMesh graph for every call (never closed
    explicitly, as in the seed; CPython frees it when the call returns). Passing one in is the `best` mode,
    which also sets `tuned`: the minima taken once, with numpy, as anyone tuning the seed would."""
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    if face_mesh is None:
        face_mesh = make_face_mesh(static_image_mode)
    results = face_mesh.process(rgb)

    features = []
    if not results.multi_face_landmarks:
        return features
    face = results.multi_face_landmarks[0]
    if draw:
        mp.solutions.drawing_utils.draw_landmarks(image, face, mp.solutions.face_mesh.FACEMESH_CONTOURS)
    if tuned:
        points = np.array([(p.x, p.y, p.z) for p in face.landmark])
        return (points - points.min(axis=0)).ravel().tolist()
    xs = [p.x for p in face.landmark]
    ys = [p.y for p in face.landmark]
    zs = [p.z for p in face.landmark]
    # The tutorial code the seed is built on takes min() again for every value (1404 scans of 468 floats);
    # kept so the Python cost per request is the seed's. Same numbers as taking each min once.
    for i in range(len(xs)):
        features.append(xs[i] - min(xs))
        features.append(ys[i] - min(ys))
        features.append(zs[i] - min(zs))
    return features
