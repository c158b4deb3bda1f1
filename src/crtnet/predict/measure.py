"""Global ECG measurements: heart rate, PR, QRS, QT, QTc and the frontal P/QRS/T axes.

Wave boundaries come from neurokit2's delineator (``ecg_delineate``, method "prominence"; a
maintained library, so we do not write our own) in every lead, beat by beat; each interval
is the median over beats and then over leads, so one badly delineated beat or lead does not
move it. Axes come from the net area of each wave in leads I and aVF, averaged over the
beats each lead shows: a printout shows I and aVF in different 2.5 s windows than lead II,
but all leads share one time base, so the R peaks of the rhythm strip place the beats in
every lead. Accuracy is in docs/SERVE.md.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from crtnet.io.record import Record

RHYTHM_LEADS = ("II", "MLII", "V5", "I", "V1")
MIN_BEATS = 2
MAX_SECONDS = 60  # a Holter record is measured on its first minute (cost stays bounded)


def measure(record: Record) -> dict[str, Any]:
    """Measurements in ms / bpm / degrees; a figure that cannot be had is ``None``.

    ``notes`` says why a figure is missing, so a blank is never silent.
    """
    out: dict[str, Any] = dict.fromkeys(
        (
            "heart_rate_bpm", "rr_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms",
            "qtc_fridericia_ms", "p_axis_deg", "qrs_axis_deg", "t_axis_deg", "lead", "n_beats",
        )
    )  # fmt: skip
    out["notes"] = []
    lead = next((ld for ld in RHYTHM_LEADS if ld in record.leads), None)
    if lead is None:
        out["notes"].append("no rhythm lead (II, V5, I or V1)")
        return out
    x, offset = _finite_span(record.lead(lead), record.fs)
    fs = record.fs
    if x.size < 2 * fs:
        out["notes"].append(f"lead {lead} shows under 2 s of signal")
        return out
    waves, peaks = _delineate(x, fs)
    out["lead"] = lead
    out["n_beats"] = int(peaks.size)
    if peaks.size < MIN_BEATS:
        out["notes"].append(f"fewer than {MIN_BEATS} beats found in lead {lead}")
        return out
    rr = float(np.median(np.diff(peaks))) / fs
    out["rr_ms"] = _r(rr * 1000)
    out["heart_rate_bpm"] = _r(60 / rr)
    pr, qrs, qt = _global_intervals(record)
    out["pr_ms"] = None if pr is None else _r(pr)
    out["qrs_ms"] = None if qrs is None else _r(qrs)
    if qt is not None:
        out["qt_ms"] = _r(qt)
        out["qtc_bazett_ms"] = _r(qt / np.sqrt(rr))
        out["qtc_fridericia_ms"] = _r(qt / np.cbrt(rr))
    for key, value in (("PR", pr), ("QRS", qrs), ("QT", qt)):
        if value is None:
            out["notes"].append(f"{key} not delineated in any lead")
    out.update(_axes(record, waves, peaks + offset, offset, out["notes"]))
    return out


def _global_intervals(record: Record) -> tuple[float | None, float | None, float | None]:
    """PR, QRS, QT in ms: per lead the median over its beats, then the median over leads.

    One lead can hide a wave (an isoelectric P in V1, a tiny QRS in aVL); the median over
    the leads that show it is what a reader looking at all twelve would take.
    """
    per_lead = []
    for ld in record.leads:
        x, _ = _finite_span(record.lead(ld), record.fs)
        if x.size < 2 * record.fs:
            continue
        waves, _ = _delineate(x, record.fs)
        if waves:
            per_lead.append(
                [
                    _median_interval(waves, "ECG_P_Onsets", "ECG_R_Onsets"),
                    _median_interval(waves, "ECG_R_Onsets", "ECG_R_Offsets"),
                    _median_interval(waves, "ECG_R_Onsets", "ECG_T_Offsets"),
                ]
            )
    ms = 1000 / record.fs
    result = []
    for k in range(3):
        vals = [row[k] for row in per_lead if row[k] is not None]
        result.append(float(np.median(vals)) * ms if vals else None)
    return result[0], result[1], result[2]


def _finite_span(sig: np.ndarray, fs: float) -> tuple[np.ndarray, int]:
    """The contiguous stretch a printout shows (NaN before and after), and where it starts."""
    finite = np.flatnonzero(np.isfinite(sig))
    if finite.size == 0:
        return np.zeros(0, np.float64), 0
    span = sig[finite[0] : finite[-1] + 1][: int(MAX_SECONDS * fs)].astype(np.float64)
    return np.nan_to_num(span), int(finite[0])


def _delineate(x: np.ndarray, fs: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    import neurokit2 as nk

    from crtnet.predict.rhythm import detect_r_peaks

    clean = nk.ecg_clean(x, sampling_rate=int(round(fs)))
    peaks = detect_r_peaks(x, fs)
    peaks = peaks[(peaks > 0.3 * fs) & (peaks < x.size - 0.5 * fs)]  # whole beats only
    if peaks.size < 1:
        return {}, peaks
    # neurokit's delineator wants positive R peaks at the samples it is given.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _, waves = nk.ecg_delineate(
                clean, peaks, sampling_rate=int(round(fs)), method="prominence"
            )
        except (ValueError, IndexError, ZeroDivisionError):  # too few / odd beats
            return {}, peaks
    return {k: np.asarray(v, dtype=np.float64) for k, v in waves.items()}, peaks


def _median_interval(waves: dict[str, np.ndarray], start: str, end: str) -> float | None:
    a, b = waves.get(start), waves.get(end)
    if a is None or b is None or a.size != b.size:
        return None
    d = b - a
    d = d[np.isfinite(d) & (d > 0)]
    return float(np.median(d)) if d.size else None


def _axes(
    record: Record, waves: dict[str, np.ndarray], peaks: np.ndarray, offset: int, notes: list
) -> dict[str, float | None]:
    """Frontal axes from net wave areas in I and aVF (derived from II and III if needed)."""
    rec = record
    if not {"I", "aVF"} <= set(rec.leads) and {"II", "III"} <= set(rec.leads):
        rec = rec.with_derived_limb_leads()
    res: dict[str, float | None] = {"p_axis_deg": None, "qrs_axis_deg": None, "t_axis_deg": None}
    if not {"I", "aVF"} <= set(rec.leads):
        notes.append("axes need leads I and aVF (or II and III)")
        return res
    r = peaks - offset  # wave positions relative to each R peak, in the rhythm lead's frame
    bounds = {
        "p_axis_deg": ("ECG_P_Onsets", "ECG_P_Offsets"),
        "qrs_axis_deg": ("ECG_R_Onsets", "ECG_R_Offsets"),
        "t_axis_deg": ("ECG_R_Offsets", "ECG_T_Offsets"),
    }
    pre = _rel(waves, "ECG_R_Onsets", r)  # QRS onset: the isoelectric reference
    for key, (a, b) in bounds.items():
        lo, hi = _rel(waves, a, r), _rel(waves, b, r)
        if lo is None or hi is None or hi <= lo or pre is None:
            notes.append(f"{key.split('_')[0].upper()} axis: wave not delineated")
            continue
        areas = [_net_area(rec.lead(ld), peaks, int(lo), int(hi), int(pre)) for ld in ("I", "aVF")]
        if None in areas or (abs(areas[0]) + abs(areas[1])) < 1e-9:
            notes.append(f"{key.split('_')[0].upper()} axis: no beat in leads I and aVF")
            continue
        res[key] = _r(float(np.degrees(np.arctan2(areas[1], areas[0]))))
    return res


def _rel(waves: dict[str, np.ndarray], key: str, r: np.ndarray) -> float | None:
    v = waves.get(key)
    if v is None or v.size != r.size:
        return None
    d = v - r
    d = d[np.isfinite(d)]
    return float(np.median(d)) if d.size else None


def _net_area(sig: np.ndarray, peaks: np.ndarray, lo: int, hi: int, pre: int) -> float | None:
    """Mean over beats of the wave's area above the level at QRS onset (mV·samples)."""
    areas = []
    for p in peaks:
        a, b, z = p + lo, p + hi, p + pre
        if min(a, z) < 0 or b >= sig.size:
            continue
        seg, base = sig[a : b + 1], sig[max(z - 2, 0) : z + 1]
        if not (np.isfinite(seg).all() and np.isfinite(base).all()):
            continue
        areas.append(float(np.sum(seg - np.mean(base))))
    return float(np.mean(areas)) if areas else None


def _r(v: float) -> float:
    return round(float(v), 1)
