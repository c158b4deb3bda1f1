"""A handful of real MIT-BIH beats (bundled records, via get_task) as a small task."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from crtnet import samples


@dataclass
class Split:
    x: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    ids: np.ndarray
    aux: np.ndarray | None = None


@dataclass
class Task:
    name: str
    classes: list
    multilabel: bool
    fs: float
    leads: list
    train: Split
    val: Split
    test: Split
    protocol: dict
    aux_names: list = field(default_factory=list)


@pytest.fixture(scope="session")
def beat_task(tmp_path_factory) -> Task:
    """A few real beats per class from ``get_task`` on the bundled MIT-BIH records.

    train = val = test: the overfit and resume checks want the same handful of beats.
    """
    import os

    from crtnet.data.tasks import get_task

    old = os.environ.get("CRTNET_CACHE")
    os.environ["CRTNET_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    try:
        t = get_task("mitdb", root=samples.MITDB, protocol="intra", fs=180)
    finally:
        os.environ.pop("CRTNET_CACHE") if old is None else os.environ.update(CRTNET_CACHE=old)
    y = np.asarray(t.train.y)
    rng = np.random.default_rng(0)
    pick = np.sort(
        np.concatenate(
            [
                rng.choice(np.flatnonzero(y == c), min(6, (y == c).sum()), replace=False)
                for c in np.unique(y)
            ]
        )
    )
    s = Split(
        *(
            None if v is None else np.asarray(v[pick])
            for v in (t.train.x, t.train.y, t.train.groups, t.train.ids, t.train.aux)
        )
    )
    return Task(t.name, t.classes, False, t.fs, t.leads, s, s, s, t.protocol, t.aux_names)


TINY = Path(__file__).resolve().parents[2] / "configs" / "tiny.yaml"


@pytest.fixture
def tiny_train_args():
    """``crtnet train`` arguments for the tiny config on the bundled MIT-BIH records."""

    def make(out: Path, max_train: int) -> list[str]:
        return [
            "train",
            "--dataset",
            "mitdb",
            "--root",
            str(samples.MITDB),
            "--protocol",
            "intra",
            "--config",
            str(TINY),
            "--out",
            str(out),
            "--max-train",
            str(max_train),
            "--no-progress",
        ]

    return make
