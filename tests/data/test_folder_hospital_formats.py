"""A training manifest may list hospital-format files (Philips XML, SCP-ECG, DICOM)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from pydicom.data import get_testdata_file

from crtnet.data.tasks import get_task
from crtnet.io import read_record

FIX = Path(__file__).resolve().parents[1] / "fixtures/formats"


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CRTNET_CACHE", str(tmp_path / "cache"))


def test_manifest_of_hospital_files(tmp_path):
    files = [
        FIX / "philips_129DYPRG.XML",
        FIX / "scp_ANON000004.SCP",
        Path(get_testdata_file("waveform_ecg.dcm")),
    ]
    rows = ["path,split,label"]
    for k, split in enumerate(["train", "train", "val", "test", "train", "train"]):
        src = files[k % 3]
        dst = tmp_path / f"ecg{k}{src.suffix}"
        shutil.copy(src, dst)
        rows.append(f"{dst.name},{split},{'AB' if k % 2 else 'N'}")
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n")
    t = get_task(f"folder:{tmp_path / 'm.csv'}", label_column="label", fs=100)
    assert (len(t.train.y), len(t.val.y), len(t.test.y)) == (4, 1, 1)
    assert t.train.x.shape[1] == 12 and t.fs == 100  # window: the first record's 10.7 s
    assert t.train.x.shape[2] == t.val.x.shape[2] == t.test.x.shape[2] >= 1000
    first_10s = t.train.x[:, :, :1000]  # shorter records are NaN-padded to the window
    assert np.isfinite(first_10s).all() and np.abs(first_10s).max() > 0.3
    dicom = read_record(files[2]).resample(100)  # ecg2 is the validation record
    r = np.corrcoef(t.val.x[0, 1, :1000], dicom.lead("II")[:1000])[0, 1]
    assert r > 0.95
