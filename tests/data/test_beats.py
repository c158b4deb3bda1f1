"""Beat windows and RR features: shared by beat datasets and ``predict``."""

from __future__ import annotations

import numpy as np
import pytest

from crtnet.data import beats
from crtnet.errors import CrtnetError


def test_rr_features():
    s = np.array([0, 360, 720, 900, 1440])
    f = beats.rr_features(s, 360.0)
    assert f.shape == (5, 5)
    np.testing.assert_allclose(f[2, :2], [1.0, 0.5])
    np.testing.assert_allclose(f[:, 3], f[:, 0] / f[:, 2], rtol=1e-6)


def test_rr_variability_tells_irregular_rhythm_from_one_early_beat():
    regular = np.cumsum(np.r_[0, np.full(40, 300)])
    early = regular.copy()
    early[20:] -= 120  # one premature beat, then the rhythm goes on
    rng = np.random.default_rng(0)
    af = np.cumsum(np.r_[0, rng.integers(150, 450, 40)])
    names = ["local_rr_cv", "pre_rr_record_ratio"]
    cv_reg, cv_early, cv_af = (beats.rr_features(s, 360, names)[:, 0] for s in (regular, early, af))
    assert cv_reg.max() < 1e-3 and cv_early[20] < 0.15 < cv_af.mean()
    assert beats.rr_features(early, 360.0, names)[20, 1] == pytest.approx(180 / 300)
    with pytest.raises(CrtnetError):
        beats.rr_features(regular, 360.0, ["qt_interval"])


def test_local_rr_tells_an_isolated_early_beat_from_atrial_fibrillation():
    """The neighbours' irregularity leaves out the beat's own short RR and pause."""
    rng = np.random.default_rng(0)
    regular = np.cumsum(np.r_[0, rng.normal(300, 3, 60).round()]).astype(np.int64)
    early = regular.copy()
    early[30] -= 120  # a premature beat with a compensatory pause
    af = np.cumsum(np.r_[0, rng.integers(150, 450, 60)])
    names = beats.LOCAL_NAMES
    f_early = beats.rr_features(early, 360.0, names)
    f_af = beats.rr_features(af, 360.0, names)
    col = {n: i for i, n in enumerate(names)}
    irr = col["nb_rr_irregularity"]
    assert f_early[30, irr] < 0.02 < 0.1 < np.median(f_af[:, irr])
    # the early beat's RR against its previous beats, its neighbours and its own pause
    assert f_early[30, col["pre_rr_prev"]] == pytest.approx(180 / 300, abs=0.02)
    assert f_early[30, col["pre_rr_nb"]] == pytest.approx(180 / 300, abs=0.02)
    assert f_early[30, col["pre_post_ratio"]] == pytest.approx(180 / 420, abs=0.02)
    assert f_early[31, col["pre_rr_prev"]] == pytest.approx(420 / 300, abs=0.05)
    # a slow window (±150 s) spans the whole 18 s record: its mean over the record's is 1
    np.testing.assert_allclose(f_early[:, col["rr_5min_norm"]], 1.0, rtol=1e-3)
    assert np.isfinite(beats.rr_features(np.array([0, 300]), 360.0, names)).all()


def test_record_normalised_rr_ignores_the_patients_rate():
    """A premature beat reads the same at 50 and at 100 bpm once divided by the record mean."""
    names = ["pre_rr_norm", "post_rr_norm", "local_rr_norm", "pre_rr_norm-1", "pre_rr_norm+1"]
    out = []
    for rr in (360, 720):  # 60 and 30 bpm at 360 Hz
        s = np.cumsum(np.r_[0, np.full(40, rr)])
        s[20] -= rr // 3  # early beat, then a compensatory pause
        out.append(beats.rr_features(s, 360.0, names))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-5)
    f = out[0]
    assert f[20, 0] < 0.7 < 1.2 < f[20, 1]  # short before, compensatory pause after
    assert f[21, 3] == pytest.approx(f[20, 0]) and f[19, 4] == pytest.approx(f[20, 0])
    assert abs(f[:, 2].mean() - 1) < 0.05


def test_beat_windows_put_the_peak_at_before_and_pad_edges():
    sig = np.arange(2 * 100, dtype=np.float32).reshape(2, 100)
    w = beats.beat_windows(sig, np.array([3, 50, 98]), 5, 4)
    assert w.shape == (3, 2, 9) and w.dtype == np.float32
    np.testing.assert_array_equal(w[1, :, 5], sig[:, 50])
    np.testing.assert_array_equal(w[0, 0, :2], [0, 0])  # before the start: zeros
    np.testing.assert_array_equal(w[0, 0, 2:], sig[0, :7])
    assert beats.complete_beats(np.array([3, 50, 98]), 100, 5, 4).tolist() == [False, True, False]


def test_template_modes_compare_each_beat_with_its_records_median():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(9, 2, 16)).astype(np.float32)
    rec = np.array([0] * 5 + [1] * 4)
    med = beats.with_template(w, rec)
    diff = beats.with_template(w, rec, "diff")
    res = beats.with_template(w, rec, "residual")
    assert med.shape == diff.shape == (9, 4, 16) and res.shape == (9, 2, 16)
    np.testing.assert_allclose(med[:5, 2:], np.broadcast_to(np.median(w[:5], 0), (5, 2, 16)))
    np.testing.assert_allclose(diff[:, 2:], w - med[:, 2:], atol=1e-6)
    np.testing.assert_allclose(res, diff[:, 2:])
    assert beats.template_mode(True) == "median" and beats.template_mode(False) is None
    with pytest.raises(CrtnetError):
        beats.template_mode("mean")
