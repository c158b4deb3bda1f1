"""A long Holter is read in windows by info and predict: bounded memory, same beats."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import wfdb

from crtnet.cli.main import main


@pytest.fixture(scope="module")
def holter(tmp_path_factory, sample_dir):
    """20 minutes, two leads, 360 Hz: the first 10 min of MIT-BIH 100 twice (format 212)."""
    r = wfdb.rdrecord(str(sample_dir / "mitdb" / "100"), physical=False, sampto=216000)
    d = np.tile(r.d_signal, (2, 1))
    out = tmp_path_factory.mktemp("holter")
    wfdb.wrsamp(
        "holter",
        fs=r.fs,
        units=r.units,
        sig_name=r.sig_name,
        d_signal=d,
        fmt=r.fmt,
        adc_gain=r.adc_gain,
        baseline=r.baseline,
        write_dir=str(out),
    )
    return out / "holter.hea"


def _info_rss(path, env):
    code = (
        "import sys, resource; from crtnet.cli.main import main; rc = main(sys.argv[1:]);"
        "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr);"
        "sys.exit(rc)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "info", str(path), "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)[0], int(out.stderr.split("RSS")[1]) / 1024


def test_info_reads_a_record_over_the_cap_in_windows(holter, sample_dir):
    # whole loading is capped at 0.2 M samples x leads: the 0.86 M record is read in windows
    env = {"CRTNET_MAX_SAMPLES": "200000", "CRTNET_LONG_SAMPLES": "500000"}
    s, rss = _info_rss(holter, env)
    assert s["n_samples"] == 432000 and s["duration_s"] == 1200
    sig = wfdb.rdrecord(str(holter.with_suffix(""))).p_signal
    assert s["range_mv"] == [round(float(sig.min()), 4), round(float(sig.max()), 4)]
    # memory: no more than reading a 0.2 M-sample record whole (the interpreter's size)
    small = holter.parent / "small"
    r = wfdb.rdrecord(str(holter.with_suffix("")), physical=False, sampto=100000)
    wfdb.wrsamp(
        "small",
        fs=r.fs,
        units=r.units,
        sig_name=r.sig_name,
        d_signal=r.d_signal,
        fmt=r.fmt,
        adc_gain=r.adc_gain,
        baseline=r.baseline,
        write_dir=str(holter.parent),
    )
    _, rss_small = _info_rss(small.with_suffix(".hea"), env)
    assert rss < rss_small + 30, (rss, rss_small)


def test_predict_in_windows_counts_the_same_beats(holter, monkeypatch, capsys):
    assert main(["predict", str(holter), "--json"]) == 0  # 0.86 M: read whole
    whole = json.loads(capsys.readouterr().out)[0]
    monkeypatch.setenv("CRTNET_LONG_SAMPLES", "500000")
    monkeypatch.setenv("CRTNET_WINDOW_S", "120")
    assert main(["predict", str(holter), "--json"]) == 0
    long = json.loads(capsys.readouterr().out)[0]
    assert "windows" not in whole["quality"] and long["quality"]["windows"] == 10
    assert long["model"] == whole["model"] and long["quality"]["duration_s"] == 1200
    n1, n2 = whole["rhythm"]["n_beats"], long["rhythm"]["n_beats"]
    assert abs(n2 - n1) <= 10, (n1, n2)  # at most one beat per window edge
    assert sum(long["rhythm"]["beat_counts"].values()) == len(long["rhythm"]["beat_labels"]) == n2
    assert abs(long["rhythm"]["heart_rate_bpm"] - whole["rhythm"]["heart_rate_bpm"]) < 1
    assert long["predicted"][0] == whole["predicted"][0]
    for c, p in whole["probabilities"].items():
        assert abs(long["probabilities"][c] - p) < 0.02
