"""R-peak detection and rhythm figures (heart rate, RR intervals) for whole records.

A Pan-Tompkins-style detector, vectorised with scipy: band-pass 5-15 Hz, derivative,
squaring, 150 ms moving integration, then peaks above an adaptive threshold that follows
the local signal energy, at least 250 ms apart; each peak is moved to the QRS extremum.
It needs no training data, so it works on digitized printouts as well as on Holter records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal as sps


def detect_r_peaks(x: np.ndarray, fs: float, *, refractory_s: float = 0.2) -> np.ndarray:
    """Sample indices of R peaks in one lead (NaN gaps are treated as flat)."""
    x = np.nan_to_num(np.asarray(x, dtype=np.float64))
    if x.size < int(fs):
        return np.zeros(0, dtype=np.int64)
    nyq = fs / 2
    sos = sps.butter(2, [5 / nyq, min(15 / nyq, 0.99)], btype="band", output="sos")
    band = sps.sosfiltfilt(sos, x)
    slope = np.gradient(band)
    win = max(1, int(0.15 * fs))
    integ = np.convolve(slope**2, np.ones(win) / win, mode="same")
    cands, props = sps.find_peaks(integ, distance=max(1, int(refractory_s * fs)))
    if cands.size == 0:
        return cands.astype(np.int64)
    peaks = _adaptive_threshold(cands, integ[cands], np.abs(slope), fs)
    if not peaks:
        return np.zeros(0, dtype=np.int64)
    peaks = np.asarray(peaks)
    # Move each peak to the extremum of the band-limited signal within ±80 ms, keeping the
    # polarity that dominates the record (negative QRS in some leads).
    half = int(0.08 * fs)
    idx = np.clip(peaks[:, None] + np.arange(-half, half + 1)[None, :], 0, x.size - 1)
    filt = sps.sosfiltfilt(sps.butter(2, min(40 / nyq, 0.99), output="sos"), x)
    seg = filt[idx] - np.median(filt[idx], axis=1, keepdims=True)
    polarity = 1.0 if np.median(seg.max(axis=1)) >= np.median(-seg.min(axis=1)) else -1.0
    refined = np.unique(idx[np.arange(len(idx)), np.argmax(polarity * seg, axis=1)])
    keep = np.concatenate([[True], np.diff(refined) >= int(refractory_s * fs)])
    return refined[keep].astype(np.int64)


def _adaptive_threshold(cands, heights, abs_slope, fs) -> list[int]:
    """Pan & Tompkins (1985) signal/noise levels, T-wave rejection and search-back."""
    learn = heights[cands < 2 * fs] if np.any(cands < 2 * fs) else heights[:4]
    spk, npk = 0.5 * float(learn.max()), 0.5 * float(np.mean(heights))
    half = max(1, int(0.04 * fs))
    out: list[int] = []
    rr: list[int] = []
    last_cand_i = -1
    for i, (c, h) in enumerate(zip(cands, heights, strict=True)):
        thr = npk + 0.25 * (spk - npk)
        if out and rr:
            mean_rr = float(np.mean(rr[-8:]))
            if c - out[-1] > 1.66 * mean_rr:  # search back for a missed beat
                lo = np.searchsorted(cands, out[-1] + int(0.2 * fs))
                window = np.arange(max(lo, last_cand_i + 1), i)
                ok = window[heights[window] > 0.5 * thr] if window.size else window
                if ok.size:
                    j = ok[np.argmax(heights[ok])]
                    rr.append(int(cands[j] - out[-1]))
                    out.append(int(cands[j]))
                    spk = 0.25 * heights[j] + 0.75 * spk
        if h > thr:
            if out and c - out[-1] < 0.36 * fs:  # T wave if its slope is much smaller
                s_now = abs_slope[max(0, c - half) : c + half].max()
                s_prev = abs_slope[max(0, out[-1] - half) : out[-1] + half].max()
                if s_now < 0.5 * s_prev:
                    npk = 0.125 * h + 0.875 * npk
                    continue
            if out:
                rr.append(int(c - out[-1]))
            out.append(int(c))
            last_cand_i = i
            spk = 0.125 * h + 0.875 * spk
        else:
            npk = 0.125 * h + 0.875 * npk
    return out


@dataclass
class Rhythm:
    r_peaks: np.ndarray  # sample indices
    rr_s: np.ndarray  # RR intervals in seconds
    heart_rate_bpm: float | None
    hr_min_bpm: float | None
    hr_max_bpm: float | None
    rr_sdnn_ms: float | None

    def to_dict(self, fs: float) -> dict:
        return {
            "n_beats": int(self.r_peaks.size),
            "heart_rate_bpm": _r(self.heart_rate_bpm),
            "hr_min_bpm": _r(self.hr_min_bpm),
            "hr_max_bpm": _r(self.hr_max_bpm),
            "rr_mean_ms": _r(float(self.rr_s.mean() * 1000)) if self.rr_s.size else None,
            "rr_sdnn_ms": _r(self.rr_sdnn_ms),
            "r_peaks_s": [round(float(p) / fs, 4) for p in self.r_peaks],
        }


def analyse_rhythm(x: np.ndarray, fs: float) -> Rhythm:
    """Heart rate from the median RR (robust to a missed or extra beat)."""
    peaks = detect_r_peaks(x, fs)
    rr = np.diff(peaks) / fs
    if rr.size == 0:
        return Rhythm(peaks, rr, None, None, None, None)
    inst = 60.0 / rr
    return Rhythm(
        r_peaks=peaks,
        rr_s=rr,
        heart_rate_bpm=float(60.0 / np.median(rr)),
        hr_min_bpm=float(inst.min()),
        hr_max_bpm=float(inst.max()),
        rr_sdnn_ms=float(rr.std() * 1000) if rr.size > 1 else None,
    )


def _r(v: float | None) -> float | None:
    return None if v is None else round(float(v), 1)
