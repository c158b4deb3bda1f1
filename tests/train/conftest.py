"""Real MIT-BIH beats from the bundled records, cut with wfdb, as a small TaskData."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from crtnet import samples

AAMI = {**dict.fromkeys("NLRej", 0), **dict.fromkeys("aSAJ", 1), "V": 2, "E": 2, "F": 3}


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


def cut_beats(record: str, n_per_class: int, fs: float = 180.0, seed: int = 0) -> Split:
    """Beats (2 s windows around annotated R peaks, lead 0, mV) and RR features."""
    import wfdb

    from crtnet.data.preprocess import bandpass, remove_baseline, resample

    rec = wfdb.rdrecord(str(samples.MITDB / record), channels=[0])
    ann = wfdb.rdann(str(samples.MITDB / record), "atr")
    x = resample(bandpass(remove_baseline(rec.p_signal[:, 0], 360), 360), 360, fs)
    keep = np.isin(ann.symbol, list(AAMI))
    peaks = (ann.sample[keep] * fs / 360).astype(int)
    y = np.array([AAMI[s] for s in np.asarray(ann.symbol)[keep]])
    rr = np.diff(peaks, prepend=peaks[0]) / fs
    post = np.diff(peaks, append=peaks[-1]) / fs
    before, after = int(0.9 * fs), int(1.1 * fs)
    ok = np.flatnonzero((peaks > before) & (peaks < len(x) - after) & (rr > 0) & (post > 0))
    rng = np.random.default_rng(seed)
    pick = np.concatenate(
        [
            rng.choice(ok[y[ok] == c], min(n_per_class, (y[ok] == c).sum()), replace=False)
            for c in np.unique(y[ok])
        ]
    )
    pick.sort()
    xs = np.stack([x[p - before : p + after] for p in peaks[pick]])[:, None].astype(np.float32)
    aux = np.stack([rr[pick], post[pick], rr[pick] / post[pick]], 1).astype(np.float32)
    ids = np.array([f"mitdb/{record}@{p}" for p in peaks[pick]])
    return Split(xs, y[pick], np.full(len(pick), record), ids, aux)


def make_task(train: Split, val: Split, test: Split) -> Task:
    return Task(
        "mitdb-test",
        ["N", "S", "V", "F"],
        False,
        180.0,
        ["MLII"],
        train,
        val,
        test,
        {"dataset": "mitdb", "protocol": "test beats"},
        ["pre_rr", "post_rr", "ratio"],
    )


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
