"""A small classifier of printed lead labels ("I" ... "V6", or no label).

Which lead a panel holds is otherwise inferred from the layout alone; the printed label
says it outright. A word found beside a panel's start (``labels.py``) is cut out as ink,
scaled to a fixed height (``normalise``) and classified by this CNN, trained from scratch
on label words set in many fonts and sizes (``crtnet train-labels``); its weights ship in
the package as safetensors (``weights/lead-labels``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from crtnet.io.leads import STANDARD_12

WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "lead-labels" / "model.safetensors"
CLASSES = (*STANDARD_12, "none")
H, W = 20, 48  # the normalised word: 20 px tall, up to 48 px wide


def normalise(ink: np.ndarray) -> np.ndarray:
    """A word's ink (bool or 0..1, cropped to its box) -> float32 [H, W]: scaled to H px
    tall, aspect kept (squeezed only when wider than W), left-aligned on blank."""
    import cv2

    a = np.asarray(ink, np.float32)
    h, w = a.shape
    out = np.zeros((H, W), np.float32)
    if h == 0 or w == 0:
        return out
    nw = int(min(W, max(1, round(w * H / h))))
    out[:, :nw] = cv2.resize(a, (nw, H), interpolation=cv2.INTER_AREA)
    return out


def build(width: int = 16):
    from torch import nn

    def block(a: int, b: int) -> list:
        return [nn.Conv2d(a, b, 3, padding=1), nn.BatchNorm2d(b), nn.ReLU()]

    return nn.Sequential(
        *block(1, width),
        nn.MaxPool2d(2),
        *block(width, 2 * width),
        nn.MaxPool2d(2),
        *block(2 * width, 4 * width),
        nn.AdaptiveMaxPool2d((1, 4)),  # where along the word a stroke is matters ("VI")
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(16 * width, len(CLASSES)),
    )


@lru_cache(maxsize=2)
def load(path: str | None = None):
    """The shipped model (or one at ``path``), eval mode; safetensors, never pickle."""
    from crtnet.models.inference import load_weights

    return load_weights(build(), Path(path) if path else WEIGHTS, "the lead-label model")


def classify(words: list[np.ndarray], path: str | None = None) -> list[tuple[str, float]]:
    """(class, probability) for each normalised word."""
    import torch

    if not words:
        return []
    net = load(path)
    x = torch.from_numpy(np.stack(words)[:, None].astype(np.float32))
    # a few 20x48 crops: one thread does it in ~30 ms, while a second one waiting for a
    # busy core (a batch, a server) made it 0.2 s
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.inference_mode():
            p = torch.softmax(net(x), dim=1).numpy()
    finally:
        torch.set_num_threads(threads)
    k = p.argmax(axis=1)
    return [(CLASSES[i], float(p[j, i])) for j, i in enumerate(k)]
