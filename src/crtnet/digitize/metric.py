"""PhysioNet Challenge 2024 digitization metric: per-lead SNR (dB) after alignment.

Per lead: the estimate may be shifted in time by up to 0.5 s and offset by up to 1 mV
(the best within those bounds is taken); SNR = 10 log10(sum ref^2 / sum (ref - est)^2)
over the reference samples the estimate covers; the lead's score is that SNR weighted by
the covered fraction of the reference. The record score is the mean over leads.
"""

from __future__ import annotations

import numpy as np

from crtnet.io.record import Record

MAX_SHIFT_S = 0.5
MAX_OFFSET_MV = 1.0


def lead_snr(ref: np.ndarray, est: np.ndarray, fs: float) -> dict:
    """Best SNR over shifts |s| <= 0.5 s and offsets |o| <= 1 mV for one lead."""
    ref = np.asarray(ref, np.float64)
    est = np.asarray(est, np.float64)
    n = ref.size
    # an estimate shorter than the reference covers less of it; a longer one is cut
    est = np.r_[est[:n], np.full(max(0, n - est.size), np.nan)]
    n_ref = int(np.isfinite(ref).sum())
    if n_ref == 0:
        return {
            "snr_db": np.nan,
            "coverage": np.nan,
            "shift_s": 0.0,
            "offset_mv": 0.0,
            "weighted": 0.0,
        }
    best = {"snr_db": -np.inf, "coverage": 0.0, "shift_s": 0.0, "offset_mv": 0.0, "weighted": 0}
    max_shift = int(round(MAX_SHIFT_S * fs))
    for s in range(-max_shift, max_shift + 1):
        # est shifted by s: e_s[i] = est[i - s]
        if s >= 0:
            r, e = ref[s:], est[: n - s]
        else:
            r, e = ref[: n + s], est[-s:]
        ok = np.isfinite(r) & np.isfinite(e)
        m = int(ok.sum())
        if m < 2:
            continue
        d = r[ok] - e[ok]
        off = float(np.clip(d.mean(), -MAX_OFFSET_MV, MAX_OFFSET_MV))
        noise = float(np.sum((d - off) ** 2))
        sig = float(np.sum(r[ok] ** 2))
        snr = 10 * np.log10(max(sig, 1e-12) / max(noise, 1e-12))
        cov = m / n_ref
        if snr * cov > best["weighted"] or best["snr_db"] == -np.inf:
            best = {
                "snr_db": snr,
                "coverage": cov,
                "shift_s": s / fs,
                "offset_mv": off,
                "weighted": snr * cov,
            }
    if best["snr_db"] == -np.inf:
        return {
            "snr_db": np.nan,
            "coverage": 0.0,
            "shift_s": 0.0,
            "offset_mv": 0.0,
            "weighted": 0.0,
        }
    return best


def challenge_snr(reference: Record, estimate: Record) -> dict:
    """Per-lead and mean coverage-weighted SNR of ``estimate`` against ``reference``.

    Leads are matched by name; the estimate is resampled to the reference's rate. A lead
    the reference lacks (all NaN) is skipped; one the estimate lacks scores 0 dB weight.
    """
    if estimate.fs != reference.fs:
        estimate = estimate.resample(reference.fs)
    per = {}
    for i, name in enumerate(reference.leads):
        ref = reference.signal[i]
        if not np.isfinite(ref).any():
            continue
        if name in estimate.leads:
            per[name] = lead_snr(ref, estimate.lead(name), reference.fs)
        else:
            per[name] = {
                "snr_db": np.nan,
                "coverage": 0.0,
                "shift_s": 0.0,
                "offset_mv": 0.0,
                "weighted": 0.0,
            }
    weighted = [v["weighted"] for v in per.values()]
    raw = [v["snr_db"] for v in per.values() if np.isfinite(v["snr_db"])]
    return {
        "snr_db": float(np.mean(weighted)) if weighted else float("nan"),
        "snr_covered_db": float(np.mean(raw)) if raw else float("nan"),
        "coverage": float(np.mean([v["coverage"] for v in per.values()])) if per else 0.0,
        "leads": per,
    }
