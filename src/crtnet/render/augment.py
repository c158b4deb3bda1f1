"""Seeded page augmentations: what printing, handling, scanning and photographing do.

Paper effects (fading, stains, scribbles, creases, wrinkles, occlusion) come first, then the
camera/scanner geometry (rotation, perspective), then light, colour, blur, noise and JPEG.
Geometric steps move the ground-truth pixel coordinates with the image, so the JSON stays
exact. Magnitudes are maxima; each page draws its own values from ``seed``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from crtnet.errors import CrtnetError


@dataclass
class AugmentConfig:
    rotation: float = 0.0  # max |degrees|
    perspective: float = 0.0  # max corner shift, fraction of the page size
    blur: float = 0.0  # max Gaussian sigma, px at 200 DPI
    noise: float = 0.0  # max sensor noise std (0-255 scale)
    jpeg: int = 0  # lowest JPEG quality drawn (0 = no JPEG)
    shading: float = 0.0  # scanner shading / uneven light, 0..1
    creases: int = 0  # max fold lines
    wrinkles: float = 0.0  # crumpled paper (light and small displacement), 0..1
    colour: float = 0.0  # colour cast, contrast and gamma shift, 0..1
    fade: float = 0.0  # faded thermal print, 0..1
    occlusion: int = 0  # max occluding patches (sticky note, paper edge)
    stains: int = 0  # max stains
    scribbles: int = 0  # max handwritten notes


PRESETS: dict[str, dict[str, Any]] = {
    "none": {},
    "mild": dict(rotation=1, blur=0.6, noise=3, jpeg=85, shading=0.1, colour=0.1),
    "scan": dict(
        rotation=2,
        perspective=0.004,
        blur=0.8,
        noise=4,
        jpeg=75,
        shading=0.3,
        colour=0.15,
        fade=0.2,
    ),
    "photo": dict(
        rotation=4,
        perspective=0.035,
        blur=1.2,
        noise=6,
        jpeg=60,
        shading=0.5,
        wrinkles=0.4,
        colour=0.3,
    ),
    "heavy": dict(
        rotation=6,
        perspective=0.05,
        blur=1.6,
        noise=9,
        jpeg=45,
        shading=0.6,
        creases=3,
        wrinkles=0.7,
        colour=0.4,
        fade=0.4,
        occlusion=1,
        stains=2,
        scribbles=3,
    ),
    # One family each (the gallery shows these).
    "rotation": dict(rotation=5),
    "perspective": dict(perspective=0.05),
    "blur": dict(blur=2.0),
    "noise": dict(noise=14),
    "jpeg": dict(jpeg=25),
    "shading": dict(shading=0.7),
    "crease": dict(creases=3, wrinkles=0.8),
    "colour": dict(colour=0.6),
    "fade": dict(fade=0.7),
    "occlusion": dict(occlusion=2, stains=3),
    "scribble": dict(scribbles=4),
}


def resolve(spec: str | dict | AugmentConfig | None) -> tuple[str, AugmentConfig]:
    if spec is None:
        return "none", AugmentConfig()
    if isinstance(spec, AugmentConfig):
        return "custom", spec
    if isinstance(spec, str):
        if spec not in PRESETS:
            raise CrtnetError(f"unknown augmentation {spec!r}; choose one of {', '.join(PRESETS)}")
        return spec, AugmentConfig(**PRESETS[spec])
    names = {f.name for f in fields(AugmentConfig)}
    bad = sorted(set(spec) - names)
    if bad:
        raise CrtnetError(f"unknown augmentation field(s) {bad}; known: {', '.join(sorted(names))}")
    return "custom", AugmentConfig(**spec)


def augment_page(page, spec, *, seed: int = 0) -> None:
    """Augment ``page.image`` in place and move ``page.truth``'s coordinates with it."""
    import cv2

    from crtnet.render import effects

    name, cfg = resolve(spec)
    rng = np.random.default_rng(seed)
    img = page.image.astype(np.float32)
    h, w = img.shape[:2]
    scale = page.truth["dpi"] / 200.0
    drawn: dict[str, Any] = {}
    bg = np.array(img[2, 2])

    def u(hi: float) -> float:  # a magnitude between half and all of the maximum
        return float(rng.uniform(0.5, 1.0) * hi)

    if cfg.fade:
        drawn["fade"] = u(cfg.fade)
        img = effects.fade(img, bg, drawn["fade"], rng)
    if cfg.stains:
        drawn["stains"] = int(rng.integers(1, cfg.stains + 1))
        img = effects.stains(img, drawn["stains"], rng)
    if cfg.scribbles:
        drawn["scribbles"] = int(rng.integers(1, cfg.scribbles + 1))
        img = effects.scribbles(img, drawn["scribbles"], rng, scale)
    if cfg.occlusion:
        n = int(rng.integers(1, cfg.occlusion + 1))
        img, boxes = effects.occlude(img, n, rng)
        drawn["occlusions"] = boxes  # clean-page px; truth["occlusions"] follows the geometry
        page.truth["occlusions"] = [{"bbox": list(map(float, b))} for b in boxes]
        if page.mask is not None:  # hidden ink is not in the mask
            for x0, y0, x1, y1 in boxes:
                page.mask[y0:y1, x0:x1] = 0
    if cfg.creases:
        drawn["creases"] = int(rng.integers(1, cfg.creases + 1))
        img = effects.creases(img, drawn["creases"], rng, scale)
    if cfg.wrinkles:
        drawn["wrinkles"] = u(cfg.wrinkles)
        img, fwd, warp = effects.wrinkle(img, drawn["wrinkles"], rng, scale)
        if page.mask is not None:
            page.mask = warp(page.mask)
        _move_points(page.truth, fwd)
    if cfg.rotation or cfg.perspective:
        ang = float(rng.uniform(-cfg.rotation, cfg.rotation)) if cfg.rotation else 0.0
        src = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
        c = np.float32([(w - 1) / 2, (h - 1) / 2])
        th = np.deg2rad(ang)
        rot = np.float32([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        dst = (src - c) @ rot.T + c
        if cfg.perspective:
            dst += rng.uniform(-1, 1, (4, 2)).astype(np.float32) * cfg.perspective * [w, h]
        hom = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
        border = rng.uniform(40, 230) * np.ones(3) * rng.uniform(0.85, 1.0, 3)
        img = cv2.warpPerspective(
            img,
            hom,
            (w, h),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=border.tolist(),
        )
        if page.mask is not None:
            page.mask = cv2.warpPerspective(page.mask, hom, (w, h), flags=cv2.INTER_LINEAR)
        drawn["rotation_deg"] = round(ang, 4)
        drawn["perspective"] = cfg.perspective
        page.truth["homography"] = (hom @ np.asarray(page.truth["homography"])).tolist()
        _move_points(page.truth, lambda p: cv2.perspectiveTransform(p[None], hom)[0])
    if cfg.shading:
        drawn["shading"] = u(cfg.shading)
        img = effects.shade(img, drawn["shading"], rng)
    if cfg.colour:
        drawn["colour"] = u(cfg.colour)
        img = effects.colour(img, drawn["colour"], rng)
    if cfg.blur:
        drawn["blur_sigma"] = u(cfg.blur) * scale
        img = cv2.GaussianBlur(img, (0, 0), drawn["blur_sigma"])
    if cfg.noise:
        drawn["noise_std"] = u(cfg.noise)
        img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(drawn["noise_std"])
    out = np.clip(img, 0, 255).astype(np.uint8)
    if cfg.jpeg:
        q = int(rng.integers(cfg.jpeg, 96))
        drawn["jpeg_quality"] = q
        ok, buf = cv2.imencode(".jpg", out[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, q])
        out = np.ascontiguousarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1])
    page.image = out
    page.truth["augment"] = {"name": name, "seed": seed, "config": asdict(cfg), "drawn": drawn}


def _move_points(truth: dict, fn) -> None:
    """Send every plotted sample and every box corner through the image's geometry."""
    for e in truth["leads"] + truth["calibration"] + truth.get("occlusions", []):
        x0, y0, x1, y1 = e["bbox"]
        corners = fn(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32))
        lo, hi = corners.min(0), corners.max(0)
        e["bbox"] = [round(float(v), 2) for v in (lo[0], lo[1], hi[0], hi[1])]
        if not e.get("x"):
            continue
        y = np.array([np.nan if v is None else v for v in e["y"]], np.float32)
        ok = np.isfinite(y)
        pts = np.stack([np.asarray(e["x"], np.float32), np.where(ok, y, 0)], 1)
        moved = fn(pts)
        e["x"] = np.round(moved[:, 0], 3).tolist()
        e["y"] = [round(float(v), 3) if f else None for v, f in zip(moved[:, 1], ok, strict=True)]
