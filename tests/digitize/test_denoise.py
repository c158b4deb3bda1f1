"""The page-matched smoothing: chosen from the lead printed twice, never applied blindly."""

from __future__ import annotations

import numpy as np

from crtnet.digitize.denoise import choose_sigma, smooth

FS = 500.0


def _beats(t: np.ndarray, jitter: np.ndarray | None = None) -> np.ndarray:
    """Narrow R and S waves every 0.8 s; ``jitter`` moves each QRS by its own few ms."""
    y = np.zeros_like(t)
    for k, c in enumerate(np.arange(0.3, t[-1], 0.8)):
        c = c + (0.0 if jitter is None else jitter[k])
        r = np.exp(-0.5 * ((t - c) / 0.004) ** 2)
        y += 1.5 * r - 0.4 * np.exp(-0.5 * ((t - c - 0.012) / 0.004) ** 2)
    return y


def test_a_sharp_page_is_left_alone():
    t = np.arange(int(2.4 * FS)) / FS
    a = _beats(t)
    rng = np.random.default_rng(0)
    b = a + 0.003 * rng.standard_normal(a.size)  # the same strokes, read twice
    assert choose_sigma([(a, b)], FS) == 0.0


def test_strokes_placed_a_few_ms_off_are_smoothed():
    """Two readings whose QRS strokes each sit a few ms off the truth, independently (a
    photo): smoothing brings each reading closer to the other, hence to the truth."""
    rng = np.random.default_rng(1)
    t = np.arange(int(2.4 * FS)) / FS
    truth = _beats(t)
    a = _beats(t, rng.normal(0, 0.003, 4))
    b = _beats(t, rng.normal(0, 0.003, 4))
    s = choose_sigma([(a, b)], FS)
    assert s > 0
    assert np.mean((smooth(a, s) - truth) ** 2) < np.mean((a - truth) ** 2)


def test_no_repeated_lead_means_no_smoothing():
    assert choose_sigma([], FS) == 0.0


def test_smoothing_keeps_gaps_unread():
    y = np.sin(np.arange(400) / 20.0)
    y[100:150] = np.nan
    out = smooth(y, 1.0)
    assert np.isnan(out[100:150]).all() and np.isfinite(out[:100]).all()
