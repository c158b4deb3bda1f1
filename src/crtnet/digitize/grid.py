"""Paper grid: trace/grid separation by colour, px/mm from the grid's periodicity, deskew.

The scale comes from the image itself (autocorrelation of the grid's projection
profiles); a DPI tag in the file is only used when no grid is printed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_PPM = 50 / 25.4  # 50 DPI: nothing coarser holds a readable ECG


@dataclass
class GridInfo:
    px_per_mm: float | None  # None: no periodic grid found
    strength: float  # autocorrelation at the 5 mm period (0..1)
    small_boxes: bool  # 1 mm lines seen as well as 5 mm lines


def masks(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(trace, grid) boolean masks: dark + colourless ink vs coloured or lightly tinted paper.

    Chroma (max - min channel) rather than saturation separates ink from coloured grid
    lines, because sensor noise makes dark pixels' saturation meaningless.
    """
    r, g, b = cv2.split(np.ascontiguousarray(rgb))
    v = cv2.max(cv2.max(r, g), b)
    chroma = cv2.subtract(v, cv2.min(cv2.min(r, g), b))
    smooth = cv2.medianBlur(v, 3)
    bright = smooth > np.percentile(smooth, 60)
    noise = (
        float(np.median(np.abs(v[bright].astype(np.int16) - smooth[bright]))) if bright.any() else 0
    )
    if noise >= 2:  # grainy scan or photo: judge pixels by their neighbourhood
        v, chroma = smooth, cv2.medianBlur(chroma, 3)
    bg = float(np.percentile(v, 90))
    dark = v < 0.9 * bg
    cand = v[dark & (chroma < 0.3 * bg)]
    thr = 0.6 * bg
    if cand.size > 100:
        # Otsu over the dark colourless pixels: separates ink from a grey grid
        hist = np.bincount(cand.ravel(), minlength=256).astype(np.float64)
        w = np.cumsum(hist)
        mu = np.cumsum(hist * np.arange(256))
        with np.errstate(divide="ignore", invalid="ignore"):
            between = (mu[-1] * w - mu * w[-1]) ** 2 / (w * (w[-1] - w))
        if np.isfinite(between[:-1]).any():  # all one grey level: nothing to split
            otsu = float(np.nanargmax(between[:-1]))
            thr = min(thr, max(otsu, 0.3 * bg))
    trace = (v < thr) & (chroma < max(60.0, 0.3 * bg))
    # grid: anything that differs from the paper colour (tinted paper is not grid)
    sub = rgb[::4, ::4].reshape(-1, 3)
    paper = np.median(sub[sub.max(axis=1) >= np.percentile(sub.max(axis=1), 75)], axis=0)
    diff = cv2.absdiff(np.ascontiguousarray(rgb), np.full_like(rgb, paper.astype(np.uint8)))
    dist = diff.astype(np.uint16).sum(axis=2)
    grid = ~trace & (dist > 30)
    return trace, grid


def _acf(profile: np.ndarray, max_lag: int) -> np.ndarray:
    # remove slow trends (shading, page edges) so only line periodicity correlates
    k = max(9, len(profile) // 15)
    p = profile - np.convolve(profile, np.ones(k) / k, mode="same")
    p = p[k // 2 : len(p) - k // 2]
    n = len(p)
    f = np.fft.rfft(p, 2 * n)
    ac = np.fft.irfft(f * np.conj(f))[: max_lag + 1]
    return ac / ac[0] if ac[0] > 0 else np.zeros(max_lag + 1)


def _peak_near(ac: np.ndarray, lag: float, tol: float) -> tuple[float, float]:
    """Sub-sample position and height of the highest ACF value within ``lag ± tol``."""
    lo, hi = max(1, int(lag - tol)), min(len(ac) - 2, int(np.ceil(lag + tol)))
    if hi <= lo:
        return lag, 0.0
    i = lo + int(np.argmax(ac[lo : hi + 1]))
    a, b, c = ac[i - 1], ac[i], ac[i + 1]
    den = a - 2 * b + c
    off = 0.5 * (a - c) / den if den < 0 else 0.0
    return i + float(np.clip(off, -0.5, 0.5)), float(b)


def _refine_spectral(g: np.ndarray, period: float) -> float:
    """Sub-pixel 5 mm period from the strongest grid harmonic in the power spectrum.

    Spectral peaks average over the whole page, so grid lines snapped to whole pixels
    (low DPI) still give the true period, where autocorrelation lags would alias.
    """
    power = None
    for prof in (g.mean(axis=0), g.mean(axis=1)):
        n = 8 * max(g.shape)
        spec = np.abs(np.fft.rfft(prof - prof.mean(), n)) ** 2
        power = spec if power is None else power + spec
    freqs = np.fft.rfftfreq(8 * max(g.shape))
    best, best_p = period, -1.0
    for k in range(1, 11):
        f = k / period
        if f > 0.45:
            break
        sel = np.flatnonzero(np.abs(freqs - f) <= 0.03 * f)
        if sel.size == 0:
            continue
        i = sel[int(np.argmax(power[sel]))]
        if power[i] > best_p and 0 < i < len(power) - 1:
            a, b, c = np.log(power[i - 1 : i + 2] + 1e-12)
            den = a - 2 * b + c
            off = 0.5 * (a - c) / den if den < 0 else 0.0
            best_p, best = power[i], k / ((i + np.clip(off, -0.5, 0.5)) * (freqs[1] - freqs[0]))
    return float(best)


def grid_scale(grid: np.ndarray) -> GridInfo:
    """px/mm from the periodic grid lines (both axes' profiles, averaged ACF)."""
    h, w = grid.shape
    max_lag = min(h, w) // 3
    if max_lag < 20 or grid.mean() < 0.01:
        return GridInfo(None, 0.0, False)
    g = grid.astype(np.float32)
    # 1 px lines at a fractional period (7.87 px at 200 DPI) split each ACF peak over two
    # lags, and their heights beat down to half before the pattern repeats (63 px = 8 mm,
    # which then passes for the period): a [1 2 1] blur keeps each peak whole
    soft = np.array([0.25, 0.5, 0.25])
    ac = 0.5 * (
        _acf(np.convolve(g.mean(axis=0), soft, "same"), max_lag)
        + _acf(np.convolve(g.mean(axis=1), soft, "same"), max_lag)
    )
    lags = np.arange(2, max_lag - 1)
    is_max = (ac[lags] > ac[lags - 1]) & (ac[lags] >= ac[lags + 1]) & (ac[lags] > 0.08)
    peaks = lags[is_max]
    if peaks.size == 0:
        return GridInfo(None, 0.0, False)

    def score(lag: float) -> float:
        ks = range(1, max(2, min(4, int((max_lag - 2) // lag) + 1)))
        return float(np.mean([_peak_near(ac, k * lag, 0.05 * k * lag + 1)[1] for k in ks]))

    scores = np.array([score(p) for p in peaks])
    if scores.max() <= 0:  # a lone bump whose multiples anti-correlate: no lattice
        return GridInfo(None, 0.0, False)
    # the fundamental period: the shortest lag whose multiples all correlate well
    l1 = float(peaks[np.flatnonzero(scores >= 0.8 * scores.max())[0]])
    # 2, 3 or 4 times a shorter period is no grid period: if five times that shorter
    # period is the strongest correlation (the 5 mm lines), it is the 1 mm period
    p0 = float(peaks[0])
    ratio = l1 / p0
    if (
        round(ratio) in (2, 3, 4)
        and abs(ratio - round(ratio)) < 0.15
        and scores[0] >= 0.6 * scores.max()
        and _peak_near(ac, 5 * p0, 0.1 * p0 + 1)[1] >= 0.95 * float(ac[peaks].max())
    ):
        l1 = p0
    # printed grid lines are thin: the correlation must fall between them (a smooth photo's
    # broad autocorrelation hump must not pass for a grid)
    trough = float(ac[max(1, int(round(l1 / 2))) - 1 : int(round(l1 / 2)) + 2].min())
    if _peak_near(ac, l1, 1)[1] - trough < 0.3:
        return GridInfo(None, 0.0, False)
    # 1 mm lines: the 5 mm lag (major lines coincide) stands out over 2-3 mm lags
    small = False
    if 5 * l1 < max_lag - 2:
        _, a5 = _peak_near(ac, 5 * l1, 0.1 * l1 + 1)
        mid = 0.5 * (_peak_near(ac, 2 * l1, 1)[1] + _peak_near(ac, 3 * l1, 1)[1])
        small = a5 > mid + 0.03 and a5 > 0.1
    small = small or l1 / 5 < MIN_PPM  # a 5 mm period that short would be under 50 DPI
    big = 5 * l1 if small else l1
    if not 4.0 <= big <= max_lag:
        return GridInfo(None, 0.0, small)
    pos, strength = _peak_near(ac, big, 0.1 * big + 1)
    pos = _refine_spectral(g, pos)
    if strength < 0.1:
        return GridInfo(None, strength, small)
    return GridInfo(pos / 5.0, strength, small)


def skew_angles(mask: np.ndarray, max_deg: float = 6.0, n: int = 2) -> list[float]:
    """Rotations (degrees, best first) that make the grid/trace rows horizontal.

    Score: sharpness of the row profile. Its peak is only ~0.1° wide, so the search steps
    0.1° at 600 px (a coarser step can miss it and prefer a lattice alias), then 0.02° at
    900 px with a parabola through the best three. A square lattice also lines up at a
    few atan(1/k) angles, so the best ``n`` separate maxima are returned for checking.
    """

    def scorer(side: float):
        h, w = mask.shape
        s = min(1.0, side / max(h, w))
        m = cv2.resize(mask.astype(np.uint8) * 255, (int(w * s), int(h * s)), cv2.INTER_AREA)
        m = m.astype(np.float32)
        center = (m.shape[1] / 2, m.shape[0] / 2)

        def score(a: float) -> float:
            rot = cv2.getRotationMatrix2D(center, a, 1.0)
            r = cv2.warpAffine(m, rot, (m.shape[1], m.shape[0]), flags=cv2.INTER_LINEAR)
            return float(np.sum(np.diff(r.sum(axis=1)) ** 2))

        return score

    rough, sharp = scorer(600.0), scorer(900.0)
    coarse = np.arange(-max_deg, max_deg + 1e-6, 0.1)
    sc = np.array([rough(a) for a in coarse])
    is_max = np.r_[True, sc[1:] >= sc[:-1]] & np.r_[sc[:-1] >= sc[1:], True]
    out: list[float] = []
    for i in np.argsort(-np.where(is_max, sc, -np.inf)):
        if len(out) == n or not is_max[i]:
            break
        if any(abs(coarse[i] - a) <= 1.0 for a in out):
            continue
        fine = np.arange(coarse[i] - 0.1, coarse[i] + 0.1 + 1e-6, 0.02)
        fs = np.array([sharp(a) for a in fine])
        j = int(np.argmax(fs))
        off = 0.0
        if 0 < j < fs.size - 1:  # parabola through the peak and its neighbours
            den = fs[j - 1] - 2 * fs[j] + fs[j + 1]
            off = float(np.clip(0.5 * (fs[j - 1] - fs[j + 1]) / den, -0.5, 0.5)) if den < 0 else 0.0
        out.append(float(fine[j] + 0.02 * off))
    return out


def rotate(img: np.ndarray, angle: float) -> np.ndarray:
    """Rotate about the centre, filling the corners with white paper."""
    h, w = img.shape[:2]
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(
        img,
        rot,
        (w, h),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(255, 255, 255),
    )


def remove_rules(trace: np.ndarray, ppm: float) -> np.ndarray:
    """Drop straight ink lines: dark grid lines, frames, rulers (no ECG stroke is one).

    Straight segments over 40% of the page height (vertical) or half its width (horizontal)
    are found by morphological opening; a QRS stroke is never that long, and the trace
    crossing a removed line loses a pixel or two, which the tracer bridges.
    """
    m = trace.astype(np.uint8)
    h, w = trace.shape
    lv = max(int(round(40 * ppm)), int(0.4 * h))
    lh = max(int(round(80 * ppm)), int(0.5 * w))
    # dashed rules (a page edge broken by grid lines) count: bridge 1 mm gaps first
    g = max(3, int(round(ppm)) | 1)
    mv = cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((g, 1), np.uint8))
    mh = cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((1, g), np.uint8))
    vert = cv2.morphologyEx(mv, cv2.MORPH_OPEN, np.ones((lv, 1), np.uint8))
    horiz = cv2.morphologyEx(mh, cv2.MORPH_OPEN, np.ones((1, lh), np.uint8))
    return trace & ~(vert.astype(bool) | horiz.astype(bool))
