"""PTB-XL label tasks, patient-wise folds and combined roots on the bundled records."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from crtnet import samples
from crtnet.data import ptbxl
from crtnet.data.splits import stratified_group_folds
from crtnet.data.tasks import get_task
from crtnet.errors import CrtnetError


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CRTNET_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


def test_label_tasks_follow_scp_statements():
    db, stmts = ptbxl.load_database([samples.PTBXL])
    sup = dict(zip(db.index, ptbxl.labels_for(db, stmts, "superdiagnostic"), strict=True))
    assert sup[1] == ["NORM"]  # NORM 100, LVOLT and SR are not diagnostic
    assert sup[8] == ["MI"]  # IMI -> MI
    sub = dict(zip(db.index, ptbxl.labels_for(db, stmts, "subdiagnostic"), strict=True))
    assert sub[8] == ["IMI"]
    rhythm = dict(zip(db.index, ptbxl.labels_for(db, stmts, "rhythm"), strict=True))
    assert rhythm[2] == ["SBRAD"]
    form = dict(zip(db.index, ptbxl.labels_for(db, stmts, "form"), strict=True))
    assert form[1] == ["LVOLT"] and form[2] == []
    with pytest.raises(CrtnetError, match="unknown PTB-XL task"):
        ptbxl.labels_for(db, stmts, "nope")


@pytest.mark.parametrize("task", ptbxl.TASKS)
def test_get_task_every_label_task(task):
    t = get_task("ptbxl", root=samples.PTBXL, task=task, n_folds=3)
    assert t.multilabel and t.leads[:3] == ["I", "II", "III"] and t.fs == 100
    n = len(t.train.y) + len(t.val.y) + len(t.test.y)
    assert 0 < n <= 16
    for s in (t.train, t.val, t.test):
        assert s.x.shape[1:] == (12, 1000) and s.y.shape[1] == len(t.classes)
        assert (s.y.sum(1) >= 1).all()  # records without a label are dropped
    if task == "superdiagnostic":
        assert t.classes == ["NORM", "MI", "STTC", "CD", "HYP"]
    assert t.protocol["protocol"] == "cv"  # the samples do not hold all ten strat_folds


def test_signals_are_the_records_in_mv():
    from crtnet.io import read_record

    t = get_task("ptbxl", root=samples.PTBXL, n_folds=3)
    split = next(s for s in (t.train, t.val, t.test) if "ptbxl/00001" in s.ids)
    i = list(split.ids).index("ptbxl/00001")
    rec = read_record(samples.PTBXL / "records100/00000/00001_lr")
    np.testing.assert_allclose(split.x[i], rec.signal, atol=1e-6)


def test_patient_wise_cv_no_patient_on_two_sides():
    t = get_task("ptbxl", root=samples.PTBXL, protocol="cv", n_folds=3, fold=1)
    sides = [set(s.groups) for s in (t.train, t.val, t.test)]
    assert not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])
    assert "ptbxl/13619" in set().union(*sides)  # the patient with two records


def test_group_folds_stratify_and_keep_patients_together():
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 300, 1000).astype(str)
    y = (rng.random((1000, 4)) < [0.5, 0.2, 0.1, 0.03]).astype(float)
    f = stratified_group_folds(y, groups, 5, seed=0)
    for g in np.unique(groups):
        assert len(set(f[groups == g])) == 1
    per_fold = np.stack([y[f == k].sum(0) for k in range(5)])
    assert np.all(np.abs(per_fold - y.sum(0) / 5) <= 0.25 * y.sum(0) / 5 + 3)
    np.testing.assert_array_equal(f, stratified_group_folds(y, groups, 5, seed=0))


def _two_roots(tmp_path):
    """The samples split into two roots; B repeats ecg 1 and has no 500 Hz files."""
    db = pd.read_csv(samples.PTBXL / "ptbxl_database.csv")
    a, b = tmp_path / "a", tmp_path / "b"
    for root, rows in ((a, db.iloc[:7]), (b, pd.concat([db.iloc[:1], db.iloc[7:]]))):
        root.mkdir()
        rows.to_csv(root / "ptbxl_database.csv", index=False)
        shutil.copy(samples.PTBXL / "scp_statements.csv", root)
        dirs = ["records100", "records500"] if root == a else ["records100"]
        for d in dirs:
            shutil.copytree(samples.PTBXL / d, root / d)
    return a, b


def test_combined_roots_and_500hz(tmp_path):
    a, b = _two_roots(tmp_path)
    t = get_task("ptbxl", root=[a, b], n_folds=3)
    ids = np.concatenate([t.train.ids, t.val.ids, t.test.ids])
    assert len(ids) == len(set(ids)) == 16  # ecg 1 kept once
    t5 = get_task("ptbxl", root=[a, b], fs=500, n_folds=3)
    assert t5.train.x.shape[-1] == 5000
    assert any("without a 500 Hz file skipped" in n for n in t5.protocol["notes"])
    with pytest.raises(CrtnetError, match="no 500 Hz records"):
        get_task("ptbxl", root=b, fs=500)


def test_summary_counts(tmp_path):
    a, b = _two_roots(tmp_path)
    s = ptbxl.PTBXL.summary([a, b])
    assert s["n_records"] == 16 and s["n_patients"] == 15
    assert s["superdiagnostic"]["NORM"] == 6 and sum(s["folds"].values()) == 16


def test_fast_reader_matches_wfdb_and_falls_back():
    from crtnet.io import STANDARD_12, read_record

    for p in sorted(samples.PTBXL.glob("records*/00000/*.hea")):
        x, fs = ptbxl._read_fast(str(p.with_suffix("")))
        rec = read_record(p.with_suffix(""), leads=STANDARD_12)
        assert fs == rec.fs
        np.testing.assert_allclose(x, rec.signal, atol=1e-6)
    assert ptbxl._read_fast(str(samples.MITDB / "100"))[0] is None  # format 212: wfdb path
    assert ptbxl._read_fast(str(samples.PTBXL / "nope"))[0] is None
