"""Export the three MTCNN networks (PNet, RNet, ONet) to ONNX and check them with ONNX Runtime.

Usage: python mtcnn_export.py PT_DIR OUT_DIR

PT_DIR holds pnet.pt, rnet.pt and onet.pt, the PyTorch state dicts shipped in the facenet-pytorch
2.6.0 wheel (facenet_pytorch/data/); OUT_DIR receives mtcnn_pnet.onnx, mtcnn_rnet.onnx and
mtcnn_onet.onnx. The network definitions below are ours; only the weights come from the wheel. The
state dicts name their layers conv1, prelu1, ..., dense5, ...; `_load` maps those names onto our
modules and fails on any missing, unused or mis-shaped tensor.

All three graphs take `input`, NCHW float32 RGB already normalised as (pixel - 127.5) * 0.0078125,
and apply the softmax inside. Outputs: PNet `reg` [1,4,oh,ow] and `prob` [1,2,oh,ow] (fully
convolutional, any h, w >= 12); RNet `reg` [n,4], `prob` [n,2] on [n,3,24,24]; ONet `reg` [n,4],
`landmarks` [n,10], `prob` [n,2] on [n,3,48,48]. prob[:, 1] is the face probability.
"""

from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

OPSET = 17
TOLERANCE = 1e-5


def _conv_prelu(cin: int, cout: int, k: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, kernel_size=k), nn.PReLU(cout)]


def _pool(k: int) -> nn.Module:
    # Caffe rounds pooled sizes up; every MTCNN pool has stride 2.
    return nn.MaxPool2d(kernel_size=k, stride=2, ceil_mode=True)


class PNet(nn.Module):
    """Proposal network: 12x12 receptive field, stride 2, fully convolutional."""

    # (layer name in pnet.pt, our module path)
    SOURCE = [
        ("conv1", "body.0"),
        ("prelu1", "body.1"),
        ("conv2", "body.3"),
        ("prelu2", "body.4"),
        ("conv3", "body.5"),
        ("prelu3", "body.6"),
        ("conv4_1", "face"),
        ("conv4_2", "box"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(*_conv_prelu(3, 10, 3), _pool(2), *_conv_prelu(10, 16, 3), *_conv_prelu(16, 32, 3))
        self.face = nn.Conv2d(32, 2, kernel_size=1)
        self.box = nn.Conv2d(32, 4, kernel_size=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(x)
        return self.box(h), torch.softmax(self.face(h), dim=1)


class RNet(nn.Module):
    """Refinement network on 24x24 crops."""

    SOURCE = [
        ("conv1", "body.0"),
        ("prelu1", "body.1"),
        ("conv2", "body.3"),
        ("prelu2", "body.4"),
        ("conv3", "body.6"),
        ("prelu3", "body.7"),
        ("dense4", "fc.0"),
        ("prelu4", "fc.1"),
        ("dense5_1", "face"),
        ("dense5_2", "box"),
    ]
    # The first dense layer's weights and the shape of the feature map it reads (C, H, W).
    DENSE = ("dense4", (64, 3, 3))

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(
            *_conv_prelu(3, 28, 3), _pool(3), *_conv_prelu(28, 48, 3), _pool(3), *_conv_prelu(48, 64, 2)
        )
        self.fc = nn.Sequential(nn.Linear(64 * 3 * 3, 128), nn.PReLU(128))
        self.face = nn.Linear(128, 2)
        self.box = nn.Linear(128, 4)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.fc(torch.flatten(self.body(x), 1))
        return self.box(h), torch.softmax(self.face(h), dim=1)


class ONet(nn.Module):
    """Output network on 48x48 crops: box, five landmarks, face probability."""

    SOURCE = [
        ("conv1", "body.0"),
        ("prelu1", "body.1"),
        ("conv2", "body.3"),
        ("prelu2", "body.4"),
        ("conv3", "body.6"),
        ("prelu3", "body.7"),
        ("conv4", "body.9"),
        ("prelu4", "body.10"),
        ("dense5", "fc.0"),
        ("prelu5", "fc.1"),
        ("dense6_1", "face"),
        ("dense6_2", "box"),
        ("dense6_3", "points"),
    ]
    DENSE = ("dense5", (128, 3, 3))

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(
            *_conv_prelu(3, 32, 3),
            _pool(3),
            *_conv_prelu(32, 64, 3),
            _pool(3),
            *_conv_prelu(64, 64, 3),
            _pool(2),
            *_conv_prelu(64, 128, 2),
        )
        self.fc = nn.Sequential(nn.Linear(128 * 3 * 3, 256), nn.PReLU(256))
        self.face = nn.Linear(256, 2)
        self.box = nn.Linear(256, 4)
        self.points = nn.Linear(256, 10)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = self.fc(torch.flatten(self.body(x), 1))
        return self.box(h), self.points(h), torch.softmax(self.face(h), dim=1)


def _load(net: nn.Module, path: Path) -> nn.Module:
    """Loads a facenet-pytorch state dict into our module.

    The weights were converted from Caffe through TensorFlow, where the last feature map is
    flattened in (W, H, C) order (facenet-pytorch transposes the map before flattening). We
    flatten in PyTorch's native (C, H, W) order instead and reorder the first dense layer's
    input columns to match, once, here: same products, no transpose in the graph.
    """
    src = torch.load(path, map_location="cpu", weights_only=True)
    src = {k: v.to(torch.float32) for k, v in src.items()}
    dense = getattr(net, "DENSE", None)
    if dense is not None:
        name, (c, h, w) = dense
        weight = src[f"{name}.weight"]
        src[f"{name}.weight"] = weight.reshape(-1, w, h, c).permute(0, 3, 2, 1).reshape(weight.shape[0], -1)
    ours = net.state_dict()
    loaded = {}
    for src_layer, our_layer in net.SOURCE:
        for kind in ("weight", "bias"):
            key = f"{src_layer}.{kind}"
            if key not in src:
                continue
            target = f"{our_layer}.{kind}"
            if ours[target].shape != src[key].shape:
                raise SystemExit(f"{path.name}: {key} {tuple(src[key].shape)} != {target} {tuple(ours[target].shape)}")
            loaded[target] = src.pop(key)
    if src:
        raise SystemExit(f"{path.name}: unused tensors {sorted(src)}")
    net.load_state_dict(loaded, strict=True)
    return net.eval()


# name, module, output names, example input shape, dynamic axes, input shapes for the check
SPECS = [
    (
        "pnet",
        PNet,
        ["reg", "prob"],
        (1, 3, 48, 64),
        {"input": {2: "h", 3: "w"}, "reg": {2: "oh", 3: "ow"}, "prob": {2: "oh", 3: "ow"}},
        [(1, 3, 12, 12), (1, 3, 13, 17), (1, 3, 107, 191), (1, 3, 270, 480)],
    ),
    (
        "rnet",
        RNet,
        ["reg", "prob"],
        (2, 3, 24, 24),
        {"input": {0: "n"}, "reg": {0: "n"}, "prob": {0: "n"}},
        [(1, 3, 24, 24), (37, 3, 24, 24)],
    ),
    (
        "onet",
        ONet,
        ["reg", "landmarks", "prob"],
        (2, 3, 48, 48),
        {"input": {0: "n"}, "landmarks": {0: "n"}, "reg": {0: "n"}, "prob": {0: "n"}},
        [(1, 3, 48, 48), (23, 3, 48, 48)],
    ),
]

DOC = {
    "pnet": "MTCNN PNet (weights: facenet-pytorch 2.6.0 pnet.pt). input [1,3,h,w] NCHW RGB, "
    "(px - 127.5) * 0.0078125. reg [1,4,oh,ow] box offsets, prob [1,2,oh,ow] softmax (channel 1 = face); "
    "stride 2, 12x12 cells.",
    "rnet": "MTCNN RNet (weights: facenet-pytorch 2.6.0 rnet.pt). input [n,3,24,24] NCHW RGB, "
    "(px - 127.5) * 0.0078125. reg [n,4] box offsets, prob [n,2] softmax (column 1 = face).",
    "onet": "MTCNN ONet (weights: facenet-pytorch 2.6.0 onet.pt). input [n,3,48,48] NCHW RGB, "
    "(px - 127.5) * 0.0078125. reg [n,4] box offsets, landmarks [n,10] (5 x, then 5 y, as fractions "
    "of the box), prob [n,2] softmax (column 1 = face).",
}


def export(name: str, net: nn.Module, outputs: list[str], example: tuple, dynamic: dict) -> bytes:
    buf = io.BytesIO()
    # dynamo=False is deliberate (the TorchScript exporter's graph for these small nets is plain).
    warnings.filterwarnings("ignore", "You are using the legacy TorchScript-based ONNX export", DeprecationWarning)
    torch.onnx.export(
        net,
        (torch.zeros(example, dtype=torch.float32),),
        buf,
        dynamo=False,
        input_names=["input"],
        output_names=outputs,
        dynamic_axes=dynamic,
        opset_version=OPSET,
        do_constant_folding=True,
        export_params=True,
    )
    m = onnx.load_from_string(buf.getvalue())
    # Make the file depend on the weights and the graph only (no tool versions, no doc strings).
    m.producer_name = "emotion models/convert/mtcnn_export.py"
    m.producer_version = ""
    m.doc_string = DOC[name]
    m.graph.doc_string = ""
    for node in m.graph.node:
        node.doc_string = ""
    onnx.checker.check_model(m, full_check=True)
    return m.SerializeToString(deterministic=True)


def check(path: Path, net: nn.Module, outputs: list[str], shapes: list[tuple], seed: int) -> float:
    """Largest |ONNX Runtime - PyTorch| over the outputs on uniform(-1, 1) inputs."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["input"], sess.get_inputs()
    assert [o.name for o in sess.get_outputs()] == outputs, sess.get_outputs()
    rng = np.random.default_rng(seed)
    worst = 0.0
    for shape in shapes:
        x = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        with torch.no_grad():
            want = [t.numpy() for t in net(torch.from_numpy(x))]
        got = sess.run(outputs, {"input": x})
        for o, g, w in zip(outputs, got, want, strict=True):
            assert g.shape == w.shape, (path.name, o, g.shape, w.shape)
            diff = float(np.abs(g - w).max())
            worst = max(worst, diff)
            print(f"  {path.name} {o} {list(g.shape)} max|onnx - torch| {diff:.2e}")
        prob = got[outputs.index("prob")]
        assert np.allclose(prob.sum(axis=1), 1.0, atol=1e-5)
    return worst


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    pt_dir, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    for seed, (name, cls, outputs, example, dynamic, shapes) in enumerate(SPECS):
        net = _load(cls(), pt_dir / f"{name}.pt")
        path = out_dir / f"mtcnn_{name}.onnx"
        path.write_bytes(export(name, net, outputs, example, dynamic))
        worst = check(path, net, outputs, shapes, seed)
        print(f"{path.name}: {path.stat().st_size} B, max|onnx - torch| {worst:.2e}")
        if not worst <= TOLERANCE:
            raise SystemExit(f"{path.name}: ONNX Runtime differs from PyTorch by {worst:.2e} > {TOLERANCE}")


if __name__ == "__main__":
    main()
