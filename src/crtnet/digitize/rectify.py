"""Perspective correction for photographed pages, from the grid's own lines.

A phone held at an angle maps the paper by a homography: the grid's horizontal lines
meet at one vanishing point and its vertical lines at another. Long straight lines of
each family (Hough transform over a narrow angle range) give both points; sending them
to infinity (the vanishing line to the line at infinity) makes each family parallel,
an affine step makes them horizontal and vertical, and equal grid periods in x and y
remove what anisotropy is left. A flat scan has parallel lines and is left alone.
"""

from __future__ import annotations

import cv2
import numpy as np

MAX_ANGLE = 12.0  # degrees of tilt searched for each family
MIN_LINES = 6
NEAR_PARALLEL = 2e-3  # |v_z| of a unit vanishing point below this: lines ~parallel
MAX_RESIDUAL_DEG = 0.15  # median misfit of a line to the common vanishing point
MIN_KEYSTONE = 0.002  # opposite page edges differing by under 0.2 % (1500 px page): left


def rectify(img: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The page with its grid lines made parallel and axis-aligned, and the homography
    (pixels in → pixels out), or the page unchanged and ``None`` when it needs none."""
    h, w = img.shape[:2]
    f = min(1.0, 1100.0 / max(h, w))
    m = line_mask(cv2.resize(img[..., :3], (round(w * f), round(h * f)), cv2.INTER_AREA))
    n = np.array([[1 / max(m.shape), 0, -0.5 * m.shape[1] / max(m.shape)],
                  [0, 1 / max(m.shape), -0.5 * m.shape[0] / max(m.shape)],
                  [0, 0, 1]])  # fmt: skip
    vh = _vanishing_point(m, horizontal=True, norm=n)
    vv = _vanishing_point(m, horizontal=False, norm=n)
    if vh is None or vv is None:
        return img, None
    if abs(vh[2]) < NEAR_PARALLEL and abs(vv[2]) < NEAR_PARALLEL:
        return img, None  # parallel families: a rotation at most, which deskew handles
    horizon = np.cross(vh, vv)
    if abs(horizon[2]) < 1e-9:
        return img, None
    hp = np.array([[1, 0, 0], [0, 1, 0], horizon / horizon[2]])
    # too slight to matter (or to trust: a small image gives less precise line angles)
    if _keystone(hp, m.shape) < MIN_KEYSTONE * max(1.0, 1500.0 / max(h, w)):
        return img, None
    dh, dv = (hp @ vh)[:2], (hp @ vv)[:2]
    dh = dh * np.sign(dh[0]) / np.linalg.norm(dh)  # rows run left to right
    dv = dv * np.sign(dv[1]) / np.linalg.norm(dv)  # columns run top to bottom
    a = np.eye(3)
    a[:2, :2] = np.linalg.inv(np.stack([dh, dv], axis=1))
    s = np.diag([f, f, 1.0])
    hm = np.linalg.inv(n) @ a @ hp @ n @ s  # original px -> rectified (downscaled) px
    corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], float).T
    c = hm @ corners
    if np.any(c[2] <= 0):
        return img, None  # the horizon crosses the page: not a plausible photo geometry
    c = c[:2] / c[2]
    lo, hi = c.min(axis=1), c.max(axis=1)
    scale = np.sqrt(w * h / np.prod(hi - lo))
    if not 0.5 < scale < 2.0:
        return img, None
    out = np.array([[scale, 0, -scale * lo[0]], [0, scale, -scale * lo[1]], [0, 0, 1]]) @ hm
    size = tuple(np.ceil(scale * (hi - lo)).astype(int))
    if max(size) > 2 * max(h, w):
        return img, None  # a wildly stretched page: the estimate, not the photo, is wrong
    # the affine step leaves x and y scaled differently: equal grid periods fix that
    g = cv2.warpPerspective(m, out @ np.linalg.inv(s), size, flags=cv2.INTER_NEAREST)
    px = _period(g.mean(axis=0))
    ratio = _period(g.mean(axis=1), near=px) / px
    if np.isfinite(ratio) and 0.8 < ratio < 1.25:
        out = np.diag([1.0, 1.0 / ratio, 1.0]) @ out
        size = (size[0], int(np.ceil(size[1] / ratio)))
    warped = cv2.warpPerspective(
        img, out, size, flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255)
    )
    return warped, out


def _keystone(hp: np.ndarray, shape: tuple[int, int]) -> float:
    """How unequal the projective part makes opposite edges of the page (log ratio)."""
    h, w = shape
    s = max(h, w)
    x, y = 0.5 * w / s, 0.5 * h / s
    c = hp @ np.array([[-x, -y, 1], [x, -y, 1], [x, y, 1], [-x, y, 1]], float).T
    c = c[:2] / c[2]
    side = np.linalg.norm(c - np.roll(c, -1, axis=1), axis=0)  # top, right, bottom, left
    return float(max(abs(np.log(side[0] / side[2])), abs(np.log(side[1] / side[3]))))


def line_mask(rgb: np.ndarray) -> np.ndarray:
    """Thin dark lines (grid, trace, text) against their surroundings: a black-hat of the
    darkest channel, so coloured grid lines count and uneven light does not."""
    g = np.ascontiguousarray(rgb.min(axis=2))
    bh = cv2.morphologyEx(g, cv2.MORPH_BLACKHAT, np.ones((5, 5), np.uint8))
    thr, _ = cv2.threshold(bh, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return (bh > max(thr, 8)).astype(np.uint8)


def _period(profile: np.ndarray, near: float | None = None) -> float:
    """The grid's period along one axis (px): the spectrum's strongest line (within 25 %
    of ``near`` when given)."""
    p = profile - profile.mean()
    n = 8 * p.size
    spec = np.abs(np.fft.rfft(p, n)) ** 2
    freqs = np.fft.rfftfreq(n)
    band = (freqs > 1 / 80) & (freqs < 0.45)  # periods of 2.2-80 px
    if near is not None and np.isfinite(near):
        band &= (freqs > 0.8 / near) & (freqs < 1.25 / near)
    if not band.any():
        return float("nan")
    i = int(np.flatnonzero(band)[np.argmax(spec[band])])
    return float(1.0 / freqs[i])


def _vanishing_point(m: np.ndarray, horizontal: bool, norm: np.ndarray) -> np.ndarray | None:
    """Least-squares meeting point (unit homogeneous, normalised coordinates) of one
    family's long lines."""
    h, w = m.shape
    t = np.deg2rad(MAX_ANGLE)
    lo, hi = (np.pi / 2 - t, np.pi / 2 + t) if horizontal else (-t, t)
    # a grid line spans most of the page; text and trace runs do not
    votes = int(0.5 * (w if horizontal else h))
    lines = None
    for _ in range(4):
        lines = cv2.HoughLines(m, 1, np.pi / 1800, votes, min_theta=lo, max_theta=hi)
        if lines is not None and len(lines) >= MIN_LINES:
            break
        votes = int(votes * 0.75)
    if lines is None or len(lines) < MIN_LINES:
        return None
    rho, theta = lines[:200, 0, 0], lines[:200, 0, 1]
    ls = np.stack([np.cos(theta), np.sin(theta), -rho], axis=1)
    ls = ls @ np.linalg.inv(norm)  # lines transform by the inverse transpose
    ls /= np.linalg.norm(ls[:, :2], axis=1, keepdims=True)
    _, _, vt = np.linalg.svd(ls)
    v = vt[-1] / np.linalg.norm(vt[-1])
    # one pencil of straight lines, or not (curled paper, lines from other structures)
    p = -ls[:, 2:3] * ls[:, :2]  # each line's point nearest the centre
    u = v[:2] - v[2] * p  # towards the vanishing point (homogeneous-safe)
    d = np.stack([-ls[:, 1], ls[:, 0]], axis=1)
    cos = np.abs((u * d).sum(axis=1)) / np.maximum(np.linalg.norm(u, axis=1), 1e-12)
    if np.degrees(np.median(np.arccos(np.clip(cos, 0, 1)))) > MAX_RESIDUAL_DEG:
        return None
    return v
