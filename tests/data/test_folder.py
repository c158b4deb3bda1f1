"""Own-cohort manifests built from bundled records (WFDB, CSV and npz files)."""

from __future__ import annotations

import numpy as np
import pytest

from crtnet import samples
from crtnet.data.tasks import get_task
from crtnet.errors import CrtnetError
from crtnet.io import read_record, write_record

IDS = ["00001", "00002", "00003", "00008", "00009", "00010", "00022", "00026", "00030"]


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CRTNET_CACHE", str(tmp_path / "cache"))


def _manifest(tmp_path, *, split=True, extra="") -> str:
    """Nine PTB-XL sample records written as npz/CSV/WFDB, with patient and split columns."""
    rows = ["path,patient_id,split,rhythm,norm,mi" + extra]
    for i, eid in enumerate(IDS):
        rec = read_record(samples.PTBXL / f"records100/00000/{eid}_lr")
        fmt = ("npz", "csv", "wfdb")[i % 3]
        rel = f"sig/{eid}.{'npz' if fmt == 'npz' else 'csv' if fmt == 'csv' else 'hea'}"
        write_record(rec, tmp_path / rel.rsplit(".", 1)[0], fmt)
        sp = ("train", "train", "val", "test", "train", "train", "val", "test", "train")[i]
        lab = "SBRAD" if i % 2 else "SR"
        rows.append(f"{rel},p{i // 2},{sp},{lab},{int(i % 3 == 0)},{int(i % 4 == 1)}")
    text = "\n".join(rows) + "\n"
    if not split:
        text = (
            "\n".join(
                ",".join(c for j, c in enumerate(r.split(",")) if j != 2) for r in text.splitlines()
            )
            + "\n"
        )
    (tmp_path / "manifest.csv").write_text(text)
    return f"folder:{tmp_path / 'manifest.csv'}"


def test_single_label_with_split_column(tmp_path):
    t = get_task(_manifest(tmp_path), label_column="rhythm")
    assert t.classes == ["SBRAD", "SR"] and not t.multilabel
    assert (len(t.train.y), len(t.val.y), len(t.test.y)) == (5, 2, 2)
    assert t.train.x.shape == (5, 12, 1000) and t.fs == 100 and t.leads[0] == "I"
    ref = read_record(samples.PTBXL / "records100/00000/00001_lr").signal
    np.testing.assert_allclose(t.train.x[0], ref, atol=2e-3)  # CSV/npz/WFDB round trip
    assert t.train.groups[0] == "folder/p0"


def test_multilabel_columns_and_patient_folds(tmp_path):
    t = get_task(
        _manifest(tmp_path, split=False),
        label_column=["norm", "mi"],
        multilabel=True,
        n_folds=3,
        fs=50,
    )
    assert t.multilabel and t.classes == ["norm", "mi"] and t.train.y.dtype == np.float32
    assert t.train.x.shape[-1] == 500
    sides = [set(s.groups) for s in (t.train, t.val, t.test)]
    assert not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])


def test_errors_name_the_manifest_row(tmp_path):
    ds = _manifest(tmp_path)
    with pytest.raises(CrtnetError, match="several label columns"):
        get_task(ds)
    (tmp_path / "sig" / "00002.csv").write_text("not,a\nsignal,file\n")
    with pytest.raises(CrtnetError, match=r"row 3 \(sig/00002.csv\)") as exc:
        get_task(ds, label_column="rhythm")
    assert exc.value.path.endswith("manifest.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("path,split,y\nsig/00001.npz,holdout,a\n")
    with pytest.raises(CrtnetError, match="row 2: split must be"):
        get_task(f"folder:{bad}")
    with pytest.raises(CrtnetError, match="manifest not found"):
        get_task(f"folder:{tmp_path / 'missing.csv'}")


def test_images_go_through_the_digitizer_and_are_cached(tmp_path, monkeypatch):
    """A rendered page is digitized once; a second load reads the cached npz."""
    pytest.importorskip("crtnet.render")
    import crtnet.digitize as dz
    from crtnet.render import RenderConfig, render_page

    rec = read_record(samples.PTBXL / "records500/00000/00001_hr")
    page = render_page(rec, RenderConfig(dpi=100))
    page.save(tmp_path / "img", "p1", formats=("png",))
    (tmp_path / "m.csv").write_text("path,y\nimg/p1.png,NORM\n")
    calls = []
    real = dz.digitize
    monkeypatch.setattr(dz, "digitize", lambda *a, **k: calls.append(1) or real(*a, **k))
    t1 = get_task(f"folder:{tmp_path / 'm.csv'}", fs=100, n_folds=3, cache=False)
    t2 = get_task(f"folder:{tmp_path / 'm.csv'}", fs=100, n_folds=3, cache=False)
    assert calls == [1] and t1.leads == t2.leads
    x = np.concatenate([t1.train.x, t1.val.x, t1.test.x])
    assert x.shape[:2] == (1, 12) and np.isfinite(x).any()
