"""Issue 13: one strange file never ends a batch; --json is one JSON document; exit codes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import wfdb
from PIL import Image

from crtnet.cli.main import main
from crtnet.io import read_record
from crtnet.render import RenderConfig, render_page


@pytest.fixture(scope="module")
def page_png(tmp_path_factory, sample_dir):
    rec = read_record(sample_dir / "ptbxl" / "records500" / "00000" / "00008_hr")
    p = tmp_path_factory.mktemp("page") / "page.png"
    Image.fromarray(render_page(rec, RenderConfig(layout="3x4+II", dpi=100)).image).save(p)
    return p


@pytest.fixture
def hostile(tmp_path):
    """Files that used to give tracebacks or hangs, each now a clean error."""
    d = tmp_path / "hostile"
    d.mkdir()
    np.savez(d / "fs.npz", signal=np.zeros((2, 100)), fs=np.array([1.0, 2.0]))
    np.savez(d / "empty.npz", signal=np.zeros((12, 0)), fs=np.float64(500))
    (d / "folder.csv").mkdir()
    os.mkfifo(d / "fifo.csv")
    return d


def test_item1_odd_names_give_readable_wfdb(tmp_path, page_png, capsys):
    names = ["my ecg.png", "écg_心电图.png", "new\nline.png"]
    srcs = []
    for n in names:
        shutil.copy(page_png, tmp_path / n)
        srcs.append(str(tmp_path / n))
    out = tmp_path / "out"
    assert main(["digitize", *srcs, "--out", str(out)]) == 0
    heas = sorted(out.glob("*.hea"))
    assert len(heas) == 3
    for hea in heas:
        assert wfdb.rdheader(str(hea.with_suffix(""))).n_sig == 12
        side = json.loads(hea.with_suffix(".json").read_text())
        assert side["input"] in srcs
    capsys.readouterr()
    assert main(["info", *map(str, heas), "--json"]) == 0
    assert [d["n_leads"] for d in json.loads(capsys.readouterr().out)] == [12, 12, 12]
    # a rerun finds them done
    assert main(["digitize", *srcs, "--out", str(out)]) == 0
    assert "skipped (done) 3" in capsys.readouterr().out


def test_item6_info_json_survives_a_bug_in_one_file(
    tmp_path, sample_dir, hostile, monkeypatch, capsys
):
    import crtnet.io as cio

    real = cio.read_record
    good = sample_dir / "mitdb" / "100.hea"
    buggy = tmp_path / "buggy.csv"
    buggy.write_text("time,I\n0,1\n")

    def read(path, **kw):
        if str(path) == str(buggy):
            raise KeyError("a bug in a reader")
        return real(path, **kw)

    monkeypatch.setattr(cio, "read_record", read)
    monkeypatch.setenv("CRTNET_LOG_DIR", str(tmp_path / "logs"))
    files = [good, buggy, *sorted(hostile.iterdir())]
    code = main(["info", *map(str, files), "--json"])
    cap = capsys.readouterr()
    data = json.loads(cap.out)  # one valid document
    assert code == 1 and len(data) == len(files)
    errors = {d["path"]: d["error"] for d in data if "error" in d}
    assert set(errors) == {str(f) for f in files[1:]}
    assert "internal error (KeyError; traceback in" in errors[str(buggy)]
    assert "Traceback" not in cap.err
    assert "a bug in a reader" in (tmp_path / "logs" / "errors.log").read_text()


def test_item6_predict_folder_json(tmp_path, sample_dir, hostile, capsys):
    for ext in ("hea", "dat"):
        shutil.copy(sample_dir / f"ptbxl/records100/00000/00001_lr.{ext}", hostile)
    np.savez(hostile / "slow.npz", signal=np.zeros((1, 100), np.float32), fs=np.float64(10))
    code = main(["predict", str(hostile), "--json"])
    cap = capsys.readouterr()
    res = json.loads(cap.out)
    assert code == 1
    by = {os.path.basename(r["input"]): r for r in res}
    assert by["00001_lr.hea"]["error"] is None and by["00001_lr.hea"]["probabilities"]
    assert "too low to analyse" in by["slow.npz"]["error"]  # item 8
    assert by["fs.npz"]["error"] and by["empty.npz"]["error"]
    assert "Traceback" not in cap.err


def test_item6_render_workers_summary(tmp_path, sample_dir, hostile, capsys):
    good = sample_dir / "ptbxl" / "records100" / "00000" / "00010_lr.hea"
    files = [good, *sorted(hostile.glob("*.npz")), hostile / "fifo.csv"]
    out = tmp_path / "out"
    code = main(["render", *map(str, files), "--out", str(out), "--dpi", "100", "--workers", "2"])
    cap = capsys.readouterr()
    summary = json.loads(cap.out)
    assert code == 1 and summary["pages_written"] == 1 and len(summary["failed"]) == 3
    assert "Traceback" not in cap.err and (out / "00010_lr.json").exists()


def test_render_worker_turns_a_bug_into_its_line(tmp_path, monkeypatch):
    import crtnet.render.batch as rb
    from crtnet.cli.render import _work

    def broken(*a, **k):
        raise IndexError("bug")

    monkeypatch.setattr(rb, "render_file", broken)
    monkeypatch.setenv("CRTNET_LOG_DIR", str(tmp_path))
    path, res, err = _work(("x.hea", tmp_path, None, {}))
    assert res is None and err.startswith("x.hea: internal error (IndexError")


@pytest.mark.parametrize("cmd", ["digitize", "render"])
def test_item7_and_13_out_is_a_file_and_empty_folder(tmp_path, cmd, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("x")
    assert main([cmd, str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no " in err[0] and "found" in err[0]
    assert main([cmd, str(tmp_path / "empty"), "--out", str(tmp_path / "file")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    msg = "--out must be a folder, but a file of that name exists"
    assert err == [f"crtnet: error: {tmp_path / 'file'}: {msg}"]


def test_item16_sigterm_leaves_no_temp_and_no_half_page(tmp_path, sample_dir):
    recs = sorted((sample_dir / "ptbxl" / "records500" / "00000").glob("*.hea"))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "crtnet.cli.main", "render", *map(str, recs * 4)]
    cmd += ["--out", str(out), "--dpi", "300", "--format", "png,pdf", "--overwrite"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.glob("*.json")):
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert b"Traceback" not in err
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    for png in out.glob("*.png"):
        assert png.with_suffix(".json").exists(), png


def test_stale_temp_of_a_killed_run_is_swept(tmp_path):
    from crtnet.io import atomic

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".crtnet-{atomic._HOST}-{dead.pid}-abc"
    stale.mkdir()
    (stale / "x.dat").write_bytes(b"half")
    part = tmp_path / f".x.png.crtnet-{atomic._HOST}-{dead.pid}-q.part"
    part.write_bytes(b"half")
    mine = tmp_path / f".crtnet-{atomic._HOST}-{os.getpid()}-live"
    mine.mkdir()
    with atomic.atomic_path(tmp_path / "x.txt") as tmp:
        tmp.write_text("ok")
    assert not stale.exists() and not part.exists() and mine.exists()
