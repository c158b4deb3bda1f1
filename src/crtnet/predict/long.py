"""Predict on a long WFDB record (a 24 h Holter) window by window, then merge.

Why: loading 24 h whole and preprocessing it in float64 costs gigabytes; a 10-minute
window costs a few MB and gives the same beats. The merge keeps the result's shape
(docs/PREDICT.md): probabilities are weighted by beats (beat model) or averaged over
windows (rhythm-strip models), beat labels and R peaks are concatenated in time, and the
rhythm figures are recomputed from all RR intervals. A beat cut by a window edge can be
missed or counted twice: at most one per window edge, reported in ``quality.flags``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from crtnet.errors import CrtnetError


def predict_long(path: str | Path, model: str | None = None) -> dict[str, Any]:
    from crtnet.io.limits import Limits
    from crtnet.io.windows import iter_windows
    from crtnet.predict.api import predict_record

    window_s = Limits.current().window_s
    parts: list[tuple[float, dict]] = []
    fs = n = 0.0
    for start, rec in iter_windows(path, window_s):
        fs = rec.fs
        n = start + rec.n_samples
        if rec.duration < 2 and parts:
            continue  # a sliver at the end
        res = predict_record(rec, model)
        model = model or f"{res['model']['name']}"  # every window with the same model
        parts.append((start / rec.fs, res))
    if not parts:
        raise CrtnetError("record holds no samples", path)
    return {"input": str(path), **merge(parts, n / fs, window_s), "error": None}


def merge(parts: list[tuple[float, dict]], duration_s: float, window_s: float) -> dict:
    first = parts[0][1]
    classes = first["classes"]
    beat_model = first["thresholds"] is None and "beat_counts" in (first.get("rhythm") or {})
    rhythm = _merge_rhythm(parts)
    if beat_model:
        counts = rhythm.get("beat_counts", {})
        w = np.array([max(1, (r.get("rhythm") or {}).get("n_beats", 0)) for _, r in parts], float)
    else:
        w = np.ones(len(parts))
    probs = {}
    for c in classes:
        v = np.array([r["probabilities"].get(c) for _, r in parts], dtype=float)
        ok = np.isfinite(v)
        probs[c] = round(float(np.average(v[ok], weights=w[ok])), 4) if ok.any() else None
    if beat_model:
        predicted = [c for c in sorted(counts, key=lambda c: -counts[c]) if counts[c]]
    elif first["thresholds"]:
        thr = first["thresholds"]
        predicted = [c for c in classes if probs[c] is not None and probs[c] >= thr[c]]
    else:
        predicted = [max(classes, key=lambda c: -1 if probs[c] is None else probs[c])]
    quality = dict(first.get("quality") or {})
    flags = sorted({f for _, r in parts for f in (r.get("quality") or {}).get("flags", [])})
    flags = [f for f in flags if not f.startswith("short record")]
    flags.append(
        f"long record read in {len(parts)} windows of {window_s:g} s "
        "(a beat at a window edge may be missed or counted twice)"
    )
    quality.update(
        flags=flags,
        duration_s=round(duration_s, 3),
        windows=len(parts),
        inference_s=round(sum((r.get("quality") or {}).get("inference_s", 0) for _, r in parts), 3),
    )
    return {
        "model": first["model"],
        "classes": classes,
        "probabilities": probs,
        "predicted": predicted,
        "thresholds": first["thresholds"],
        "quality": quality,
        "rhythm": rhythm,
    }


def _merge_rhythm(parts: list[tuple[float, dict]]) -> dict | None:
    rhythms = [(t0, r.get("rhythm")) for t0, r in parts if r.get("rhythm")]
    if not rhythms:
        return None
    out = {k: v for k, v in rhythms[0][1].items() if not isinstance(v, (list, dict))}
    peaks = np.concatenate([np.asarray(r.get("r_peaks_s", []), float) + t0 for t0, r in rhythms])
    out["r_peaks_s"] = [round(float(p), 4) for p in peaks]
    out["n_beats"] = int(peaks.size)
    if any("beat_labels" in r for _, r in rhythms):
        out["beat_labels"] = [lab for _, r in rhythms for lab in r.get("beat_labels", [])]
        counts: dict[str, int] = {}
        for _, r in rhythms:
            for c, k in (r.get("beat_counts") or {}).items():
                counts[c] = counts.get(c, 0) + int(k)
        out["beat_counts"] = counts
    rr = np.diff(peaks)
    rr = rr[rr > 0]
    if rr.size:
        inst = 60.0 / rr
        out.update(
            heart_rate_bpm=round(float(60.0 / np.median(rr)), 1),
            hr_min_bpm=round(float(inst.min()), 1),
            hr_max_bpm=round(float(inst.max()), 1),
            rr_mean_ms=round(float(rr.mean() * 1000), 1),
            rr_sdnn_ms=round(float(rr.std() * 1000), 1) if rr.size > 1 else None,
        )
    return out
