"""Renderer: every layout from real 12-lead and 2-lead records, exact ground truth."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from crtnet.errors import CrtnetError
from crtnet.io import read_record
from crtnet.render import LAYOUTS, RenderConfig, render_page


@pytest.fixture(scope="module")
def ptbxl(sample_dir):
    return read_record(sample_dir / "ptbxl" / "records500" / "00000" / "00002_hr.hea")


@pytest.fixture(scope="module")
def mitdb(sample_dir):
    rec = read_record(sample_dir / "mitdb" / "100.hea")
    return rec.replace(signal=rec.signal[:, 360 * 60 : 360 * 70].copy())  # 10 s excerpt


def _values_at_mapping(gray: np.ndarray, truth: dict) -> np.ndarray:
    vals = []
    for e in truth["leads"]:
        x = np.round(np.asarray(e["x"], float)).astype(int)
        y = np.array([np.nan if v is None else v for v in e["y"]], float)
        ok = np.isfinite(y) & (y >= 0) & (y < gray.shape[0]) & (x >= 0) & (x < gray.shape[1])
        vals.append(gray[np.round(y[ok]).astype(int), x[ok]])
    return np.concatenate(vals)


def _check_inverse(rec, page) -> int:
    """Pixel coordinates → (sample, mV) must give back the signal within half a pixel."""
    t = page.truth
    ppmm = t["px_per_mm"]
    n = 0
    for e in t["leads"]:
        if not e["x"]:
            continue
        x = np.asarray(e["x"])
        y = np.asarray(e["y"], float)
        t_rel = (x - e["bbox"][0]) / (t["paper_speed"] * ppmm)
        idx = np.round((e["t0"] + t_rel) * rec.fs).astype(int)
        assert np.array_equal(idx, np.arange(e["sample_start"], e["sample_end"]))
        mv = (e["baseline_y"] - y) / (t["gain"] * ppmm)
        ref = page.shown.lead(e["source_lead"])[idx] * e["sign"]
        err_px = np.abs(mv - ref) * t["gain"] * ppmm
        assert err_px.max() <= 0.5, (e["lead"], err_px.max())
        src = rec.lead(e["source_lead"]) if e["source_lead"] in rec.leads else None
        if src is not None:
            np.testing.assert_allclose(ref, src[idx] * e["sign"], atol=1e-6)
        n += len(idx)
    return n


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_renders_12_and_2_lead(layout, ptbxl, mitdb):
    for rec, grid in ((ptbxl, "red"), (mitdb, "green")):
        page = render_page(rec, RenderConfig(layout=layout, dpi=100, grid=grid))
        assert page.image.shape == (page.truth["height"], page.truth["width"], 3)
        assert page.image.dtype == np.uint8
        assert page.shown.fs == rec.fs and page.shown.n_samples == rec.n_samples
        assert len(page.truth["leads"]) == sum(len(r) for r in LAYOUTS[layout].rows)
        json.dumps(page.truth)


@pytest.mark.parametrize("grid", ["red", "pink", "orange", "green", "blue", "grey", "none"])
def test_ground_truth_is_trace_coloured_and_inverts(grid, ptbxl, mitdb):
    minor = {"grey": "dots", "blue": "none"}.get(grid, "lines")
    for rec, layout, dpi in ((ptbxl, "3x4+II", 150), (mitdb, "2x1", 100)):
        cfg = RenderConfig(layout=layout, dpi=dpi, grid=grid, minor_grid=minor)
        page = render_page(rec, cfg)
        gray = np.asarray(Image.fromarray(page.image).convert("L"))
        vals = _values_at_mapping(gray, page.truth)
        assert vals.size > 0.9 * rec.fs * 10
        assert np.mean(vals < 90) > 0.995, np.mean(vals < 90)
        assert _check_inverse(rec, page) == vals.size


def test_shown_record_is_nan_where_not_plotted(ptbxl):
    page = render_page(ptbxl, RenderConfig(layout="3x4"))
    v1 = page.shown.lead("V1")
    fs = ptbxl.fs
    assert (
        np.isnan(v1[: int(4.9 * fs)]).all() and np.isfinite(v1[int(5.1 * fs) : int(7.4 * fs)]).all()
    )
    assert np.isnan(v1[int(7.6 * fs) :]).all()
    ii = render_page(ptbxl, RenderConfig(layout="3x4+II")).shown.lead("II")
    assert np.isfinite(ii).all()  # the rhythm strip shows lead II over all 10 s
    assert page.shown.leads == ptbxl.leads


def test_50_mm_s_and_gain_scale_the_trace(ptbxl):
    a = render_page(ptbxl, RenderConfig(layout="12x1", dpi=100))
    b = render_page(ptbxl, RenderConfig(layout="12x1", dpi=100, paper_speed=50, gain=20))
    ea, eb = a.truth["leads"][1], b.truth["leads"][1]
    assert eb["t1"] - eb["t0"] == pytest.approx((ea["t1"] - ea["t0"]) / 2)
    dx_a = np.diff(ea["x"]).mean()
    assert np.diff(eb["x"]).mean() == pytest.approx(2 * dx_a, rel=1e-3)
    ya = ea["baseline_y"] - np.asarray(ea["y"][:100])
    yb = eb["baseline_y"] - np.asarray(eb["y"][:100])
    np.testing.assert_allclose(yb, 2 * ya, atol=0.01)


def test_bad_config_is_a_user_error(ptbxl):
    for cfg in (RenderConfig(layout="5x5"), RenderConfig(dpi=50), RenderConfig(grid="purple")):
        with pytest.raises(CrtnetError):
            render_page(ptbxl, cfg)


def test_clip_keeps_traces_in_their_panel_and_marks_lost_samples(ptbxl):
    big = ptbxl.replace(signal=ptbxl.signal * 4)  # QRS complexes far beyond a 12x1 row
    page = render_page(big, RenderConfig(layout="12x1", dpi=100, clip=True))
    lost = 0
    for e in page.truth["leads"]:
        y = np.array([np.nan if v is None else v for v in e["y"]])
        ok = np.isfinite(y)
        assert (y[ok] >= e["bbox"][1]).all() and (y[ok] <= e["bbox"][3]).all()
        shown = page.shown.lead(e["source_lead"])[e["sample_start"] : e["sample_end"]]
        assert np.array_equal(np.isfinite(shown), ok)
        lost += (~ok).sum()
    assert lost > 0
    free = render_page(big, RenderConfig(layout="12x1", dpi=100))
    assert np.isfinite(free.shown.signal).all()


def test_one_lead_record_on_a_two_strip_page(mitdb, tmp_path):
    one = mitdb.select(["V5"])
    page = render_page(one, RenderConfig(layout="2x1", dpi=100))
    assert page.shown.leads == ["V5"]
    assert [e["lead"] for e in page.truth["leads"]] == ["V5", "lead 2"]
    assert page.truth["leads"][1]["x"] == []
    page.save(tmp_path, "one")
    assert read_record(tmp_path / "one.hea").leads == ["V5"]


def test_header_uses_ptbxl_facts_and_invents_nothing(ptbxl, mitdb):
    from crtnet.render.header import header_lines

    who, scale = header_lines(ptbxl, 25, 10)
    assert who.startswith("ID: 00002_hr") and "Age: 19" in who and "Sex: M" in who
    assert "25 mm/s" in scale and "10 mm/mV" in scale and "500 Hz" in scale
    assert header_lines(mitdb, 50, 5)[0] == "ID: 100"
