"""DICOM waveform ECGs (pydicom's own sample, MIT) and EDF/EDF+ written here with edfio."""

from __future__ import annotations

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file

from crtnet.errors import CrtnetError
from crtnet.io import detect_format, read_record
from crtnet.io.edf_io import read_edf, write_edf
from crtnet.io.formats import read_vendor

ECG = get_testdata_file("waveform_ecg.dcm")


def test_dicom_12_lead():
    rec = read_record(ECG)
    assert rec.fs == 1000 and rec.n_samples == 10000 and rec.leads[6] == "V1"
    assert rec.meta["dicom_sop_class"] == "12-lead ECG"
    assert np.abs(rec.lead("I") + rec.lead("III") - rec.lead("II")).max() < 0.01
    m = rec.meta["cart"]["measurements"]
    assert (m["pr_ms"], m["qrs_ms"], m["qt_ms"], m["qtc_ms"]) == (161, 75, 368, 370)
    med = read_vendor(ECG, "dicom", waveform="median")
    assert med.n_samples == 1200 and med.leads == rec.leads


def test_dicom_general_ecg_in_millivolts_without_suffix(tmp_path):
    """Same samples declared in mV with a 1/1000 sensitivity: identical signal; no suffix."""
    ds = dcmread(ECG)
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.9.1.2"
    for ch in ds.WaveformSequence[0].ChannelDefinitionSequence:
        ch.ChannelSensitivity = float(ch.ChannelSensitivity) / 1000
        ch.ChannelSensitivityUnitsSequence[0].CodeValue = "mV"
    p = tmp_path / "IM00001"
    ds.save_as(p)
    assert detect_format(p) == "dicom"
    rec = read_record(p)
    assert rec.meta["dicom_sop_class"] == "General ECG"
    np.testing.assert_allclose(rec.signal, read_record(ECG).signal, atol=1e-6)


def test_dicom_image_is_refused():
    with pytest.raises(CrtnetError, match="holds no waveform"):
        read_record(get_testdata_file("CT_small.dcm"))


def test_edf_picks_ecg_channels_with_units(tmp_path):
    import edfio

    t = np.arange(2560) / 256
    sigs = [
        edfio.EdfSignal(np.sin(t) * 1000, 256, label="ECG II", physical_dimension="uV"),
        edfio.EdfSignal(np.cos(t) * 50, 256, label="EEG Fp1", physical_dimension="uV"),
        edfio.EdfSignal(np.sin(t) * 0.5, 256, label="EKG V2", physical_dimension="mV"),
        edfio.EdfSignal(np.full(10, 97.0), 1, label="SpO2", physical_dimension="%"),
    ]
    p = tmp_path / "sleep.edf"
    edfio.Edf(sigs).write(p)
    assert detect_format(p) == "edf"
    rec = read_record(p)
    assert rec.leads == ["II", "V2"] and rec.fs == 256 and rec.n_samples == 2560
    np.testing.assert_allclose(rec.lead("II"), np.sin(t), atol=1e-3)


def test_edf_roundtrip_keeps_length_and_values(tmp_path):
    rec = read_record(ECG).select(["I", "II", "V1"])
    rec = rec.replace(signal=rec.signal[:, :1234])  # not a whole number of seconds
    out = write_edf(rec, tmp_path / "x.edf")
    back = read_edf(out)
    assert back.leads == rec.leads and back.n_samples == 1234 and back.fs == rec.fs
    step = np.ptp(rec.signal, axis=1, keepdims=True) / 65535
    assert np.all(np.abs(back.signal - rec.signal) <= step + 1e-6)


def test_edf_without_ecg_is_refused(tmp_path):
    import edfio

    p = tmp_path / "eeg.edf"
    edfio.Edf([edfio.EdfSignal(np.zeros(256), 256, label="EEG", physical_dimension="uV")]).write(p)
    with pytest.raises(CrtnetError, match="no ECG channel"):
        read_record(p)


def test_truncated_dicom(tmp_path):
    p = tmp_path / "cut.dcm"
    p.write_bytes(open(ECG, "rb").read()[:50_000])
    with pytest.raises(CrtnetError) as err:
        read_record(p)
    assert "cut.dcm" in str(err.value)


def test_damaged_headers_never_escape_as_tracebacks(tmp_path):
    """Seeded byte flips in the DICOM header (found pydicom's lazy-conversion errors)."""
    rng = np.random.default_rng(3)
    data = open(ECG, "rb").read()
    p = tmp_path / "flip.dcm"
    for _ in range(40):
        d = bytearray(data)
        for i in rng.integers(132, 4000, rng.integers(1, 6)):
            d[i] = int(rng.integers(0, 256))
        p.write_bytes(bytes(d))
        try:
            read_record(p)
        except CrtnetError as exc:
            assert str(exc).startswith(str(p))


@pytest.mark.parametrize("name", ["philips_129DYPRG.XML", "scp_ANON000004.SCP", "aecg_minimum.xml"])
def test_truncated_fixtures_give_one_error(tmp_path, name):
    from pathlib import Path

    data = (Path(__file__).resolve().parents[1] / "fixtures/formats" / name).read_bytes()
    p = tmp_path / name
    for cut in np.linspace(10, len(data) - 30, 12).astype(int):
        p.write_bytes(data[:cut])
        with pytest.raises(CrtnetError) as err:
            read_record(p)
        assert str(err.value).startswith(str(p))
