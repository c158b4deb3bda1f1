"""Cache hits, data roots and errors, and ``crtnet data summary --json``."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from crtnet import samples
from crtnet.cli.main import main
from crtnet.data import cache
from crtnet.data.tasks import get_task
from crtnet.errors import CrtnetError


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CRTNET_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CRTNET_DATA", raising=False)


def test_cache_hit_is_identical_memmapped_and_faster(tmp_path):
    t0 = time.perf_counter()
    a = get_task("mitdb", root=samples.MITDB, protocol="intra", fs=180)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    b = get_task("mitdb", root=samples.MITDB, protocol="intra", fs=180)
    warm = time.perf_counter() - t0
    assert isinstance(b.train.x, np.memmap) and warm < cold / 5
    for s in ("train", "val", "test"):
        for k in ("x", "y", "groups", "ids", "aux"):
            np.testing.assert_array_equal(getattr(getattr(a, s), k), getattr(getattr(b, s), k))
    assert a.protocol == b.protocol and a.classes == b.classes
    c = get_task("mitdb", root=samples.MITDB, protocol="intra", fs=180, seed=3)
    assert not np.array_equal(c.train.ids, a.train.ids)  # seed is part of the key
    assert not list((tmp_path / "cache").rglob(".*"))  # no temporary entries left


def test_cache_key_changes_with_options():
    k = cache.cache_key({"a": 1, "b": [1, 2]})
    assert k == cache.cache_key({"b": [1, 2], "a": 1})
    assert k != cache.cache_key({"a": 1, "b": [1, 3]})


def test_roots_explicit_env_default(tmp_path, monkeypatch):
    with pytest.raises(CrtnetError, match="does not exist; run `crtnet data download mitdb"):
        get_task("mitdb", root=tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CrtnetError, match="no RECORDS file") as exc:
        get_task("mitdb", root=tmp_path / "empty")
    assert exc.value.path.endswith("empty")
    with pytest.raises(CrtnetError, match="no ptbxl_database.csv"):
        get_task("ptbxl", root=[samples.PTBXL, tmp_path / "empty"])
    assert cache.default_root("mitdb") == tmp_path / "cache" / "data" / "mitdb"
    monkeypatch.setenv("CRTNET_DATA", str(samples.ROOT))
    assert cache.resolve_roots("mitdb", None, "RECORDS") == [samples.MITDB.resolve()]
    with pytest.raises(CrtnetError, match="unknown dataset"):
        get_task("nosuch")
    with pytest.raises(CrtnetError, match="unknown mitdb protocol"):
        get_task("mitdb", protocol="cv")


def test_cli_summary_json_mitdb(capsys):
    assert main(["data", "summary", "mitdb", "--root", str(samples.MITDB), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["DS1"]) == set(out["DS2"]) == {"N", "S", "V", "F", "Q"}
    assert out["totals"]["DS1"] == sum(out["DS1"].values()) > 0  # records 106, 208
    assert out["DS2"]["N"] > 0 and out["n_records"] == 4


def test_cli_summary_ptbxl_folder_and_errors(tmp_path, capsys):
    assert main(["data", "summary", "ptbxl", "--root", str(samples.PTBXL), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_records"] == 16 and set(out["superdiagnostic"]) == {
        "NORM",
        "MI",
        "STTC",
        "CD",
        "HYP",
    }
    assert sum(out["folds"].values()) == 16
    m = tmp_path / "m.csv"
    m.write_text("path,patient_id,y\nrecords100/00000/00001_lr,1,a\nx,2,b\n")
    assert main(["data", "summary", f"folder:{m}", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["classes"] == {"a": 1, "b": 1}
    assert main(["data", "summary", "mitdb", "--root", str(tmp_path / "no")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("crtnet: error: ") and "download" in err[0]
    for cmd in (["data", "--help"], ["data", "summary", "--help"], ["data", "download", "--help"]):
        assert main(cmd) == 0
