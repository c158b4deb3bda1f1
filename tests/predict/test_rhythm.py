from __future__ import annotations

import numpy as np
import pytest
import wfdb
from wfdb import processing

from crtnet.io import read_record
from crtnet.predict.rhythm import analyse_rhythm, detect_r_peaks

BEATS = set("NLRBAaJSVrFejnE/fQ?")


@pytest.mark.parametrize("rec", ["100", "106", "208", "232"])
def test_r_peaks_match_mitdb_annotations(sample_dir, rec):
    """Sensitivity and PPV against the cardiologists' beat labels (150 ms tolerance)."""
    n = 360 * 300  # first 5 minutes
    x = read_record(sample_dir / f"mitdb/{rec}").signal[0, :n]
    ann = wfdb.rdann(str(sample_dir / f"mitdb/{rec}"), "atr", sampto=n)
    ref = np.array([s for s, sym in zip(ann.sample, ann.symbol, strict=True) if sym in BEATS])
    cmp = processing.compare_annotations(ref, detect_r_peaks(x, 360), int(0.15 * 360))
    cmp.compare()
    assert cmp.sensitivity > 0.98 and cmp.positive_predictivity > 0.98


def test_heart_rate_on_ptbxl_sample(sample_dir):
    rec = read_record(sample_dir / "ptbxl/records500/00000/00001_hr")
    rhythm = analyse_rhythm(rec.lead("II"), rec.fs)
    # 11 beats in 10 s, RR ≈ 0.93 s
    assert rhythm.r_peaks.size == 11
    assert 62 < rhythm.heart_rate_bpm < 66
    d = rhythm.to_dict(rec.fs)
    assert d["n_beats"] == 11 and len(d["r_peaks_s"]) == 11


def test_flat_and_short_signals():
    assert detect_r_peaks(np.zeros(10), 500).size == 0
    assert analyse_rhythm(np.zeros(5000), 500).heart_rate_bpm is None
