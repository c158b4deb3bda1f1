"""The dewarp's second, finer pass: the dewarped page's own grid lines say where the
lattice's smooth model missed.

The lattice (``lattice.smooth_lattice``) places the 5 mm nodes through a polynomial plus
residuals smoothed over a node or two, so a fold, a wrinkle or a curl that turns within
a few millimetres is left over: on the real photos the dewarped vertical lines still sit
0.6-0.7 px (at 8 px/mm) off their places, the same amount along a line for centimetres
and different from one line to the next. A steep QRS stroke moved by half a pixel is
a sample or two late, and that is most of a photo's error. Here each grid line is found
again in 2 mm bands on the dewarped page, where it should lie at a multiple of the cell,
and the map is moved by the smoothed offsets.

What a printed grid gets wrong by itself must not be copied: a page rasterised at 100-200
DPI before printing has each line up to half a raster pixel off, by a constant for the
whole line, which its antialiased trace does not share. So each line's mean offset is
smoothed across neighbouring lines (a warp moves neighbours together, quantisation
alternates); only what varies along a line is kept line by line.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.ndimage import gaussian_filter1d

BAND_MM = 2.0  # a line's position is measured in bands this long
ALONG_MM = 8.0  # and smoothed along the line with this sigma
ACROSS_LINES = 1.0  # a line's mean offset is smoothed across lines with this sigma
REACH_MM = 0.5  # a line is searched this far from its place
MIN_CONTRAST = 4.0  # line darkness over the band's median (0-255) for a measurement
MAX_JUMP_PX = 1.0  # a measurement this far from its smoothed line is an outlier
ENABLED = True  # switchable for ablations (the bench's A/B)


def refine(img: np.ndarray, mx: np.ndarray, my: np.ndarray, cell: float, paper: np.ndarray):
    """(mx, my) corrected so that the grid lines of ``remap(img, mx, my)`` fall on
    multiples of ``cell`` (the 5 mm period in output px), and the RMS shift in px."""
    if not ENABLED:
        return mx, my, 0.0
    ppm = cell / 5.0
    out = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    dark = np.minimum(np.minimum(out[..., 0], out[..., 1]), out[..., 2])
    k = max(3, int(round(0.35 * cell)) | 1)
    se = np.ones((k, k), np.uint8)
    hat = cv2.morphologyEx(dark, cv2.MORPH_BLACKHAT, se)
    skip = ~paper  # off the paper (a table, the frame's edge) no line is measured
    band = max(4, int(round(BAND_MM * ppm)))
    reach = max(2, int(round(REACH_MM * ppm)))
    h, w = hat.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    fields = []
    for m, sk, axis in ((hat, skip, 0), (hat.T, skip.T, 1)):
        off = _smooth(_offsets(m, sk, cell, band, reach), ALONG_MM * ppm / band)
        along = yy if axis == 0 else xx
        across = xx if axis == 0 else yy
        # bilinear between bands and lines (remap: its 1/32 weight steps are 0.03 px here)
        fields.append(
            cv2.remap(
                off.astype(np.float32),
                across / cell,
                (along - band / 2) / band,
                cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_REPLICATE,
            )
        )
    dx, dy = fields
    moved = float(np.sqrt(np.mean(dx * dx + dy * dy)))
    # the page at (x, y) should show what the old map showed at the line's true place
    sx, sy = xx + dx, yy + dy
    mx2 = cv2.remap(mx, sx, sy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    my2 = cv2.remap(my, sx, sy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return mx2, my2, round(moved, 3)


def _offsets(m: np.ndarray, skip: np.ndarray, cell: float, band: int, reach: int) -> np.ndarray:
    """[band, line] sub-pixel offset of the line at x = line * cell from its place (NaN
    where no clear line: a trace, a label or the paper's edge over it)."""
    h, w = m.shape
    nb = h // band
    # the median down a band: a trace or a crossing line covers a few of its rows
    prof = np.median(m[: nb * band].reshape(nb, band, w), axis=1).astype(np.float32)
    skipped = skip[: nb * band].reshape(nb, band, w).any(axis=1)
    base = np.median(prof, axis=1)
    xs = np.round(np.arange(int(np.ceil(w / cell)) + 1) * cell).astype(int)
    xs = xs[(xs - reach >= 0) & (xs + reach <= w - 1)]
    j = np.arange(-reach, reach + 1)
    off = np.full((nb, int(np.ceil(w / cell)) + 1), np.nan)
    rows = np.arange(nb)
    for x in xs:
        p = prof[:, x + j] - base[:, None]
        k = np.argmax(p, axis=1)
        inner = (k > 0) & (k < 2 * reach)
        # the darkness centroid over the peak (a flat-topped line has no parabola)
        win = np.clip(k[:, None] + np.arange(-2, 3)[None, :], 0, 2 * reach)
        wt = np.clip(p[rows[:, None], win], 0, None)
        pos = (wt * j[win]).sum(axis=1) / np.maximum(wt.sum(axis=1), 1e-9)
        good = inner & (p[rows, k] > MIN_CONTRAST) & ~skipped[:, x + j].any(axis=1)
        off[:, int(round(x / cell))] = np.where(good, pos, np.nan)
    return off


def _smooth(off: np.ndarray, along: float) -> np.ndarray:
    """Offsets smoothed along each line (outliers dropped), each line's mean smoothed
    across lines; 0 where a line was not seen."""

    def blur(v, ok, sigma, axis):
        wt = gaussian_filter1d(ok.astype(float), sigma, axis=axis, mode="nearest")
        s = gaussian_filter1d(np.where(ok, v, 0.0), sigma, axis=axis, mode="nearest")
        return s / np.maximum(wt, 1e-3), wt

    ok = np.isfinite(off)
    for _ in range(2):
        sm, _ = blur(off, ok, along, 0)
        ok &= np.abs(np.nan_to_num(off) - sm) < MAX_JUMP_PX
    n = ok.sum(axis=0)
    mean = np.where(n > 0, np.where(ok, off, 0.0).sum(axis=0) / np.maximum(n, 1), 0.0)
    level, wl = blur(mean, n > 0, ACROSS_LINES, 0)
    level = np.where(wl > 0.2, level, 0.0)
    rest, wt = blur(off - mean[None, :], ok, along, 0)
    return np.where(wt > 0.2, rest + level[None, :], 0.0)
