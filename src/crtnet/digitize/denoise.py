"""Smoothing matched to how well this page's strokes were placed, measured on the page.

On a photo a QRS stroke is placed a sample or two off (blur, JPEG, a wrinkle), which
costs more than the tip a light smoothing shaves off; on a sharp render the reverse
holds. Which way a page goes is read from the page itself: a lead printed twice (the
rhythm strip and its panel) gives two readings ``a`` and ``b`` of one signal ``s`` with
independent placement noise, so ``|G(a) - b|^2 = |G(a) - s|^2 + |b - s|^2`` on average:
the smoothing ``G`` that brings ``a`` closest to ``b`` is the one that brings it closest
to the truth. A page without a repeated lead is left as it is.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d

SIGMAS_S = (0.0, 0.0005, 0.001, 0.0015)  # Gaussian sigma candidates (s)
MAX_LAG_S = 0.02  # the two readings are anchored to a few samples
MIN_GAIN = 0.03  # a smoothing must lower the mismatch by 3 % to be worth applying


def smooth(y: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing of each unbroken stretch (gaps stay NaN); sigma in samples."""
    ok = np.isfinite(y)
    if sigma <= 0 or ok.sum() < 3:
        return y
    filled = np.interp(np.arange(y.size), np.flatnonzero(ok), y[ok])
    out = gaussian_filter1d(filled, sigma, mode="nearest")
    out[~ok] = np.nan
    return out


def _mismatch(a: np.ndarray, b: np.ndarray, max_lag: int) -> float:
    """Mean squared difference at the best lag, each side's mean removed."""
    best = np.inf
    for s in range(-max_lag, max_lag + 1):
        x, y = (a[s:], b[: b.size - s]) if s >= 0 else (a[: a.size + s], b[-s:])
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() < 100:
            continue
        d = (x[ok] - x[ok].mean()) - (y[ok] - y[ok].mean())
        best = min(best, float(np.mean(d * d)))
    return best


def repeat_pairs(entries, speed: float, gain: float, fs: float) -> list:
    """The page's repeated-lead readings (``checks.repeat_readings``) with the same detail
    median the page's output gets."""
    from crtnet.digitize.checks import repeat_readings
    from crtnet.digitize.layout import below_detail, detail_width

    k = detail_width(fs)
    return [
        (below_detail(a, k), below_detail(b, k))
        for a, b in repeat_readings(entries, speed, gain, fs)
    ]


def choose_sigma(pairs: list[tuple[np.ndarray, np.ndarray]], fs: float) -> float:
    """The sigma (samples) whose smoothing of each reading best predicts the other one."""
    pairs = [(a, b) for a, b in pairs if np.isfinite(a).sum() > 100 and np.isfinite(b).sum() > 100]
    if not pairs:
        return 0.0
    lag = max(1, int(round(MAX_LAG_S * fs)))
    cost = []
    for sig_s in SIGMAS_S:
        k = sig_s * fs
        c = sum(_mismatch(smooth(a, k), b, lag) + _mismatch(smooth(b, k), a, lag) for a, b in pairs)
        cost.append(c)
    cost = np.asarray(cost)
    if not np.isfinite(cost[0]) or cost[0] <= 0:
        return 0.0
    i = int(np.argmin(cost))
    return float(SIGMAS_S[i] * fs) if cost[i] < (1 - MIN_GAIN) * cost[0] else 0.0
