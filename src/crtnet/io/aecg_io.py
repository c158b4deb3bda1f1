"""HL7 v3 annotated ECG (FDA aECG): any lead order and rate, rhythm or representative beat.

Each lead is a ``SLIST_PQ`` (origin + scale x digits); the rate comes from the time
sequence's increment. Global annotations (PR, QRS, QT, QTc, axes, rhythm) become the cart
measurements; the per-beat ones are left in the file.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.cart import cart_meta
from crtnet.io.leads import STANDARD_12, normalize_lead
from crtnet.io.record import Record
from crtnet.io.xmlsafe import number, parse_xml, text_of

_TO_MV = {"uv": 1e-3, "mv": 1.0, "v": 1e3, "nv": 1e-6}
_TO_S = {"s": 1.0, "ms": 1e-3, "us": 1e-6}
_MEAS = {
    "MDC_ECG_HEART_RATE": "heart_rate_bpm",
    "MDC_ECG_TIME_PD_RR": "rr_ms",
    "MDC_ECG_TIME_PD_PR": "pr_ms",
    "MDC_ECG_TIME_PD_QRS": "qrs_ms",
    "MDC_ECG_TIME_PD_QT": "qt_ms",
    "MDC_ECG_TIME_PD_QTC": "qtc_ms",
    "MDC_ECG_TIME_PD_QTCF": "qtcf_ms",
    "MDC_ECG_ANGLE_P_FRONT": "p_axis_deg",
    "MDC_ECG_ANGLE_QRS_FRONT": "qrs_axis_deg",
    "MDC_ECG_ANGLE_T_FRONT": "t_axis_deg",
}


def read_aecg(path: str | Path, *, waveform: str = "rhythm", strict_leads: bool = True) -> Record:
    """``waveform`` is ``"rhythm"`` or ``"median"`` (the REPRESENTATIVE_BEAT derived series)."""
    path = Path(path)
    root = parse_xml(path)
    if root.tag != "AnnotatedECG":
        raise CrtnetError(f"not an HL7 aECG file (root <{root.tag}>)", path)
    series = root.find("component/series")
    if series is None:
        raise CrtnetError("no <series> in this aECG", path)
    target = series
    if waveform == "median":
        target = series.find("derivation/derivedSeries")
        if target is None:
            raise CrtnetError("no representative beat (derivedSeries) in this aECG", path)
    elif waveform != "rhythm":
        raise CrtnetError(f"waveform must be 'rhythm' or 'median', not {waveform!r}")
    seqset = target.find("component/sequenceSet")
    if seqset is None:
        raise CrtnetError(f"no sequenceSet in the {waveform} series", path)
    fs, rows, names = None, [], []
    for seq in seqset.findall("component/sequence"):
        code = (seq.find("code").get("code") if seq.find("code") is not None else "") or ""
        value = seq.find("value")
        if value is None:
            continue
        if code.startswith("TIME_"):
            fs = _rate(value, path)
        elif code.startswith("MDC_ECG_LEAD_"):
            try:
                names.append(normalize_lead(code[len("MDC_ECG_LEAD_") :], strict=strict_leads))
            except CrtnetError as exc:
                raise CrtnetError(exc.problem, path) from None
            rows.append(_lead(value, code, path))
    if fs is None or not rows:
        raise CrtnetError("no time sequence or no leads in the sequenceSet", path)
    if len({len(r) for r in rows}) != 1:
        raise CrtnetError(f"leads differ in length ({sorted({len(r) for r in rows})})", path)
    order = sorted(range(len(names)), key=lambda k: (_rank(names[k]), k))
    rows, names = [rows[k] for k in order], [names[k] for k in order]
    try:
        rec = Record(np.stack(rows), fs, names, record_id=path.stem, source=str(path))
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None
    rec.meta["format"] = "hl7_aecg"
    rec.meta["cart"] = _cart(series)
    return rec


def _rank(name: str) -> int:
    return STANDARD_12.index(name) if name in STANDARD_12 else len(STANDARD_12)


def _rate(value: Element, path: Path) -> float:
    inc = value.find("increment")
    step = number(inc.get("value")) if inc is not None else None
    unit = (inc.get("unit") or "s").lower() if inc is not None else "s"
    if not step or step <= 0 or unit not in _TO_S:
        raise CrtnetError("time sequence has no usable increment", path)
    return 1.0 / (step * _TO_S[unit])


def _lead(value: Element, code: str, path: Path) -> np.ndarray:
    origin, scale = value.find("origin"), value.find("scale")
    o = number(origin.get("value")) if origin is not None else 0.0
    s = number(scale.get("value")) if scale is not None else 1.0
    unit = ((scale if scale is not None else origin).get("unit") or "uV").lower()
    if o is None or s is None or unit not in _TO_MV:
        raise CrtnetError(f"{code}: unusable origin/scale ({o}, {s} {unit})", path)
    try:
        digits = np.array((text_of(value, "digits") or "").split(), dtype=np.float64)
    except ValueError:
        raise CrtnetError(f"{code}: digits are not numbers", path) from None
    if digits.size == 0:
        raise CrtnetError(f"{code}: no samples", path)
    return ((o + s * digits) * _TO_MV[unit]).astype(np.float32)


def _global_annotations(holder: Element | None) -> list[Element]:
    if holder is None:
        return []
    return holder.findall("subjectOf/annotationSet/component/annotation")


def _cart(series: Element) -> dict:
    meas: dict[str, float | None] = {}
    statements = []
    # the representative beat's set first: that is where carts put their global values
    sets = [series.find("derivation/derivedSeries"), series]
    for ann in [a for s in sets for a in _global_annotations(s)]:
        code_el, value = ann.find("code"), ann.find("value")
        code = (code_el.get("code") if code_el is not None else "") or ""
        if value is None:
            continue
        key = _MEAS.get(code.upper())
        if key and key not in meas:
            v, unit = number(value.get("value")), (value.get("unit") or "").lower()
            meas[key] = v * 1000 if (v is not None and unit == "s") else v
        elif value.get("type") == "CE" and value.get("displayName"):
            statements.append(value.get("displayName"))
        elif value.get("type") == "ST" and value.text:
            statements.append(value.text)
    device = text_of(series, "author/seriesAuthor/manufacturedSeriesDevice/manufacturerModelName")
    return cart_meta(meas, statements, device)
