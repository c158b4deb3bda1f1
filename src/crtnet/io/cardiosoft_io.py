"""GE CardioSoft ``<CardiologyXML>``: comma-separated int leads in ``StripData`` (rhythm)
and ``RestingECGMeasurements/MedianSamples`` (median beat), with the 12SL measurements."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.cart import cart_meta
from crtnet.io.leads import normalize_lead
from crtnet.io.record import Record
from crtnet.io.xmlsafe import number, parse_xml, text_of

_MEAS = {
    "heart_rate_bpm": "VentricularRate",
    "rr_ms": "RRInterval",
    "pr_ms": "PQInterval",
    "qrs_ms": "QRSDuration",
    "qt_ms": "QTInterval",
    "qtc_ms": "QTCInterval",
    "p_axis_deg": "PAxis",
    "qrs_axis_deg": "RAxis",
    "t_axis_deg": "TAxis",
}


def read_cardiosoft(
    path: str | Path, *, waveform: str = "rhythm", strict_leads: bool = True
) -> Record:
    path = Path(path)
    root = parse_xml(path)
    if root.tag != "CardiologyXML":
        raise CrtnetError(f"not a GE CardioSoft file (root <{root.tag}>)", path)
    where = {"rhythm": "StripData", "median": "RestingECGMeasurements/MedianSamples"}.get(waveform)
    if where is None:
        raise CrtnetError(f"waveform must be 'rhythm' or 'median', not {waveform!r}")
    block = root.find(where)
    if block is None:
        raise CrtnetError(f"no {where} in this CardioSoft file", path)
    fs = number(text_of(block, "SampleRate"))
    res = number(text_of(block, "Resolution"))
    unit = (block.find("Resolution").get("units") or "uVperLsb") if res else ""
    if not fs or not res or unit.lower() != "uvperlsb":
        raise CrtnetError(f"{where}: sample rate or resolution missing ({fs}, {res} {unit})", path)
    rows, names = [], []
    for wd in block.findall("WaveformData"):
        try:
            names.append(normalize_lead(wd.get("lead", "?"), strict=strict_leads))
            rows.append(np.array((wd.text or "").replace(",", " ").split(), dtype=np.float64))
        except ValueError:
            raise CrtnetError(f"lead {wd.get('lead')}: samples are not numbers", path) from None
        except CrtnetError as exc:
            raise CrtnetError(exc.problem, path) from None
    if not rows or len({len(r) for r in rows}) != 1:
        raise CrtnetError(f"{where}: no leads, or leads of unequal length", path)
    try:
        rec = Record(np.stack(rows) * res / 1000, fs, names, record_id=path.stem, source=str(path))
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None
    rec.meta["format"] = "ge_cardiosoft"
    rec.meta["cart"] = _cart(root)
    return rec


def _cart(root: Element) -> dict:
    m = root.find("RestingECGMeasurements")
    meas = {k: number(text_of(m, tag)) for k, tag in _MEAS.items()}
    interp = root.find("Interpretation")
    statements = [] if interp is None else [t.text or "" for t in interp.iter() if t is not interp]
    device = text_of(root, "ClinicalInfo/DeviceInfo/Desc")
    return cart_meta(meas, statements, device)
