"""Image effects behind the augmentations; float32 RGB in, float32 RGB out.

Each takes the numpy Generator it draws from, so a seed fixes a page exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

WORDS = [
    "NSR",
    "AF?",
    "ok",
    "old MI?",
    "repeat",
    "Dr. K",
    "LBBB",
    "12/3",
    "see prior",
    "ST ^",
    "QTc 460",
    "sinus",
    "pt moved",
    "call",
    "1st AVB",
]


def smooth_field(h: int, w: int, rng: np.random.Generator, cells: int = 6) -> np.ndarray:
    """Random smooth field in [0, 1] (low-res noise, bicubic upsampling)."""
    import cv2

    ch, cw = max(2, int(cells * h / max(h, w)) + 2), max(2, int(cells * w / max(h, w)) + 2)
    small = rng.random((ch, cw)).astype(np.float32)
    f = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    f -= f.min()
    return f / max(float(f.max()), 1e-6)


def fade(img: np.ndarray, bg: np.ndarray, strength: float, rng) -> np.ndarray:
    h, w = img.shape[:2]
    import cv2

    small = smooth_field(max(8, h // 8), max(8, w // 8), rng, 4)
    f = cv2.resize((0.85 * strength * (0.55 + 0.45 * small)).astype(np.float32), (w, h))
    d = bg.astype(np.float32)[None, None, :] - img
    d *= f[..., None]
    d += img
    return d


def stains(img: np.ndarray, n: int, rng) -> np.ndarray:
    """Coffee-like rings: a pale disc with a darker rim, brown (absorbs blue most)."""
    import cv2

    h, w = img.shape[:2]
    k = 4  # the mask is smooth: draw and blur it at 1/4 size
    mask = np.zeros((max(8, h // k), max(8, w // k)), np.float32)
    for _ in range(n):
        cx, cy = rng.uniform(0, w) / k, rng.uniform(0, h) / k
        ax, ay = rng.uniform(0.03, 0.09) * w / k, rng.uniform(0.03, 0.09) * w / k
        ang = rng.uniform(0, 180)
        cv2.ellipse(mask, (int(cx), int(cy)), (int(ax), int(ay)), ang, 0, 360, 0.35, -1)
        ring = max(1, int(0.004 * w / k))
        cv2.ellipse(mask, (int(cx), int(cy)), (int(ax), int(ay)), ang, 0, 360, 0.7, ring)
    mask = cv2.resize(cv2.GaussianBlur(mask, (0, 0), max(0.5, 0.004 * w / k)), (w, h))
    tint = np.array([0.12, 0.3, 0.55], np.float32) * np.float32(rng.uniform(0.7, 1.1))
    return img * (1 - mask[..., None] * tint[None, None, :])


def scribbles(img: np.ndarray, n: int, rng, scale: float) -> np.ndarray:
    import cv2

    h, w = img.shape[:2]
    ink = np.zeros((h, w), np.uint8)  # putText draws on 8-bit images only
    for _ in range(n):
        x, y = int(rng.uniform(0.05, 0.75) * w), int(rng.uniform(0.1, 0.95) * h)
        size = rng.uniform(1.0, 2.2) * scale
        font = cv2.FONT_HERSHEY_SCRIPT_SIMPLEX | cv2.FONT_ITALIC
        cv2.putText(
            ink,
            str(rng.choice(WORDS)),
            (x, y),
            font,
            size,
            255,
            max(1, int(round(2 * scale))),
            cv2.LINE_AA,
        )
        if rng.random() < 0.6:  # a loop or an underline, pen style
            t = np.linspace(0, 2 * np.pi * rng.uniform(0.6, 1.1), 60)
            rx, ry = rng.uniform(40, 160) * scale, rng.uniform(15, 50) * scale
            pts = np.stack(
                [
                    x + rx * np.cos(t) + rng.normal(0, 2 * scale, t.size),
                    y - ry * 0.5 + ry * np.sin(t) + rng.normal(0, 2 * scale, t.size),
                ],
                1,
            )
            cv2.polylines(
                ink,
                [np.round(pts * 16).astype(np.int32)],
                False,
                255,
                max(1, int(round(2 * scale))),
                cv2.LINE_AA,
                shift=4,
            )
    colour = np.array([35, 55, 150] if rng.random() < 0.7 else [25, 25, 30], np.float32)
    a = ink[..., None].astype(np.float32) / 255 * rng.uniform(0.7, 0.95)
    return img * (1 - a) + colour * a


def occlude(img: np.ndarray, n: int, rng) -> tuple[np.ndarray, list[list[int]]]:
    import cv2

    h, w = img.shape[:2]
    boxes = []
    for _ in range(n):
        bw, bh = int(rng.uniform(0.08, 0.18) * w), int(rng.uniform(0.08, 0.18) * h)
        x0, y0 = int(rng.uniform(0, w - bw)), int(rng.uniform(0, h - bh))
        colour = [(250, 236, 125), (245, 245, 240), (200, 225, 250)][int(rng.integers(3))]
        off = max(2, int(0.004 * w))
        k = 4  # the soft shadow is drawn and blurred at 1/4 size
        shadow = np.zeros((max(8, h // k), max(8, w // k)), np.float32)
        shadow[(y0 + off) // k : (y0 + bh + off) // k, (x0 + off) // k : (x0 + bw + off) // k] = (
            0.25
        )
        shadow = cv2.resize(cv2.GaussianBlur(shadow, (0, 0), max(0.5, off / k)), (w, h))
        img = img * (1 - shadow[..., None])
        img[y0 : y0 + bh, x0 : x0 + bw] = colour
        boxes.append([x0, y0, x0 + bw, y0 + bh])
    return img, boxes


def creases(img: np.ndarray, n: int, rng, scale: float) -> np.ndarray:
    h, w = img.shape[:2]
    xs, ys = np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)
    reach = 40 * scale  # the fold's light profile, tabulated at 1/4 px over +-reach
    dd = np.arange(-reach, reach, 0.25, dtype=np.float32)
    prof = (
        1
        - 0.22 * np.exp(-((dd / (1.6 * scale)) ** 2))
        - 0.07 * np.exp(-(((dd - 8 * scale) / (10 * scale)) ** 2))
        + 0.04 * np.exp(-(((dd + 8 * scale) / (10 * scale)) ** 2))
    )
    prof = np.r_[prof, np.float32(1)]
    mult = np.ones((h, w), np.float32)
    for _ in range(n):
        vertical = rng.random() < 0.5
        ang = np.deg2rad(rng.uniform(-4, 4) + (90 if vertical else 0))
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
        d = ((xs - cx) * np.float32(np.sin(ang)))[None, :] - ((ys - cy) * np.float32(np.cos(ang)))[
            :, None
        ]  # signed distance to the fold
        idx = ((d + reach) * 4).astype(np.int32)
        idx[(idx < 0) | (idx >= prof.size - 1)] = prof.size - 1
        mult *= prof[idx]
    return img * mult[..., None]


def wrinkle(img: np.ndarray, strength: float, rng, scale: float):
    """Crumpled paper: light from a random height field, and a small matching displacement.

    Returns the image, the forward map of points (source → augmented pixel coordinates) and
    a function applying the same displacement to another image.
    """
    import cv2

    h, w = img.shape[:2]
    hs, ws = max(8, h // 4), max(8, w // 4)  # fields are smooth: build them at 1/4 size
    # Ridges where smooth noise crosses its middle: thin folds, as crumpled paper has.
    z = sum(
        wt * (1 - np.abs(2 * smooth_field(hs, ws, rng, c) - 1)) ** 8
        for wt, c in ((1.0, 7), (0.6, 12), (0.4, 20))
    )
    gy, gx = np.gradient(z)
    g = np.hypot(gx, gy).std() + 1e-9
    a = rng.uniform(0, 2 * np.pi)
    light = 1 + 0.08 * strength * np.tanh((gx * np.cos(a) + gy * np.sin(a)) / g)
    amp = 2.0 * strength * scale
    dx = (amp * (z - z.mean()) / (z.std() + 1e-9) * 0.5).astype(np.float32)
    dy = np.roll(dx, int(hs / 7), axis=0)
    dx, dy, light = (
        cv2.resize(f.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
        for f in (dx, dy, light)
    )
    mx = np.arange(w, dtype=np.float32)[None, :] + dx
    my = np.arange(h, dtype=np.float32)[:, None] + dy
    out = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    out *= np.clip(light, 0.6, 1.2)[..., None]

    def forward(p: np.ndarray) -> np.ndarray:
        q = p.astype(np.float32).copy()
        for _ in range(4):  # solve q + d(q) = p by fixed-point iteration
            xi = np.clip(np.round(q[:, 0]).astype(int), 0, w - 1)
            yi = np.clip(np.round(q[:, 1]).astype(int), 0, h - 1)
            q = p - np.stack([dx[yi, xi], dy[yi, xi]], 1)
        return q

    def warp(other: np.ndarray) -> np.ndarray:  # the same displacement, for the trace mask
        return cv2.remap(other, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)

    return out, forward, warp


def shade(img: np.ndarray, strength: float, rng) -> np.ndarray:
    import cv2

    h, w = img.shape[:2]
    hs, ws = max(8, h // 8), max(8, w // 8)
    a = rng.uniform(0, 2 * np.pi)
    ramp = (np.linspace(-0.5, 0.5, ws)[None, :] * np.cos(a)) + (
        np.linspace(-0.5, 0.5, hs)[:, None] * np.sin(a)
    )
    field = 0.5 * np.clip(ramp + 0.5, 0, 1) + 0.5 * smooth_field(hs, ws, rng, 3)
    mult = cv2.resize((1 - 0.55 * strength * field).astype(np.float32), (w, h))
    return img * mult[..., None]


def colour(img: np.ndarray, strength: float, rng) -> np.ndarray:
    """Colour cast, contrast and gamma as one per-channel lookup table (fast)."""
    import cv2

    gains = 1 + rng.normal(0, 0.07 * strength, 3) - np.array([0, 0.02, 0.06]) * strength
    contrast = 1 - rng.uniform(0, 0.35) * strength
    gamma = np.exp(rng.normal(0, 0.25 * strength))
    offset = rng.normal(0, 8 * strength)
    levels = np.arange(256, dtype=np.float64)[:, None]
    lut = (levels * gains[None, :] - 128) * contrast + 128 + offset
    lut = np.round(255 * (np.clip(lut, 0, 255) / 255) ** gamma).astype(np.uint8)
    u8 = np.clip(img, 0, 255).astype(np.uint8)
    return cv2.LUT(u8, lut[None, :, :]).astype(np.float32)


Forward = Callable[[np.ndarray], np.ndarray]
