"""Archive batches on a real local Dask cluster of 2 workers: kills, resumes, exactly once.

These run the real CLI in a subprocess (its own session, so leftovers can be cleaned up),
watch the real SQLite manifest, and SIGKILL real processes.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from PIL import Image

from crtnet.batch import iter_inputs, shard_of
from crtnet.io import read_record
from crtnet.jobs import Manifest
from crtnet.render import RenderConfig, render_page

N_PAGES = 6


@pytest.fixture(scope="module")
def archive(tmp_path_factory, sample_dir):
    """A small tree of pages, two of them in sub-folders with the same file name."""
    rec = read_record(sample_dir / "ptbxl" / "records500" / "00000" / "00008_hr")
    img = Image.fromarray(render_page(rec, RenderConfig(layout="3x4+II", dpi=100)).image)
    root = tmp_path_factory.mktemp("archive")
    for i in range(N_PAGES):
        d = root / f"ward{i % 2}" / f"day{i // 4}"
        d.mkdir(parents=True, exist_ok=True)
        img.save(d / f"page{i % 4}.png")
    (root / "ward0" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    return root


def _start(args, out):
    cmd = [sys.executable, "-m", "crtnet.cli.main", "digitize", *args, "--out", str(out)]
    cmd += ["--dask", "--workers", "2", "--chunk", "1", "--time-limit", "120"]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )


def _ok_rows(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as c:
            return c.execute("SELECT COUNT(*) FROM inputs WHERE status='ok'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _wait_ok(db: Path, n: int, proc, timeout=120) -> None:
    deadline = time.monotonic() + timeout
    while _ok_rows(db) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.2)


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _check_exactly_once(root: Path, out: Path) -> None:
    inputs = list(iter_inputs([root], "digitize"))
    assert len(inputs) == N_PAGES + 1
    with Manifest(out / "manifest.sqlite") as m:
        rows = {r["input"]: r for r in m.rows()}
    assert set(rows) == set(inputs)  # one row per input
    assert rows[str(root / "ward0" / "broken.png")]["status"] == "failed"
    good = [i for i in inputs if not i.endswith("broken.png")]
    assert all(rows[i]["status"] == "ok" for i in good)
    heas = sorted(out.rglob("*.hea"))
    assert len(heas) == N_PAGES  # every output exactly once
    for inp in good:
        folder, name = shard_of(out, inp)
        assert (folder / f"{name}.hea").exists() and (folder / f"{name}.json").exists()
        assert rows[inp]["outputs"] == [
            str(folder / f"{name}{e}") for e in (".dat", ".hea", ".json")
        ]
    leftovers = [p for p in out.rglob(".*")]
    assert not leftovers, leftovers


def test_worker_killed_mid_run_still_completes(archive, tmp_path):
    out = tmp_path / "out"
    proc = _start([str(archive)], out)
    try:
        _wait_ok(out / "manifest.sqlite", 2, proc)
        kids = psutil.Process(proc.pid).children()
        workers = [k for k in kids if "spawn_main" in " ".join(k.cmdline())]
        assert len(workers) == 2, [k.cmdline() for k in kids]
        workers[0].kill()  # SIGKILL one Dask worker while it is working
        stdout, stderr = proc.communicate(timeout=240)
    finally:
        _kill_group(proc)
    assert proc.returncode == 1, stderr.decode()  # the broken page failed, nothing else
    assert f"digitize: ok {N_PAGES}, failed 1, pending 0" in stdout.decode()
    _check_exactly_once(archive, out)


def test_client_sigkilled_then_rerun_resumes(archive, tmp_path):
    out = tmp_path / "out"
    lst = tmp_path / "inputs.txt"
    lst.write_text("\n".join(iter_inputs([archive], "digitize")) + "\n")
    proc = _start(["--list", str(lst)], out)
    try:
        _wait_ok(out / "manifest.sqlite", 3, proc)
        proc.send_signal(signal.SIGKILL)  # the client, nothing else
        proc.wait(timeout=30)
    finally:
        time.sleep(0.5)
        _kill_group(proc)  # its orphaned local workers
    with Manifest(out / "manifest.sqlite") as m:
        first = {r["input"]: r["finished"] for r in m.rows("ok")}
        assert 3 <= len(first) < N_PAGES
    proc = _start(["--list", str(lst)], out)
    try:
        stdout, stderr = proc.communicate(timeout=240)
    finally:
        _kill_group(proc)
    assert f"digitize: ok {N_PAGES}, failed 1, pending 0" in stdout.decode(), stderr.decode()
    _check_exactly_once(archive, out)
    with Manifest(out / "manifest.sqlite") as m:  # what was done was not redone
        assert all(m.get(i)["finished"] == t for i, t in first.items())


def test_shards_and_lists(tmp_path):
    (tmp_path / "a").mkdir()
    lst = tmp_path / "l.txt"
    lst.write_text("# archive\n\nx/1.png\n/abs/2.pdf\n")
    assert list(iter_inputs([], "digitize", [lst])) == [str(tmp_path / "x/1.png"), "/abs/2.pdf"]
    f1, n1 = shard_of(tmp_path, "/a/1.png")
    f2, n2 = shard_of(tmp_path, "/b/1.png")
    assert (f1, n1) != (f2, n2) and f1.parent.parent == tmp_path
    assert shard_of(tmp_path, "/a/my ecg.png")[1].startswith("my_ecg-")
    shutil.rmtree(tmp_path / "a")


def test_predict_chunk_on_the_worker_side_and_its_rerun(tmp_path, sample_dir):
    """The task body Dask runs, called directly: outputs by shard, then found done."""
    from crtnet.batch.archive import process_chunk

    good = str(sample_dir / "ptbxl" / "records100" / "00000" / "00001_lr.hea")
    bad = tmp_path / "bad.csv"
    bad.write_text("x\n")
    args = ("predict", str(tmp_path / "out"), {}, 120.0, True, str(tmp_path / "logs"))
    first = process_chunk([good, str(bad)], *args)
    assert [r["status"] for r in first] == ["ok", "failed"]
    assert first[1]["error"] == f"{bad}: CSV holds no samples"
    folder, name = shard_of(tmp_path / "out", good)
    assert first[0]["outputs"] == [str(folder / f"{name}.json")]
    mtime = (folder / f"{name}.json").stat().st_mtime_ns
    again = process_chunk([good], *args)[0]  # a rerun of the task: found, not redone
    assert (
        again["status"] == "ok" and again["result"]["predicted"] == first[0]["result"]["predicted"]
    )
    assert (folder / f"{name}.json").stat().st_mtime_ns == mtime
