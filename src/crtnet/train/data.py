"""Batches straight from (memory-mapped) arrays, and the per-epoch sample order.

Batches are gathered with one fancy index per batch instead of per-sample collation, which
keeps a CPU busy on ~40k short beats. The order is a pure function of (seed, epoch, rank),
so a resumed or multi-process run sees exactly the samples it would have seen.
"""

from __future__ import annotations

import numpy as np
import torch


class ArrayBatches(torch.utils.data.Dataset):
    """``ds[(epoch, indices)]`` -> dict of tensors for one batch (augmented if asked).

    Augmentation and printout views draw from (seed, epoch, batch), so they are identical
    after a resume. ``keep_nan`` passes NaN (samples a printout does not show) on to a
    ``lead_mask`` model, which turns them into its validity channels; others see zeros."""

    def __init__(
        self,
        split,
        use_aux: bool = True,
        augment: bool = False,
        seed: int = 0,
        *,
        keep_nan: bool = False,
        views=None,
    ):
        self.split = split
        self.use_aux = use_aux and split.aux is not None
        self.augment, self.seed = augment, seed
        self.keep_nan, self.views = keep_nan, views

    def __len__(self) -> int:
        return len(self.split.y)

    def __getitem__(self, item):
        epoch, idx = item
        idx = np.sort(np.asarray(idx))  # sorted reads are kinder to memmaps; order is irrelevant
        x = np.asarray(self.split.x[idx], dtype=np.float32)
        rng = np.random.default_rng([self.seed, epoch, int(idx[0]), len(idx)])
        if self.augment:
            x = _augment(x, rng)
        if self.views is not None:
            x = self.views(x, rng)
        if not self.keep_nan:
            x = np.nan_to_num(x)
        out = {
            "x": torch.from_numpy(x),
            "y": torch.from_numpy(np.asarray(self.split.y[idx])),
        }
        if self.use_aux:
            out["aux"] = torch.from_numpy(np.asarray(self.split.aux[idx], dtype=np.float32))
        return out


def _augment(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Patient-to-patient variation the test patients will show: gain, noise, small shifts."""
    n, c, _ = x.shape
    x = x * rng.uniform(0.7, 1.3, (n, c, 1)).astype(np.float32)
    x = x + rng.normal(0, 0.02, x.shape).astype(np.float32)
    x = x + rng.normal(0, 0.05, (n, c, 1)).astype(np.float32)
    return np.roll(x, int(rng.integers(-4, 5)), axis=-1)


class EpochBatches(torch.utils.data.Sampler):
    """Yields index batches: a permutation (or class-balanced draw) sharded by rank."""

    def __init__(
        self,
        n: int,
        batch_size: int,
        *,
        weights: np.ndarray | None = None,
        shuffle: bool = True,
        seed: int = 0,
        rank: int = 0,
        world: int = 1,
    ):
        self.n, self.bs, self.weights, self.shuffle = n, batch_size, weights, shuffle
        self.seed, self.rank, self.world, self.epoch = seed, rank, world, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _order(self) -> np.ndarray:
        if not self.shuffle:
            return np.arange(self.n)
        rng = np.random.default_rng([self.seed, self.epoch])
        if self.weights is not None:
            p = self.weights / self.weights.sum()
            return rng.choice(self.n, size=self.n, replace=True, p=p)
        return rng.permutation(self.n)

    def __iter__(self):
        order = self._order()
        per_rank = len(order) // self.world if self.shuffle else len(order)
        if self.world > 1 and self.shuffle:
            order = order[self.rank * per_rank : (self.rank + 1) * per_rank]
        for i in range(0, len(order), self.bs):
            yield self.epoch, order[i : i + self.bs].tolist()

    def __len__(self) -> int:
        n = self.n // self.world if (self.world > 1 and self.shuffle) else self.n
        return (n + self.bs - 1) // self.bs


def class_counts(y: np.ndarray, n_classes: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2:
        return y.sum(0).astype(np.float64)
    return np.bincount(y, minlength=n_classes).astype(np.float64)


def class_weights(y: np.ndarray, n_classes: int, power: float) -> np.ndarray:
    """(n / (K n_k)) ** power; power 0.5 softens the N >> S,V >> F imbalance of MIT-BIH."""
    counts = np.maximum(class_counts(y, n_classes), 1.0)
    return (counts.sum() / (n_classes * counts)) ** power


def loader(
    split,
    batch_size: int,
    *,
    use_aux: bool,
    weights=None,
    shuffle=False,
    seed=0,
    rank=0,
    world=1,
    num_workers=0,
    pin=False,
    augment=False,
    keep_nan=False,
    views=None,
):
    sampler = EpochBatches(
        len(split.y),
        batch_size,
        weights=weights,
        shuffle=shuffle,
        seed=seed,
        rank=rank,
        world=world,
    )
    dl = torch.utils.data.DataLoader(
        ArrayBatches(split, use_aux, augment, seed * 1000 + rank, keep_nan=keep_nan, views=views),
        sampler=sampler,
        batch_size=None,
        num_workers=num_workers,
        pin_memory=pin,
        persistent_workers=num_workers > 0,
    )
    return dl, sampler
