"""API tests against the app in-process (real pool, real SQLite, real files)."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from fastapi.testclient import TestClient

from crtnet import samples
from crtnet.errors import CrtnetError
from crtnet.serve import ServeConfig, create_app

PREDICT_KEYS = {"input", "model", "classes", "probabilities", "predicted", "quality", "error"}
MEASURES = {"heart_rate_bpm", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms", "qtc_fridericia_ms"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def client(data_dir):
    app = create_app(ServeConfig(data=data_dir, workers=1, max_upload_mb=2, time_limit_s=60))
    with TestClient(app) as c:
        yield c


def test_signal_upload_gives_the_predict_object_and_measurements(client, wfdb_pair, data_dir):
    r = client.post("/api/analyses", files=wfdb_pair)
    assert r.status_code == 200, r.text
    a = r.json()
    assert PREDICT_KEYS <= set(a) and a["error"] is None and a["status"] == "ok"
    assert a["input"] == "00001_lr.hea" and a["predicted"]
    assert MEASURES <= set(a["measurements"]) and 40 < a["measurements"]["heart_rate_bpm"] < 120
    assert "not a medical device" in a["notice"]
    # the same object on GET, and in the list
    assert client.get(f"/api/analyses/{a['id']}").json()["probabilities"] == a["probabilities"]
    assert a["id"] in [x["id"] for x in client.get("/api/analyses").json()["analyses"]]
    # stored under server-chosen names only
    stored = sorted(p.name for p in (data_dir / "analyses" / a["id"] / "input").iterdir())
    assert stored == ["rec.dat", "rec.hea"]


def test_challenge_pair_and_npz(client, tmp_path):
    from crtnet.io import read_record, write_record

    base = samples.CINC2021 / "E07500"
    pair = [
        ("file", ("E07500.hea", (base.with_suffix(".hea")).read_bytes())),
        ("file", ("E07500.mat", (base.with_suffix(".mat")).read_bytes())),
    ]
    r = client.post("/api/analyses", files=pair)
    assert r.status_code == 200, r.text
    assert r.json()["quality"]["source"] == "signal"
    rec = read_record(samples.PTBXL / "records100/00000/00001_lr")
    npz = write_record(rec, tmp_path / "x.npz").read_bytes()
    r = client.post("/api/analyses", files={"file": ("x.npz", npz)})
    assert r.status_code == 200, r.text


def test_downloads(client, csv_bytes):
    a = client.post("/api/analyses", files={"file": ("x.csv", csv_bytes)}).json()
    rep = client.get(a["files"]["report"])
    assert rep.status_code == 200 and "not a medical device" in rep.text
    assert "Measurements" in rep.text
    csv = client.get(a["files"]["csv"])
    assert csv.status_code == 200 and csv.text.splitlines()[0].count(",") >= 12
    wf = client.get(a["files"]["wfdb"])
    names = zipfile.ZipFile(io.BytesIO(wf.content)).namelist()
    assert sorted(names) == ["x.dat", "x.hea"]
    sig = client.get(a["files"]["signal"]).json()
    assert len(sig["leads"]) == 12 and len(sig["signal"][0]) == int(sig["fs"] * 10)
    assert client.get(f"/api/analyses/{a['id']}/files/../../crtnet.sqlite").status_code == 404
    assert client.get(f"/api/analyses/{a['id']}/files/secrets").status_code == 404


def test_pdf_page_reads_with_overlay(client):
    pdf = (samples.ROOT / "pages/ptbxl-00009-3x4.pdf").read_bytes()
    r = client.post("/api/analyses", files={"file": ("page.pdf", pdf, "application/pdf")})
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["quality"]["source"] == "digitized" and a["predicted"] == ["NORM"]
    assert client.get(a["files"]["overlay"]).headers["content-type"] == "image/jpeg"


def test_413_when_too_big_and_nothing_kept(client, data_dir):
    before = len(client.get("/api/analyses").json()["analyses"])
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * 2**20)
    r = client.post("/api/analyses", files={"file": ("big.png", big)})
    assert r.status_code == 413 and "limit of 2 MB" in r.json()["detail"]
    assert len(client.get("/api/analyses").json()["analyses"]) == before
    assert list((data_dir / "tmp").iterdir()) == []


def test_413_without_content_length(client):
    """A chunked body (no Content-Length) is counted while it streams."""

    def chunks():
        yield b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
        for _ in range(64):
            yield b"\0" * 65536

    r = client.post(
        "/api/analyses",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=B"},
    )
    assert r.status_code == 413


def test_415_by_content_not_name(client, csv_bytes):
    r = client.post("/api/analyses", files={"file": ("ecg.png", b"MZ\x90\x00 an exe, really")})
    assert r.status_code == 415 and "not an accepted type" in r.json()["detail"]
    r = client.post("/api/analyses", content=b"x", headers={"content-type": "text/plain"})
    assert r.status_code == 415


def test_422_not_an_ecg_has_the_cli_message(client, noise_png, tmp_path):
    from crtnet.cli.main import main

    r = client.post("/api/analyses", files={"file": ("noise.png", noise_png)})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail.startswith("noise.png: ")
    (tmp_path / "noise.png").write_bytes(noise_png)
    import contextlib

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["predict", str(tmp_path / "noise.png")]) == 1
    assert detail.split(": ", 1)[1] in err.getvalue()
    # a failed analysis is kept (marked failed) and can be deleted
    a = r.json()
    assert a["status"] == "failed" and client.delete(f"/api/analyses/{a['id']}").status_code == 200
    assert client.get(f"/api/analyses/{a['id']}").status_code == 404


def test_hostile_file_names_stay_inert(client, csv_bytes, data_dir):
    name = "../../<img src=x onerror=alert(1)>.csv"
    r = client.post("/api/analyses", files={"file": (name, csv_bytes)})
    assert r.status_code == 200
    a = r.json()
    assert "/" not in a["name"] and ".." not in a["name"]
    rep = client.get(a["files"]["report"]).text
    assert a["name"] == "<img src=x onerror=alert(1)>.csv"  # data, shown with textContent
    assert "<img src=x" not in rep and "&lt;img src=x" in rep
    assert not any(data_dir.parent.glob("*.csv"))
    assert sorted(p.name for p in (data_dir / "analyses" / a["id"] / "input").iterdir()) == [
        "upload.csv"
    ]


def test_zip_becomes_a_batch(client, csv_bytes, wfdb_pair):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.csv", csv_bytes)
        z.writestr("rec/00001_lr.hea", wfdb_pair[0][1][1])
        z.writestr("rec/00001_lr.dat", wfdb_pair[1][1][1])
        z.writestr("readme.txt", b"not an ecg\n")
    r = client.post("/api/analyses", files={"file": ("batch.zip", buf.getvalue())})
    assert r.status_code == 200, r.text
    body = r.json()
    got = sorted((a["name"], a["status"]) for a in body["analyses"])
    assert got == [("00001_lr.hea", "ok"), ("a.csv", "ok"), ("readme.txt", "failed")]
    assert {a["batch"] for a in body["analyses"]} == {body["batch"]}


def test_zip_traversal_and_bomb_via_api(client, csv_bytes):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../x.csv", csv_bytes)
    r = client.post("/api/analyses", files={"file": ("t.zip", buf.getvalue())})
    assert r.status_code == 422 and "outside the archive" in r.json()["detail"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.csv", b"0" * 50_000_000)
    r = client.post("/api/analyses", files={"file": ("bomb.zip", buf.getvalue())})
    assert r.status_code == 422 and "unpacks to more than" in r.json()["detail"]


def test_token_required_when_set(tmp_path, csv_bytes):
    app = create_app(ServeConfig(data=tmp_path, workers=1, token="s3cret"))
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/").status_code == 200  # the page shell holds no data; it asks
        assert c.get("/api/analyses").status_code == 401
        assert c.post("/api/analyses", files={"file": ("x.csv", csv_bytes)}).status_code == 401
        bad = {"Authorization": "Bearer nope"}
        assert c.get("/api/analyses", headers=bad).status_code == 401
        assert c.get("/openapi.json").status_code == 401
        ok = {"Authorization": "Bearer s3cret"}
        assert c.get("/api/analyses", headers=ok).status_code == 200
        assert c.get("/openapi.json", headers=ok).json()["paths"]["/api/analyses"]


def test_non_loopback_host_needs_a_token(tmp_path):
    with pytest.raises(CrtnetError, match="--token"):
        create_app(ServeConfig(data=tmp_path, host="0.0.0.0"))
    create_app(ServeConfig(data=tmp_path, host="0.0.0.0", token="t"))  # fine with one


def test_time_limit_kills_the_job_and_marks_it_failed(tmp_path, csv_bytes):
    app = create_app(ServeConfig(data=tmp_path, workers=1, time_limit_s=0.3))
    with TestClient(app) as c:
        t0 = time.monotonic()
        r = c.post("/api/analyses", files={"file": ("slow.csv", csv_bytes)})
        assert time.monotonic() - t0 < 20
        assert r.status_code == 504 and "timed out after 0.3 s" in r.json()["detail"]
        (a,) = c.get("/api/analyses").json()["analyses"]
        assert a["status"] == "failed"


def test_analyses_survive_a_restart_and_retention_deletes_old_ones(tmp_path, csv_bytes):
    cfg = ServeConfig(data=tmp_path, workers=1)
    with TestClient(create_app(cfg)) as c:
        aid = c.post("/api/analyses", files={"file": ("x.csv", csv_bytes)}).json()["id"]
    with TestClient(create_app(cfg)) as c:
        assert c.get(f"/api/analyses/{aid}").json()["status"] == "ok"
    from crtnet.serve.store import Store

    store = Store(tmp_path)
    store._db.execute("UPDATE analyses SET created = created - 40 * 86400")
    assert store.purge(30) == 1
    assert not (tmp_path / "analyses" / aid).exists()
    store.close()
