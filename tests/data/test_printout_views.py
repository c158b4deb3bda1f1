from __future__ import annotations

import numpy as np

from crtnet.data.ptbxl import printout_view
from crtnet.data.tasks import get_task
from crtnet.io import STANDARD_12


def test_printout_view_columns():
    x = np.ones((2, 12, 1000), np.float32)
    v = printout_view(x, 100, STANDARD_12)
    shown = v[0] != 0
    assert shown[STANDARD_12.index("II")].all()
    assert shown[STANDARD_12.index("I"), :250].all() and not shown[0, 250:].any()
    v5 = STANDARD_12.index("V5")
    assert shown[v5, 750:].all() and not shown[v5, :750].any()


def test_task_with_printout_views(sample_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CRTNET_CACHE", str(tmp_path))
    plain = get_task("ptbxl", root=sample_dir / "ptbxl", protocol="cv", n_folds=3)
    views = get_task(
        "ptbxl", root=sample_dir / "ptbxl", protocol="cv", n_folds=3, printout_views=True
    )
    assert len(views.train) == 2 * len(plain.train) and len(views.val) == 2 * len(plain.val)
    assert len(views.test) == len(plain.test)  # test stays as recorded
    np.testing.assert_array_equal(views.train.x[: len(plain.train)], plain.train.x)
    assert views.train.ids[-1].endswith("#3x4")


def test_protocol_all_trains_on_everything_but_val_and_holdout(sample_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CRTNET_CACHE", str(tmp_path))
    t = get_task("ptbxl", root=sample_dir / "ptbxl", protocol="all", n_folds=4, holdout=[54])
    ids = t.protocol["ecg_ids"]
    assert 54 in ids["test"] and 54 not in ids["train"] + ids["val"]
    everything = sorted(ids["train"] + ids["val"] + ids["test"])
    assert len(everything) == len(set(everything)) and len(ids["val"]) > 0
    assert len(ids["train"]) > 2 * len(ids["val"])
    plain = get_task("ptbxl", root=sample_dir / "ptbxl", protocol="cv", n_folds=4)
    assert len(everything) == len(plain.train) + len(plain.val) + len(plain.test)


def test_holdout_needs_protocol_all(sample_dir, tmp_path, monkeypatch):
    import pytest

    from crtnet.errors import CrtnetError

    monkeypatch.setenv("CRTNET_CACHE", str(tmp_path))
    with pytest.raises(CrtnetError, match="protocol all"):
        get_task("ptbxl", root=sample_dir / "ptbxl", protocol="cv", n_folds=3, holdout=[54])
