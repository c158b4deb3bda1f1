"""Image or signal in, diagnosis out: the one place that joins digitizer and models.

Each input gives one JSON-able result with a stable shape (see docs/PREDICT.md):
``input, model, classes, probabilities, predicted, thresholds, quality, rhythm,
measurements, error``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from crtnet.data.beats import other_lead
from crtnet.data.preprocess import PreprocessConfig, preprocess, resample
from crtnet.errors import CrtnetError
from crtnet.io import read_record
from crtnet.io.leads import STANDARD_12
from crtnet.io.record import Record
from crtnet.predict.measure import measure
from crtnet.predict.models import DEFAULT_12LEAD, DEFAULT_BEATS, LoadedModel, load_model
from crtnet.predict.rhythm import analyse_rhythm

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".pdf")
MIN_FS = 50
BEAT_BATCH = 256
_ALIASES = {"MLII": "II", "II": "MLII", "MLI": "I", "I": "MLI"}


def load_input(path: str | Path, *, fs: float | None = None) -> tuple[Record, dict]:
    """Read a signal file, or digitize an image/PDF; returns the record and quality facts."""
    path = Path(path)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        from crtnet.digitize import digitize

        dig = digitize(path, fs=500)
        conf = dig.info.get("confidence", {})
        quality = {
            "source": "digitized",
            "layout": dig.info.get("layout"),
            "calibration": dig.info.get("calibration"),
            "digitization_confidence": round(float(np.mean(list(conf.values()))), 3)
            if conf
            else None,
            "digitization_flagged": bool(dig.info.get("flagged", False)),
            "page_confidence": dig.info.get("page_confidence"),
            "lead_confidence": dig.info.get("lead_confidence"),
            "digitization": dig.info,
        }
        if dig.info.get("flagged"):
            quality["flags"] = [
                "DIGITIZATION FLAGGED: the page failed its cross-checks ("
                + ", ".join(dig.info.get("failed_checks", []))
                + "); scale, layout or lead assignment may be wrong: check the overlay"
            ]
        return dig.record, quality | {"_digitized": dig}
    return read_record(path, fs=fs), {"source": "signal"}


def choose_model(record: Record) -> str:
    """12-lead (or most of it) → the PTB-XL classifier; 1–2 leads → the beat classifier."""
    n_std = sum(
        1 for ld in record.leads if ld in STANDARD_12 and np.isfinite(record.lead(ld)).any()
    )
    return DEFAULT_12LEAD if n_std >= 6 else DEFAULT_BEATS


def adapt(record: Record, leads: list[str], fs: float) -> tuple[np.ndarray, dict]:
    """Leads in the model's order at its rate; what had to be invented is flagged."""
    flags: list[str] = []
    rec = record
    have = set(rec.leads)
    if {"I", "II"} <= have and not set(leads[:6]) <= have and "III" in leads:
        rec = rec.with_derived_limb_leads()
        flags.append("limb leads derived from I and II")
    rows, missing = [], []
    named = [ld if ld in rec.leads or ld == "*" else _ALIASES.get(ld, ld) for ld in leads]
    for ld, other in zip(leads, other_lead(rec.leads, named), strict=True):
        if ld == "*" and other != "*":  # a two-lead beat model's "any second lead"
            flags.append(f"{other} used as the second lead")
            rows.append(rec.lead(other))
            continue
        name = ld if ld in rec.leads else _ALIASES.get(ld)
        if name in rec.leads:
            if name != ld:
                flags.append(f"{name} used as {ld}")
            rows.append(rec.lead(name))
        else:
            rows.append(np.full(rec.n_samples, np.nan, np.float32))
            missing.append("a second lead" if ld == "*" else ld)
    x = np.stack(rows)
    coverage = np.isfinite(x).mean(axis=1)
    if missing:
        flags.append(f"missing leads filled with zeros: {', '.join(missing)}")
    partial = [ld for ld, c in zip(leads, coverage, strict=True) if 0 < c < 0.95]
    if partial:
        flags.append(f"leads shown only in part (rest zero-filled): {', '.join(partial)}")
    if rec.fs != fs:
        x = resample(x, rec.fs, fs)
    quality = {
        "missing_leads": missing,
        "lead_coverage": {ld: round(float(c), 3) for ld, c in zip(leads, coverage, strict=True)},
        "resampled_from_hz": rec.fs if rec.fs != fs else None,
    }
    return x, {"flags": flags, **quality}


def _run_windows(lm: LoadedModel, x: np.ndarray) -> np.ndarray:
    """Probabilities averaged over (half-overlapping) windows of the model's length."""
    import torch

    from crtnet.models import predict_windows

    cfg = lm.config
    pp = PreprocessConfig.from_key(cfg.get("protocol", {}).get("preprocessing", ""))
    shown = np.isfinite(x)
    x, _ = preprocess(np.nan_to_num(x), cfg["fs"], pp)
    if cfg["model"].get("lead_mask") and x.shape == shown.shape:
        x = np.where(shown, x, np.nan)  # a digitized page: the model masks what it lacks
    else:
        x = np.nan_to_num(x)
    window = int(cfg["window"])
    logits, _ = predict_windows(lm.model, x, window, stride=window // 2)
    t = torch.from_numpy(logits)
    probs = torch.sigmoid(t) if lm.multilabel else torch.softmax(t, 1)
    return probs.mean(0).numpy()


def classify_beats(lm: LoadedModel, signal: np.ndarray, fs: float) -> dict[str, Any]:
    """Per-beat labels over a whole record with the beat model (R peaks detected here)."""
    import torch

    from crtnet.data.beats import beat_windows, rr_features, template_mode, with_template

    cfg = lm.config
    want = len(cfg["leads"])
    if signal.shape[0] < want:  # e.g. a two-lead beat model given lead II alone: zeros
        signal = np.concatenate([signal, np.zeros((want - len(signal), signal.shape[1]))])
    signal = signal[:want]
    rhythm = analyse_rhythm(signal[0], fs)
    peaks = rhythm.r_peaks
    out = rhythm.to_dict(fs)
    if peaks.size == 0:
        return out | {"beat_labels": [], "beat_counts": {}, "beat_probs": np.zeros((0, 0))}
    mfs = float(cfg["fs"])
    pp = PreprocessConfig.from_key(cfg["protocol"].get("preprocessing", ""))
    x, _ = preprocess(np.nan_to_num(signal), fs, pp)
    before_s, after_s = cfg["protocol"]["window_s"]
    before, after = round(before_s * mfs), round(after_s * mfs)
    beats = beat_windows(x, np.round(peaks * mfs / fs).astype(np.int64), before, after)
    tmode = template_mode(cfg["protocol"].get("beat_template"))
    if tmode:
        beats = with_template(beats, mode=tmode)
    aux = rr_features(peaks, fs, cfg.get("aux_names")) if cfg["model"].get("aux_dim", 0) else None
    with torch.no_grad():  # in batches: memory follows the batch, not the record's beats
        logits = torch.cat(
            [
                lm.model(
                    torch.from_numpy(beats[i : i + BEAT_BATCH]),
                    None,
                    None if aux is None else torch.from_numpy(aux[i : i + BEAT_BATCH]),
                )
                for i in range(0, len(beats), BEAT_BATCH)
            ]
        )
    probs = torch.softmax(logits.float(), 1).numpy()
    labels = [lm.classes[i] for i in probs.argmax(1)]
    counts = {c: labels.count(c) for c in lm.classes}
    return out | {
        "beat_model": f"{lm.name} {lm.version}",
        "beat_labels": labels,
        "beat_counts": counts,
        "beat_probs": probs,
    }


def predict_record(
    record: Record, model: str | None = None, *, quality: dict | None = None
) -> dict[str, Any]:
    """Classify one record; ``rhythm`` always comes from lead II (or the first lead)."""
    t0 = time.perf_counter()
    if record.fs < MIN_FS:  # QRS filters need 5-15 Hz below Nyquist; below this it is not ECG
        raise CrtnetError(
            f"sampling rate {record.fs:g} Hz is too low to analyse (need >= {MIN_FS} Hz)"
        )
    lm = load_model(model or choose_model(record))
    cfg = lm.config
    quality = dict(quality or {})
    result: dict[str, Any] = {
        "model": {"name": lm.name, "version": lm.version},
        "classes": lm.classes,
    }
    if lm.is_beat_model:
        x, q = adapt(record, list(cfg["leads"]), record.fs)
        beats = classify_beats(lm, x, record.fs)
        probs = beats.pop("beat_probs")
        mean = probs.mean(0) if len(probs) else np.full(len(lm.classes), np.nan)
        result["probabilities"] = {c: _num(v) for c, v in zip(lm.classes, mean, strict=True)}
        counts = beats["beat_counts"]
        result["predicted"] = [c for c in sorted(counts, key=lambda c: -counts[c]) if counts[c]]
        result["thresholds"] = None
        result["rhythm"] = beats
    else:
        x, q = adapt(record, list(cfg["leads"]), float(cfg["fs"]))
        probs = _run_windows(lm, x)
        if cfg["model"].get("lead_mask"):  # what adapt zero-fills, this model sees as absent
            q["flags"] = [f.replace("filled with zeros", "masked as absent") for f in q["flags"]]
            q["flags"] = [f.replace("rest zero-filled", "rest masked") for f in q["flags"]]
        thr = cfg.get("thresholds")
        thr = [0.5] * len(lm.classes) if thr is None or not lm.multilabel else thr
        result["probabilities"] = {c: _num(v) for c, v in zip(lm.classes, probs, strict=True)}
        if lm.multilabel:
            result["predicted"] = [
                c for c, p, t in zip(lm.classes, probs, thr, strict=True) if p >= t
            ]
            result["thresholds"] = {
                c: round(float(t), 3) for c, t in zip(lm.classes, thr, strict=True)
            }
        else:
            result["predicted"] = [lm.classes[int(np.argmax(probs))]]
            result["thresholds"] = None
        result["rhythm"] = _rhythm_with_beats(record)
    flags = quality.pop("flags", []) + q.pop("flags")
    flags += _signal_flags(record)
    result["quality"] = {**quality, **q, "flags": flags, "duration_s": round(record.duration, 3)}
    result["measurements"] = measure(record)
    result["quality"]["inference_s"] = round(time.perf_counter() - t0, 3)
    result["cart"] = record.meta.get("cart")  # the device's own measurements, if the file had them
    return result


def _rhythm_with_beats(record: Record) -> dict[str, Any] | None:
    """Rhythm figures plus per-beat labels from the bundled beat model, on lead II."""
    lead = next((ld for ld in ("II", "MLII", "I", "V5") if ld in record.leads), None)
    if lead is None or not np.isfinite(record.lead(lead)).any():
        return None
    sig = record.lead(lead)
    finite = np.flatnonzero(np.isfinite(sig))
    span = slice(finite[0], finite[-1] + 1)  # the part actually shown on a printout
    sig = sig[span][None]
    if "V1" in record.leads and np.isfinite(record.lead("V1")[span]).all():
        sig = np.concatenate([sig, record.lead("V1")[span][None]])  # MIT-BIH's usual 2nd lead
    try:
        beats = classify_beats(load_model(DEFAULT_BEATS), sig, record.fs)
        beats.pop("beat_probs")
    except CrtnetError:  # no bundled beat model: figures without labels
        beats = analyse_rhythm(sig[0], record.fs).to_dict(record.fs)
    return {"lead": lead, **beats}


def _signal_flags(record: Record) -> list[str]:
    flags = []
    sig = record.signal
    for ld, row in zip(record.leads, sig, strict=True):
        finite = row[np.isfinite(row)]
        if finite.size and np.ptp(finite) < 0.05:
            flags.append(f"lead {ld} is flat (< 0.05 mV range)")
        elif finite.size and np.max(np.abs(finite)) > 10:
            flags.append(f"lead {ld} exceeds 10 mV (saturation or wrong units?)")
    if record.duration < 2:
        flags.append(f"short record ({record.duration:.1f} s)")
    return flags


def _num(v: float) -> float | None:
    return None if not np.isfinite(v) else round(float(v), 4)


def predict(
    inputs: list[str | Path], model: str | None = None, *, fs: float | None = None
) -> list[dict[str, Any]]:
    """One result per input; a bad input gets ``error`` set and the rest still run."""
    results = []
    for path in inputs:
        try:
            if _is_long(path):  # a Holter: window by window (predict/long.py)
                from crtnet.predict.long import predict_long

                results.append(predict_long(path, model))
                continue
            record, quality = load_input(path, fs=fs)
            quality.pop("_digitized", None)
            res = predict_record(record, model, quality=quality)
            results.append({"input": str(path), **res, "error": None})
        except CrtnetError as exc:
            msg = str(exc) if exc.path else f"{path}: {exc.problem}"
            results.append(error_result(path, msg))
    return results


def _is_long(path) -> bool:
    from crtnet.io.windows import is_long

    return Path(path).suffix.lower() not in IMAGE_SUFFIXES and is_long(path)


def error_result(path, message: str) -> dict[str, Any]:
    """A result's keys for an input that could not be read: the CLI, batch runs and the
    server all report failures in the shape of a success."""
    return {
        "input": str(path),
        "model": None,
        "classes": [],
        "probabilities": {},
        "predicted": [],
        "thresholds": None,
        "quality": None,
        "rhythm": None,
        "cart": None,
        "measurements": None,
        "error": message,
    }
