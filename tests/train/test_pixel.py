"""The pixel model's training command: a tiny seeded run that resumes, loads and runs."""

from __future__ import annotations

import json

import numpy as np

from crtnet.digitize import pixelnet
from crtnet.train.pixel import PixelTrainConfig, train_pixel


def test_tiny_pixel_training_resumes_loads_and_runs(tmp_path):
    cfg = PixelTrainConfig(
        pages=2,
        crops_per_page=6,
        crop=64,
        train_crop=48,
        steps=4,
        batch=4,
        checkpoint_every=2,
        threads=1,
        workers=1,
        max_id=10**9,
        exclude=(),
        exclude_ids=(0, -1),
    )
    # interrupted after two steps (bundled PTB-XL samples), then resumed to the end
    assert train_pixel(tmp_path, cfg, [], log=lambda s: None, stop_after=2) is None
    assert json.loads((tmp_path / "checkpoint.json").read_text())["step"] == 2
    logs = []
    m = train_pixel(tmp_path, cfg, [], log=logs.append)
    assert any("resuming at step 2" in s for s in logs)
    assert set(m) >= {"other", "grid", "ink"} and 0 <= m["ink"]["iou"] <= 1
    assert json.loads((tmp_path / "checkpoint.json").read_text())["step"] == 4
    net = pixelnet.load(str(tmp_path / "model.safetensors"))
    f, _ = pixelnet.features(_page_with_stroke(), 8.0)
    p = pixelnet.probabilities(f, str(tmp_path / "model.safetensors"), tile=64)
    assert p.shape == (240, 320, 3) and np.allclose(p.sum(axis=2), 1, atol=1e-4)
    assert net is pixelnet.load(str(tmp_path / "model.safetensors"))  # cached


def _page_with_stroke(colour: str = "red") -> np.ndarray:
    """A dewarped page's geometry (8 px/mm, 5 mm lines every 40 px) with one faint pen
    stroke: a baseline and a QRS-like spike."""
    from crtnet.render.paper import grid_image

    img = grid_image(320, 240, 203.2, colour).copy()
    img[150:152, 20:300] = 90
    img[70:150, 160:162] = 90
    return img


def test_shipped_pixel_model_finds_a_pen_line_not_the_grid():
    for colour in ("red", "blue"):
        img = _page_with_stroke(colour)
        f, _ = pixelnet.features(img, 8.0)
        ink = pixelnet.probabilities(f)[..., 2] > 0.5
        assert ink[150:152, 40:280].mean() > 0.9
        assert ink[80:140, 160:162].mean() > 0.9  # the spike, across the grid's lines
        assert ink[:60].mean() < 0.01  # grid only: no ink


def test_a_root_without_records_is_one_error_line_and_no_run_dir(tmp_path, capsys):
    from crtnet.cli.main import main

    out = tmp_path / "run"
    code = main(["train-pixel", "--out", str(out), "--root", str(tmp_path), "--pages", "2"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("crtnet: error:")]
    assert len(lines) == 1 and str(tmp_path) in lines[0] and "no PTB-XL" in lines[0]
    assert not out.exists()
