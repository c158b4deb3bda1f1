"""Global ECG measurements: heart rate, PR, QRS, QT, QTc and the frontal P/QRS/T axes.

Wave boundaries come from neurokit2's delineator (``ecg_delineate``, method "prominence"; a
maintained library, so we do not write our own) in every lead, beat by beat; each interval
is the median over beats, then the median (PR) or 90th percentile (QRS and QT, which a
machine measures globally across leads) over leads. Axes come from the net area of each
wave in two limb leads (I and II first), averaged over the beats they show: all leads share
one time base, so the R peaks of the rhythm lead place the beats in every lead. Accuracy:
docs/SERVE.md.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from crtnet.io.record import Record

RHYTHM_LEADS = ("II", "MLII", "I", "V5", "V6", "aVF", "III", "V4", "V1")  # by preference
MIN_BEATS = 2
GLOBAL_PCT = 90  # QRS and QT across leads (see _global_intervals)
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
    lead = rhythm_lead(record)
    if lead is None:
        out["notes"].append("no lead shows any signal")
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


def rhythm_lead(record: Record) -> str | None:
    """Lead II, else the next usual rhythm lead whose QRS is not much smaller than the largest.

    A QRS axis near -30 degrees leaves lead II with almost no QRS, and its T waves would
    then be counted as beats; the QRS band (5-15 Hz) amplitude picks a lead that sees it.
    """
    from scipy import signal as sps

    spans = {ld: _finite_span(record.lead(ld), record.fs)[0] for ld in record.leads}
    longest = max((x.size for x in spans.values()), default=0)
    if longest == 0:
        return None
    sos = sps.butter(2, [5, min(15, 0.45 * record.fs)], btype="band", fs=record.fs, output="sos")
    score = {
        ld: float(np.percentile(np.abs(sps.sosfiltfilt(sos, x)), 98))
        for ld, x in spans.items()
        if x.size >= 0.8 * longest and x.size > 30
    }
    if not score:
        return None
    best = max(score, key=score.get)
    return next((ld for ld in RHYTHM_LEADS if score.get(ld, 0) >= 0.3 * score[best]), best)


def _global_intervals(record: Record) -> tuple[float | None, float | None, float | None]:
    """PR, QRS, QT in ms: per lead the median over its beats, then across leads.

    A machine's QRS and QT are global: from the earliest onset in any lead to the latest
    offset, so at least as long as in any one lead. They are taken as the 90th percentile
    over leads (about the longest, but not one outlier lead). PR is the median over leads,
    since one lead can hide the P wave (an isoelectric P in V1).
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
    for k, pct in enumerate((50, GLOBAL_PCT, GLOBAL_PCT)):
        vals = [row[k] for row in per_lead if row[k] is not None]
        result.append(float(np.percentile(vals, pct)) * ms if vals else None)
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


# Frontal (x, y) of the heart vector from the net areas of two limb leads (Einthoven:
# I = E cos a, II = E cos(a - 60), III = II - I, aVF = (II + III) / 2 = E sin a * sqrt(3)/2).
_PAIRS = {
    ("I", "II"): lambda i, ii: (i, (2 * ii - i) / np.sqrt(3)),
    ("I", "aVF"): lambda i, avf: (i, 2 * avf / np.sqrt(3)),
    ("II", "III"): lambda ii, iii: (ii - iii, (ii + iii) / np.sqrt(3)),
    ("I", "III"): lambda i, iii: (i, (i + 2 * iii) / np.sqrt(3)),
}


def _axes(
    record: Record, waves: dict[str, np.ndarray], peaks: np.ndarray, offset: int, notes: list
) -> dict[str, float | None]:
    """Frontal axes from net wave areas in two limb leads that show the same beats.

    A 3x4 page shows I, II and III in one column and aVF in the next, so the pair is taken
    from whichever two limb leads have areas for the rhythm lead's beats, I and II first.
    """
    res: dict[str, float | None] = {"p_axis_deg": None, "qrs_axis_deg": None, "t_axis_deg": None}
    r = peaks - offset  # wave positions relative to each R peak, in the rhythm lead's frame
    bounds = {  # wave window and the isoelectric point its area is measured from
        "p_axis_deg": ("ECG_P_Onsets", "ECG_P_Offsets", "ECG_P_Onsets"),
        "qrs_axis_deg": ("ECG_R_Onsets", "ECG_R_Offsets", "ECG_R_Onsets"),
        "t_axis_deg": ("ECG_T_Onsets", "ECG_T_Offsets", "ECG_R_Onsets"),
    }
    for key, (a, b, z) in bounds.items():
        name = key.split("_")[0].upper()
        lo, hi, pre = _rel(waves, a, r), _rel(waves, b, r), _rel(waves, z, r)
        if lo is None or hi is None or hi <= lo or pre is None:
            notes.append(f"{name} axis: wave not delineated")
            continue
        if key == "qrs_axis_deg":  # leads peak at different times: take the whole complex
            pad = 0.02 * record.fs
            lo, hi, pre = lo - pad, hi + pad, pre - pad
        area = {
            ld: _net_area(record.lead(ld), peaks, int(lo), int(hi), int(pre))
            for ld in ("I", "II", "III", "aVF")
            if ld in record.leads
        }
        pair = next((p for p in _PAIRS if all(area.get(ld) is not None for ld in p)), None)
        if pair is None:
            notes.append(f"{name} axis: no two limb leads show the same beats")
            continue
        x, y = _PAIRS[pair](area[pair[0]], area[pair[1]])
        if abs(x) + abs(y) < 1e-9:
            notes.append(f"{name} axis: the wave is flat in the limb leads")
            continue
        res[key] = _r(float(np.degrees(np.arctan2(y, x))))
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
