"""DICOM waveform ECGs (12-lead, General ECG) through pydicom.

pydicom parses the file and unpacks the multiplex group; units, lead names and the cart's
annotations are mapped here, because pydicom leaves them as DICOM codes.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.cart import cart_meta
from crtnet.io.leads import normalize_lead
from crtnet.io.record import Record

MAX_BYTES = 256 * 1024 * 1024
MAX_SAMPLES = 50_000_000
ECG_SOP_CLASSES = {
    "1.2.840.10008.5.1.4.1.1.9.1.1": "12-lead ECG",
    "1.2.840.10008.5.1.4.1.1.9.1.2": "General ECG",
    "1.2.840.10008.5.1.4.1.1.9.1.3": "Ambulatory ECG",
}
_TO_MV = {"uv": 1e-3, "mv": 1.0, "v": 1e3, "nv": 1e-6}
_MEAS = {
    "ventricular heart rate": "heart_rate_bpm",
    "heart rate": "heart_rate_bpm",
    "atrial heart rate": "atrial_rate_bpm",
    "rr interval": "rr_ms",
    "pr interval": "pr_ms",
    "qrs duration": "qrs_ms",
    "qt interval": "qt_ms",
    "qtc interval": "qtc_ms",
    "p axis": "p_axis_deg",
    "qrs axis": "qrs_axis_deg",
    "t axis": "t_axis_deg",
}


def read_dicom(path: str | Path, *, waveform: str = "rhythm", strict_leads: bool = True) -> Record:
    """``waveform`` is ``"rhythm"`` (first group) or ``"median"`` (a MEDIAN-labelled group)."""
    import pydicom
    from pydicom.errors import BytesLengthException, InvalidDicomError

    path = Path(path)
    if not path.is_file():
        raise CrtnetError("file not found", path)
    if path.stat().st_size > MAX_BYTES:
        raise CrtnetError(f"file is over the {MAX_BYTES // 2**20} MB limit", path)
    # pydicom converts elements lazily, so a damaged file can fail at any access: all of
    # it runs under one guard, and pydicom's warnings about odd values stay quiet
    damaged = (
        InvalidDicomError,
        BytesLengthException,
        OSError,
        EOFError,
        ValueError,
        KeyError,
        AttributeError,
        IndexError,
        TypeError,
        NotImplementedError,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = pydicom.dcmread(path)
            return _read(ds, path, waveform, strict_leads)
        except CrtnetError:
            raise
        except damaged as exc:
            raise CrtnetError(f"unreadable DICOM: {exc}", path) from None


def _read(ds, path: Path, waveform: str, strict_leads: bool) -> Record:
    from pydicom.waveforms.numpy_handler import multiplex_array

    sop = str(ds.get("SOPClassUID", ""))
    if "WaveformSequence" not in ds:
        kind = ECG_SOP_CLASSES.get(sop, f"SOP class {sop or '?'}")
        raise CrtnetError(f"DICOM file holds no waveform ({kind})", path)
    groups = list(ds.WaveformSequence)
    index = _group_index(groups, waveform, path)
    g = groups[index]
    n_ch, n_s = int(g.NumberOfWaveformChannels), int(g.NumberOfWaveformSamples)
    if n_ch * n_s > MAX_SAMPLES or n_ch < 1 or n_s < 1:
        raise CrtnetError(f"implausible waveform size {n_ch} x {n_s}", path)
    raw = multiplex_array(ds, index, as_raw=True).astype(np.float64)
    rows, names = [], []
    for j, ch in enumerate(g.ChannelDefinitionSequence):
        names.append(_lead_name(ch, strict_leads, path))
        sens = float(ch.get("ChannelSensitivity", 1.0) or 1.0)
        corr = float(ch.get("ChannelSensitivityCorrectionFactor", 1.0) or 1.0)
        base = float(ch.get("ChannelBaseline", 0.0) or 0.0)
        unit = "uv"
        if "ChannelSensitivityUnitsSequence" in ch:
            unit = str(ch.ChannelSensitivityUnitsSequence[0].CodeValue).lower()
        if unit not in _TO_MV:
            raise CrtnetError(f"channel {j + 1}: unknown unit {unit!r}", path)
        if not (np.isfinite(sens * corr + base) and sens * corr != 0):
            raise CrtnetError(f"channel {j + 1}: unusable sensitivity {sens} x {corr}", path)
        rows.append((raw[:, j] * sens * corr + base) * _TO_MV[unit])
    try:
        rec = Record(
            np.stack(rows), float(g.SamplingFrequency), names, record_id=path.stem, source=str(path)
        )
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None
    rec.meta["format"] = "dicom"
    rec.meta["dicom_sop_class"] = ECG_SOP_CLASSES.get(sop, sop)
    rec.meta["cart"] = _cart(ds)
    return rec


def _group_index(groups: list, waveform: str, path: Path) -> int:
    labels = [str(g.get("MultiplexGroupLabel", "")).upper() for g in groups]
    if waveform == "rhythm":
        return next((i for i, lab in enumerate(labels) if "MEDIAN" not in lab), 0)
    if waveform == "median":
        for i, lab in enumerate(labels):
            if "MEDIAN" in lab or "REPRESENTATIVE" in lab:
                return i
        raise CrtnetError(f"no median-beat group (groups: {labels})", path)
    raise CrtnetError(f"waveform must be 'rhythm' or 'median', not {waveform!r}")


def _lead_name(ch, strict: bool, path: Path) -> str:
    meaning = ""
    if "ChannelSourceSequence" in ch:
        meaning = str(ch.ChannelSourceSequence[0].get("CodeMeaning", ""))
    name = re.sub(r"\(.*?\)", "", meaning).strip() or str(ch.get("ChannelLabel", "?"))
    name = re.sub(r"^lead\s+", "", name, flags=re.I)
    try:
        return normalize_lead(name, strict=strict)
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None


def _cart(ds) -> dict:
    meas: dict[str, float | None] = {}
    statements = []
    for ann in ds.get("WaveformAnnotationSequence", []):
        text = ann.get("UnformattedTextValue")
        if text:
            statements.append(str(text))
            continue
        if "ConceptNameCodeSequence" not in ann or ann.get("NumericValue") in (None, ""):
            continue
        key = _MEAS.get(str(ann.ConceptNameCodeSequence[0].get("CodeMeaning", "")).lower())
        if key and key not in meas:
            value = ann.NumericValue
            meas[key] = float(value[0] if isinstance(value, list | tuple) else value)
    device = " ".join(str(ds.get(k, "")) for k in ("Manufacturer", "ManufacturerModelName"))
    return cart_meta(meas, statements, device.strip() or None)
