import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from crtnet.evaluate.metrics import best_thresholds, compute_metrics

CLASSES = ["N", "S", "V", "F"]


def test_single_label_matches_sklearn():
    y = np.array([0, 0, 0, 0, 1, 1, 2, 2, 2, 3, 0, 1])
    probs = np.eye(4)[[0, 0, 1, 0, 1, 0, 2, 2, 3, 3, 2, 1]] * 0.7 + 0.075
    m = compute_metrics(y, probs, CLASSES, False, n_boot=50)
    pred = probs.argmax(1)
    assert m["accuracy"] == accuracy_score(y, pred)
    assert np.isclose(m["macro_f1"], f1_score(y, pred, average="macro"))
    assert m["confusion"] == confusion_matrix(y, pred).tolist()
    se = recall_score(y, pred, average=None)
    ppv = precision_score(y, pred, average=None)
    f1 = f1_score(y, pred, average=None)
    for i, c in enumerate(CLASSES):
        pc = m["per_class"][c]
        assert np.isclose(pc["sensitivity"], se[i]) and np.isclose(pc["ppv"], ppv[i])
        assert np.isclose(pc["f1"], f1[i])
        neg = y != i
        assert np.isclose(pc["specificity"], (pred[neg] != i).mean())
    # hand check: S has 3 beats, 2 found, 1 false positive (a V? no: an N) -> Se 2/3, +P 2/3
    assert np.isclose(m["per_class"]["S"]["sensitivity"], 2 / 3)
    assert np.isclose(m["per_class"]["S"]["ppv"], 2 / 3)
    lo, hi = m["ci95"]["accuracy"]
    assert lo <= m["accuracy"] <= hi


def test_multilabel_matches_sklearn():
    rng = np.random.default_rng(0)
    y = (rng.random((60, 3)) < 0.4).astype(np.float32)
    probs = np.clip(y * 0.5 + rng.random((60, 3)) * 0.6, 0, 1)
    m = compute_metrics(y, probs, ["A", "B", "C"], True, [0.5, 0.5, 0.5])
    pred = probs >= 0.5
    assert np.isclose(m["macro_auc"], roc_auc_score(y, probs, average="macro"))
    assert np.isclose(m["macro_f1"], f1_score(y, pred, average="macro"))
    assert np.isclose(m["accuracy"], accuracy_score(y, pred))  # exact-match ratio
    th = best_thresholds(y, probs)
    assert len(th) == 3 and all(0 < t < 1 for t in th)
