"""Photo-like pages (curl, shadow, a table around the page, a darker grid) and traps that
would give a silently wrong scale: each is read right, flagged or refused."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from crtnet.bench.realpages import scale_checks
from crtnet.digitize import digitize
from crtnet.digitize.dewarp import dewarp, surrounded
from crtnet.digitize.metric import challenge_snr
from crtnet.errors import CrtnetError
from crtnet.io import read_record
from crtnet.render import RenderConfig, render_page


@pytest.fixture(scope="module")
def record(sample_dir):
    return read_record(sample_dir / "ptbxl" / "records500" / "00000" / "00008_hr")


def photograph(page: np.ndarray, seed: int = 0) -> np.ndarray:
    """Curl (a smooth bend of the paper), a rotation, a cast shadow, a darker grid and a
    brown table around the page."""
    rng = np.random.default_rng(seed)
    h, w = page.shape[:2]
    img = page.astype(np.float32)
    paper = img.min(axis=2, keepdims=True) > 200
    img = np.where(paper, img, img * 0.8)  # darker ink and grid
    pad = int(0.12 * w)
    big = np.zeros((h + 2 * pad, w + 2 * pad, 3), np.float32)
    big[:] = (120, 80, 45)
    big += rng.normal(0, 6, big.shape)  # wood-like texture
    big[pad : pad + h, pad : pad + w] = img
    hh, ww = big.shape[:2]
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
    # curl: the page bends up towards its right edge; a gentle bow across its height
    my = yy + 0.012 * h * np.sin(np.pi * xx / ww) + 0.006 * h * ((xx / ww) ** 2)
    mx = xx + 0.008 * w * np.sin(np.pi * yy / hh)
    rot = cv2.getRotationMatrix2D((ww / 2, hh / 2), 4.0, 1.0)
    warped = cv2.remap(big, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    warped = cv2.warpAffine(warped, rot, (ww, hh), borderMode=cv2.BORDER_REFLECT)
    shade = 0.65 + 0.35 * np.clip(xx / ww + 0.3 * yy / hh, 0, 1)  # a cast shadow
    return np.clip(warped * shade[..., None], 0, 255).astype(np.uint8)


def test_photo_like_page_reads_with_right_layout_and_scale(record):
    page = render_page(record, RenderConfig(layout="3x4+II", dpi=200, grid="red"))
    photo = photograph(page.image)
    assert surrounded(photo)
    d = digitize(photo)
    assert d.info["layout"] == "3x4+II"
    assert d.info["scale_from"] == "grid-lattice"
    chk = scale_checks(record, d.record)
    assert 0.9 < chk["amplitude_scale"] < 1.1, chk
    assert 0.97 < chk["time_scale"] < 1.03, chk
    assert not chk["wrong_leads"], chk
    assert challenge_snr(page.shown, d.record)["snr_db"] > 8.0
    assert not d.info["flagged"], d.info["failed_checks"]


def test_dewarp_gives_local_scale_of_the_page(record):
    page = render_page(record, RenderConfig(layout="3x4+II", dpi=200))
    d = dewarp(photograph(page.image, seed=1))
    assert d is not None
    lo, mid, hi = d.info["source_px_per_mm"]
    assert abs(mid - page.truth["px_per_mm"]) < 0.05 * page.truth["px_per_mm"]
    # the lattice spans the printed grid: a letter page is ~ 55 x 43 cells of 5 mm
    rows, cols = d.info["lattice_shape"]
    assert 38 <= rows <= 47 and 50 <= cols <= 60


def _never_silently_wrong(d, truth_ppm: float, true_gain: float) -> None:
    right_scale = abs(d.info["px_per_mm"] / truth_ppm - 1) < 0.05 or (
        d.info["scale_from"] == "grid-lattice"
    )
    right_gain = d.info["gain_mm_mv"] == true_gain
    assert d.info["flagged"] or (right_scale and right_gain), d.info


def test_gain_trap_without_pulses_is_flagged(record):
    # drawn at 20 mm/mV with no calibration pulse: nothing on the page says so
    page = render_page(record, RenderConfig(layout="3x4+II", gain=20.0, calibration=False))
    try:
        d = digitize(page.image)
    except CrtnetError:
        return  # refusing is fine
    _never_silently_wrong(d, page.truth["px_per_mm"], 20.0)
    assert d.info["flagged"] and "calibration" in d.info["failed_checks"]


def test_grid_trap_with_only_5mm_lines_is_read_right_or_flagged(record):
    page = render_page(record, RenderConfig(layout="3x4+II", minor_grid="none", dpi=150))
    try:
        d = digitize(page.image)
    except CrtnetError:
        return
    _never_silently_wrong(d, page.truth["px_per_mm"], 10.0)


def test_clean_page_passes_every_check(record):
    d = digitize(render_page(record, RenderConfig(layout="3x4+II")).image)
    assert not d.info["flagged"], d.info["checks"]
    assert d.info["page_confidence"] == 1.0
    assert set(d.info["lead_confidence"]) == set(d.record.leads)


def test_predict_and_its_report_show_the_flag(record, tmp_path):
    from PIL import Image

    from crtnet.predict.api import predict
    from crtnet.serve.analyse import analyse

    page = render_page(record, RenderConfig(layout="3x4+II", gain=20.0, calibration=False))
    f = tmp_path / "trap.png"
    Image.fromarray(page.image).save(f)
    res = predict([f])[0]
    assert res["error"] is None
    assert res["quality"]["digitization_flagged"] is True
    assert any(x.startswith("DIGITIZATION FLAGGED") for x in res["quality"]["flags"])
    _, outputs = analyse(str(f), str(tmp_path / "a"))
    html = next(p for p in outputs if p.endswith("report.html"))
    assert "DIGITIZATION FLAGGED" in open(html).read()


def test_upside_down_page_is_turned_back(record):
    page = render_page(record, RenderConfig(layout="3x4+II"))
    d = digitize(np.ascontiguousarray(page.image[::-1, ::-1]))
    assert d.info.get("rotated_180") is True
    assert d.info["layout"] == "3x4+II" and not d.info["flagged"]
    assert challenge_snr(page.shown, d.record)["snr_db"] > 14.0


def test_pen_mask_keeps_faint_strokes_and_drops_grid_and_frame():
    """On a dewarped page the grid repeats every 5 mm: a faint thin stroke as dark as the
    5 mm lines is ink, those lines and a dead-straight frame line are not (the colour rule
    that coarse sources keep misses the stroke)."""
    import cv2

    from crtnet.digitize import dewarp as dw

    ppm = 8.0
    h, w = 480, 960
    page = np.full((h, w, 3), 245, np.uint8)
    page[:, ::8] = page[::8] = (205, 170, 170)  # 1 mm lines, reddish
    page[:, ::40] = page[::40] = (140, 125, 125)  # 5 mm lines, dark brownish
    cv2.line(page, (20, 460), (940, 460), (150, 150, 150), 2)  # a frame line near the edge
    xs = np.arange(60, 900)
    ys = 222 + 6 * np.sin(xs / 40.0)
    cv2.polylines(page, [np.c_[xs, ys].astype(np.int32)], False, (40, 40, 40), 2)  # the pen
    cv2.line(page, (500, 223), (504, 203), (160, 160, 160), 1)  # a faint QRS stroke
    cv2.line(page, (504, 203), (508, 223), (160, 160, 160), 1)
    coarse = dw.pen_mask(page, ppm, source_ppm=4.0)
    assert coarse is not None and not coarse[204:212, 498:512].any()
    m = dw.pen_mask(page, ppm, source_ppm=11.0)
    assert m is not None
    assert m[204:214, 498:512].any(axis=1).all()  # the faint stroke, up to its tip
    away = np.ones_like(m)
    away[201:240] = False  # everything but the trace's own band
    assert m[away].mean() < 1e-3  # no grid line, no frame line


def test_dark_brown_grid_is_told_from_the_pen(record):
    """A brown grid whose 1 mm lines are nearly as dark as the pen passes the colour rules
    as ink (a quarter of the page); the grid's periodicity separates them again."""
    page = render_page(record, RenderConfig(layout="3x4+II", grid="brown"), seed=3)
    # lines a pixel wider, as ecg-image-kit prints them: the grid is then a quarter of the page
    d = digitize(cv2.erode(page.image, np.ones((2, 2), np.uint8)))
    assert d.info["layout"] == "3x4+II"
    # the flat page's own scale (the dewarp path, which the colour rules sent it to, reads
    # 8.0 px/mm and loses 3 dB)
    assert abs(d.info["px_per_mm"] - 200 / 25.4) < 0.05
    assert challenge_snr(page.shown, d.record)["snr_db"] > 18


def test_a_stroke_broken_where_it_crosses_a_grid_line_is_bridged_downwards_only():
    from crtnet.digitize.dewarp import _bridged

    m = np.zeros((30, 30), bool)
    m[2:12, 10] = m[15:28, 10] = True  # a steep stroke, broken 3 px at a grid line
    m[20, 2:8] = m[20, 11:16] = True  # a flat stroke broken 3 px across
    b = _bridged(m)
    assert b[12:15, 10].all()  # bridged down the stroke
    assert not b[20, 8:10].any()  # never across (a spike's two strokes stay apart)
    assert not _bridged(np.pad(m[:12], ((0, 18), (0, 0))))[12:20, 10].any()  # ends stay ends


def test_a_deep_s_running_into_the_next_rows_r_is_no_frame_line():
    """One row's deep S wave and the next row's tall R wave at the same instant make one
    straight upright stroke over 30 mm long; it leaves a baseline to both sides, where a
    frame line (or the paper's edge) has trace ink on one side only."""
    from crtnet.digitize.dewarp import _unframed

    ppm = 8.0
    m = np.zeros((600, 800), bool)
    m[100:102, 100:400] = m[100:102, 404:700] = True  # row k's baseline, both sides
    m[380:382, 100:400] = m[380:382, 404:700] = True  # row k+1's baseline
    m[100:382, 401:403] = True  # S of row k running into R of row k+1: 35 mm straight
    m[150:450, 40:42] = True  # a frame line: 37 mm, with ink on its right only
    m[300:302, 44:90] = True
    out = _unframed(m, ppm)
    assert out[110:370, 401:403].all()  # the QRS stroke stays
    assert not out[150:450, 40:42].any()  # the frame line goes


def test_a_qrs_whose_st_rises_steeply_is_no_frame_line():
    """After a deep S the ST can climb too steeply to be level ink: a QRS stroke has
    level ink on one side and ink (level or not) on the other; a frame line has neither."""
    from crtnet.digitize.dewarp import _unframed

    ppm = 8.0
    m = np.zeros((600, 800), bool)
    m[100:102, 100:400] = True  # the baseline before the QRS
    m[100:382, 401:403] = True  # the S stroke running into the next row's R
    for i in range(60):  # the ST climbing at 60 degrees from the S stroke's side
        m[140 - 2 * i : 143 - 2 * i, 406 + i] = True
    m[150:450, 40:42] = True  # a frame line with a slanted stroke on its right only
    for i in range(40):
        m[300 - i, 46 + i] = True
    out = _unframed(m, ppm)
    assert out[110:370, 401:403].all()
    assert not out[150:450, 40:42].any()


def test_a_grey_grid_in_dim_light_is_still_grid_area():
    """Dim light turns part of a brown grid's lines grey and dark, like the pen; on a
    dewarped page they still sit on the 5 mm multiples, so that part stays grid area
    (photo 01032 lost its rows' last 0.6 s there), while a blank margin does not."""
    from crtnet.digitize.dewarp import grid_area

    ppm, cell = 8.0, 40
    page = np.full((800, 1600, 3), 235, np.uint8)
    for k in range(0, 1281, cell // 5):  # 1 mm lines, 5 mm lines bolder; none past 160 mm
        major = k % cell == 0
        left = (200, 120, 120) if major else (225, 190, 190)
        grey = (95, 95, 95) if major else (228, 228, 228)  # the 1 mm lines all but gone
        w = 2 if major else 1
        page[:, k : k + w] = left if k < 640 else grey
        if k < 800:
            page[k : k + w, :640] = left
            page[k : k + w, 640:1281] = grey
    area = grid_area(page, np.ones(page.shape[:2], bool), ppm)
    assert area[200:600, 100:540].all()
    assert area[200:600, 740:1180].all()  # the grey part
    assert not area[:, 1330:].any()  # the blank margin past the grid


def test_the_bench_counts_a_lead_whose_zero_sits_off(record):
    """The Challenge SNR forgives up to 1 mV of offset, a diagnosis does not: the bench
    measures each lead's 0 mV against the truth."""
    shifted = record.signal.copy()
    shifted[record.leads.index("V2")] += 0.5
    got = scale_checks(record, record.replace(signal=shifted))["offsets_mv"]
    assert len(got) == 12
    assert sorted(np.round(np.abs(got), 3))[-1] == pytest.approx(0.5, abs=1e-3)
    assert sum(abs(o) > 0.3 for o in got) == 1


def test_dim_warm_paper_on_the_lattice_is_paper_and_the_table_is_not():
    """A warm light dims and tints a corner of the page (photo 00012's lower left, which
    held the rhythm strip): its paper score falls under the page's Otsu split, but its grid
    lies on the dewarped lattice, which a table's surface does not."""
    from crtnet.digitize.dewarp import flatten

    page = np.full((800, 1600, 3), 240, np.uint8)
    for k in range(0, 1600, 8):
        c = (200, 120, 120) if k % 40 == 0 else (228, 200, 200)
        page[:, k] = c
        if k < 800:
            page[k, :] = c
    page[400:, :900] = (page[400:, :900] * np.array([0.86, 0.78, 0.66])).astype(np.uint8)
    page[:, :200] = (150, 110, 70)  # the table beyond the page's edge
    _, plain = flatten(page, 40.0)
    assert not plain[500:780, 260:850].any()  # the split alone loses the dim corner
    flat, paper = flatten(page, 40.0, on_lattice=True)
    assert paper[500:780, 260:850].all()
    assert not paper[:, :150].any()
    assert (flat[:, :150] == 255).all()


def test_a_faint_rows_pen_seeds_its_ink_within_the_rows_band():
    """A faint row's pen may be no darker than the 5 mm lines, so it has no seed that is
    clearly darker than them (photo 02652's lower rows lost their QRS). Within a band
    around the rows' baselines, a stroke as dark as the lines and darker than its
    periodic background seeds the ink; the grid lines there still do not."""
    from crtnet.digitize import dewarp as dw

    ppm = 8.0
    page = np.full((480, 960, 3), 245, np.uint8)
    page[:, ::8] = page[::8] = (205, 170, 170)
    page[:, ::40] = page[::40] = (140, 125, 125)
    xs = np.arange(60, 900)
    for y0, ink in ((142, 40), (342, 150)):  # a dark row and a faint one
        ys = y0 + 6 * np.sin(xs / 40.0)
        cv2.polylines(page, [np.c_[xs, ys].astype(np.int32)], False, (ink,) * 3, 2)
    plain = dw.pen_mask(page, ppm, source_ppm=11.0)
    assert plain is not None and plain[330:356, 80:880].any(axis=0).mean() < 0.1
    band = np.zeros(page.shape[:2], bool)
    band[122:163, 60:900] = band[322:363, 60:900] = True
    m = dw.pen_mask(page, ppm, source_ppm=11.0, seed_band=band)
    assert m is not None
    # column by column, but where it crosses a 5 mm line, which is as dark as it is
    assert m[330:356, 80:880].any(axis=0).mean() > 0.9
    away = np.ones_like(m)
    away[120:165] = away[320:365] = False
    assert m[away].mean() < 1e-3


def _training_photo(head, seed: int) -> np.ndarray:
    from crtnet.train.pixel import photographed_page

    return photographed_page(head, seed)[0]


def test_a_photo_whose_grid_mask_has_no_lattice_is_an_error_not_a_crash(shared_data):
    """A glare-washed, tinted page (a pixel model's training page) left the classical
    grid finder a mask with one autocorrelation bump whose multiples anti-correlate: its
    fundamental-period search indexed an empty list (IndexError) until 2026-12-03."""
    from concurrent.futures import ProcessPoolExecutor

    # photographed in a child process: the software photographer peaks at 1.5 GB, which
    # would count against the memory bound of the fuzz tests that share this process
    head = shared_data / "ptbxl/records500/00000/00129_hr"
    with ProcessPoolExecutor(1) as ex:
        photo = ex.submit(_training_photo, head, 5019).result()
    from crtnet.digitize import raster

    try:  # the classical geometry, which the dense path's reading may make unnecessary
        raster._classical_geometry(photo, None, None, {})
    except CrtnetError:
        pass
    try:
        d = digitize(photo)
    except CrtnetError:
        return
    assert d.record.signal.shape[0] >= 12
