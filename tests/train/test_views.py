"""Printout views and the lead-mask input: what a page shows is what training masks."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from crtnet.errors import CrtnetError
from crtnet.io import STANDARD_12, read_record
from crtnet.render import RenderConfig, render_page
from crtnet.render.layouts import visible
from crtnet.train.config import load_config
from crtnet.train.data import ArrayBatches
from crtnet.train.views import LayoutViews, layout_view

LAYOUTS = ["3x4", "3x4+II", "6x2", "12x1"]


@pytest.fixture(scope="module")
def record(sample_dir):
    return read_record(sample_dir / "ptbxl/records100/00000/00001_lr")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_views_mask_exactly_what_the_renderer_draws(record, layout):
    page = render_page(record, RenderConfig(layout=layout, dpi=100, header=False))
    drawn = np.zeros((12, record.n_samples), bool)
    for ld in page.shown.leads:
        drawn[STANDARD_12.index(ld)] = np.isfinite(page.shown.lead(ld))
    vis = visible(layout, STANDARD_12, record.n_samples, record.fs)
    assert np.array_equal(vis, drawn)
    assert vis.any(1).all()  # every standard layout shows each of the 12 leads somewhere


def test_layout_windows():
    v = visible("3x4+II", STANDARD_12, 1000, 100)
    assert v[STANDARD_12.index("II")].all()
    avr = v[STANDARD_12.index("aVR")]
    assert avr[250:500].all() and not avr[:250].any() and not avr[500:].any()
    v = visible("6x2", STANDARD_12, 1000, 100)
    v1 = v[STANDARD_12.index("V1")]
    assert v1[500:].all() and not v1[:500].any() and v[0, :500].all() and not v[0, 500:].any()


def test_random_views_are_layouts_or_full():
    x = np.random.default_rng(0).normal(size=(64, 12, 1000)).astype(np.float32)
    views = LayoutViews(LAYOUTS[:3], STANDARD_12, 100, 1000, p=0.5)
    out = views(x, np.random.default_rng(1))
    patterns = {np.isfinite(o).tobytes() for o in out}
    allowed = {m.tobytes() for m in views.masks} | {np.ones((12, 1000), bool).tobytes()}
    assert patterns <= allowed and len(patterns) == 4  # all three layouts and full signals
    kept = np.isfinite(out)
    assert np.array_equal(out[kept], x[kept])  # shown samples are untouched
    assert np.array_equal(views(x, np.random.default_rng(1)), out, equal_nan=True)


class _Split:
    def __init__(self, x):
        self.x, self.y, self.aux = x, np.zeros((len(x), 5), np.float32), None


def test_batches_keep_nan_only_for_mask_models():
    x = np.ones((8, 12, 1000), np.float32)
    views = LayoutViews(["3x4"], STANDARD_12, 100, 1000, p=1.0)
    masked = ArrayBatches(_Split(x), keep_nan=True, views=views)[(0, list(range(8)))]["x"]
    assert torch.isnan(masked).float().mean().item() == pytest.approx(0.75)
    zeroed = ArrayBatches(_Split(x), keep_nan=False, views=views)[(0, list(range(8)))]["x"]
    assert not torch.isnan(zeroed).any() and (zeroed == 0).float().mean().item() == 0.75


def test_layout_view_of_a_split():
    from crtnet.data.tasks import ArraySplit

    s = ArraySplit(
        np.ones((2, 12, 1000), np.float32),
        np.zeros((2, 5)),
        np.array(["a", "b"]),
        np.array(["a", "b"]),
    )
    v = layout_view(s, "6x2", STANDARD_12, 100)
    assert np.isnan(v.x).mean() == pytest.approx(0.5) and not np.isnan(s.x).any()


def test_view_options_are_checked():
    with pytest.raises(CrtnetError, match="share of printout views"):
        load_config(None, ["views=1.5"])
    with pytest.raises(CrtnetError, match="unknown layout"):
        load_config(None, ["views=0.5", "view_layouts=[3x4, 7x7]"])
    assert load_config(None, ["views=0.5"]).view_layouts == LAYOUTS


def test_mask_model_trains_and_predict_masks_a_printout(sample_dir, tmp_path, monkeypatch, record):
    """A tiny 12-lead run with lead_mask and views: format 2, and predict passes NaN on."""
    from crtnet.models import load_run
    from crtnet.predict.api import predict_record
    from crtnet.train.loop import fit

    monkeypatch.setenv("CRTNET_CACHE", str(tmp_path / "cache"))
    tiny = {
        "stem_channels": 8,
        "channels": [16],
        "strides": [2],
        "gru_hidden": 8,
        "d_model": 16,
        "heads": 2,
        "layers": 1,
        "ff_dim": 32,
        "head_hidden": 16,
    }
    cfg = load_config(
        None,
        ["views=0.5", "lead_mask=true"],
        dataset="ptbxl",
        root=str(sample_dir / "ptbxl"),
        protocol="cv",
        n_folds=3,
        use_aux=False,
        model="crtnet",
        model_cfg=tiny,
        epochs=1,
        batch_size=8,
        threads=1,
        progress=False,
        balance="none",
    )
    fit(cfg, tmp_path / "run")
    conf = json.loads((tmp_path / "run" / "config.json").read_text())
    assert conf["format_version"] == 2 and conf["model"]["lead_mask"] is True
    model, _ = load_run(tmp_path / "run")
    assert model.lead_mask and model.net.stem.conv.in_channels == 24

    page = render_page(record, RenderConfig(layout="3x4+II", dpi=100, header=False)).shown
    res = predict_record(page, str(tmp_path / "run"))
    x = np.stack([page.lead(ld) for ld in STANDARD_12])[None]
    with torch.no_grad():
        direct = torch.sigmoid(model(torch.from_numpy(x))).numpy()[0]
        zeroed = torch.sigmoid(model(torch.from_numpy(np.nan_to_num(x)))).numpy()[0]
    got = np.array([res["probabilities"][c] for c in res["classes"]])
    assert np.allclose(got, direct, atol=1e-4)
    assert not np.allclose(got, zeroed, atol=1e-4)  # the mask, not zeros, reached the model
    assert any("rest masked" in f for f in res["quality"]["flags"])
