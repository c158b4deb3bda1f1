"""A small learned pixel model: pen ink, grid line or anything else, for every pixel.

Colour thresholds separate a black pen from a pink grid on a clean page. On a phone photo
the grid can be as dark as a thin pen, JPEG smears the grid's colour into the pen, and
shadows move every level, so a dewarped photo is read through this model instead. It is a
small fully convolutional net run at half size (receptive field ~8 mm at 8 px/mm) over
the grid-periodicity rule's own contrast maps, trained from scratch on
crtnet's own renders, photographed in software and dewarped by this digitizer (``crtnet
train-pixel``); its weights ship in the package as safetensors (``weights/pixel-seg``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "pixel-seg" / "model.safetensors"
CLASSES = ("other", "grid", "ink")


IN_CH = 3


def build(width: int = 8, dilations: tuple[int, ...] = (1, 2, 4, 8)):
    """Dense 3x3 convolutions at half resolution (a quarter of the pixels; oneDNN runs
    dense convolutions in channels-last 3-6x faster per pixel than depthwise ones), with
    residual dilated blocks: a receptive field of about 66 px, 8 mm at 8 px/mm, enough to
    see a stroke's run across a grid line. Logits come back to full size bilinearly, plus
    a per-pixel term of the full-size input."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, c: int, d: int):
            super().__init__()
            self.conv = nn.Conv2d(c, c, 3, padding=d, dilation=d)

        def forward(self, x):
            return x + torch.relu(self.conv(x))

    class PixelNet(nn.Module):
        def __init__(self):
            super().__init__()
            # a learned 2x reduction: a thin stroke keeps its contrast, which averaging halves
            self.stem = nn.Sequential(nn.Conv2d(IN_CH, width, 4, stride=2, padding=1), nn.ReLU())
            self.blocks = nn.Sequential(*[Block(width, d) for d in dilations])
            self.head = nn.Conv2d(width, len(CLASSES), 1)
            self.skip = nn.Conv2d(IN_CH, len(CLASSES), 1)  # full-size detail, per pixel

        def forward(self, x):
            h, w = x.shape[-2:]
            y = self.head(self.blocks(self.stem(nn.functional.pad(x, (0, w % 2, 0, h % 2)))))
            y = nn.functional.interpolate(y, scale_factor=2.0, mode="bilinear")
            return y[..., :h, :w] + self.skip(x)

    return PixelNet()


def features(flat: np.ndarray, ppm: float):
    """Dewarped, light-flattened uint8 RGB page -> (float32 [3, H, W], the rule's
    ``PenContrast``), or None where the rule finds no pen. The model sees what the rule
    decides from, each in units of this page's own pen and grid: darkness against the
    grid-periodic background (over the pen's contrast), darkness against the 5 mm lines
    (over the pen's), and chroma. Scaled so, a brown, blue or black grid, a faint or a
    bold pen look alike, which raw colours do not (the first model's downfall on photos)."""
    from crtnet.digitize.dewarp import pen_contrast

    c = pen_contrast(flat, ppm)
    if c is None or c.s is None:
        return None
    rgb = flat[..., :3].astype(np.float32)
    chroma = rgb.max(axis=2) - rgb.min(axis=2)
    f = np.stack(
        [
            np.clip(c.s / c.top, -1.0, 2.0),
            np.clip((c.line - c.v.astype(np.float32)) / (c.line - c.ink), -1.0, 2.0),
            np.clip(chroma / 64.0, 0.0, 2.0) - 0.5,
        ]
    ).astype(np.float32)
    return f, c


@lru_cache(maxsize=2)
def load(path: str | None = None):
    """The shipped model (or one at ``path``), eval mode; safetensors, never pickle."""
    from crtnet.models.inference import load_weights

    return load_weights(build(), Path(path) if path else WEIGHTS, "the pixel model")


def probabilities(feats: np.ndarray, path: str | None = None, tile: int = 1024) -> np.ndarray:
    """[H, W, 3] class probabilities (other, grid, ink) of ``features``' array, in tiles to
    bound memory."""
    import torch

    net = load(path)
    h, w = feats.shape[1:]
    out = np.zeros((h, w, len(CLASSES)), np.float32)
    pad = 40  # beyond the receptive field's reach, so tiles join seamlessly
    with torch.inference_mode():
        for y in range(0, h, tile):
            for x in range(0, w, tile):
                y0, x0 = max(0, y - pad), max(0, x - pad)
                y1, x1 = min(h, y + tile + pad), min(w, x + tile + pad)
                y0, x0 = y0 - y0 % 2, x0 - x0 % 2  # the half-size grid stays aligned
                t = torch.from_numpy(np.ascontiguousarray(feats[:, y0:y1, x0:x1]))[None]
                t = t.contiguous(memory_format=torch.channels_last)
                p = torch.softmax(net(t), dim=1)[0].permute(1, 2, 0).numpy()
                out[y : min(h, y + tile), x : min(w, x + tile)] = p[
                    y - y0 : y - y0 + min(tile, h - y), x - x0 : x - x0 + min(tile, w - x)
                ]
    return out
