"""JobPool: real worker processes; a stuck job is killed, a dying worker fails only its job."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from crtnet.jobs import Job, JobPool, execute

HERE = Path(__file__).parent
K = "jobkinds_for_tests"


@pytest.fixture
def importable(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    monkeypatch.syspath_prepend(str(HERE))


def test_time_limit_kills_only_the_stuck_job(importable, tmp_path):
    with JobPool(workers=2, time_limit=3, log_dir=tmp_path) as pool:
        t0 = time.monotonic()
        slow = pool.submit(Job(f"{K}:sleep", "slow", options={"seconds": 60}))
        quick = [pool.submit(Job(f"{K}:sleep", f"q{i}", options={"seconds": 0})) for i in range(4)]
        res = slow.result(timeout=30)
        assert res.status == "failed" and res.error == "slow: timed out after 3 s"
        assert time.monotonic() - t0 < 20
        assert all(f.result(timeout=30).ok for f in quick)
        # the pool keeps working after a kill
        assert pool.submit(Job(f"{K}:sleep", "after")).result(timeout=30).ok


def test_dead_worker_fails_one_job_and_is_replaced(importable, tmp_path):
    with JobPool(workers=1, time_limit=60, log_dir=tmp_path) as pool:
        dead = pool.submit(Job(f"{K}:crash", "x.png"))
        ok = pool.submit(Job(f"{K}:chatty", "y.png"))
        r = dead.result(timeout=60)
        assert r.status == "failed" and "worker process died (exit code 3)" in r.error
        assert ok.result(timeout=60).result == {"ok": True}


def test_bug_becomes_internal_error_with_logged_traceback(importable, tmp_path):
    with JobPool(workers=1, log_dir=tmp_path) as pool:
        r = next(pool.map([Job(f"{K}:boom", "z.csv")]))
    assert r.status == "failed"
    assert r.error.startswith("z.csv: internal error (ZeroDivisionError; traceback in ")
    assert "Traceback" not in r.error
    log = (tmp_path / "errors.log").read_text()
    assert "ZeroDivisionError: bug on purpose" in log and "z.csv" in log


def test_user_error_is_its_line(tmp_path):
    r = execute(Job("predict", str(tmp_path / "missing.csv")), tmp_path)
    assert r.status == "failed"
    assert r.error.startswith(str(tmp_path / "missing.csv") + ": ")
    assert "internal error" not in r.error
    assert r.versions["crtnet"]
    assert not (tmp_path / "errors.log").exists()
    unknown = execute(Job("nope", "a"))
    assert unknown.error == "a: unknown job kind 'nope' (choose digitize, predict)"
