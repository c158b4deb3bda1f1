"""``crtnet convert`` and ``crtnet info`` on hospital formats: round trips and bad files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from pydicom.data import get_testdata_file

from crtnet.cli.main import main
from crtnet.io import read_record

FIX = Path(__file__).resolve().parents[1] / "fixtures/formats"
INPUTS = [
    FIX / "philips_129DYPRG.XML",
    FIX / "scp_ANON000004.SCP",
    Path(get_testdata_file("waveform_ecg.dcm")),
]


@pytest.mark.parametrize("to", ["wfdb", "csv", "edf"])
def test_convert_round_trip(tmp_path, to, capsys):
    assert main(["convert", *map(str, INPUTS), "--to", to, "--out", str(tmp_path)]) == 0
    for src in INPUTS:
        original = read_record(src)
        ext = {"wfdb": ".hea", "csv": ".csv", "edf": ".edf"}[to]
        # a CSV's 6-decimal time column gives 599.88 Hz for 600 Hz, so the rate is passed
        back = read_record(tmp_path / f"{src.stem}{ext}", fs=original.fs if to == "csv" else None)
        assert back.leads == original.leads and back.fs == original.fs
        assert back.n_samples == original.n_samples
        # WFDB keeps 1 uV steps, CSV 1 nV, EDF 1/65535 of each lead's range
        tol = {"wfdb": 6e-4, "csv": 1e-5, "edf": np.ptp(original.signal) / 65535 + 1e-5}[to]
        assert np.abs(back.signal - original.signal).max() <= tol
        side = json.loads((tmp_path / f"{src.stem}.json").read_text())
        assert side["cart"] == original.meta["cart"] and side["fs"] == original.fs
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".crtnet-*"))


def test_convert_batch_with_a_bad_file_then_resume(tmp_path, capsys):
    bad = tmp_path / "broken.xml"
    bad.write_text("<restingecgdata><waveforms>")
    out = tmp_path / "out"
    args = ["convert", str(bad), str(INPUTS[1]), "--to", "edf", "--out", str(out)]
    assert main(args) == 1
    captured = capsys.readouterr()
    err_lines = [ln for ln in captured.err.splitlines() if ln.startswith("crtnet: error")]
    assert len(err_lines) == 1 and "broken.xml: malformed XML" in err_lines[0]
    assert "Traceback" not in captured.err
    assert sorted(p.name for p in out.iterdir()) == ["scp_ANON000004.edf", "scp_ANON000004.json"]
    shutil.copy(INPUTS[1], tmp_path / "broken.xml")  # fixed: the rerun does only that one
    assert main(args) == 0
    assert "already converted" in capsys.readouterr().out
    assert (out / "broken.edf").exists()


def test_convert_median_and_bad_target(tmp_path, capsys):
    assert main(["convert", str(INPUTS[1]), "--to", "csv", "--median", "--out", str(tmp_path)]) == 0
    med = read_record(tmp_path / "scp_ANON000004.csv", fs=600)
    assert med.n_samples == 431 and med.fs == 600
    assert main(["convert", str(INPUTS[1]), "--to", "png", "--out", str(tmp_path)]) == 1
    assert "--to must be one of wfdb, csv, edf" in capsys.readouterr().err


def test_info_shows_cart(capsys):
    assert main(["info", str(INPUTS[1]), str(INPUTS[2])]) == 0
    out = capsys.readouterr().out
    assert "cart measurements: ventricular rate 75 bpm, RR interval 800 ms" in out
    assert "cart statement: VK-hypertrofi" in out
    assert "PR interval 161 ms, QRS duration 75 ms" in out
    assert main(["info", "--json", str(INPUTS[0])]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["meta"]["cart"]["measurements"]["heart_rate_bpm"] == 41
