"""PNG figures of a run: training curves, confusion matrix, ROC curves (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from crtnet.io.atomic import atomic_path


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    _plt().close(fig)


def plot_history(history: list[dict], path: Path) -> None:
    plt = _plt()
    ep = [h["epoch"] for h in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    a.plot(ep, [h["train_loss"] for h in history], "o-", label="train (weighted)")
    a.plot(ep, [h["val_loss"] for h in history], "o-", label="validation")
    a.set(xlabel="epoch", ylabel="loss", title="Loss")
    a.legend()
    b.plot(ep, [h["val_score"] for h in history], "o-", color="C2")
    best = int(np.argmax([h["val_score"] for h in history]))
    b.axvline(ep[best], ls="--", color="grey", label=f"best epoch {ep[best]}")
    b.set(xlabel="epoch", ylabel="score", title="Validation score (early stopping)")
    b.legend()
    fig.tight_layout()
    _save(fig, path)


def plot_confusion(metrics: dict, classes: list[str], multilabel: bool, path: Path) -> None:
    plt = _plt()
    cm = np.asarray(metrics["confusion"], dtype=float)
    if multilabel:
        fig, axes = plt.subplots(1, len(classes), figsize=(2.4 * len(classes), 2.6))
        for ax, c, m in zip(np.atleast_1d(axes), classes, cm, strict=True):
            _matrix(ax, m, ["neg", "pos"], c)
    else:
        fig, ax = plt.subplots(figsize=(1.2 * len(classes) + 2, 1.1 * len(classes) + 1.5))
        _matrix(ax, cm, classes, f"n = {int(cm.sum())}")
    fig.tight_layout()
    _save(fig, path)


def _matrix(ax, cm, labels, title):
    norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(
                j,
                i,
                f"{int(cm[i, j])}\n{norm[i, j]:.0%}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if norm[i, j] > 0.6 else "black",
            )
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set(xlabel="predicted", ylabel="true", title=title)


def plot_roc(y: np.ndarray, probs: np.ndarray, classes: list[str], path: Path) -> None:
    from sklearn.metrics import roc_auc_score, roc_curve

    plt = _plt()
    yy = y if y.ndim == 2 else np.eye(len(classes), dtype=int)[y]
    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    for c, name in enumerate(classes):
        if 0 < yy[:, c].sum() < len(yy):
            fpr, tpr, _ = roc_curve(yy[:, c], probs[:, c])
            ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(yy[:, c], probs[:, c]):.3f})")
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set(xlabel="1 - specificity", ylabel="sensitivity", title="ROC (one vs rest)")
    ax.legend(fontsize=8, loc="lower right")
    _save(fig, path)
