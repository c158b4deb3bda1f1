"""Dense rectification of photographed pages from the grid's own 5 mm lines.

A phone photo maps the paper by perspective, curl and folds: no single homography holds,
and px/mm changes across the page. The printed grid is a ruler everywhere, so:

1. light is flattened (each channel divided by its local paper level) and the region
   beyond the paper (a table, fabric) is blanked;
2. in vertical strips the horizontal 5 mm lines are peaks of the grid profile; within a
   strip consecutive peaks get consecutive indices (a gap of k periods skips k - 1), and
   strips are tied together where their peaks continue one another, so every line gets a
   page-wide index. Vertical lines likewise, in horizontal strips;
3. where horizontal line k meets vertical line m lies paper point (5 m, 5 k) mm. The
   lattice of these points, checked against its neighbours and filled where missing, is
   a piecewise-bilinear map from paper to image, and the page is resampled through it at
   a fixed px/mm. Scale is then local by construction, never one global guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy.ndimage import gaussian_filter1d, map_coordinates
from scipy.signal import find_peaks

from crtnet.digitize import grid as gridmod

WORK_SIDE = 2400  # analysis size (px); the page is resampled from the full image
OUT_PPM = 8.0  # output px/mm: the tracer's home ground (~200 DPI)
MIN_NODES = 60  # fewer lattice points than this: not enough grid to trust the warp


@dataclass
class Dewarped:
    image: np.ndarray  # the page on a uniform grid, OUT_PPM px/mm, axis-aligned
    px_per_mm: float
    info: dict = field(default_factory=dict)


def flatten(img: np.ndarray, period: float) -> tuple[np.ndarray, np.ndarray]:
    """(image with the paper made white, mask of the paper). Lines thinner than the
    closing kernel are kept; shadows, colour casts and vignetting are divided out."""
    k = max(5, int(round(0.8 * period)) | 1)
    se = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    img = np.ascontiguousarray(img[..., :3])
    bg = cv2.morphologyEx(img, cv2.MORPH_CLOSE, se)
    bg = cv2.medianBlur(bg, k if k <= 255 else 255)
    bg = cv2.GaussianBlur(bg, (0, 0), k / 2).astype(np.float32)
    flat = np.clip(img.astype(np.float32) / np.maximum(bg, 1.0) * 255.0, 0, 255)
    # paper: the brightest, least coloured background; a table is darker or browner
    lum = bg.max(axis=2)
    chroma = lum - bg.min(axis=2)
    score = lum - 2.0 * chroma
    thr = _otsu(score)
    # a shadow makes paper darker but not coloured: grey counts as paper (a grey
    # surround has no grid lines, which is what ``grid_area`` asks for later)
    paper = (score > thr) | (chroma < 20)
    if paper.mean() < 0.3:  # no clear split: the whole frame is paper
        paper = np.ones_like(paper)
    else:
        n, lab, stats, _ = cv2.connectedComponentsWithStats(paper.astype(np.uint8), 8)
        keep = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])) if n > 1 else 0
        paper = lab == keep
        paper = cv2.morphologyEx(paper.astype(np.uint8), cv2.MORPH_CLOSE, se).astype(bool)
    flat[~paper] = 255
    return flat.astype(np.uint8), paper


def pen_mask(flat: np.ndarray, ppm: float) -> np.ndarray | None:
    """Ink on a dewarped page, whose 5 mm lines lie exactly on every ``5 ppm``-th row and
    column: the pen is what is clearly darker than those lines' own darkest pixels.
    ``None`` when the grid is as dark as the pen (then colour must separate them)."""
    # the pen is colourless: colour pushes a pixel away from "ink" (a faded red line
    # can be as dark as a grey pen in its brightest channel)
    hi = flat.max(axis=2).astype(np.float32)
    v = hi + 1.5 * (hi - flat.min(axis=2).astype(np.float32))
    c = 5 * ppm
    ys = np.round(np.arange(c, flat.shape[0] - 1, c)).astype(int)
    xs = np.round(np.arange(c, flat.shape[1] - 1, c)).astype(int)
    if ys.size < 3 or xs.size < 3:
        return None
    vm = cv2.erode(v, np.ones((5, 5), np.uint8))  # the line, even where the warp is off
    on = np.r_[vm[ys].ravel(), vm[:, xs].ravel()]
    line = float(np.percentile(on, 40))
    ink = float(np.percentile(v, 0.2))
    if line - ink < 40:
        return None
    strong = v < min(0.55 * 255, ink + 0.55 * (line - ink))
    # faint thin QRS strokes: paler pixels count where they touch clear ink
    return hysteresis(strong, v < min(0.65 * 255, ink + 0.75 * (line - ink)))


def hysteresis(strong: np.ndarray, weak: np.ndarray) -> np.ndarray:
    """Weak pixels count where they touch strong ones (8-connected): faint thin strokes of
    a pen whose core is clearly ink."""
    n, lab = cv2.connectedComponents((weak | strong).astype(np.uint8), connectivity=8)
    hit = np.zeros(n, bool)
    hit[np.unique(lab[strong])] = True
    hit[0] = False
    return hit[lab]


def grid_area(flat: np.ndarray, paper: np.ndarray, ppm: float) -> np.ndarray:
    """Where grid lines are printed (densely enough, 3 mm inside the paper): the page's
    margin, its edge and whatever lies beyond hold no trace."""
    lines = grid_lines(flat, 5 * ppm).astype(np.float32)
    k = int(round(10 * ppm)) | 1
    dens = cv2.blur(lines, (k, k))
    ref = float(np.median(dens[paper])) if paper.any() else float(dens.mean())
    area = dens > 0.35 * ref
    e = int(round(6 * ppm)) | 1
    inside = cv2.erode(paper.astype(np.uint8), np.ones((e, e), np.uint8)).astype(bool)
    return area & inside


def surrounded(img: np.ndarray) -> bool:
    """True when something other than paper (a table, fabric, a dark border) takes a
    clear part of the frame: the mark of a photo, whose geometry no single homography
    describes. Judged at 600 px on the paper level (lines closed away)."""
    h, w = img.shape[:2]
    f = 600.0 / max(h, w)
    small = cv2.resize(
        img[..., :3], (max(8, round(w * f)), max(8, round(h * f))), interpolation=cv2.INTER_AREA
    )
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)).astype(np.float32)
    score = bg.max(axis=2) - 2.0 * (bg.max(axis=2) - bg.min(axis=2))
    thr = _otsu(score)
    hi, lo = score > thr, score <= thr
    if not hi.any() or not lo.any():
        return False
    gap = float(score[hi].mean() - score[lo].mean())
    border = np.r_[lo[0], lo[-1], lo[:, 0], lo[:, -1]].mean()
    return bool(gap > 60 and 0.03 < lo.mean() < 0.7 and border > 0.2)


def grid_lines(flat: np.ndarray, period: float) -> np.ndarray:
    """Thin lines darker than their surroundings in the darkest channel, minus the pen:
    whatever the grid's colour, indifferent to tinted paper, and judged against the
    local line contrast (defocus and glare fade one part of a photo, not all of it)."""
    k = max(3, int(round(0.35 * period)) | 1)
    dark = flat.min(axis=2)
    hat = cv2.morphologyEx(dark, cv2.MORPH_BLACKHAT, np.ones((k, k), np.uint8)).astype(np.float32)
    p = max(3, int(round(period)) | 1)
    local = cv2.GaussianBlur(cv2.dilate(hat, np.ones((p, p), np.uint8)), (0, 0), period)
    v = flat.max(axis=2).astype(np.int16)
    pen = (v < 120) & (v - dark < 60)  # dark in every channel: ink, not a grid line
    pen = cv2.dilate(pen.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return (hat > 0.35 * local) & (hat > 6) & ~pen


def _otsu(x: np.ndarray) -> float:
    v = (x[::4, ::4] if x.ndim == 2 else x).ravel()
    lo, hi = float(v.min()), float(v.max())
    if hi - lo < 1e-6:
        return lo
    hist, edges = np.histogram(v, 128, (lo, hi))
    w = np.cumsum(hist).astype(float)
    mu = np.cumsum(hist * edges[:-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mu[-1] * w - mu * w[-1]) ** 2 / (w * (w[-1] - w))
    return float(edges[int(np.nanargmax(between[:-1]))])


def line_samples(g: np.ndarray, period: float, axis: int) -> np.ndarray:
    """(along, across, index) samples of the 5 mm lines that run along ``axis``.

    axis=1: horizontal lines, found as peaks down vertical strips (along = x, across = y).
    """
    m = g if axis == 1 else g.T
    h, w = m.shape
    step = max(4, int(round(period)))
    half = step  # strips two periods wide: a line tilted 10° still peaks
    sig = period / 5  # minor (1 mm) lines vanish, major lines stay
    strips = []
    for c in range(half, w - half + 1, step):
        prof = gaussian_filter1d(m[:, c - half : c + half].mean(axis=1), sig)
        base = gaussian_filter1d(prof, 2 * period)
        p = prof - base
        pk, props = find_peaks(p, distance=max(2, int(0.6 * period)), prominence=1e-6)
        if pk.size < 3:
            strips.append((c, np.empty(0), np.empty(0, int)))
            continue
        prom = props["prominences"]
        keep = prom > 0.25 * np.median(np.sort(prom)[-max(3, pk.size // 2) :])
        pk = pk[keep]
        ys = pk + _subpixel(p, pk)
        idx = _chain_index(ys, period)
        strips.append((c, ys[idx >= 0], idx[idx >= 0]))
    return _tie_strips(strips, period)


def _subpixel(p: np.ndarray, pk: np.ndarray) -> np.ndarray:
    i = np.clip(pk, 1, len(p) - 2)
    a, b, c = p[i - 1], p[i], p[i + 1]
    den = a - 2 * b + c
    with np.errstate(divide="ignore", invalid="ignore"):
        off = np.where(den < 0, 0.5 * (a - c) / den, 0.0)
    return np.clip(np.nan_to_num(off), -0.5, 0.5)


def _chain_index(ys: np.ndarray, period: float) -> np.ndarray:
    """Indices along a strip. A peak too close to the last line is a stray (a QRS, a
    letter) and is dropped (index -1); a spacing that is no whole number of periods
    starts a new chain (index offset by 10000 per chain, resolved by tying strips)."""
    idx = np.full(len(ys), -1)
    if len(ys) == 0:
        return idx
    idx[0] = 0
    last, chain = 0, 0
    recent = [period]  # perspective changes the period across the page: follow it
    for i in range(1, len(ys)):
        p_loc = float(np.median(recent[-5:]))
        r = (ys[i] - ys[last]) / p_loc
        k = int(round(r))
        if r < 0.75:
            continue  # a stray between lines
        if k > 5 or abs(r - k) > 0.12 * k + 0.08:
            chain += 1
            idx[i] = chain * 10000
            recent = [period]
        else:
            idx[i] = idx[last] + k
            if k == 1:
                recent.append(ys[i] - ys[last])
        last = i
    return idx


def _tie_strips(strips, period: float) -> np.ndarray:
    """Give every (strip, chain) one offset so that continuing peaks share an index."""
    nodes = {}
    for s, (_, _, idx) in enumerate(strips):
        for ch in np.unique(idx // 10000):
            nodes[(s, int(ch))] = len(nodes)
    votes: dict[tuple[int, int], dict[int, int]] = {}
    for s in range(len(strips) - 1):
        _, ya, ia = strips[s]
        _, yb, ib = strips[s + 1]
        if ya.size == 0 or yb.size == 0:
            continue
        j = (
            np.clip(np.searchsorted(yb, ya), 1, len(yb) - 1)
            if len(yb) > 1
            else np.zeros(len(ya), int)
        )
        j = np.where(np.abs(yb[j - 1] - ya) < np.abs(yb[j] - ya), j - 1, j) if len(yb) > 1 else j
        close = np.abs(yb[j] - ya) < period / 3
        for i in np.flatnonzero(close):
            a = nodes[(s, int(ia[i] // 10000))]
            b = nodes[(s + 1, int(ib[j[i]] // 10000))]
            d = int(ia[i] % 10000 - ib[j[i]] % 10000)  # offset_b - offset_a
            votes.setdefault((a, b), {}).setdefault(d, 0)
            votes[(a, b)][d] += 1
    # maximum spanning forest over the votes (strongest ties first), offsets carried
    parent = {k: k for k in nodes.values()}
    off = {k: 0 for k in nodes.values()}  # offset of k relative to its root

    def find(k):
        if parent[k] == k:
            return k, 0
        r, o = find(parent[k])
        parent[k], off[k] = r, off[k] + o
        return r, off[k]

    edges = []
    for (a, b), v in votes.items():
        d, n = max(v.items(), key=lambda t: t[1])
        if 2 * n > sum(v.values()):  # a clear majority
            edges.append((n, a, b, d))
    for _, a, b, d in sorted(edges, reverse=True):
        ra, oa = find(a)
        rb, ob = find(b)
        if ra != rb:  # off_b = off_a + d  ->  root_b's offset relative to root_a
            parent[rb], off[rb] = ra, oa + d - ob
    size: dict[int, int] = {}
    for (s, ch), k in nodes.items():
        r, _ = find(k)
        size[r] = size.get(r, 0) + int(np.sum(strips[s][2] // 10000 == ch))
    if not size:
        return np.empty((0, 3))
    root = max(size, key=size.get)
    best = {}
    for k in nodes.values():
        r, o = find(k)
        if r == root:
            best[k] = o
    out = []
    for (s, ch), k in nodes.items():
        if k not in best:
            continue
        c, ys, idx = strips[s]
        sel = idx // 10000 == ch
        for y, i in zip(ys[sel], idx[sel] % 10000, strict=True):
            out.append((c, y, i + best[k]))
    return np.array(out, float).reshape(-1, 3)


def lattice(hs: np.ndarray, vs: np.ndarray, period: float):
    """Intersections of horizontal line k (y(x)) and vertical line m (x(y)): X, Y [k, m]."""
    ks = np.unique(hs[:, 2]).astype(int)
    ms = np.unique(vs[:, 2]).astype(int)
    k0, m0 = ks.min(), ms.min()
    X = np.full((ks.max() - k0 + 1, ms.max() - m0 + 1), np.nan)
    Y = X.copy()
    hl = {k: hs[hs[:, 2] == k][np.argsort(hs[hs[:, 2] == k][:, 0])] for k in ks}
    vl = {m: vs[vs[:, 2] == m][np.argsort(vs[vs[:, 2] == m][:, 0])] for m in ms}
    reach = 1.6 * period  # no extrapolation beyond a strip's spacing
    for k, h in hl.items():
        if len(h) < 2:
            continue
        for m, v in vl.items():
            if len(v) < 2:
                continue
            x = float(np.median(v[:, 1]))
            y = float(np.interp(x, h[:, 0], h[:, 1]))
            for _ in range(3):
                x = float(np.interp(y, v[:, 0], v[:, 1]))
                y = float(np.interp(x, h[:, 0], h[:, 1]))
            if np.min(np.abs(h[:, 0] - x)) > reach or np.min(np.abs(v[:, 0] - y)) > reach:
                continue
            X[k - k0, m - m0], Y[k - k0, m - m0] = x, y
    return X, Y


def smooth_lattice(X: np.ndarray, Y: np.ndarray, period: float, grow: int = 3):
    """A robust bicubic polynomial in (k, m) plus its smoothed residuals: curl and
    perspective from the polynomial, folds from the residuals, outliers dropped."""
    kk, mm = np.mgrid[0 : X.shape[0], 0 : X.shape[1]].astype(float)
    ok = np.isfinite(X) & np.isfinite(Y)
    sk, sm = max(1, X.shape[0] - 1), max(1, X.shape[1] - 1)

    def design(k, m):
        u, v = 2 * k / sk - 1, 2 * m / sm - 1
        return np.stack([u**i * v**j for i in range(4) for j in range(4)], axis=-1)

    A = design(kk[ok], mm[ok])
    use = np.ones(ok.sum(), bool)
    for _ in range(4):
        cx, *_ = np.linalg.lstsq(A[use], X[ok][use], rcond=None)
        cy, *_ = np.linalg.lstsq(A[use], Y[ok][use], rcond=None)
        res = np.hypot(A @ cx - X[ok], A @ cy - Y[ok])
        lim = max(0.15 * period, 3.0 * float(np.median(res[use])))
        new = res < lim
        if (new == use).all():
            break
        use = new
    good = np.zeros_like(ok)
    good[ok] = use
    rx = np.where(good, X - (design(kk, mm) @ cx), 0.0)
    ry = np.where(good, Y - (design(kk, mm) @ cy), 0.0)
    w = cv2.GaussianBlur(good.astype(np.float64), (0, 0), 1.0)
    rx = cv2.GaussianBlur(rx, (0, 0), 1.0) / np.maximum(w, 1e-3) * np.clip(w / 0.3, 0, 1)
    ry = cv2.GaussianBlur(ry, (0, 0), 1.0) / np.maximum(w, 1e-3) * np.clip(w / 0.3, 0, 1)
    rows, cols = np.flatnonzero(good.any(axis=1)), np.flatnonzero(good.any(axis=0))
    k0, k1 = max(0, rows[0] - grow), rows[-1] + grow
    m0, m1 = max(0, cols[0] - grow), cols[-1] + grow
    kk, mm = np.mgrid[k0 : k1 + 1, m0 : m1 + 1].astype(float)
    D = design(kk, mm)
    sl = (slice(k0 + grow, k1 + grow + 1), slice(m0 + grow, m1 + grow + 1))
    Xs = D @ cx + np.pad(rx, grow, mode="edge")[sl]
    Ys = D @ cy + np.pad(ry, grow, mode="edge")[sl]
    return Xs, Ys, int(good.sum()), float(np.median(res[use]))


def _neighbour_prediction(X, Y, extrapolate=False):
    """Mean of the linear predictions from each side (midpoints; and, for holes at the
    border, the continuation of the two nodes beyond)."""
    preds_x, preds_y = [], []
    Xp = np.pad(X, 2, constant_values=np.nan)
    Yp = np.pad(Y, 2, constant_values=np.nan)
    h, w = X.shape

    def sh(a, dy, dx):
        return a[2 + dy : 2 + dy + h, 2 + dx : 2 + dx + w]

    for dy, dx in ((0, 1), (1, 0)):
        preds_x.append(0.5 * (sh(Xp, dy, dx) + sh(Xp, -dy, -dx)))
        preds_y.append(0.5 * (sh(Yp, dy, dx) + sh(Yp, -dy, -dx)))
        if extrapolate:
            for s in (1, -1):
                preds_x.append(2 * sh(Xp, s * dy, s * dx) - sh(Xp, 2 * s * dy, 2 * s * dx))
                preds_y.append(2 * sh(Yp, s * dy, s * dx) - sh(Yp, 2 * s * dy, 2 * s * dx))
    with np.errstate(invalid="ignore"), _quiet():
        return np.nanmedian(np.stack(preds_x), axis=0), np.nanmedian(np.stack(preds_y), axis=0)


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *a):
        self._w.__exit__(*a)


def dewarp(img: np.ndarray, period_hint: float | None = None) -> Dewarped | None:
    """The page resampled onto its own grid, or ``None`` when too little grid is seen."""
    h, w = img.shape[:2]
    f = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(img[..., :3], (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    guess = 5 * period_hint * f if period_hint else max(small.shape) / 55.0
    flat, paper = flatten(small, guess)
    grid = grid_lines(flat, guess) & paper
    angles = gridmod.skew_angles(grid, max_deg=30.0, n=4) if grid.mean() > 0.005 else [0.0]
    best = None
    for a in angles or [0.0]:  # a square lattice also lines up at atan(1/k): keep the
        # angle whose grid is most periodic, the smaller angle when they are alike
        r = cv2.getRotationMatrix2D((small.shape[1] / 2, small.shape[0] / 2), a, 1.0)
        ga = cv2.warpAffine(grid.astype(np.float32), r, (small.shape[1], small.shape[0]))
        gi_a = gridmod.grid_scale(ga > 0.5)
        if gi_a.px_per_mm is not None and (
            best is None
            or gi_a.strength > best[3].strength + 0.05
            or (gi_a.strength > best[3].strength - 0.05 and abs(a) < abs(best[0]))
        ):
            best = (a, r, ga, gi_a)
    if best is None:
        return None
    angle, rot, g, gi = best
    period = 5 * gi.px_per_mm
    hs = line_samples(g, period, axis=1)
    vs = line_samples(g, period, axis=0)
    if len(hs) < 20 or len(vs) < 20:
        return None
    X, Y = lattice(hs, vs, period)  # vs rows: (y strip centre, x, m)
    found = int(np.isfinite(X).sum())
    if found < MIN_NODES:
        return None
    X, Y, kept, fit_px = smooth_lattice(X, Y, period)
    # back to the full image: undo the rotation, then the reduction
    inv = cv2.invertAffineTransform(rot)
    pts = np.stack([X.ravel(), Y.ravel(), np.ones(X.size)])
    back = (inv @ pts) / f
    X, Y = back[0].reshape(X.shape), back[1].reshape(Y.shape)
    cell = 5 * OUT_PPM
    oh, ow = int((X.shape[0] - 1) * cell) + 1, int((X.shape[1] - 1) * cell) + 1
    yy, xx = np.mgrid[0:oh, 0:ow].astype(np.float32) / cell
    mx = map_coordinates(X, [yy, xx], order=1).astype(np.float32)
    my = map_coordinates(Y, [yy, xx], order=1).astype(np.float32)
    out = cv2.remap(
        img[..., :3],
        mx,
        my,
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(255, 255, 255),
    )
    local = np.hypot(np.diff(X, axis=1), np.diff(Y, axis=1)) / 5.0  # px/mm along rows
    return Dewarped(
        out,
        OUT_PPM,
        {
            "lattice_nodes": found,
            "lattice_kept": kept,
            "lattice_fit_mm": round(fit_px / period * 5, 3),
            "lattice_shape": list(X.shape),
            "source_px_per_mm": [round(float(np.percentile(local, q)), 3) for q in (5, 50, 95)],
            "rotation_deg": round(float(angle), 2),
            "paper_fraction": round(float(paper.mean()), 3),
        },
    )
