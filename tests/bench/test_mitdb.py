"""DS1 cross-validation pooling and the record-level bootstrap of the MIT-BIH benchmark."""

from __future__ import annotations

import numpy as np
import pytest

from crtnet.bench import mitdb as mb


def test_pooled_is_gross_statistics_of_the_summed_confusion():
    a = [[90, 5, 0, 0], [2, 8, 0, 0], [0, 0, 10, 0], [0, 0, 0, 0]]
    b = [[50, 0, 0, 0], [0, 0, 0, 0], [1, 0, 9, 0], [0, 0, 1, 1]]
    m = mb.pooled([a, b])
    s = m["per_class"]["S"]
    assert s["sensitivity"] == pytest.approx(8 / 10) and s["ppv"] == pytest.approx(8 / 13)
    assert s["f1"] == pytest.approx(2 * 8 / (10 + 13))
    assert m["accuracy"] == pytest.approx((140 + 8 + 19 + 1) / 177)
    assert mb.score(m) == pytest.approx((s["f1"] + m["per_class"]["V"]["f1"]) / 2)
    empty = mb.pooled([[[5, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]])
    assert empty["per_class"]["S"]["sensitivity"] is None and mb.score(empty) == 0.0


def test_record_bootstrap_is_wider_when_records_disagree():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 200)
    rec = np.tile(np.repeat(np.arange(10), 20), 2).astype(str)
    same = np.where(rng.random(400) < 0.8, y, 1 - y)  # every record 80 % right
    split = np.where(rec.astype(int) < 5, y, 1 - y)  # half the records all right, half all wrong
    ci_same = mb.record_bootstrap(y, same, rec, n_boot=200)["accuracy"]
    ci_split = mb.record_bootstrap(y, split, rec, n_boot=200)["accuracy"]
    assert ci_same[0] <= (same == y).mean() <= ci_same[1]
    assert ci_split[1] - ci_split[0] > 2 * (ci_same[1] - ci_same[0])
    assert set(mb.VARIANTS) >= {"base", "rhythm-seq", "no-context", "no-rr-norm", "cnn-only"}


def test_choose_bias_lowers_an_over_called_class_and_keeps_ties_at_zero():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(900, int), np.ones(50, int), np.full(50, 2)]
    logits = rng.normal(0, 0.3, (len(y), 4))
    logits[np.arange(len(y)), y] += 2.0
    logits[:100, 1] += 2.5  # 100 N beats called S: a lower S offset fixes them
    b = mb.choose_bias(logits, y)
    assert b[0] == b[3] == 0.0 and b[1] < 0
    clean = rng.normal(0, 0.1, (len(y), 4))
    clean[np.arange(len(y)), y] += 3.0
    assert mb.choose_bias(clean, y) == [0.0, 0.0, 0.0, 0.0]
    assert mb.known("base+bias") and not mb.known("nope+bias")
