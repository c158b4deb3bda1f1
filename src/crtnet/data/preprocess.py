"""Signal preprocessing shared by datasets, models and the digitizer.

All functions take ``[..., n_samples]`` float arrays and work along the last axis, so a
single lead, a record and a batch go through the same code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from fractions import Fraction

import numpy as np
from scipy import signal as sps


def resample(x: np.ndarray, fs_in: float, fs_out: float) -> np.ndarray:
    """Polyphase anti-aliased resampling; NaN samples stay NaN at their new positions."""
    if float(fs_in) == float(fs_out):
        return np.asarray(x, dtype=np.float32)
    ratio = Fraction(float(fs_out) / float(fs_in)).limit_denominator(1000)
    x = np.asarray(x, dtype=np.float64)
    nan = ~np.isfinite(x)
    y = sps.resample_poly(np.where(nan, 0.0, x), ratio.numerator, ratio.denominator, axis=-1)
    if nan.any():
        n_out = y.shape[-1]
        idx = np.minimum((np.arange(n_out) * fs_in / fs_out).round().astype(int), x.shape[-1] - 1)
        y = np.where(nan[..., idx], np.nan, y)
    return y.astype(np.float32)


def bandpass(x: np.ndarray, fs: float, low: float = 0.5, high: float = 40.0, order: int = 3):
    """Zero-phase Butterworth band-pass; ``low=0`` gives a low-pass, ``high>=fs/2`` a high-pass."""
    nyq = fs / 2
    x = np.asarray(x, dtype=np.float64)
    if low > 0 and high < nyq:
        sos = sps.butter(order, [low / nyq, high / nyq], btype="band", output="sos")
    elif low > 0:
        sos = sps.butter(order, low / nyq, btype="high", output="sos")
    elif high < nyq:
        sos = sps.butter(order, high / nyq, btype="low", output="sos")
    else:
        return x.astype(np.float32)
    pad = min(x.shape[-1] - 1, 3 * int(fs))
    return sps.sosfiltfilt(sos, np.nan_to_num(x), axis=-1, padlen=max(pad, 0)).astype(np.float32)


def remove_baseline(x: np.ndarray, fs: float) -> np.ndarray:
    """Baseline wander removal by two median filters (200 ms then 600 ms), as in de Chazal.

    Median filters follow the isoelectric line without distorting QRS the way a
    high-pass filter can distort ST segments.
    """
    x = np.asarray(x, dtype=np.float32)
    k1 = int(0.2 * fs) // 2 * 2 + 1
    k2 = int(0.6 * fs) // 2 * 2 + 1
    flat = x.reshape(-1, x.shape[-1])
    base = np.stack([_median(_median(np.nan_to_num(r), k1), k2) for r in flat])
    return (flat - base).reshape(x.shape).astype(np.float32)


def _median(x: np.ndarray, k: int) -> np.ndarray:
    from scipy.ndimage import median_filter

    return median_filter(x, size=k, mode="nearest")


def normalize(x: np.ndarray, method: str = "zscore", eps: float = 1e-6) -> np.ndarray:
    """Per-lead normalisation; ``none`` keeps mV, which keeps amplitudes clinically meaningful."""
    x = np.asarray(x, dtype=np.float32)
    if method == "none":
        return x
    if method == "zscore":
        mu = np.nanmean(x, axis=-1, keepdims=True)
        sd = np.nanstd(x, axis=-1, keepdims=True)
        return ((x - mu) / (sd + eps)).astype(np.float32)
    if method == "minmax":
        lo = np.nanmin(x, axis=-1, keepdims=True)
        hi = np.nanmax(x, axis=-1, keepdims=True)
        return ((x - lo) / (hi - lo + eps)).astype(np.float32)
    raise ValueError(f"unknown normalisation {method!r}")


def pad_or_crop(x: np.ndarray, length: int, *, center: bool = False) -> np.ndarray:
    """Fix the last axis to ``length`` samples (zero padding on the right, or centred crop)."""
    n = x.shape[-1]
    if n == length:
        return x
    if n > length:
        start = (n - length) // 2 if center else 0
        return x[..., start : start + length]
    pad = [(0, 0)] * (x.ndim - 1) + [(0, length - n)]
    return np.pad(x, pad)


def windows(x: np.ndarray, length: int, stride: int | None = None) -> np.ndarray:
    """Fixed windows ``[n_windows, ..., length]``; a short record gives one padded window."""
    stride = stride or length
    n = x.shape[-1]
    if n <= length:
        return pad_or_crop(x, length)[None]
    starts = list(range(0, n - length + 1, stride))
    return np.stack([x[..., s : s + length] for s in starts])


def beat_segments(x: np.ndarray, peaks: np.ndarray, before: int, after: int) -> np.ndarray:
    """Cut ``[n_beats, ..., before + after]`` around R peaks, zero-padding at record edges."""
    n = x.shape[-1]
    padded = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(before, after)])
    idx = np.asarray(peaks, dtype=np.int64)[:, None] + np.arange(before + after)[None, :]
    idx = np.clip(idx, 0, n + before + after - 1)
    return np.moveaxis(padded[..., idx], -2, 0)


@dataclass(frozen=True)
class PreprocessConfig:
    """What was done to a signal; its ``key()`` names cache entries."""

    fs: float | None = None
    bandpass: tuple[float, float] | None = (0.5, 40.0)
    baseline: bool = False
    normalize: str = "none"

    def key(self) -> str:
        d = asdict(self)
        return "-".join(f"{k}={v}" for k, v in sorted(d.items())).replace(" ", "")

    @classmethod
    def from_key(cls, key: str) -> PreprocessConfig:
        """Inverse of ``key()``: a trained run stores the key, prediction must redo it."""
        import ast
        import re

        names = "|".join(f.name for f in fields(cls))
        pairs = re.findall(rf"({names})=(.*?)(?=-(?:{names})=|$)", key)
        values = {}
        for name, raw in pairs:
            try:
                values[name] = ast.literal_eval(raw)
            except (ValueError, SyntaxError):
                values[name] = raw
        return cls(**values)


def preprocess(x: np.ndarray, fs: float, cfg: PreprocessConfig) -> tuple[np.ndarray, float]:
    if cfg.fs is not None and cfg.fs != fs:
        x, fs = resample(x, fs, cfg.fs), float(cfg.fs)
    if cfg.baseline:
        x = remove_baseline(x, fs)
    if cfg.bandpass is not None:
        x = bandpass(x, fs, *cfg.bandpass)
    return normalize(x, cfg.normalize), fs
