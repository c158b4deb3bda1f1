"""Every real hospital-format sample in ../shared/data/formats reads correctly.

The expected measurements are the numbers printed in each file (read by eye from the XML,
from pydicom's dump of the DICOM annotations, and for SCP checked for internal consistency).
The GPL samples are only ever read from ../shared, never copied into the repository.
"""

from __future__ import annotations

import numpy as np
import pytest

from crtnet.io import detect_format, read_record
from crtnet.io.formats import read_vendor

STD = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]

# file, format, leads, fs, n_samples, cart measurements printed in the file
CASES = [
    (
        "ge_muse_xml/example1.xml",
        "ge_muse",
        STD,
        500,
        5000,
        dict(
            heart_rate_bpm=48,
            pr_ms=138,
            qrs_ms=96,
            qt_ms=452,
            qtc_ms=403,
            p_axis_deg=51,
            qrs_axis_deg=20,
            t_axis_deg=40,
        ),
    ),
    (
        "ge_muse_xml/example2.xml",
        "ge_muse",
        STD,
        500,
        5000,
        dict(
            heart_rate_bpm=65,
            pr_ms=184,
            qrs_ms=100,
            qt_ms=420,
            qtc_ms=437,
            p_axis_deg=42,
            qrs_axis_deg=-2,
            t_axis_deg=12,
        ),
    ),
    (
        "philips_xml/129DYPRG.XML",
        "philips_xml",
        STD,
        500,
        5350,
        dict(heart_rate_bpm=41, pr_ms=151, qrs_ms=135, qt_ms=476, qtc_ms=393, qrs_axis_deg=-21),
    ),
    (
        "philips_xml/repbeats_example.xml",
        "philips_xml",
        STD,
        500,
        5350,
        dict(heart_rate_bpm=41, pr_ms=151, qrs_ms=135, qt_ms=476, qtc_ms=393),
    ),
    (
        "philips_xml/2020-5-18_15-48-11.xml",
        "philips_xml",
        STD,
        500,
        5350,
        dict(heart_rate_bpm=64, pr_ms=164, qrs_ms=102, qt_ms=399, qtc_ms=412, qtcf_ms=408),
    ),
    (
        "philips_xml/3191723_ZZDEMOPTONLY_1-04_orig.xml",
        "philips_xml",
        STD,
        500,
        5350,
        dict(heart_rate_bpm=84, pr_ms=144, qrs_ms=84, qt_ms=352, qtc_ms=417, t_axis_deg=67),
    ),
    (
        "dicom/waveform_ecg.dcm",
        "dicom",
        STD,
        1000,
        10000,
        dict(
            rr_ms=982,
            pr_ms=161,
            qrs_ms=75,
            qt_ms=368,
            qtc_ms=370,
            p_axis_deg=74,
            qrs_axis_deg=52,
            t_axis_deg=57,
        ),
    ),
    (
        "hl7_aecg/Example aECG.xml",
        "hl7_aecg",
        STD,
        500,
        5000,
        dict(
            pr_ms=148,
            qrs_ms=120,
            qt_ms=420,
            qtc_ms=443,
            p_axis_deg=44,
            qrs_axis_deg=-61,
            t_axis_deg=86,
        ),
    ),
    (
        "scp/ECG_20060620_112352_ANON000002.SCP",
        "scp_ecg",
        STD[:6] + ["V1", "V2", "V4", "V6", "V3R", "V7"],
        600,
        6000,
        dict(heart_rate_bpm=82, rr_ms=731, pr_ms=177, qrs_ms=100, qt_ms=343, qtc_ms=401),
    ),
    (
        "scp/ECG_20070321_110542_ANON000004.SCP",
        "scp_ecg",
        STD,
        600,
        6000,
        dict(heart_rate_bpm=75, rr_ms=800, pr_ms=157, qrs_ms=88, qt_ms=360, qtc_ms=402),
    ),
]


@pytest.fixture(scope="module")
def formats(shared_data):
    root = shared_data / "formats"
    if not root.is_dir():
        pytest.skip(f"no hospital-format samples at {root}")
    return root


def _qrs_ptp(signal: np.ndarray, fs: float) -> np.ndarray:
    """Peak-to-peak after removing baseline wander (1 s moving mean)."""
    k = int(fs)
    kernel = np.ones(k) / k
    out = []
    for row in signal:
        padded = np.pad(row, k // 2, mode="edge")
        base = np.convolve(padded, kernel, mode="same")[k // 2 : k // 2 + len(row)]
        x = row - base
        out.append(np.percentile(x, 99.9) - np.percentile(x, 0.1))
    return np.array(out)


@pytest.mark.parametrize("case", CASES, ids=[c[0].split("/")[-1] for c in CASES])
def test_sample_reads(formats, case):
    name, fmt, leads, fs, n, meas = case
    path = formats / name
    assert detect_format(path) == fmt
    rec = read_record(path)
    assert rec.leads == leads
    assert rec.fs == fs and rec.n_samples == n and rec.units == "mV"
    assert np.isfinite(rec.signal).all()
    ptp = _qrs_ptp(rec.signal, rec.fs)
    assert np.mean((ptp > 0.3) & (ptp < 5.0)) >= 0.75, ptp.round(2)
    cart = rec.meta["cart"]["measurements"]
    assert {k: cart.get(k) for k in meas} == meas


@pytest.mark.parametrize(
    "name", ["dicom/waveform_ecg.dcm", "hl7_aecg/Example aECG.xml", "philips_xml/129DYPRG.XML"]
)
def test_einthoven_and_goldberger(formats, name):
    """Limb leads stored (or rebuilt from residuals) independently obey I + III = II."""
    rec = read_record(formats / name)
    lead = rec.lead
    assert np.percentile(np.abs(lead("I") + lead("III") - lead("II")), 99) < 0.02
    assert np.percentile(np.abs(lead("aVR") + lead("aVL") + lead("aVF")), 99) < 0.02


def test_minimum_aecg(formats):
    rec = read_record(formats / "hl7_aecg/minimum_aecg.xml")
    assert rec.leads == ["II"] and rec.fs == 500 and rec.n_samples == 13
    assert rec.signal[0, :3] == pytest.approx([-0.005, -0.005, -0.005])  # -2 x 2.5 uV


def test_scp_measurements_are_consistent(formats):
    """SCP values are binary, so check them against each other: HR = 60000/RR, Bazett."""
    for name in ("ECG_20060620_112352_ANON000002.SCP", "ECG_20070321_110542_ANON000004.SCP"):
        m = read_record(formats / "scp" / name).meta["cart"]["measurements"]
        assert m["heart_rate_bpm"] == round(60000 / m["rr_ms"])
        assert abs(m["qtc_ms"] - m["qt_ms"] / np.sqrt(m["rr_ms"] / 1000)) < 2


def test_statements(formats):
    dcm = read_record(formats / "dicom/waveform_ecg.dcm").meta["cart"]
    assert dcm["statements"] == ["RITMO SINUSALE", "ECG NORMALE"]
    ph = read_record(formats / "philips_xml/3191723_ZZDEMOPTONLY_1-04_orig.xml").meta["cart"]
    assert ph["statements"][0] == "SINUS RHYTHM ; normal P axis, V-rate 60-99"
    assert ph["statements"][-1] == "- ABNORMAL ECG -" and ph["device"] == "PageWriter Touch"
    scp = read_record(formats / "scp/ECG_20070321_110542_ANON000004.SCP").meta["cart"]
    assert "sinusrytm" in scp["statements"] and "VK-hypertrofi" in scp["statements"]


def test_same_recording_two_files_same_signal(formats):
    """129DYPRG.XML and repbeats_example.xml are one recording, the second with median beats."""
    a = read_record(formats / "philips_xml/129DYPRG.XML")
    b = read_record(formats / "philips_xml/repbeats_example.xml")
    np.testing.assert_array_equal(a.signal, b.signal)


@pytest.mark.parametrize(
    "name, leads, n",
    [
        ("ge_muse_xml/example1.xml", STD, 600),
        ("philips_xml/repbeats_example.xml", STD, 1200),
        ("dicom/waveform_ecg.dcm", STD, 1200),
        ("hl7_aecg/Example aECG.xml", STD, 599),
        ("scp/ECG_20070321_110542_ANON000004.SCP", STD, 431),
    ],
)
def test_median_beats(formats, name, leads, n):
    path = formats / name
    med = read_vendor(path, detect_format(path), waveform="median")
    assert med.leads == leads and med.n_samples == n
    ptp = np.ptp(med.signal, axis=1)
    assert np.mean((ptp > 0.3) & (ptp < 5.0)) >= 0.75, ptp.round(2)


def test_cardiosoft(formats):
    """Optional in the issue; read because its layout is plain comma-separated counts."""
    path = formats / "ge_cardiosoft_xml/example1.xml"
    rec = read_record(path)
    assert rec.leads == STD and rec.fs == 500 and rec.n_samples == 5000
    ptp = _qrs_ptp(rec.signal, rec.fs)
    assert np.mean((ptp > 0.3) & (ptp < 5.0)) >= 0.75, ptp.round(2)
    assert np.percentile(np.abs(rec.lead("I") + rec.lead("III") - rec.lead("II")), 99) < 0.02
    m = rec.meta["cart"]["measurements"]
    assert (m["heart_rate_bpm"], m["pr_ms"], m["qrs_ms"], m["qt_ms"], m["qtc_ms"]) == (
        42,
        250,
        106,
        462,
        385,
    )
    med = read_vendor(path, "ge_cardiosoft", waveform="median")
    assert med.n_samples == 600 and med.leads == STD
