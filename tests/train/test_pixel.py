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
        max_id=10**9,
        exclude=(),
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
    img = np.full((80, 120, 3), 255, np.uint8)
    img[40, :] = 0  # a pen line
    p = pixelnet.probabilities(img, str(tmp_path / "model.safetensors"), tile=64)
    assert p.shape == (80, 120, 3) and np.allclose(p.sum(axis=2), 1, atol=1e-4)
    assert net is pixelnet.load(str(tmp_path / "model.safetensors"))  # cached


def test_shipped_pixel_model_finds_a_pen_line_not_the_grid():
    from crtnet.render.paper import grid_image

    img = grid_image(400, 300, 200, "red")
    img[150:152, 20:380] = 30  # a black pen stroke across the grid
    p = pixelnet.probabilities(img)
    ink = p[..., 2] > 0.5
    assert ink[150:152, 40:360].mean() > 0.9
    assert ink[:100].mean() < 0.01  # grid only: no ink
