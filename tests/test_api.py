"""The Python API mirrors the CLI and keeps ``import crtnet`` light."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

import crtnet
from crtnet import api


def test_import_is_light():
    code = "import crtnet, sys; print('torch' in sys.modules, 'cv2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_api_mirrors_cli():
    from crtnet.cli.main import app

    commands = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    for name in ("info", "convert", "render", "digitize", "train", "evaluate", "predict", "demo"):
        assert name in commands and callable(getattr(api, name))
    assert callable(crtnet.info) and callable(crtnet.demo)


def test_api_round_trip(sample_dir):
    path = sample_dir / "ptbxl/records500/00000/00001_hr"
    assert crtnet.info(path)["n_leads"] == 12
    page = api.render(path, layout="12x1")
    dig = api.digitize(page.image)
    assert dig.record.leads[0] == "I" and dig.record.fs == 500
    assert np.isfinite(dig.record.signal).mean() > 0.5
    summary = crtnet.data_summary("ptbxl", sample_dir / "ptbxl")
    assert summary  # counts per class for the bundled 16 records
    res = api.predict(path)
    assert res[0]["error"] is None and "NORM" in res[0]["probabilities"]
