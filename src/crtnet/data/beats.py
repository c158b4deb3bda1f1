"""Beats of any record: windows around R peaks and RR-interval side features.

Kept apart from any dataset: ``predict`` cuts and describes the beats of whatever record
it is given exactly as a beat dataset (MIT-BIH today) did for training, so both must
share one implementation and neither may depend on the other.
"""

from __future__ import annotations

import warnings

import numpy as np

from crtnet.errors import CrtnetError

CONTEXT = 10  # neighbours each side in the rhythm-context features (~15-20 s at 60-80 bpm)
BASE_NAMES = [
    "pre_rr_s",
    "post_rr_s",
    "local_rr_s",
    "pre_rr_ratio",
    "post_rr_ratio",
    "local_rr_cv",
    "pre_rr_record_ratio",
    "pre_rr_norm",
    "post_rr_norm",
    "local_rr_norm",
    # per-patient and local normalisations (de Chazal 2004, Mondéjar-Guerra 2019, Zhang 2014)
    "pre_post_ratio",
    "pre_rr_prev",
    "post_rr_prev",
    "pre_rr_5min",
    "post_rr_5min",
    "rr_5min_norm",
    "pre_rr_nb",
    "post_rr_nb",
    "nb_rr_irregularity",
]
CONTEXT_NAMES = [f"pre_rr_norm{k:+d}" for k in range(-CONTEXT, CONTEXT + 1) if k]
# every RR feature a beat model can use (the ``aux`` data option picks them, in this order)
AUX_NAMES = BASE_NAMES + CONTEXT_NAMES
AUX_DEFAULT = AUX_NAMES[:5]
LOCAL_NAMES = BASE_NAMES[BASE_NAMES.index("pre_post_ratio") :]  # computed by _local_rr
LOCAL_BEATS = 21  # the local mean/variation is over the beat and its ±10 neighbours
PREV_BEATS = 10  # the causal local mean: the previous 10 pre-RR
WINDOW_S = 300.0  # the slow local mean: pre-RR within ±150 s
NB_BEATS = 10  # the neighbours' rhythm: the RR of ±10 beats without this beat's own two


def other_lead(have: list[str], wanted: list[str]) -> list[str]:
    """``wanted`` with each ``*`` replaced by a lead of ``have`` not named (or left ``*``).

    MIT-BIH's second channel is V1 in most records but V2, V4 or V5 in others; a two-lead
    beat model takes "MLII and whatever the other lead is" rather than dropping records.
    """
    free = [ld for ld in have if ld not in wanted]
    return [(free.pop(0) if free else ld) if ld == "*" else ld for ld in wanted]


def aux_names(names: list[str] | None) -> list[str]:
    """The RR features asked for (default the first five), or one clear error."""
    names = list(names or AUX_DEFAULT)
    unknown = sorted(set(names) - set(AUX_NAMES))
    if unknown:
        raise CrtnetError(
            f"unknown RR feature(s) {', '.join(unknown)}; known: {BASE_NAMES} "
            f"and pre_rr_norm-{CONTEXT}..pre_rr_norm+{CONTEXT}"
        )
    return names


def rr_features(sample: np.ndarray, fs: float, names: list[str] | None = None) -> np.ndarray:
    """[n, len(names)] RR features per beat (``AUX_NAMES``; default the first five).

    Prematurity is relative: pre/local and post/local compare a beat with its ±10
    neighbours; the local coefficient of variation tells an irregular rhythm (atrial
    fibrillation: every beat "premature") from an isolated early beat. The ``*_norm``
    features divide by the record's mean RR, so one patient's slow or fast rate does not
    read as premature in another's; ``pre_rr_norm±k`` is that of the k-th neighbour, the
    rhythm around a beat for a model to read as a sequence.
    """
    names = aux_names(names)
    if len(sample) < 2:
        return np.ones((len(sample), len(names)), np.float32)
    rr = np.diff(np.asarray(sample, dtype=np.float64)) / fs
    pre = np.concatenate([rr[:1], rr])
    post = np.concatenate([rr, rr[-1:]])
    k = LOCAL_BEATS
    pad = np.pad(pre, k // 2, mode="edge")
    local = np.convolve(pad, np.ones(k) / k, mode="valid")
    sq = np.convolve(pad**2, np.ones(k) / k, mode="valid")
    mean_rr = float(rr.mean())
    feats = {
        "pre_rr_s": pre,
        "post_rr_s": post,
        "local_rr_s": local,
        "pre_rr_ratio": pre / local,
        "post_rr_ratio": post / local,
        "local_rr_cv": np.sqrt(np.maximum(sq - local**2, 0)) / local,
        "pre_rr_record_ratio": pre / np.median(rr),
        "pre_rr_norm": pre / mean_rr,
        "post_rr_norm": post / mean_rr,
        "local_rr_norm": local / mean_rr,
    }
    if any(n in LOCAL_NAMES for n in names):
        feats.update(_local_rr(np.asarray(sample, dtype=np.float64) / fs, rr, pre, post))
    if any(n in CONTEXT_NAMES for n in names):
        padded = np.pad(pre / mean_rr, CONTEXT, mode="edge")
        for j in range(-CONTEXT, CONTEXT + 1):
            if j:
                feats[f"pre_rr_norm{j:+d}"] = padded[CONTEXT + j : CONTEXT + j + len(pre)]
    return np.stack([feats[n] for n in names], 1).astype(np.float32)


def _local_rr(t: np.ndarray, rr: np.ndarray, pre: np.ndarray, post: np.ndarray) -> dict:
    """Locally normalised RR and the irregularity of the neighbours' rhythm.

    ``*_prev``: divided by the mean of the previous ``PREV_BEATS`` pre-RR (causal, so a
    premature beat's own short interval and its compensatory pause do not pull the
    reference); ``*_5min``: by the mean pre-RR within ±``WINDOW_S``/2 (the slow drift of
    rate over a record); ``*_nb``: by the median RR of the ±``NB_BEATS`` neighbours
    without this beat's own pre- and post-RR. ``nb_rr_irregularity`` is the median absolute
    successive difference of those neighbours' RR over their median: near 0 around an
    isolated early beat in a regular rhythm, large in atrial fibrillation, where every
    beat looks "premature" by its RR alone. ``local_rr_cv`` cannot tell the two apart, as
    it includes the beat's own short interval and pause.
    """
    n = len(pre)
    cs = np.concatenate([[0.0], np.cumsum(pre)])
    idx = np.arange(n)
    lo = np.maximum(idx - PREV_BEATS, 0)
    prev = np.where(idx > 0, (cs[idx] - cs[lo]) / np.maximum(idx - lo, 1), pre)
    left = np.searchsorted(t, t - WINDOW_S / 2)
    right = np.searchsorted(t, t + WINDOW_S / 2, side="right")
    slow = (cs[right] - cs[left]) / np.maximum(right - left, 1)
    k = NB_BEATS
    rp = np.concatenate([np.full(k + 1, np.nan), rr, np.full(k + 1, np.nan)])
    win = np.lib.stride_tricks.sliding_window_view(rp, 2 * k + 2)[:n]
    nb = np.delete(win, [k, k + 1], axis=1)  # beat i's own pre (rr[i-1]) and post (rr[i])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: records of < 3 beats
        med = np.nanmedian(nb, axis=1)
        irr = np.nanmedian(np.abs(np.diff(nb, axis=1)), axis=1) / med
    med = np.where(np.isfinite(med) & (med > 0), med, pre)
    return {
        "pre_post_ratio": pre / post,
        "pre_rr_prev": pre / prev,
        "post_rr_prev": post / prev,
        "pre_rr_5min": pre / slow,
        "post_rr_5min": post / slow,
        "rr_5min_norm": slow / rr.mean(),
        "pre_rr_nb": pre / med,
        "post_rr_nb": post / med,
        "nb_rr_irregularity": np.where(np.isfinite(irr), irr, 0.0),
    }


def beat_windows(signal: np.ndarray, peaks: np.ndarray, before: int, after: int) -> np.ndarray:
    """[n, leads, before + after] windows, R peak at index ``before``; zeros past the edges.

    Zero padding (rather than dropping) keeps one output per detected beat, as a report
    needs; training data drops edge beats itself (``complete_beats``).
    """
    peaks = np.asarray(peaks, dtype=np.int64)
    padded = np.pad(signal, ((0, 0), (before, after)))
    idx = peaks[:, None] + np.arange(before + after)[None, :]
    return np.moveaxis(padded[:, idx], 1, 0).astype(np.float32)


def complete_beats(peaks: np.ndarray, n_samples: int, before: int, after: int) -> np.ndarray:
    """Mask of the beats whose whole window lies inside the signal."""
    peaks = np.asarray(peaks)
    return (peaks - before >= 0) & (peaks + after <= n_samples)


TEMPLATE_MODES = ("median", "diff", "residual")


def template_mode(value) -> str | None:
    """The ``template`` data option as a mode: False/None, True (= "median") or a mode name."""
    if value is None or value is False:
        return None
    mode = "median" if value is True else str(value)
    if mode not in TEMPLATE_MODES:
        raise CrtnetError(f"unknown template mode {value!r}; use true, false or {TEMPLATE_MODES}")
    return mode


def with_template(
    windows: np.ndarray, record: np.ndarray | None = None, mode: str = "median"
) -> np.ndarray:
    """Each beat against its record's median beat.

    A bundle-branch block makes every beat of a patient wide; what marks an ectopic beat
    is how it differs from that patient's usual beat, which the median of the record's
    beats shows (ectopic beats are a minority in all but a few records). ``median``: the
    beat followed by the median beat, [n, 2 * leads, T]; ``diff``: the beat followed by
    beat - median, [n, 2 * leads, T]; ``residual``: beat - median alone, [n, leads, T].
    The median beat itself identifies the patient, which a model can learn as a shortcut
    when one class sits in a few training records; the residual does not carry it.
    """
    if mode not in TEMPLATE_MODES:
        raise CrtnetError(f"unknown template mode {mode!r}; use one of {TEMPLATE_MODES}")
    windows = np.asarray(windows, dtype=np.float32)
    record = np.zeros(len(windows), int) if record is None else np.asarray(record)
    n_lead = windows.shape[1]
    width = n_lead if mode == "residual" else 2 * n_lead
    out = np.empty((len(windows), width, windows.shape[2]), np.float32)
    for r in np.unique(record):
        m = record == r
        med = np.median(windows[m], axis=0)
        if mode == "residual":
            out[m] = windows[m] - med
            continue
        out[m, :n_lead] = windows[m]
        out[m, n_lead:] = med if mode == "median" else windows[m] - med
    return out
