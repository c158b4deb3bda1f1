"""A small learned pixel model: pen ink, grid line or anything else, for every pixel.

Colour thresholds separate a black pen from a pink grid on a clean page. On a phone photo
the grid can be as dark as a thin pen, JPEG smears the grid's colour into the pen, and
shadows move every level, so a dewarped photo is read through this model instead. It is a
fully convolutional net of depthwise-separable dilated blocks (receptive field ~4 mm at
8 px/mm), trained from scratch on crtnet's own renders (``crtnet train-pixel``); its
weights ship in the package as safetensors (``weights/pixel-seg``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "pixel-seg" / "model.safetensors"
CLASSES = ("other", "grid", "ink")


def build(width: int = 16, dilations: tuple[int, ...] = (1, 2, 4, 8, 1)):
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, c: int, d: int):
            super().__init__()
            self.dw = nn.Conv2d(c, c, 3, padding=d, dilation=d, groups=c)
            self.pw = nn.Conv2d(c, c, 1)
            self.bn = nn.BatchNorm2d(c)

        def forward(self, x):
            return x + torch.relu(self.bn(self.pw(self.dw(x))))

    class PixelNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(5, width, 3, padding=1), nn.ReLU())
            self.blocks = nn.Sequential(*[Block(width, d) for d in dilations])
            self.head = nn.Conv2d(width, len(CLASSES), 1)

        def forward(self, x):
            return self.head(self.blocks(self.stem(x)))

    return PixelNet()


def features(rgb: np.ndarray):
    """uint8 RGB [H, W, 3] -> float tensor [1, 5, H, W]: the channels, their darkness and
    chroma (what tells a neutral pen from a coloured grid), centred."""
    import torch

    x = rgb[..., :3].astype(np.float32) / 255.0
    hi, lo = x.max(axis=2), x.min(axis=2)
    f = np.concatenate([x, hi[..., None], (hi - lo)[..., None]], axis=2) - 0.5
    return torch.from_numpy(np.ascontiguousarray(f.transpose(2, 0, 1)))[None]


@lru_cache(maxsize=2)
def load(path: str | None = None):
    """The shipped model (or one at ``path``), eval mode; safetensors, never pickle."""
    from crtnet.models.inference import load_weights

    return load_weights(build(), Path(path) if path else WEIGHTS, "the pixel model")


def probabilities(rgb: np.ndarray, path: str | None = None, tile: int = 1024) -> np.ndarray:
    """[H, W, 3] class probabilities (other, grid, ink), in tiles to bound memory."""
    import torch

    net = load(path)
    h, w = rgb.shape[:2]
    out = np.zeros((h, w, len(CLASSES)), np.float32)
    pad = 24  # beyond the receptive field's reach, so tiles join seamlessly
    with torch.inference_mode():
        for y in range(0, h, tile):
            for x in range(0, w, tile):
                y0, x0 = max(0, y - pad), max(0, x - pad)
                y1, x1 = min(h, y + tile + pad), min(w, x + tile + pad)
                p = torch.softmax(net(features(rgb[y0:y1, x0:x1])), dim=1)[0]
                p = p.permute(1, 2, 0).numpy()
                out[y : min(h, y + tile), x : min(w, x + tile)] = p[
                    y - y0 : y - y0 + min(tile, h - y), x - x0 : x - x0 + min(tile, w - x)
                ]
    return out
