"""WFDB → Record → WFDB/CSV/npz/challenge round trips are lossless within format precision."""

from __future__ import annotations

import numpy as np
import pytest

from crtnet.io import read_record, write_record


@pytest.fixture(scope="module")
def ptbxl_hr(sample_dir):
    return read_record(sample_dir / "ptbxl/records500/00000/00001_hr")


@pytest.fixture(scope="module")
def mitdb_100(sample_dir):
    return read_record(sample_dir / "mitdb/100")


def test_reads_real_records(ptbxl_hr, mitdb_100):
    assert ptbxl_hr.signal.dtype == np.float32
    assert ptbxl_hr.signal.shape == (12, 5000) and ptbxl_hr.fs == 500
    assert ptbxl_hr.leads[:3] == ["I", "II", "III"] and ptbxl_hr.leads[3] == "aVR"
    assert mitdb_100.leads == ["MLII", "V5"] and mitdb_100.fs == 360
    assert mitdb_100.n_samples == 650000
    # MIT-BIH: 200 adu/mV, 11-bit: values are multiples of 1/200 mV
    assert np.allclose(mitdb_100.signal[0, :100] * 200, np.round(mitdb_100.signal[0, :100] * 200))


@pytest.mark.parametrize("fmt", ["wfdb", "npz", "csv", "challenge"])
def test_roundtrip_ptbxl(tmp_path, ptbxl_hr, fmt):
    name = {"wfdb": "rec", "challenge": "rec.mat", "csv": "rec.csv", "npz": "rec.npz"}[fmt]
    out = write_record(ptbxl_hr, tmp_path / name, fmt=fmt)
    back = read_record(out)
    assert back.leads == ptbxl_hr.leads
    assert back.fs == ptbxl_hr.fs
    assert back.signal.shape == ptbxl_hr.signal.shape
    tol = {"wfdb": 0, "npz": 0, "csv": 1e-6, "challenge": 0.5e-3 + 1e-6}[fmt]
    np.testing.assert_allclose(back.signal, ptbxl_hr.signal, atol=tol, rtol=0)


def test_wfdb_keeps_format_212_bit_exact(tmp_path, mitdb_100):
    short = mitdb_100.replace(signal=mitdb_100.signal[:, :3600])
    write_record(short, tmp_path / "m100")
    back = read_record(tmp_path / "m100")
    np.testing.assert_array_equal(back.signal, short.signal)
    assert back.meta["adc_gain"] == [200.0, 200.0]


def test_nan_survives_wfdb_and_npz(tmp_path, ptbxl_hr):
    sig = ptbxl_hr.signal.copy()
    sig[3:, 1250:] = np.nan
    rec = ptbxl_hr.replace(signal=sig, meta={})
    for path in (tmp_path / "nan", tmp_path / "nan.npz"):
        back = read_record(write_record(rec, path))
        np.testing.assert_array_equal(np.isnan(back.signal), np.isnan(sig))
        np.testing.assert_allclose(back.signal[:3], sig[:3], atol=1e-3)


def test_metadata_roundtrip(tmp_path, ptbxl_hr):
    rec = ptbxl_hr.replace(labels=["NORM", "SR"], patient_id="15709", meta={"age": "56"})
    for path in (tmp_path / "m", tmp_path / "m.npz"):
        back = read_record(write_record(rec, path))
        assert back.labels == ["NORM", "SR"]
        assert back.patient_id == "15709"
        assert back.meta["age"] == "56"


def test_challenge_reader_labels(sample_dir):
    rec = read_record(sample_dir / "cinc2021/E07500.mat")
    assert rec.labels == ["67741000119109", "426177001"]
    assert rec.meta["sex"] == "Male" and rec.meta["age"] == "78"
    assert rec.signal.shape == (12, 5000)
    # header gain 1000 adu/mV: first sample of lead I is -68 adu
    assert rec.signal[0, 0] == pytest.approx(-0.068)
    # the .hea path reads the same record as the .mat path
    np.testing.assert_array_equal(
        read_record(sample_dir / "cinc2021/E07500.hea").signal, rec.signal
    )


def test_csv_without_time_column_needs_fs(tmp_path, ptbxl_hr):
    from crtnet.errors import CrtnetError
    from crtnet.io.csv_io import write_csv

    path = write_csv(ptbxl_hr, tmp_path / "nt.csv", time_column=False)
    with pytest.raises(CrtnetError, match="pass --fs"):
        read_record(path)
    assert read_record(path, fs=500).n_samples == 5000


def test_csv_units_in_header(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("time_ms,II (uV),V1 [mV]\n0,1000,1\n2,2000,2\n4,3000,3\n")
    rec = read_record(path)
    assert rec.fs == 500 and rec.leads == ["II", "V1"]
    np.testing.assert_allclose(rec.signal, [[1, 2, 3], [1, 2, 3]])
