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
   lattice of these points, fitted by a robust bicubic polynomial in (k, m) (perspective,
   curl) plus its smoothed residuals (folds), is a piecewise-bilinear map from paper to
   image, and the page is resampled through it at a fixed px/mm. Scale is then local by
   construction, never one global guess. (The lattice itself: ``lattice.py``.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from crtnet.digitize import grid as gridmod
from crtnet.digitize import regrid
from crtnet.digitize.lattice import page_lattice, smooth_lattice

WORK_SIDE = 2400  # analysis size (px); the page is resampled from the full image
OUT_PPM = 8.0  # output px/mm: the tracer's home ground (~200 DPI)
MIN_NODES = 60  # fewer lattice points than this: not enough grid to trust the warp


@dataclass
class Dewarped:
    image: np.ndarray  # the page on a uniform grid, OUT_PPM px/mm, axis-aligned
    px_per_mm: float
    info: dict = field(default_factory=dict)
    # (map_x, map_y): the source pixel of every output pixel; lets training carry a
    # photographed render's pixel labels onto the dewarped page
    maps: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)


def flatten(
    img: np.ndarray, period: float, on_lattice: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(image with the paper made white, mask of the paper). Lines thinner than the
    closing kernel are kept; shadows, colour casts and vignetting are divided out.
    ``on_lattice``: a dewarped page, whose grid lies on multiples of ``period``."""
    k = max(5, int(round(0.8 * period)) | 1)
    se = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    img = np.ascontiguousarray(img[..., :3])
    h, w = img.shape[:2]
    # the paper level is smooth over k px: on a dewarped page (40 px cells) it is measured
    # at half size (a 4x cheaper median), the lines, halved in darkness, still closed away
    q = 2 if HALF_BG and on_lattice and period >= 20 and min(h, w) >= 4 * k else 1
    src = cv2.resize(img, (w // q, h // q), interpolation=cv2.INTER_AREA) if q > 1 else img
    kq = max(5, int(round(0.8 * period / q)) | 1)
    bg = cv2.morphologyEx(src, cv2.MORPH_CLOSE, np.ones((kq, kq), np.uint8))
    bg = cv2.medianBlur(bg, kq if kq <= 255 else 255)
    bg = cv2.GaussianBlur(bg, (0, 0), kq / 2)
    if q > 1:
        bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    bg = bg.astype(np.float32)
    flat = np.clip(img.astype(np.float32) / np.maximum(bg, 1.0) * 255.0, 0, 255)
    # paper: the brightest, least coloured background; a table is darker or browner
    lum = _cmax(bg)
    chroma = lum - _cmin(bg)
    score = lum - 2.0 * chroma
    thr = _otsu(score)
    # a shadow makes paper darker but not coloured: grey counts as paper (a grey
    # surround has no grid lines, which is what ``grid_area`` asks for later)
    paper = (score > thr) | (chroma < 20)
    if on_lattice:
        # paper that a warm light dims and tints (photo 00012's lower left, rhythm strip
        # and all) is still paper where its grid lies on the lattice: a table is not
        win = int(round(2 * period)) | 1
        per = _lattice_contrast(line_hat(flat.astype(np.uint8), period), period, win)
        paper |= per > 0.3 * float(np.median(per[paper] if paper.any() else per))
    if paper.mean() < 0.3:  # no clear split: the whole frame is paper
        paper = np.ones_like(paper)
    else:
        n, lab, stats, _ = cv2.connectedComponentsWithStats(paper.astype(np.uint8), 8)
        keep = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])) if n > 1 else 0
        paper = lab == keep
        paper = cv2.morphologyEx(paper.astype(np.uint8), cv2.MORPH_CLOSE, se).astype(bool)
    flat[~paper] = 255
    return flat.astype(np.uint8), paper


HALF_BG = True
FINE_PPM = 7.0  # source px/mm from which the 1 mm grid is resolved well enough to repeat


def pen_mask(
    flat: np.ndarray,
    ppm: float,
    source_ppm: float | None = None,
    seed_band: np.ndarray | Callable[[np.ndarray], np.ndarray | None] | None = None,
) -> np.ndarray | None:
    """Ink on a dewarped page, whose grid repeats every 5 mm across and down: the pen is
    what is clearly darker than the 5 mm lines' own darkest pixels. Faint thin strokes
    (a QRS) count where they touch it, when they are darker than their background: the
    median of the pixel's neighbours 5-10 mm away diagonally, where grid lines of any
    colour or darkness are too and the trace (a level baseline, upright strokes) is not.
    A coarse source (under ``FINE_PPM``) does not repeat that well: then paleness alone
    says which pixels are faint ink. ``None`` when the grid is as dark as the pen.
    ``seed_band``: where the trace rows' baselines run; there a seed need only be as dark
    as the 5 mm lines (a faint row's pen may be no darker), since the grid's mesh that the
    bar keeps out where the warp is off (a curled header) lies away from the rows; or a
    function of the mask without it that gives the band (the rows are found on that)."""
    c = pen_contrast(flat, ppm, coarse=source_ppm is not None and source_ppm < FINE_PPM)
    if c is None:
        return None
    if c.s is None:  # coarse: paleness alone
        return hysteresis(c.strong, c.v < min(0.65 * 255, c.ink + 0.75 * (c.line - c.ink)))
    strong, top = c.strong, c.top
    seeds, weak = c.s > 0.45 * top, c.s > 0.2 * top
    band = seed_band
    if callable(seed_band):
        first = _unframed(_bridged(hysteresis(seeds & strong, weak)), ppm)
        band = seed_band(first)
        if band is None:
            return first
    if band is not None:
        strong = strong | (band & (c.v < c.line))
    return _unframed(_bridged(hysteresis(seeds & strong, weak)), ppm)


@dataclass
class PenContrast:
    v: np.ndarray  # uint8 brightness, pushed up by colour (the pen is colourless)
    line: float  # the 5 mm lines' darkness in v
    ink: float  # the darkest ink's
    strong: np.ndarray  # clearly darker than the 5 mm lines
    s: np.ndarray | None  # float32 darkness against the grid-periodic background, thin only
    top: float  # s's 99.8th percentile: the pen's contrast on this page


def pen_contrast(flat: np.ndarray, ppm: float, coarse: bool = False) -> PenContrast | None:
    """What ``pen_mask`` decides from, also the pixel model's input: how much darker each
    pixel is than its background, the median of its neighbours 5-10 mm away diagonally
    (where grid lines of any colour or darkness are too, and the trace is not), and than
    the grid's 5 mm lines. ``None`` when the grid is as dark as the pen, or nothing stands
    out; ``s`` is ``None`` for a coarse source (its grid does not repeat well enough)."""
    hi = _cmax(flat).astype(np.float32)
    v = np.clip(hi + 1.5 * (hi - _cmin(flat).astype(np.float32)), 0, 255).astype(np.uint8)
    p = int(round(5 * ppm))
    h, w = v.shape
    if h < 5 * p or w < 5 * p:
        return None
    vm = cv2.erode(v, np.ones((5, 5), np.uint8))  # the line, even where the warp is off
    on = np.r_[vm[p:-1:p].ravel(), vm[:, p:-1:p].ravel()]
    line = float(np.percentile(on, 40))
    ink = float(np.percentile(v, 0.2))
    if line - ink < 40:
        return None
    # seeds are clearly darker than the grid's lines, so where the warp is off and the grid
    # does not repeat, its lines (and a frame line) join the ink only at the trace
    strong = v < min(0.55 * 255, ink + 0.55 * (line - ink))
    if coarse:
        return PenContrast(v, line, ink, strong, None, 0.0)
    o = 2 * p
    pad = cv2.copyMakeBorder(v, o, o, o, o, cv2.BORDER_REFLECT)
    shifted = np.stack([pad[o + a * p :][:h, o + b * p :][:, :w] for a, b in _DIAG])
    part = np.partition(shifted, len(_DIAG) // 2, axis=0)
    bg = 0.5 * (part[len(_DIAG) // 2 - 1].astype(np.float32) + part[len(_DIAG) // 2])
    # the darkest background within 1 px: lines stay background where the warp is off a little
    s = cv2.erode(bg, np.ones((3, 3), np.uint8)) - v
    # and a stroke is thin: a table, a shadow or the paper's edge are dark over a width
    k = int(round(1.6 * ppm)) | 1
    thin = cv2.morphologyEx(v, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8)).astype(np.float32) - v
    s = np.minimum(s, thin)
    top = float(np.percentile(s, 99.8))
    if top < 30:
        return None
    return PenContrast(v, line, ink, strong, s, top)


def _bridged(mask: np.ndarray, gap: int = 3) -> np.ndarray:
    """Where a steep stroke crosses a horizontal grid line, its contrast against that line's
    background is small, so the stroke breaks there for a line's width: pixels with ink
    within ``gap`` px above and below are ink. (Not across: that would fill the gap between
    a spike's up and down strokes, and the tracer would alternate between them.)"""
    above = np.zeros_like(mask)
    below = np.zeros_like(mask)
    for k in range(1, gap + 1):
        above[k:] |= mask[:-k]
        below[:-k] |= mask[k:]
    return mask | (above & below)


def _unframed(mask: np.ndarray, ppm: float) -> np.ndarray:
    """A printed frame line, a ruler or the paper's edge runs dead straight for tens of mm;
    a trace never does (a beat comes within 2.4 s, and a QRS stroke slants)."""
    m = mask.astype(np.uint8)
    # within a 3 px band: the warp leaves a printed line off by a pixel here and there
    band_h = cv2.dilate(m, np.ones((3, 1), np.uint8))
    band_v = cv2.dilate(m, np.ones((1, 3), np.uint8))
    flat_h = cv2.morphologyEx(band_h, cv2.MORPH_OPEN, np.ones((1, int(40 * ppm)), np.uint8))
    flat_v = cv2.morphologyEx(band_v, cv2.MORPH_OPEN, np.ones((int(30 * ppm), 1), np.uint8))
    flat_v = _frames_only(flat_v, m, ppm)
    lines = cv2.dilate(flat_h | flat_v, np.ones((5, 5), np.uint8)).astype(bool)
    return mask & ~lines


def _frames_only(upright: np.ndarray, m: np.ndarray, ppm: float) -> np.ndarray:
    """The straight upright segments that are no QRS. A deep S wave runs on into the
    next row's tall R wave at the same instant, so the two make one straight stroke of
    30 mm or more; but a QRS leaves its baseline to both sides, where a frame line or the
    paper's edge has trace ink on one side at most."""
    n, lab, st, _ = cv2.connectedComponentsWithStats(upright, 8)
    if n <= 1:
        return upright
    # level trace: ink in runs of a millimetre or more across
    level = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((1, max(3, int(round(ppm)))), np.uint8))
    near, far = int(round(0.5 * ppm)), int(round(2.5 * ppm))
    w = m.shape[1]
    k = max(1, int(round(ppm)))
    keep = np.ones(n, bool)
    for i in range(1, n):
        x, y, bw, bh = st[i, :4]
        ls, rs = (
            slice(max(0, x - far), max(0, x - near)),
            slice(min(w, x + bw + near), min(w, x + bw + far)),
        )
        lv, rv = level[y : y + bh, ls].any(axis=1), level[y : y + bh, rs].any(axis=1)
        la, ra = m[y : y + bh, ls].any(axis=1), m[y : y + bh, rs].any(axis=1)
        # ink on both sides at one height (within 1 mm), level on one: the stroke's foot
        # on its baseline (the ST after a deep S can rise too steeply to be level)
        grow = np.ones(2 * k + 1)
        lvw, law = (np.convolve(a.astype(float), grow, "same") > 0 for a in (lv, la))
        keep[i] = not ((lvw & ra) | (law & rv)).any()
    return (keep[lab] & (lab > 0)).astype(np.uint8)


# background samples: diagonal steps of 5-10 mm, off any level or upright stroke
_DIAG = ((-1, -1), (-1, 1), (1, -1), (1, 1), (-2, -1), (2, 1), (-1, 2), (1, -2))


def hysteresis(strong: np.ndarray, weak: np.ndarray) -> np.ndarray:
    """Weak pixels count where they touch strong ones (8-connected): faint thin strokes of
    a pen whose core is clearly ink."""
    n, lab = cv2.connectedComponents((weak | strong).astype(np.uint8), connectivity=8)
    hit = np.zeros(n, bool)
    hit[np.unique(lab[strong])] = True
    hit[0] = False
    return hit[lab]


def grid_area(flat: np.ndarray, paper: np.ndarray, ppm: float) -> np.ndarray:
    """Where grid lines are printed (2.5 mm inside the grid's edge and 3 mm inside the
    paper): the page's margin, its edge and whatever lies beyond hold no trace."""
    hat = line_hat(flat, 5 * ppm)  # shared by both measures of where the grid is
    lines = grid_lines(flat, 5 * ppm, hat).astype(np.float32)
    k = int(round(10 * ppm)) | 1
    dens = cv2.blur(lines, (k, k))
    ref = float(np.median(dens[paper])) if paper.any() else float(dens.mean())
    area = dens > 0.15 * ref
    # where the light is dim, a dark grid's lines pass for pen ink and ``grid_lines`` drops
    # them; but on a dewarped page they still sit on the cell's multiples, which a table's
    # texture or a shadow does not
    per = _lattice_contrast(hat, 5 * ppm, k)
    pref = float(np.median(per[paper])) if paper.any() else float(np.median(per))
    area |= per > 0.3 * pref
    # a patch where glare or a fold hides the lines is still grid: fill enclosed holes
    holes = ~area
    n, lab = cv2.connectedComponents(holes.astype(np.uint8), connectivity=4)
    edge = np.unique(np.r_[lab[0], lab[-1], lab[:, 0], lab[:, -1]])
    enclosed = np.ones(n, bool)
    enclosed[edge] = False
    enclosed[0] = False
    area |= enclosed[lab]
    # any grid at all counts (defocus and glare thin out the lines a photo shows); the
    # 10 mm density then spills ~3.5 mm past the grid's edge, and a page edge or its
    # shadow runs a few mm beyond: no trace lies within 2.5 mm of where the grid stops
    g = int(round(12 * ppm)) | 1
    area = cv2.erode(area.astype(np.uint8), np.ones((g, g), np.uint8)).astype(bool)
    e = int(round(6 * ppm)) | 1
    inside = cv2.erode(paper.astype(np.uint8), np.ones((e, e), np.uint8)).astype(bool)
    return area & inside


def _lattice_contrast(hat: np.ndarray, cell: float, k: int) -> np.ndarray:
    """How much darker (``line_hat``, mean over ``k`` px) the page is on the cell's
    multiples than midway between them: a grid's mark on a dewarped page."""
    h, w = hat.shape

    def near(n: int) -> np.ndarray:
        m = np.arange(n) % cell
        return np.minimum(m, cell - m)

    dx, dy = near(w)[None, :], near(h)[:, None]
    on = ((dx <= 0.06 * cell) | (dy <= 0.06 * cell)).astype(np.float32)
    off = ((dx >= 0.25 * cell) & (dy >= 0.25 * cell)).astype(np.float32)

    def mean(weight: np.ndarray) -> np.ndarray:
        return cv2.blur(hat * weight, (k, k)) / np.maximum(cv2.blur(weight, (k, k)), 1e-6)

    return mean(on) - mean(off)


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


def line_hat(flat: np.ndarray, period: float) -> np.ndarray:
    """Black-hat of the darkest channel at a third of the period: how much darker than
    its surroundings each pixel is, whatever the grid's colour."""
    k = max(3, int(round(0.35 * period)) | 1)
    return cv2.morphologyEx(_cmin(flat), cv2.MORPH_BLACKHAT, np.ones((k, k), np.uint8)).astype(
        np.float32
    )


def grid_lines(flat: np.ndarray, period: float, hat: np.ndarray | None = None) -> np.ndarray:
    """Thin lines darker than their surroundings in the darkest channel, minus the pen:
    whatever the grid's colour, indifferent to tinted paper, and judged against the
    local line contrast (defocus and glare fade one part of a photo, not all of it).
    ``hat``: ``line_hat(flat, period)`` when the caller has it already."""
    dark = _cmin(flat)
    hat = line_hat(flat, period) if hat is None else hat
    p = max(3, int(round(period)) | 1)
    local = _smooth(cv2.dilate(hat, np.ones((p, p), np.uint8)), period)
    v = _cmax(flat).astype(np.int16)
    pen = (v < 120) & (v - dark < 60)  # dark in every channel: ink, not a grid line
    pen = cv2.dilate(pen.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return (hat > 0.35 * local) & (hat > 6) & ~pen


def _smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of a field that is smooth at ``sigma`` anyway, computed at a quarter
    of the size when sigma is wide (a full-size blur of 40 px is most of a photo's time)."""
    if sigma < 16 or min(x.shape[:2]) < 64:
        return cv2.GaussianBlur(x, (0, 0), sigma)
    h, w = x.shape[:2]
    small = cv2.resize(x, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / 4)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _cmax(img: np.ndarray) -> np.ndarray:
    """Brightest channel (numpy's reduction over a length-3 last axis is slow)."""
    return np.maximum(np.maximum(img[..., 0], img[..., 1]), img[..., 2])


def _cmin(img: np.ndarray) -> np.ndarray:
    return np.minimum(np.minimum(img[..., 0], img[..., 1]), img[..., 2])


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


def _upsample(a: np.ndarray, cell: float, oh: int, ow: int) -> np.ndarray:
    """Bilinear values of the node grid ``a`` at every output pixel (node i at pixel
    i * cell), as two matrix products: a seventh of scipy's ``map_coordinates`` time, in
    float64 (cv2's remap steps its weights by 1/32, a pixel here)."""

    def weights(n: int, size: int) -> np.ndarray:
        t = np.arange(size, dtype=np.float64) / cell
        i = np.clip(np.floor(t).astype(int), 0, max(0, n - 2))
        f = np.clip(t - i, 0.0, 1.0) if n > 1 else np.zeros(size)
        w = np.zeros((size, n))
        w[np.arange(size), i] = 1 - f
        w[np.arange(size), np.minimum(i + 1, n - 1)] += f
        return w

    return (weights(a.shape[0], oh) @ (a @ weights(a.shape[1], ow).T)).astype(np.float32)


def dewarp(img: np.ndarray) -> Dewarped | None:
    """The page resampled onto its own grid, or ``None`` when too little grid is seen."""
    h, w = img.shape[:2]
    f = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(img[..., :3], (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    guess = max(small.shape) / 55.0  # a 5 mm period for a page that fills the frame
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
    got = page_lattice(g, period, coarse=period / 5 < FINE_PPM)  # px/mm as the lines are seen
    if got is None:
        return None
    X, Y = got
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
    mx, my = _upsample(X, cell, oh, ow), _upsample(Y, cell, oh, ow)
    on_paper = cv2.remap(paper.astype(np.uint8), mx * f, my * f, cv2.INTER_NEAREST) > 0
    mx, my, moved = regrid.refine(img[..., :3], mx, my, cell, on_paper)
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
            "regrid_px": moved,
        },
        (mx, my),
    )
