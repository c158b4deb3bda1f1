"""Training of the lead-label classifier (``crtnet train-labels``) on words set in type.

Each sample is a lead label ("I" ... "V6") or something else found beside panels (a part
of a label, two labels run together, a calibration note, digits, a tick), set in one of
matplotlib's bundled fonts or OpenCV's Hershey fonts at 7-40 px, slanted a little,
blurred, noised and thresholded as a page's ink would be, thickened or thinned, then cut
to its ink box and normalised exactly as ``digitize.labels`` cuts words from pages.
Seeded; the samples are made once into a cache, and a checkpoint after every chunk of
steps lets an interrupted run resume.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from crtnet.digitize.labelnet import CLASSES, build, normalise
from crtnet.digitize.labels import SURE

LEADS = CLASSES[:-1]
OTHER = (
    "a", "aV", "V", "VL", "VR", "VF", "R", "L", "F", "1", "2", "3", "4", "5", "6", "0", "7",
    "8", "9", "mm", "25mm/s", "10mm/mV", "Hz", "ID:", "mV", "s", "x", "-", "+", "I I",
    "V7", "V8", "V9", "aVLV2", "IIaVF", "12", "50", "0.5", "~", "Age", "Sex", "HR",
)  # fmt: skip
HERSHEY = (0, 2, 3, 4, 1)  # simplex, duplex, complex, triplex, plain


@dataclass
class LabelTrainConfig:
    samples: int = 24000
    val_samples: int = 3000
    steps: int = 3000
    batch: int = 64
    lr: float = 3e-3
    seed: int = 0
    checkpoint_every: int = 500
    threads: int = 2


def _fonts() -> list[str]:
    import matplotlib

    d = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    names = (
        "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSerif.ttf",
        "DejaVuSerif-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf",
        "STIXGeneral.ttf", "STIXGeneralBol.ttf", "cmss10.ttf",
    )  # fmt: skip
    return [str(d / n) for n in names if (d / n).is_file()]


def _text(rng) -> tuple[str, int]:
    if rng.random() < 0.8:
        k = int(rng.integers(len(LEADS)))
        t = LEADS[k]
        if t.startswith("aV") and rng.random() < 0.1:
            t = t.upper()
        return t, k
    return str(rng.choice(OTHER)), len(CLASSES) - 1


def _set(text: str, size: int, font: str | int, thick: float = 1.0) -> np.ndarray:
    """Darkness 0..1 of ``text`` set about ``size`` px tall (capital height)."""
    import cv2

    if isinstance(font, int):
        scale = size / 22.0
        th = max(1, int(round(scale * thick)))
        (w, h), base = cv2.getTextSize(text, font, scale, th)
        img = np.zeros((h + base + 8, w + 8), np.uint8)
        cv2.putText(img, text, (4, h + 4), font, scale, 255, th, cv2.LINE_AA)
        return img.astype(np.float32) / 255.0
    from PIL import Image, ImageDraw, ImageFont

    f = ImageFont.truetype(font, max(6, int(size * 1.4)))
    x0, y0, x1, y1 = f.getbbox(text)
    img = Image.new("L", (x1 - x0 + 8, y1 - y0 + 8), 0)
    ImageDraw.Draw(img).text((4 - x0, 4 - y0), text, fill=255, font=f)
    return np.asarray(img, np.float32) / 255.0


def sample(rng, fonts: list[str]) -> tuple[np.ndarray, int]:
    """One normalised word and its class."""
    import cv2

    text, k = _text(rng)
    size = int(rng.integers(7, 41))
    font: str | int = int(rng.choice(HERSHEY)) if rng.random() < 0.25 else str(rng.choice(fonts))
    thick = float(rng.uniform(0.6, 2.0))
    if text == "-":
        d = np.zeros((size + 8, size + 8), np.float32)
        d[4 : size + 4, size // 2 + 2 : size // 2 + 5] = 1  # a separator tick
    else:
        d = _set(text, size, font, thick)
    h, w = d.shape
    pad = 6
    d = cv2.copyMakeBorder(d, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    ang = float(rng.normal(0, 2.0))
    m = cv2.getRotationMatrix2D((d.shape[1] / 2, d.shape[0] / 2), ang, 1.0)
    d = cv2.warpAffine(d, m, (d.shape[1], d.shape[0]))
    if rng.random() < 0.7:
        d = cv2.GaussianBlur(d, (0, 0), float(rng.uniform(0.3, 1.3)))
    d = d + rng.normal(0, rng.uniform(0, 0.12), d.shape).astype(np.float32)
    ink = d > rng.uniform(0.3, 0.65)
    r = rng.random()
    if r < 0.15:
        ink = cv2.dilate(ink.astype(np.uint8), np.ones((2, 2), np.uint8)).astype(bool)
    elif r < 0.25 and size > 14:
        ink = cv2.erode(ink.astype(np.uint8), np.ones((2, 2), np.uint8)).astype(bool)
    # specks are dropped as on pages (components under 4 px)
    n, lab, st, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    ink = (st[:, cv2.CC_STAT_AREA] >= 4)[lab] & (lab > 0)
    ys, xs = np.nonzero(ink)
    if ys.size == 0:
        return normalise(np.zeros((1, 1))), len(CLASSES) - 1
    t, b = ys.min(), ys.max() + 1
    left, right = xs.min(), xs.max() + 1
    return normalise(ink[t:b, left:right]), k


def make_set(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    fonts = _fonts()
    xs, ys = zip(*(sample(rng, fonts) for _ in range(n)), strict=True)
    return np.stack(xs), np.array(ys, np.int64)


def train_labels(
    out: Path, cfg: LabelTrainConfig, log=print, stop_after: int | None = None
) -> dict | None:
    """Train (or resume) into ``out``: model.safetensors, metrics.json and the checkpoint
    (``train.checkpoint``: safetensors + JSON, no pickle).

    ``stop_after`` ends this call after that many steps, as an interruption would."""
    import torch

    from crtnet.train import checkpoint as ck

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    cache = out / "words.npz"
    if cache.is_file():
        with np.load(cache) as z:
            tx, ty, vx, vy = z["tx"], z["ty"], z["vx"], z["vy"]
    else:
        tx, ty = make_set(cfg.samples, cfg.seed)
        vx, vy = make_set(cfg.val_samples, cfg.seed + 10_000)  # other words, never trained on
        tmp = out / "words.tmp.npz"
        np.savez_compressed(tmp, tx=tx, ty=ty, vx=vx, vy=vy)
        tmp.replace(cache)
    tr_x, tr_y = torch.from_numpy(tx[:, None]), torch.from_numpy(ty)
    net = build()

    def batch_loss(gen):
        idx = torch.randint(0, len(tr_y), (cfg.batch,), generator=gen)
        return torch.nn.functional.cross_entropy(net(tr_x[idx]), tr_y[idx])

    t0 = time.perf_counter()
    if not ck.run_steps(
        out,
        net,
        batch_loss,
        lr=cfg.lr,
        steps=cfg.steps,
        seed=cfg.seed,
        checkpoint_every=cfg.checkpoint_every,
        log=log,
        stop_after=stop_after,
    ):
        return None
    with torch.inference_mode():
        p = torch.softmax(net(torch.from_numpy(vx[:, None])), dim=1).numpy()
    pred = p.argmax(axis=1)
    sure = p.max(axis=1) >= SURE  # the share a page's labels check would count
    metrics = {
        "val_accuracy": round(float((pred == vy).mean()), 4),
        "val_sure_share": round(float(sure.mean()), 4),
        "val_sure_accuracy": round(float((pred == vy)[sure].mean()), 4) if sure.any() else None,
        "val_samples": int(len(vy)),
        "seconds": round(time.perf_counter() - t0, 1),
        "config": asdict(cfg),
    }
    ck.save_weights(net, out / "model.safetensors")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return metrics
