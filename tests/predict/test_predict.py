"""crtnet predict on a PNG, a PDF and a WFDB record: valid probabilities, stable contract."""

from __future__ import annotations

import json

import numpy as np
import pytest

from crtnet.cli.main import main
from crtnet.io import read_record
from crtnet.predict.api import predict
from crtnet.predict.models import bundled_models

KEYS = {
    "input",
    "model",
    "classes",
    "probabilities",
    "predicted",
    "thresholds",
    "quality",
    "rhythm",
    "cart",
    "measurements",
    "error",
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory, sample_dir):
    from crtnet.render import RenderConfig, render_page

    out = tmp_path_factory.mktemp("pages")
    rec = read_record(sample_dir / "ptbxl/records500/00000/00008_hr")
    render_page(rec, RenderConfig(layout="3x4+II")).save(out, "p", ("png", "pdf"))
    return out


def _check(res: dict) -> None:
    assert set(res) == KEYS
    assert res["error"] is None, res["error"]
    probs = np.array([res["probabilities"][c] for c in res["classes"]], dtype=float)
    assert np.all((probs >= 0) & (probs <= 1))
    assert set(res["predicted"]) <= set(res["classes"])
    if res["thresholds"] is None:  # softmax head: a distribution
        assert probs.sum() == pytest.approx(1.0, abs=1e-3)


def test_bundled_models_present():
    assert "ptbxl-superdiagnostic" in bundled_models()


def test_predict_png_pdf_wfdb(pages, sample_dir, capsys):
    inputs = [pages / "p.png", pages / "p.pdf", sample_dir / "ptbxl/records500/00000/00008_hr"]
    assert main(["predict", *map(str, inputs), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["input"] for r in results] == [str(p) for p in inputs]
    for res in results:
        _check(res)
    assert results[0]["quality"]["source"] == "digitized"
    assert results[0]["quality"]["digitization_confidence"] > 0.5
    assert results[2]["quality"]["source"] == "signal"
    # the printout's lead II strip gives the same heart rate as the recorded signal
    hr = [r["rhythm"]["heart_rate_bpm"] for r in results]
    assert abs(hr[0] - hr[2]) < 2 and abs(hr[1] - hr[2]) < 2
    assert 60 < results[2]["rhythm"]["heart_rate_bpm"] < 90


def test_beat_model_softmax(sample_dir):
    if "mitdb-beats" not in bundled_models():
        pytest.skip("beat model not bundled")
    res = predict([sample_dir / "mitdb/208"])[0]
    _check(res)
    assert res["rhythm"]["beat_counts"]["V"] > 0  # record 208 has ~990 PVCs
    assert len(res["rhythm"]["beat_labels"]) == res["rhythm"]["n_beats"]


def test_batch_with_bad_files(tmp_path, sample_dir, capsys):
    (tmp_path / "blank.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # truncated PNG
    (tmp_path / "x.csv").write_text("time,I\n0,a\n")
    good = sample_dir / "ptbxl/records100/00000/00001_lr.hea"
    out = tmp_path / "res.csv"
    code = main(
        [
            "predict",
            str(tmp_path / "blank.png"),
            str(tmp_path / "x.csv"),
            str(good),
            "--json",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 1
    results = json.loads(captured.out)
    assert [r["error"] is None for r in results] == [False, False, True]
    assert all(ln.startswith("crtnet: error: ") for ln in captured.err.strip().splitlines())
    assert "Traceback" not in captured.err
    assert out.read_text().count("\n") == 4  # header + 3 rows


def test_unknown_model(sample_dir, capsys):
    assert main(["predict", str(sample_dir / "mitdb/100"), "--model", "nope"]) == 1
    assert "no such model" in capsys.readouterr().err
