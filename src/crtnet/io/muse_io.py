"""GE MUSE ``<RestingECG>`` XML: base64 int16 leads plus MUSE's confirmed measurements.

MUSE stores 8 independent leads (I, II, V1-V6); III, aVR, aVL and aVF are derived here.
Each lead carries a CRC32, which is checked so a damaged export is refused, not plotted.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from pathlib import Path
from xml.etree.ElementTree import Element

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.cart import cart_meta
from crtnet.io.leads import normalize_lead
from crtnet.io.record import Record
from crtnet.io.xmlsafe import number, parse_xml, text_of

_UNITS_MV = {"MICROVOLTS": 1e-3, "MILLIVOLTS": 1.0, "VOLTS": 1e3}
_MEAS = {
    "heart_rate_bpm": "VentricularRate",
    "atrial_rate_bpm": "AtrialRate",
    "pr_ms": "PRInterval",
    "qrs_ms": "QRSDuration",
    "qt_ms": "QTInterval",
    "qtc_ms": "QTCorrected",
    "qtcf_ms": "QTcFrederica",
    "p_axis_deg": "PAxis",
    "qrs_axis_deg": "RAxis",
    "t_axis_deg": "TAxis",
}


def read_muse(path: str | Path, *, waveform: str = "rhythm", strict_leads: bool = True) -> Record:
    """``waveform`` is ``"rhythm"`` (the recording) or ``"median"`` (the cart's median beat)."""
    path = Path(path)
    root = parse_xml(path)
    if root.tag != "RestingECG":
        raise CrtnetError(f"not a GE MUSE file (root <{root.tag}>)", path)
    wave = _waveform(root, waveform, path)
    fs = number(text_of(wave, "SampleBase")) or 0
    fs *= 10 ** (number(text_of(wave, "SampleExponent")) or 0)
    rows, names = [], []
    for lead in wave.findall("LeadData"):
        name = text_of(lead, "LeadID") or "?"
        try:
            names.append(normalize_lead(name, strict=strict_leads))
        except CrtnetError as exc:
            raise CrtnetError(exc.problem, path) from None
        rows.append(_lead_samples(lead, name, path))
    if not rows:
        raise CrtnetError(f"no LeadData in the {waveform} waveform", path)
    n = min(len(r) for r in rows)
    if any(len(r) != n for r in rows):
        raise CrtnetError(f"leads differ in length ({sorted({len(r) for r in rows})})", path)
    try:
        rec = Record(np.stack(rows), fs, names, record_id=path.stem, source=str(path), meta={})
        if "I" in names and "II" in names:
            rec = rec.with_derived_limb_leads()
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None
    rec.meta["format"] = "ge_muse"
    rec.meta["cart"] = _cart(root, path)
    return rec


def _waveform(root: Element, kind: str, path: Path) -> Element:
    wanted = {"rhythm": "Rhythm", "median": "Median"}.get(kind)
    if wanted is None:
        raise CrtnetError(f"waveform must be 'rhythm' or 'median', not {kind!r}")
    for wave in root.findall("Waveform"):
        if (text_of(wave, "WaveformType") or "").lower() == wanted.lower():
            return wave
    raise CrtnetError(f"no {wanted} waveform in this MUSE file", path)


def _lead_samples(lead: Element, name: str, path: Path) -> np.ndarray:
    try:
        text = "".join((text_of(lead, "WaveFormData") or "").split())
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CrtnetError(f"lead {name}: waveform is not valid base64", path) from None
    size = int(number(text_of(lead, "LeadSampleSize")) or 2)
    if size != 2 or len(raw) % 2:
        raise CrtnetError(f"lead {name}: {size}-byte / odd-length samples are not supported", path)
    crc = text_of(lead, "LeadDataCRC32")
    if crc is not None and crc.isdigit() and zlib.crc32(raw) != int(crc):
        raise CrtnetError(f"lead {name}: CRC32 mismatch, the waveform is damaged", path)
    count = number(text_of(lead, "LeadSampleCountTotal"))
    if count is not None and int(count) != len(raw) // 2:
        raise CrtnetError(
            f"lead {name}: {len(raw) // 2} samples where the file promises {int(count)}", path
        )
    per_bit = number(text_of(lead, "LeadAmplitudeUnitsPerBit"))
    units = (text_of(lead, "LeadAmplitudeUnits") or "MICROVOLTS").upper()
    if per_bit is None or per_bit <= 0 or units not in _UNITS_MV:
        raise CrtnetError(f"lead {name}: unknown amplitude scale {per_bit} {units}", path)
    baseline = number(text_of(lead, "FirstSampleBaseline")) or 0.0
    counts = np.frombuffer(raw, dtype="<i2").astype(np.float64) - baseline
    return (counts * per_bit * _UNITS_MV[units]).astype(np.float32)


def _cart(root: Element, path: Path) -> dict:
    meas_el = root.find("RestingECGMeasurements")
    if meas_el is None:
        meas_el = root.find("OriginalRestingECGMeasurements")
    meas = {k: number(text_of(meas_el, tag)) for k, tag in _MEAS.items()}
    diag = root.find("Diagnosis")
    if diag is None:
        diag = root.find("OriginalDiagnosis")
    statements, line = [], []
    for stmt in [] if diag is None else diag.findall("DiagnosisStatement"):
        # MUSE splits a printed line into fragments; ENDSLINE closes the line
        line.append(text_of(stmt, "StmtText") or "")
        if any((f.text or "").strip() == "ENDSLINE" for f in stmt.findall("StmtFlag")):
            statements.append(" ".join(x for x in line if x))
            line = []
    if line:
        statements.append(" ".join(x for x in line if x))
    device = text_of(root, "TestDemographics/AcquisitionDevice")
    return cart_meta(meas, statements, device, source="RestingECGMeasurements")
