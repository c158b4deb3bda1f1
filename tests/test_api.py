"""The Python API mirrors the CLI and keeps ``import crtnet`` light."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

import crtnet


def test_import_is_light():
    code = "import crtnet, sys; print('torch' in sys.modules, 'cv2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_api_round_trip(sample_dir):
    path = sample_dir / "ptbxl/records500/00000/00001_hr"
    assert crtnet.info(path)["n_leads"] == 12
    page = crtnet.render(path, layout="12x1")
    dig = crtnet.digitize(page.image)
    assert dig.record.leads[0] == "I" and dig.record.fs == 500
    assert np.isfinite(dig.record.signal).mean() > 0.5
    summary = crtnet.data_summary("ptbxl", sample_dir / "ptbxl")
    assert summary  # counts per class for the bundled 16 records
    res = crtnet.predict(path)
    assert res[0]["error"] is None and "NORM" in res[0]["probabilities"]
