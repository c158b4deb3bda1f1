"""Manifest: real SQLite; one row per input, a success is never undone, pandas reads it."""

from __future__ import annotations

import sqlite3

import pandas as pd

from crtnet.jobs import JobResult, Manifest


def _res(inp, status, outputs=(), error=None):
    return JobResult(inp, "digitize", status, list(outputs), None, error, 0.5, {"crtnet": "0.1.0"})


def test_resume_and_exactly_one_success(tmp_path):
    db = tmp_path / "m.sqlite"
    with Manifest(db) as m:
        assert m.add([f"f{i}.png" for i in range(5)], "digitize") == 5
        assert m.add(["f0.png", "f9.png"], "digitize") == 1
        m.mark_running(["f0.png", "f1.png"], worker="w1")
        m.record(_res("f0.png", "ok", ["out/f0.hea"]))
        m.record(_res("f2.png", "failed", error="f2.png: not an ECG"))
    # a new process (here: a new connection) resumes: f1 was interrupted while running
    with Manifest(db) as m:
        assert m.todo() == ["f1.png", "f3.png", "f4.png", "f9.png"]
        assert "f2.png" in m.todo(retry_failed=True)
        # a rerun of a lost task fails this time: the first success stays
        m.record(_res("f0.png", "failed", error="boom"))
        m.record(_res("f0.png", "ok", ["out/f0-again.hea"]))
        row = m.get("f0.png")
        assert row["status"] == "ok" and row["outputs"] == ["out/f0.hea"]
        assert row["crtnet_version"] == "0.1.0"
        assert m.counts() == {"pending": 3, "running": 1, "ok": 1, "failed": 1}
    df = pd.read_sql("select * from inputs", sqlite3.connect(db))
    assert len(df) == 6 and df["input"].is_unique
    assert (df["status"] == "ok").sum() == 1
