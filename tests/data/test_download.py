"""`crtnet data download` against a real HTTP server on 127.0.0.1 serving a small mirror."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from functools import partial
from pathlib import Path

import pytest

from crtnet.data.download import download
from crtnet.errors import CrtnetError


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with byte ranges, as PhysioNet's server answers them."""

    ranges: list[str] = []

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        rng = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not rng or not path.is_file():
            return super().do_GET()
        type(self).ranges.append(rng)
        start = int(rng.split("=")[1].split("-")[0])
        data = path.read_bytes()
        if start >= len(data):
            self.send_response(416)
            self.end_headers()
            return
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])


@pytest.fixture
def mirror(tmp_path, sample_dir):
    db = tmp_path / "mirror" / "mitdb" / "1.0.0"
    db.mkdir(parents=True)
    lines = []
    for rec in ("100", "106"):
        for ext in ("hea", "dat", "atr"):
            shutil.copy(sample_dir / f"mitdb/{rec}.{ext}", db / f"{rec}.{ext}")
            digest = hashlib.sha256((db / f"{rec}.{ext}").read_bytes()).hexdigest()
            lines.append(f"{digest} {rec}.{ext}")
    (db / "RECORDS").write_text("100\n106\n")
    lines.append(
        f"{hashlib.sha256(b'100' + bytes([10]) + b'106' + bytes([10])).hexdigest()} RECORDS"
    )
    (db / "SHA256SUMS.txt").write_text("\n".join(lines) + "\n")
    RangeHandler.ranges = []
    handler = partial(RangeHandler, directory=str(tmp_path / "mirror"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", db
    server.shutdown()
    server.server_close()


def test_download_verify_and_skip(mirror, tmp_path):
    url, db = mirror
    root = tmp_path / "data"
    res = download("mitdb", root, base_url=url, progress=False)
    assert res["files"] == 7 and res["downloaded"] == 7
    assert (root / "100.dat").read_bytes() == (db / "100.dat").read_bytes()
    again = download("mitdb", root, base_url=url, progress=False)
    assert again["downloaded"] == 0 and again["skipped"] == 7


def test_resume_from_partial(mirror, tmp_path):
    url, db = mirror
    root = tmp_path / "data"
    full = (db / "106.dat").read_bytes()
    root.mkdir()
    (root / "106.dat.part").write_bytes(full[:12345])
    download("mitdb", root, base_url=url, progress=False, include=["106.*"])
    assert (root / "106.dat").read_bytes() == full
    assert "bytes=12345-" in RangeHandler.ranges
    assert not (root / "100.dat").exists()  # include filter
    assert not list(root.glob("*.part"))


def test_corrupt_mirror_is_rejected(mirror, tmp_path):
    url, db = mirror
    (db / "100.atr").write_bytes(b"tampered")
    with pytest.raises(CrtnetError, match="checksum mismatch") as err:
        download("mitdb", tmp_path / "data", base_url=url, progress=False, workers=1)
    assert "100.atr" in str(err.value)
    assert not (tmp_path / "data" / "100.atr").exists()


def test_offline_gives_clear_error(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(CrtnetError, match="cannot reach the server"):
        download("mitdb", tmp_path, base_url=f"http://127.0.0.1:{port}", progress=False)


def test_unknown_database(tmp_path):
    with pytest.raises(CrtnetError, match="unknown database"):
        download("nope", tmp_path)
