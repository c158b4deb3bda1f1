"""Splits that keep class balance and never put one patient on both sides."""

from __future__ import annotations

import numpy as np


def stratified_split(y: np.ndarray, fractions: tuple[float, ...], seed: int) -> list[np.ndarray]:
    """Indices per part, each class divided by ``fractions`` (single-label, no groups)."""
    rng = np.random.default_rng(seed)
    y = np.asarray(y)
    parts: list[list[np.ndarray]] = [[] for _ in fractions]
    cum = np.cumsum(fractions) / np.sum(fractions)
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        cuts = np.round(cum * len(idx)).astype(int)
        for i, (a, b) in enumerate(zip(np.r_[0, cuts[:-1]], cuts, strict=True)):
            parts[i].append(idx[a:b])
    return [np.sort(np.concatenate(p)) for p in parts]


def stratified_group_folds(labels: np.ndarray, groups: np.ndarray, n_folds: int, seed: int):
    """Fold number per sample: iterative multi-label stratification over patients.

    Sechidis et al. (2011), as used for PTB-XL's own ``strat_fold``: the rarest label is
    placed first, each patient (all of their records together) goes to the fold that still
    needs that label most; ties go to the fold with most room, then at random.
    """
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels, dtype=np.float64)
    if labels.ndim == 1:
        labels = labels[:, None]
    uniq, inv = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    n_pat = len(uniq)
    pat_lab = np.zeros((n_pat, labels.shape[1]))
    np.add.at(pat_lab, inv, labels)
    pat_size = np.bincount(inv, minlength=n_pat).astype(np.float64)
    need_lab = np.tile(pat_lab.sum(0) / n_folds, (n_folds, 1))
    need_size = np.full(n_folds, pat_size.sum() / n_folds)
    fold_of = np.full(n_pat, -1)
    left = np.ones(n_pat, bool)
    order = rng.permutation(n_pat)  # random tie-breaking among patients
    while left.any():
        remaining = (pat_lab[left] > 0).sum(0)
        if remaining.sum() == 0:
            break
        lab = int(np.argmin(np.where(remaining > 0, remaining, np.inf)))
        for p in order[(pat_lab[order, lab] > 0) & left[order]]:
            score = np.stack([need_lab[:, lab], need_size, rng.random(n_folds)], 1)
            f = np.lexsort(score.T[::-1])[-1]
            fold_of[p] = f
            left[p] = False
            need_lab[f] -= pat_lab[p]
            need_size[f] -= pat_size[p]
    for p in order[left[order]]:  # patients without any label: balance sizes
        f = int(np.argmax(need_size + 1e-9 * rng.random(n_folds)))
        fold_of[p] = f
        need_size[f] -= pat_size[p]
    return fold_of[inv]


def cv_masks(fold_of: np.ndarray, fold: int, n_folds: int) -> dict[str, np.ndarray]:
    """test = fold ``fold``, val = the next fold, train = the rest."""
    from crtnet.errors import CrtnetError

    if n_folds < 3:
        raise CrtnetError(f"cross-validation needs n_folds >= 3 (train, val, test), not {n_folds}")
    if not 0 <= fold < n_folds:
        raise CrtnetError(f"fold {fold} outside 0..{n_folds - 1}")
    masks = {"test": fold_of == fold, "val": fold_of == (fold + 1) % n_folds}
    masks["train"] = ~(masks["test"] | masks["val"])
    return {s: masks[s] for s in ("train", "val", "test")}
