"""Issue 13: hostile signal files end in one clear CrtnetError, decided before loading."""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
import time
import zipfile

import numpy as np
import pytest
import scipy.io

from crtnet.errors import CrtnetError
from crtnet.io import read_record
from crtnet.io.record import Record


def _npz(path, **arrays):
    np.savez(path, **arrays)
    return path


def _sig(n=2, t=1000):
    return np.zeros((n, t), np.float32)


# --- item 2: npz and npy -------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, match",
    [
        ({"fs": np.array([500.0, 250.0])}, "'fs' must be a scalar or short array"),
        ({"fs": np.array("abc")}, "'fs' must be one number"),
        ({"meta": np.array(json.dumps([1, 2]))}, "'meta' must be a JSON object"),
        ({"meta": np.array(json.dumps({"labels": 7}))}, "'meta.labels' must be a list"),
        ({"meta": np.array("{not json")}, "unreadable npz"),
        ({"signal": np.ones((2, 5), complex)}, "real numeric"),
    ],
)
def test_npz_odd_metadata(tmp_path, extra, match):
    arrays = {"signal": _sig(), "fs": np.float64(500), **extra}
    with pytest.raises(CrtnetError, match=match) as err:
        read_record(_npz(tmp_path / "x.npz", **arrays))
    assert "x.npz" in str(err.value)


def test_npy_header_declaring_absurd_shape_is_refused_before_allocation(tmp_path):
    p = tmp_path / "huge.npz"
    hdr = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        hdr, {"descr": "<f4", "fortran_order": False, "shape": (12, 10**11)}
    )
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("signal.npy", b"\x93NUMPY\x01\x00" + hdr.getvalue()[8:] + b"\0" * 64)
        buf = io.BytesIO()
        np.save(buf, np.float64(500))
        zf.writestr("fs.npy", buf.getvalue())
    with pytest.raises(CrtnetError, match="over the cap") as err:
        read_record(p)
    assert "12 leads x 100000000000 samples" in str(err.value)


# --- item 3: challenge .mat ----------------------------------------------------------


def _challenge(tmp_path, val):
    (tmp_path / "c.hea").write_text(
        "c 2 500 4\nc.mat 16+24 1000/mV 16 0 0 0 0 I\nc.mat 16+24 1000/mV 16 0 0 0 0 II\n"
    )
    scipy.io.savemat(tmp_path / "c.mat", {"val": val})
    return tmp_path / "c.hea"


@pytest.mark.parametrize(
    "val",
    [
        "some text",
        np.array([[np.zeros(4)], [np.zeros(4)]], dtype=object),  # a cell
        {"a": np.zeros((2, 4))},  # a struct
    ],
    ids=["text", "cell", "struct"],
)
def test_challenge_val_not_numeric(tmp_path, val):
    with pytest.raises(CrtnetError, match="'val' must be a numeric matrix") as err:
        read_record(_challenge(tmp_path, val))
    assert "c.mat" in str(err.value)


def test_challenge_val_numeric_still_reads(tmp_path):
    rec = read_record(_challenge(tmp_path, np.arange(8, dtype=np.int16).reshape(2, 4)))
    assert rec.signal.shape == (2, 4)


# --- items 7 and 14: folders and FIFOs named like signal files ----------------------


@pytest.mark.parametrize("name", ["x.csv", "x.hea", "x.npz", "x.mat"])
def test_folder_named_like_a_file(tmp_path, name):
    (tmp_path / name).mkdir()
    with pytest.raises(CrtnetError, match="is a folder"):
        read_record(tmp_path / name)


@pytest.mark.parametrize("name", ["x.csv", "x.hea", "x.npz"])
def test_fifo_does_not_hang(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    out = {}

    def go():
        try:
            read_record(fifo)
        except CrtnetError as exc:
            out["err"] = str(exc)

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():  # unblock the reader so the test process can exit
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO hangs")
    assert "not a regular file" in out["err"]


# --- item 9: WFDB sampling rates ------------------------------------------------------


@pytest.mark.parametrize("fs", ["-500", "nan", "inf", "1e12", "0", "abc"])
def test_wfdb_bad_fs(tmp_path, sample_dir, fs):
    for ext in ("hea", "dat"):
        shutil.copy(sample_dir / f"mitdb/100.{ext}", tmp_path / f"100.{ext}")
    hea = tmp_path / "100.hea"
    lines = hea.read_text().splitlines()
    f = lines[0].split()
    f[2] = fs
    hea.write_text("\n".join([" ".join(f), *lines[1:]]) + "\n")
    with pytest.raises(CrtnetError, match="sampling rate") as err:
        read_record(hea)
    assert "100.hea" in str(err.value)


# --- item 12: empty, infinite, huge, complex signals ----------------------------------


@pytest.mark.parametrize(
    "signal, match",
    [
        (np.zeros((0, 0)), "empty"),
        (np.zeros((12, 0)), "empty"),
        (np.array([[1.0, np.inf]]), "infinite"),
        (np.array([[1.0, 1e40]]), "infinite"),
        (np.array([[1 + 2j, 0]]), "real numbers"),
    ],
)
def test_record_refuses_empty_and_non_finite(signal, match):
    with pytest.raises(CrtnetError, match=match):
        Record(signal=signal, fs=500, leads=[f"ch{i}" for i in range(signal.shape[0])])


def test_empty_and_inf_npz_name_the_file(tmp_path):
    p = _npz(tmp_path / "e.npz", signal=np.zeros((12, 0), np.float32), fs=np.float64(500))
    with pytest.raises(CrtnetError, match="e.npz: signal is empty"):
        read_record(p)
    p = _npz(tmp_path / "i.npz", signal=np.array([[0, np.inf]]), fs=np.float64(500))
    with pytest.raises(CrtnetError, match="i.npz: signal holds infinite"):
        read_record(p)
    (tmp_path / "c.csv").write_text("time,I\n0,1e40\n0.002,0\n")
    with pytest.raises(CrtnetError, match="c.csv: signal holds infinite"):
        read_record(tmp_path / "c.csv")


# --- items 15 and 17: CSV size, columns and messages ----------------------------------


def test_csv_with_100k_columns_is_refused_fast(tmp_path):
    p = tmp_path / "wide.csv"
    p.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("1" * 100_000) + "\n")
    t0 = time.perf_counter()
    with pytest.raises(CrtnetError, match="100000 columns, over the cap of 64"):
        read_record(p, fs=500)
    assert time.perf_counter() - t0 < 2


def test_long_csv_is_refused_from_its_size_before_loading(tmp_path, monkeypatch):
    monkeypatch.setenv("CRTNET_MAX_SAMPLES", "100000")  # the same check as 10 M rows at 64 M
    p = tmp_path / "long.csv"
    row = ",".join(["0.123"] * 12) + "\n"
    p.write_text("I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6\n" + row * 200_000)
    t0 = time.perf_counter()
    with pytest.raises(CrtnetError, match=r"about 200,\d{3} rows x 12 columns, over the cap"):
        read_record(p, fs=500)
    assert time.perf_counter() - t0 < 2


def test_npz_bomb_refused_from_header(tmp_path, monkeypatch):
    monkeypatch.setenv("CRTNET_MAX_SAMPLES", "1000000")
    p = tmp_path / "bomb.npz"
    np.savez_compressed(p, signal=np.zeros((12, 200_000), np.float32), fs=np.float64(500))
    assert p.stat().st_size < 100_000  # tiny on disk, 9.6 MB inflated
    with pytest.raises(CrtnetError, match="12 leads x 200000 samples, over the cap"):
        read_record(p)


def test_csv_messages(tmp_path):
    (tmp_path / "dup.csv").write_text("time,I,II,II\n0,1,2,3\n0.002,1,2,3\n")
    with pytest.raises(CrtnetError, match="duplicate column name 'II'"):
        read_record(tmp_path / "dup.csv")
    (tmp_path / "semi.csv").write_text("time;I;II\n0;1,5;2\n0.002;1;2\n")
    with pytest.raises(CrtnetError, match="uses ';' as separator"):
        read_record(tmp_path / "semi.csv")
