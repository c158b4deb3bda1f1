"""Against a real ``crtnet serve`` process on 127.0.0.1: HTTP, the CLI, and a bounded load test."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx


def test_healthz_and_one_upload(server, wfdb_pair):
    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    r = httpx.post(f"{server.url}/api/analyses", files=wfdb_pair, timeout=120)
    assert r.status_code == 200, r.text
    assert r.json()["measurements"]["heart_rate_bpm"] > 0
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 200 and "not a medical device" in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # nothing from a CDN


def test_forty_concurrent_uploads_are_all_answered(server, csv_bytes):
    """2 workers + 2 waiting: the rest get 503 at once; every 200 is stored; server lives."""
    url = f"{server.url}/api/analyses"
    before = {a["id"] for a in httpx.get(url).json()["analyses"]}

    def one(i: int) -> tuple[int, str | None]:
        r = httpx.post(url, files={"file": (f"load{i}.csv", csv_bytes)}, timeout=180)
        return r.status_code, r.json().get("id")

    with ThreadPoolExecutor(40) as ex:
        answers = list(ex.map(one, range(40)))
    codes = [c for c, _ in answers]
    assert set(codes) <= {200, 503}, codes
    assert 0 < codes.count(200) and 0 < codes.count(503)
    assert server.alive()
    listed = {a["id"]: a for a in httpx.get(url).json()["analyses"]}
    new = {i: a for i, a in listed.items() if i not in before}
    ok_ids = {aid for c, aid in answers if c == 200}
    assert set(new) == ok_ids  # nothing lost, nothing half-stored from the 503s
    assert all(a["status"] == "ok" for a in new.values())
    assert httpx.get(f"{server.url}/healthz").json()["inflight"] == 0


def test_serve_refuses_an_open_host_without_token(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "crtnet.cli.main",
            "serve",
            "--host",
            "0.0.0.0",
            "--data",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1
    assert r.stderr.startswith("crtnet: error:") and "--token" in r.stderr
    assert "Traceback" not in r.stderr
