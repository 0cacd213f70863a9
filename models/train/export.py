"""ONNX export of EmotionNet (opset 17) and its check against PyTorch with ONNX Runtime."""

from __future__ import annotations

import io

import numpy as np
import onnx
import torch

from data import CLASSES, CROP, GEOMETRY_DIM

OPSET = 17


DOC = (
    "Face emotion classifier. Inputs: geometry [N,1404] = emotion_core::features::normalized_geometry; "
    "crop [N,1,64,64] = emotion_core::features::aligned_crop (grey, 0..1). Output: probabilities [N,7] "
    "(softmax) over " + ", ".join(CLASSES) + ". Normalisation is inside the graph."
)


def export_onnx(model: torch.nn.Module, path: str) -> None:
    model.eval()
    g = torch.zeros(2, GEOMETRY_DIM, dtype=torch.float32)
    c = torch.zeros(2, 1, CROP, CROP, dtype=torch.float32)
    buf = io.BytesIO()
    torch.onnx.export(
        model,
        (g, c),
        buf,
        dynamo=False,
        input_names=["geometry", "crop"],
        output_names=["probabilities"],
        dynamic_axes={"geometry": {0: "N"}, "crop": {0: "N"}, "probabilities": {0: "N"}},
        opset_version=OPSET,
        do_constant_folding=True,
        export_params=True,
    )
    m = onnx.load_from_string(buf.getvalue())
    # Make the file depend on the weights only (no tool versions, no doc strings).
    m.producer_name = "emotion models/train"
    m.producer_version = ""
    m.doc_string = DOC
    for node in m.graph.node:
        node.doc_string = ""
    onnx.checker.check_model(m, full_check=True)
    with open(path, "wb") as f:
        f.write(m.SerializeToString(deterministic=True))


def verify_onnx(path: str, geometry: np.ndarray, crop: np.ndarray, expected: np.ndarray):
    """Checks the file's signature and runs it in ONNX Runtime (one thread, as serving does):
    the largest |ONNX - expected|, ONNX Runtime's version, and the ONNX model's probabilities."""
    import onnxruntime as ort

    m = onnx.load(path)
    ins = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] for i in m.graph.input}
    outs = {o.name: [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim] for o in m.graph.output}
    assert ins == {"geometry": ["N", GEOMETRY_DIM], "crop": ["N", 1, CROP, CROP]}, ins
    assert outs == {"probabilities": ["N", len(CLASSES)]}, outs
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    got = np.concatenate(
        [
            sess.run(["probabilities"], {"geometry": geometry[i : i + 100], "crop": crop[i : i + 100]})[0]
            for i in range(0, len(geometry), 100)
        ]
    )
    single = sess.run(["probabilities"], {"geometry": geometry[:1], "crop": crop[:1]})[0]
    diff = float(max(np.abs(got - expected).max(), np.abs(single - expected[:1]).max()))
    assert np.allclose(got.sum(1), 1.0, atol=1e-5)
    return diff, ort.__version__, got
