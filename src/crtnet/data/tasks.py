"""The arrays a model trains on: the contract between datasets and models.

``get_task`` returns ready train/val/test arrays (memory-mapped from the cache when they
are big) plus a JSON-able ``protocol`` that says exactly which records went where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crtnet.data import cache as _cache


@dataclass
class ArraySplit:
    x: np.ndarray  # float32 [N, C, L]; may be a np.memmap
    y: np.ndarray  # int64 [N] (single-label) or float32 {0,1} [N, K] (multi-label)
    groups: np.ndarray  # str [N]: patient id (record id where no patient id)
    ids: np.ndarray  # str [N]: sample id, e.g. "mitdb/100@1234" or "ptbxl/00001"
    aux: np.ndarray | None = None  # float32 [N, F] per-sample side features, else None

    def __len__(self) -> int:
        return len(self.y)


@dataclass
class TaskData:
    name: str
    classes: list[str]
    multilabel: bool
    fs: float
    leads: list[str]
    train: ArraySplit
    val: ArraySplit
    test: ArraySplit
    protocol: dict
    aux_names: list[str] = field(default_factory=list)


SPLITS = ("train", "val", "test")


def get_task(
    dataset: str,
    *,
    root: str | Path | list | None = None,
    protocol: str | None = None,
    fold: int = 0,
    n_folds: int = 5,
    task: str | None = None,
    fs: float | None = None,
    cache: bool = True,
    seed: int = 0,
    **options,
) -> TaskData:
    """Build (or load from the cache) the train/val/test arrays of a named dataset task."""
    from crtnet.data.registry import get_dataset

    cls, arg = get_dataset(dataset)
    return cls.task(
        root,
        arg=arg,
        protocol=protocol,
        fold=fold,
        n_folds=n_folds,
        task=task,
        fs=fs,
        cache=cache,
        seed=seed,
        **options,
    )


def cached_task(spec: dict, build, use_cache: bool) -> TaskData:
    """Cache a whole TaskData: split arrays as .npy (x memory-mapped), the rest as JSON."""

    def arrays():
        t = build()
        out = {}
        for s in SPLITS:
            sp = getattr(t, s)
            for k in ("x", "y", "groups", "ids", "aux"):
                v = getattr(sp, k)
                if v is not None:
                    out[f"{s}.{k}"] = np.asarray(v)
        meta = {k: getattr(t, k) for k in ("name", "classes", "multilabel", "fs", "leads")}
        meta.update(protocol=t.protocol, aux_names=t.aux_names)
        return out, meta

    mm = tuple(f"{s}.x" for s in SPLITS)
    arr, meta = _cache.cached_arrays("tasks", spec, arrays, use_cache=use_cache, mmap=mm)
    splits = {
        s: ArraySplit(
            x=arr[f"{s}.x"],
            y=arr[f"{s}.y"],
            groups=arr[f"{s}.groups"],
            ids=arr[f"{s}.ids"],
            aux=arr.get(f"{s}.aux"),
        )
        for s in SPLITS
    }
    return TaskData(**meta, **splits)
