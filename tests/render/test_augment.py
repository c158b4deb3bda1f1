"""Augmentations: seeded, visible, and the ground truth moves with the geometry."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from crtnet.errors import CrtnetError
from crtnet.io import read_record
from crtnet.render import RenderConfig, render_page
from crtnet.render.augment import PRESETS


@pytest.fixture(scope="module")
def ptbxl(sample_dir):
    return read_record(sample_dir / "ptbxl" / "records100" / "00000" / "00009_lr.hea")


@pytest.fixture(scope="module")
def mitdb(sample_dir):
    rec = read_record(sample_dir / "mitdb" / "208.hea")
    return rec.replace(signal=rec.signal[:, :3600].copy())


def _dark_at_mapping(page) -> float:
    gray = np.asarray(Image.fromarray(page.image).convert("L")).astype(int)
    h, w = gray.shape
    hits = []
    for e in page.truth["leads"]:
        x = np.round(np.asarray(e["x"], float)).astype(int)
        y = np.round(np.array([np.nan if v is None else v for v in e["y"]], float))
        ok = np.isfinite(y) & (x >= 0) & (x < w) & (y >= 0) & (y < h)
        hits.append(gray[y[ok].astype(int), x[ok]] < 110)
    return float(np.concatenate(hits).mean())


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_is_seeded_and_visible(preset, ptbxl, mitdb):
    rendered = render_page(mitdb, RenderConfig(layout="2x1", dpi=100, augment=preset), seed=1)
    assert rendered.image.shape == (850, 1100, 3)
    rec, layout = ptbxl, "3x4+II"
    cfg = RenderConfig(layout=layout, dpi=100, augment=preset)
    a = render_page(rec, cfg, seed=3)
    b = render_page(rec, cfg, seed=3)
    assert np.array_equal(a.image, b.image)
    assert a.truth == b.truth
    clean = render_page(rec, RenderConfig(layout=layout, dpi=100))
    if preset == "none":
        assert np.array_equal(a.image, clean.image)
        return
    assert not np.array_equal(a.image, clean.image)
    assert a.truth["augment"]["name"] == preset and a.truth["augment"]["drawn"]
    c = render_page(rec, cfg, seed=4)
    assert not np.array_equal(a.image, c.image)


@pytest.mark.parametrize("spec", [{"rotation": 6}, {"perspective": 0.05}, {"wrinkles": 1.0}])
def test_geometry_moves_the_ground_truth(spec, ptbxl):
    page = render_page(ptbxl, RenderConfig(dpi=150, augment=spec), seed=7)
    clean = render_page(ptbxl, RenderConfig(dpi=150))
    moved = max(
        np.abs(np.subtract(a["y"], b["y"])).max()
        for a, b in zip(page.truth["leads"], clean.truth["leads"], strict=True)
    )
    assert moved > 0.8  # the page did move ...
    assert _dark_at_mapping(page) > 0.97  # ... and the mapping still lands on the trace


def test_bad_augmentation_is_a_user_error(ptbxl):
    with pytest.raises(CrtnetError):
        render_page(ptbxl, RenderConfig(augment="sepia"))
    with pytest.raises(CrtnetError):
        render_page(ptbxl, RenderConfig(augment={"twirl": 1}))


def test_trace_mask_follows_geometry_and_occlusion(ptbxl, tmp_path):
    geo = {"rotation": 5, "perspective": 0.03, "wrinkles": 1.0}
    for spec in (geo, {"occlusion": 2}):
        page = render_page(ptbxl, RenderConfig(dpi=100, augment=spec, mask=True), seed=2)
        assert page.mask.shape == page.image.shape[:2] and page.mask.dtype == np.uint8
        boxes = [o["bbox"] for o in page.truth.get("occlusions", [])]
        hits = []
        for e in page.truth["leads"]:
            x = np.round(np.asarray(e["x"], float)).astype(int)
            y = np.round(np.asarray(e["y"], float)).astype(int)
            ok = (x >= 0) & (x < page.mask.shape[1]) & (y >= 0) & (y < page.mask.shape[0])
            for x0, y0, x1, y1 in boxes:
                ok &= ~((x >= x0) & (x < x1) & (y >= y0) & (y < y1))
            hits.append(page.mask[y[ok], x[ok]] > 127)
        assert np.concatenate(hits).mean() > 0.97
        for x0, y0, x1, y1 in map(lambda b: [int(v) for v in b], boxes):
            assert page.mask[y0:y1, x0:x1].max() == 0  # hidden ink is not in the mask
    files = page.save(tmp_path, "m")
    assert tmp_path / "m-mask.png" in files
