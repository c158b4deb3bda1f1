"""Fixtures for the server tests: small real uploads, an in-process app, a real process."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crtnet import samples


@pytest.fixture(scope="session")
def csv_bytes(tmp_path_factory) -> bytes:
    """A real 12-lead record (PTB-XL 00001 at 100 Hz) as CSV: quick to analyse."""
    from crtnet.io import read_record, write_record

    rec = read_record(samples.PTBXL / "records100/00000/00001_lr")
    path = write_record(rec, tmp_path_factory.mktemp("csv") / "00001_lr.csv")
    return path.read_bytes()


@pytest.fixture(scope="session")
def wfdb_pair() -> list[tuple[str, tuple[str, bytes]]]:
    base = samples.PTBXL / "records100/00000/00001_lr"
    return [
        ("file", ("00001_lr.hea", Path(f"{base}.hea").read_bytes())),
        ("file", ("00001_lr.dat", Path(f"{base}.dat").read_bytes())),
    ]


@pytest.fixture(scope="session")
def noise_png() -> bytes:
    """A real PNG that is not an ECG (seeded noise)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data: Path, *extra: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cli = [sys.executable, "-m", "crtnet.cli.main", "serve", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [*cli, "--data", str(data), *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"crtnet serve exited: {self.proc.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("crtnet serve did not start within 60 s")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real ``crtnet serve`` on 127.0.0.1: 2 workers, 2 waiting jobs at most."""
    srv = Server(tmp_path_factory.mktemp("serve-data"), "--workers", "2", "--queue", "2")
    yield srv
    srv.stop()


@pytest.fixture
def make_server():
    """Start extra servers with their own flags; all are stopped after the test."""
    started: list[Server] = []

    def make(data: Path, *extra: str) -> Server:
        started.append(Server(data, *extra))
        return started[-1]

    yield make
    for srv in started:
        srv.stop()
