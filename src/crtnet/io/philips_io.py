"""Philips ``<restingecgdata>`` XML (SierraECG 1.03, PhilipsECG 1.04 / 1.04.01).

Waveforms are base64 XLI (see ``xli.py``). Philips stores III, aVR, aVL and aVF as residuals
from the values Einthoven and Goldberger predict, so they are rebuilt here. Carts end the
strip with a 1 mV calibration pulse: it is cut off and noted in ``meta``.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from xml.etree.ElementTree import Element

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.cart import cart_meta
from crtnet.io.leads import STANDARD_12, normalize_lead
from crtnet.io.record import Record
from crtnet.io.xli import decode_xli
from crtnet.io.xmlsafe import number, parse_xml, text_of

_MEAS = {
    "heart_rate_bpm": ("heartrate", "meanventrate"),
    "atrial_rate_bpm": ("atrialrate",),
    "rr_ms": ("rrint",),
    "pr_ms": ("print", "meanprint"),
    "qrs_ms": ("qrsdur", "meanqrsdur"),
    "qt_ms": ("qtint", "meanqtint"),
    "qtc_ms": ("qtcb", "meanqtc"),
    "qtcf_ms": ("qtcf",),
    "p_axis_deg": ("pfrontaxis",),
    "qrs_axis_deg": ("qrsfrontaxis",),
    "t_axis_deg": ("tfrontaxis",),
}
MAX_SAMPLES = 10_000_000


def read_philips(
    path: str | Path, *, waveform: str = "rhythm", strict_leads: bool = True
) -> Record:
    """``waveform`` is ``"rhythm"`` or ``"median"`` (the representative beats, when stored)."""
    path = Path(path)
    root = parse_xml(path)
    if root.tag != "restingecgdata":
        raise CrtnetError(f"not a Philips ECG file (root <{root.tag}>)", path)
    if waveform == "median":
        rec = _repbeats(root, path, strict_leads)
    elif waveform == "rhythm":
        rec = _rhythm(root, path, strict_leads)
    else:
        raise CrtnetError(f"waveform must be 'rhythm' or 'median', not {waveform!r}")
    rec.meta["format"] = "philips_xml"
    rec.meta["philips_version"] = text_of(root, "documentinfo/documentversion")
    rec.meta["cart"] = _cart(root)
    return rec


def _rhythm(root: Element, path: Path, strict: bool) -> Record:
    pw = root.find("waveforms/parsedwaveforms")
    if pw is None or not (pw.text or "").strip():
        raise CrtnetError("no <parsedwaveforms> in this Philips file", path)
    sig = root.find("dataacquisition/signalcharacteristics")
    fs = number(pw.get("samplespersecond")) or number(text_of(sig, "samplingrate"))
    res_uv = number(pw.get("resolution")) or number(text_of(sig, "signalresolution"))
    offset = number(pw.get("signaloffset")) or number(text_of(sig, "signaloffset")) or 0.0
    dur_ms = number(pw.get("durationperchannel"))
    if not fs or not res_uv or not dur_ms:
        raise CrtnetError("sampling rate, resolution or duration missing", path)
    labels = (pw.get("leadlabels") or " ".join(STANDARD_12)).split()
    n_valid = number(text_of(sig, "numberchannelsvalid"))
    if n_valid is not None and pw.get("leadlabels") is None and int(n_valid) != len(labels):
        raise CrtnetError(f"{int(n_valid)} channels without lead labels: unsupported", path)
    n = int(round(dur_ms * fs / 1000))
    if n <= 0 or n * len(labels) > MAX_SAMPLES:
        raise CrtnetError(f"implausible size: {len(labels)} leads x {n} samples", path)
    compressed = (pw.get("compression") or pw.get("compressmethod") or "").upper() == "XLI"
    if not compressed or pw.get("compressflag", "True").lower() == "false":
        raise CrtnetError("uncompressed Philips waveforms are not supported yet", path)
    try:
        data = base64.b64decode("".join(pw.text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise CrtnetError("waveform is not valid base64", path) from None
    try:
        counts = decode_xli(data, len(labels), n).astype(np.float64)
        names = [normalize_lead(x, strict=strict) for x in labels]
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None
    counts = _rebuild_limb(counts, names)
    meta: dict = {}
    cut = _calibration_pulse(counts)
    if cut is not None:
        meta["calibration_pulse"] = {"start_s": round(cut / fs, 4), "mv": 200 * res_uv / 1000}
        counts = counts[:, :cut]
    signal = (counts - offset) * res_uv / 1000.0
    return Record(signal, fs, names, record_id=path.stem, source=str(path), meta=meta)


def _rebuild_limb(x: np.ndarray, names: list[str]) -> np.ndarray:
    if not all(n in names for n in ("I", "II", "III", "aVR", "aVL", "aVF")):
        return x
    i, ii, iii, avr, avl, avf = (names.index(n) for n in ("I", "II", "III", "aVR", "aVL", "aVF"))
    x = x.copy()
    x[iii] = x[ii] - x[i] - x[iii]
    x[avr] = -x[avr] - (x[i] + x[ii]) / 2
    x[avl] = (x[i] - x[iii]) / 2 - x[avl]
    x[avf] = (x[ii] + x[iii]) / 2 - x[avf]
    return x


def _calibration_pulse(x: np.ndarray) -> int | None:
    """Start of a trailing pulse where every lead holds the same non-zero count."""
    same = np.all(x == x[:1], axis=0) & (x[0] != 0)
    tail = same[-x.shape[1] // 8 :]
    if tail.sum() < 20:
        return None
    start = len(same) - len(tail) + int(np.argmax(tail))
    return start if np.all(same[start : start + 20]) else None


def _repbeats(root: Element, path: Path, strict: bool) -> Record:
    rb = root.find("waveforms/repbeats")
    if rb is None:
        raise CrtnetError("no representative beats in this Philips file", path)
    fs = number(rb.get("samplespersec"))
    res = number(rb.get("resolution")) or 1.0
    rows, names = [], []
    for beat in rb.findall("repbeat"):
        try:
            raw = base64.b64decode("".join((beat.text or "").split()), validate=True)
            names.append(normalize_lead(beat.get("leadname", "?"), strict=strict))
        except (binascii.Error, ValueError):
            raise CrtnetError("representative beat is not valid base64", path) from None
        except CrtnetError as exc:
            raise CrtnetError(exc.problem, path) from None
        rows.append(np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2") * res / 1000.0)
    if not rows or not fs or len({len(r) for r in rows}) != 1:
        raise CrtnetError("representative beats are missing or of unequal length", path)
    return Record(np.stack(rows), fs, names, record_id=f"{path.stem}-median", source=str(path))


def _cart(root: Element) -> dict:
    # the interpretation's block is what the cart printed; the others are fallbacks
    blocks = [
        root.find("interpretations/interpretation/globalmeasurements"),
        root.find("interpretations/interpretation/interpretationmeasurements"),
        root.find("measurements/globalmeasurements"),
        root.find("internalmeasurements/crossleadmeasurements"),
        root.find("interpretations/interpretation/interpretationmeasurements"),
    ]
    meas = {}
    for key, tags in _MEAS.items():
        meas[key] = next(
            (v for b in blocks for t in tags if (v := number(text_of(b, t))) is not None), None
        )
    interp = root.find("interpretations/interpretation")
    statements = []
    if interp is not None:
        for st in interp.iter("statement"):
            left, right = text_of(st, "leftstatement"), text_of(st, "rightstatement")
            statements.append(" ; ".join(s for s in (left, right) if s))
        for cs in [] if statements else interp.iter("codedstatement"):
            if cs.get("deleted", "False").lower() != "true":
                left = text_of(cs, "unparsedstatement/lhsstatement")
                right = text_of(cs, "unparsedstatement/rhsstatement")
                statements.append(" ; ".join(s for s in (left, right) if s))
        severity = text_of(interp, "severity")
        if severity:
            statements.append(severity)
    device = text_of(root, "dataacquisition/machine")
    return cart_meta(meas, statements, device)
