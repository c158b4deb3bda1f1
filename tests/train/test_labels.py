"""The lead-label model's training command: a tiny seeded run that resumes, loads and runs."""

from __future__ import annotations

import json

import numpy as np

from crtnet.digitize import labelnet
from crtnet.train.labels import LabelTrainConfig, make_set, train_labels


def test_tiny_label_training_resumes_loads_and_runs(tmp_path):
    cfg = LabelTrainConfig(
        samples=64, val_samples=32, steps=4, batch=8, checkpoint_every=2, threads=1
    )
    assert train_labels(tmp_path, cfg, log=lambda s: None, stop_after=2) is None
    assert json.loads((tmp_path / "checkpoint.json").read_text())["step"] == 2
    logs = []
    m = train_labels(tmp_path, cfg, log=logs.append)
    assert any("resuming at step 2" in s for s in logs)
    assert 0 <= m["val_accuracy"] <= 1 and m["val_samples"] == 32
    got = labelnet.classify(
        [np.zeros((labelnet.H, labelnet.W), np.float32)], str(tmp_path / "model.safetensors")
    )
    assert got[0][0] in labelnet.CLASSES and 0 < got[0][1] <= 1


def test_word_sets_are_seeded_and_normalised():
    a, ya = make_set(20, 5)
    b, yb = make_set(20, 5)
    assert np.array_equal(a, b) and np.array_equal(ya, yb)
    assert a.shape == (20, labelnet.H, labelnet.W) and 0 <= a.min() and a.max() <= 1 + 1e-5
    assert set(ya) <= set(range(len(labelnet.CLASSES)))
