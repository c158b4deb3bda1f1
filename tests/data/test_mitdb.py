"""MIT-BIH beats, AAMI classes and the inter/intra protocols on the bundled records."""

from __future__ import annotations

import numpy as np
import pytest

from crtnet import samples
from crtnet.data import mitdb
from crtnet.data.tasks import get_task
from crtnet.errors import CrtnetError


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CRTNET_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


def test_aami_mapping():
    expected = {"N": "NLRej", "S": "AaJS", "V": "VE", "F": "F", "Q": "/fQ"}
    for cls, symbols in expected.items():
        assert all(mitdb.aami_class(s) == cls for s in symbols)
    for non_beat in '+~|"x[]!':
        assert mitdb.aami_class(non_beat) is None
    assert len(mitdb.AAMI) == 15


def test_ds_lists_disjoint_and_paced_excluded():
    assert len(mitdb.DS1) == len(mitdb.DS2) == 22
    assert not set(mitdb.DS1) & set(mitdb.DS2)
    assert not set(mitdb.PACED) & (set(mitdb.DS1) | set(mitdb.DS2))


def test_records_give_beats_and_ignore_non_beats():
    rec, ann = next(mitdb.records(samples.MITDB, ["208"]))
    assert rec.fs == 360 and "MLII" in rec.leads
    assert set(ann.aami) <= set(mitdb.AAMI_CLASSES)
    assert len(ann.sample) == len(ann.symbol) == len(ann.aami)
    assert np.all(np.diff(ann.sample) > 0)
    assert {"V", "F"} <= set(ann.aami)  # 208 is the record with many fusion beats


def test_inter_protocol_windows_centred_on_r_peaks():
    t = get_task("mitdb", root=samples.MITDB, protocol="inter", before_s=0.5, after_s=0.5)
    assert t.classes == ["N", "S", "V", "F"] and not t.multilabel
    assert t.train.x.dtype == np.float32 and t.train.x.shape[1:] == (1, 360)
    assert set(t.protocol["records"]["test"]) <= set(mitdb.DS2)
    train_val = set(t.protocol["records"]["train"]) | set(t.protocol["records"]["val"])
    assert train_val <= set(mitdb.DS1)
    assert not set(np.unique(t.test.groups)) & set(np.unique(t.train.groups))
    assert t.train.aux.shape == (len(t.train.y), len(t.aux_names))
    # The annotated R peak sits at index before_s * fs: compare with the filtered record.
    rec, ann = next(mitdb.records(samples.MITDB, ["100"]))
    from crtnet.data.preprocess import PreprocessConfig, preprocess

    sig, _ = preprocess(rec.lead("MLII")[None], 360, PreprocessConfig(fs=360.0, baseline=True))
    sid = t.test.ids[5]
    assert sid.startswith("mitdb/100@")
    peak = int(sid.split("@")[1])
    np.testing.assert_allclose(t.test.x[5, 0], sig[0, peak - 180 : peak + 180], atol=1e-5)
    assert t.test.x[5, 0, 180] == pytest.approx(sig[0, peak], abs=1e-5)


def test_intra_split_is_stratified_and_resamples():
    t = get_task("mitdb", root=samples.MITDB, protocol="intra", fs=180, seed=1)
    assert t.classes == ["N", "S", "V", "F", "Q"] and t.fs == 180
    assert t.train.x.shape[-1] == round(0.9 * 180) + round(1.1 * 180)
    n = {s: np.bincount(getattr(t, s).y, minlength=5) for s in ("train", "val", "test")}
    total = sum(n.values())
    for c in np.flatnonzero(total >= 50):
        assert abs(n["train"][c] / total[c] - 0.8) < 0.02
        assert abs(n["test"][c] / total[c] - 0.1) < 0.02
    ids = np.concatenate([t.train.ids, t.val.ids, t.test.ids])
    assert len(set(ids)) == len(ids)


def test_full_ds_counts_within_one_percent_of_de_chazal(shared_data):
    """Full data, counted from the annotations the beat windows come from (fast: no signals)."""
    root = shared_data / "mitdb"
    counts = {}
    for name, recs in (("DS1", mitdb.DS1), ("DS2", mitdb.DS2)):
        counts[name] = sum(len(mitdb.read_beats(root, r).sample) for r in recs)
    assert abs(counts["DS1"] - 51021) / 51021 < 0.01
    assert abs(counts["DS2"] - 49712) / 49712 < 0.01


def test_inter_cv_holds_out_whole_ds1_records_and_never_touches_ds2():
    kw = dict(root=samples.MITDB, protocol="inter-cv", n_folds=2, before_s=0.2, after_s=0.2)
    folds = [get_task("mitdb", fold=f, **kw) for f in (0, 1)]
    held = [set(t.protocol["records"]["val"]) for t in folds]
    assert held[0] and held[1] and not held[0] & held[1]
    assert held[0] | held[1] == {"106", "208"}  # the bundled DS1 records; 100/232 are DS2
    for t, h in zip(folds, held, strict=True):
        assert set(t.protocol["records"]["train"]) == {"106", "208"} - h
        assert set(t.protocol["records"]["test"]) == h
    with pytest.raises(CrtnetError, match="fold 2"):
        get_task("mitdb", fold=2, **kw)


def test_both_leads_and_template_channels():
    t = get_task(
        "mitdb", root=samples.MITDB, protocol="inter", leads=["MLII", "*"], template=True,
        before_s=0.2, after_s=0.2, val_fraction=0,
    )  # fmt: skip
    assert t.leads == ["MLII", "*"] and t.train.x.shape[1] == 4  # 2 leads + their templates
    assert "100" in t.protocol["records"]["test"]  # MLII + V5: kept, not skipped
    assert set(t.protocol["records"]["val"]) == set(t.protocol["records"]["train"])
    x = t.test.x[t.test.ids.astype(str) < "mitdb/101"]  # record 100's beats
    np.testing.assert_allclose(x[0, 2:], np.median(x[:, :2], axis=0), atol=1e-6)
    assert mitdb.other_lead(["MLII", "V5"], ["MLII", "*"]) == ["MLII", "V5"]
    assert mitdb.other_lead(["MLII"], ["MLII", "*"]) == ["MLII", "*"]
