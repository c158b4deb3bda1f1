"""Classification metrics for single-label (argmax) and multi-label (thresholded) tasks.

Per class: sensitivity (Se, recall), positive predictive value (+P, precision),
specificity and F1, as in AAMI EC57 reporting; plus accuracy, macro-F1, macro-AUC and
percentile bootstrap confidence intervals over samples.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score


def predict_labels(probs: np.ndarray, multilabel: bool, thresholds=None) -> np.ndarray:
    if not multilabel:
        return probs.argmax(1)
    th = 0.5 if thresholds is None else np.asarray(thresholds)[None]
    return (probs >= th).astype(np.int64)


def confusion(y: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """Single-label: [true, pred] counts. Multi-label: per class [[TN, FP], [FN, TP]]."""
    if y.ndim == 1:
        return np.bincount(y * k + pred, minlength=k * k).reshape(k, k)
    y, pred = y.astype(int), pred.astype(int)
    return np.stack(
        [np.bincount(y[:, c] * 2 + pred[:, c], minlength=4).reshape(2, 2) for c in range(k)]
    )


def _per_class(y, pred, k):
    if y.ndim == 1:
        cm = confusion(y, pred, k)
        tp = np.diag(cm).astype(float)
        fn, fp = cm.sum(1) - tp, cm.sum(0) - tp
        tn = cm.sum() - tp - fn - fp
    else:
        cm = confusion(y, pred, k).astype(float)
        tn, fp, fn, tp = cm[:, 0, 0], cm[:, 0, 1], cm[:, 1, 0], cm[:, 1, 1]
    div = np.divide
    with np.errstate(invalid="ignore", divide="ignore"):
        se = div(tp, tp + fn)
        ppv = div(tp, tp + fp)
        sp = div(tn, tn + fp)
        f1 = div(2 * tp, 2 * tp + fp + fn)
    return se, ppv, sp, f1


def macro_auc(y: np.ndarray, probs: np.ndarray) -> float:
    """Mean one-vs-rest ROC AUC over classes that have both positives and negatives."""
    yy = y if y.ndim == 2 else np.eye(probs.shape[1], dtype=int)[y]
    aucs = [
        roc_auc_score(yy[:, c], probs[:, c])
        for c in range(probs.shape[1])
        if 0 < yy[:, c].sum() < len(yy)
    ]
    return float(np.mean(aucs)) if aucs else float("nan")


def compute_metrics(
    y, probs, classes, multilabel, thresholds=None, *, n_boot: int = 0, seed: int = 0
) -> dict:
    y, probs = np.asarray(y), np.asarray(probs, dtype=np.float64)
    k = len(classes)
    pred = predict_labels(probs, multilabel, thresholds)
    se, ppv, sp, f1 = _per_class(y, pred, k)
    acc = float((pred == y).all(1).mean()) if multilabel else float((pred == y).mean())
    out = {
        "n": int(len(y)),
        "accuracy": acc,
        "macro_f1": float(
            f1_score(
                y,
                pred,
                average="macro",
                labels=None if multilabel else list(range(k)),
                zero_division=0,
            )
        ),
        "macro_auc": macro_auc(y, probs),
        "per_class": {
            c: {
                "sensitivity": _f(se[i]),
                "ppv": _f(ppv[i]),
                "specificity": _f(sp[i]),
                "f1": _f(f1[i]),
                "support": int((y[:, i] if multilabel else y == i).sum()),
            }
            for i, c in enumerate(classes)
        },
        "confusion": confusion(y, pred, k).tolist(),
    }
    if n_boot:
        out["ci95"] = bootstrap(y, probs, classes, multilabel, thresholds, n_boot, seed)
    return out


def _f(v) -> float | None:
    return None if np.isnan(v) else float(v)


def bootstrap(y, probs, classes, multilabel, thresholds, n_boot=200, seed=0) -> dict:
    """95% percentile intervals of accuracy, macro-F1, macro-AUC and per-class F1."""
    rng = np.random.default_rng(seed)
    k = len(classes)
    rows = []
    for _ in range(n_boot):
        i = rng.integers(0, len(y), len(y))
        yb, pb = y[i], probs[i]
        pred = predict_labels(pb, multilabel, thresholds)
        f1 = _per_class(yb, pred, k)[3]
        acc = (pred == yb).all(1).mean() if multilabel else (pred == yb).mean()
        rows.append([acc, np.nanmean(np.nan_to_num(f1)), macro_auc(yb, pb), *f1])
    with warnings.catch_warnings():  # a class absent from the data has no CI: NaN -> None
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanpercentile(np.array(rows, dtype=float), [2.5, 97.5], axis=0)
    names = ["accuracy", "macro_f1", "macro_auc"] + [f"f1_{c}" for c in classes]
    return {n: [_f(a), _f(b)] for n, a, b in zip(names, lo, hi, strict=True)}


def best_thresholds(y: np.ndarray, probs: np.ndarray) -> list[float]:
    """Per-class F1-optimal thresholds (multi-label); choose them on validation data only."""
    grid = np.linspace(0.05, 0.95, 19)
    out = []
    for c in range(probs.shape[1]):
        f1s = [f1_score(y[:, c], probs[:, c] >= t, zero_division=0) for t in grid]
        out.append(round(float(grid[int(np.argmax(f1s))]), 3))
    return out


def monitor_score(y, probs, multilabel: bool, monitor: str = "auto") -> float:
    """The validation number early stopping maximises."""
    if monitor == "auto":
        monitor = "macro_auc" if multilabel else "macro_f1"
    if monitor == "last":  # no selection: the fixed epoch budget (chosen elsewhere) decides
        return 0.0
    if monitor == "macro_auc":
        return macro_auc(np.asarray(y), np.asarray(probs))
    pred = predict_labels(np.asarray(probs), multilabel)
    if monitor == "accuracy":
        return float((pred == y).mean())
    return float(f1_score(y, pred, average="macro", zero_division=0))
