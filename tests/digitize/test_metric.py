"""Challenge 2024 SNR: alignment bounds, offsets and coverage weighting."""

from __future__ import annotations

import numpy as np

from crtnet.digitize.metric import challenge_snr, lead_snr
from crtnet.io import Record
from crtnet.io.leads import STANDARD_12


def _ecg_like(n: int = 5000, fs: float = 500.0) -> np.ndarray:
    t = np.arange(n) / fs
    rr = np.random.default_rng(1).uniform(0.55, 1.2, 20)  # irregular: no periodic match
    centers = 0.3 + np.cumsum(rr)
    beats = sum(np.exp(-(((t - c) / 0.012) ** 2)) for c in centers[centers < n / fs])
    return (1.2 * beats + 0.15 * np.sin(2 * np.pi * 1.1 * t)).astype(np.float32)


def test_identical_signals_score_very_high():
    x = _ecg_like()
    res = lead_snr(x, x, 500.0)
    assert res["snr_db"] > 100 and res["coverage"] == 1.0 and res["shift_s"] == 0


def test_known_shift_and_offset_are_recovered():
    x = _ecg_like()
    shifted = np.roll(x, 60) + 0.4  # estimate 120 ms late and 0.4 mV high
    shifted[:60] = np.nan
    res = lead_snr(x, shifted, 500.0)
    assert abs(res["shift_s"] + 0.12) < 1e-9
    assert abs(res["offset_mv"] + 0.4) < 1e-5
    assert res["snr_db"] > 80


def test_shift_beyond_half_second_and_offset_beyond_1mv_are_not_forgiven():
    x = _ecg_like()
    far = np.roll(x, 400)  # 0.8 s: outside the allowed window
    assert lead_snr(x, far, 500.0)["snr_db"] < 5
    high = x + 3.0  # 3 mV offset: only 1 mV may be removed
    res = lead_snr(x, high, 500.0)
    assert res["offset_mv"] == -1.0 and res["snr_db"] < 5


def test_coverage_weighting_and_missing_leads():
    x = np.stack([_ecg_like()] * 12)
    ref = Record(x, 500.0, list(STANDARD_12))
    half = x.copy()
    half[:, 2500:] = np.nan
    full = challenge_snr(ref, Record(x, 500.0, list(STANDARD_12)))
    part = challenge_snr(ref, Record(half, 500.0, list(STANDARD_12)))
    assert abs(part["coverage"] - 0.5) < 1e-6
    assert abs(part["snr_db"] - 0.5 * part["snr_covered_db"]) < 1e-3
    assert part["snr_db"] < full["snr_db"]
    only_i = Record(x[:1], 500.0, ["I"])
    miss = challenge_snr(ref, only_i)
    assert miss["leads"]["II"]["coverage"] == 0.0
    assert abs(miss["snr_db"] - miss["leads"]["I"]["weighted"] / 12) < 1e-6


def test_noise_level_maps_to_expected_snr():
    rng = np.random.default_rng(0)
    x = _ecg_like()
    noise = rng.normal(0, 1, x.size)
    noise *= np.sqrt(np.sum(x**2) / np.sum(noise**2)) / 10 ** (20 / 20)  # exactly 20 dB
    res = lead_snr(x, x + noise, 500.0)
    assert 19.5 < res["snr_db"] < 21.0  # alignment can only help a little


def test_short_estimate_counts_as_uncovered():
    x = _ecg_like()
    res = lead_snr(x, x[:2500], 500.0)
    assert abs(res["coverage"] - 0.5) < 1e-9 and res["snr_db"] > 80
    ref = np.full(5000, np.nan, np.float32)
    ref[4000:] = x[4000:]
    res = lead_snr(ref, x[:3000], 500.0)  # nothing of what the page shows is covered
    assert res["weighted"] == 0.0
