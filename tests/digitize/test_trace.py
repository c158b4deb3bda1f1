"""Curve extraction on hand-drawn strokes: where the pen's centre line is recovered."""

from __future__ import annotations

import cv2
import numpy as np

from crtnet.digitize import trace as tr


def _page(points: np.ndarray, h: int = 200, w: int = 400, pen: int = 3) -> np.ndarray:
    """An anti-aliased polyline drawn at 1/16 px precision; returns darkness 0..1."""
    img = np.full((h, w), 255, np.uint8)
    pts = np.round(points * 16).astype(np.int32)
    cv2.polylines(img, [pts], False, 0, pen, cv2.LINE_AA, 4)
    return 1.0 - img / 255.0


def test_steep_stroke_is_placed_by_its_rows_not_smeared_over_the_pen_width():
    # flat, a 120 px spike 16 px wide at its base (a tall narrow R wave), flat again
    x = np.array([0, 200, 208, 216, 399], float)
    y = np.array([150, 150, 30, 150, 150], float)
    ink = _page(np.stack([x, y], 1))
    rows = [tr.Row(baseline=150.0, x0=0, x1=399)]
    tr.extract(ink > 0.5, rows, ppm=8.0, ink=ink)
    r = rows[0]
    ok = np.isfinite(r.y)
    xs, ys = r.x[ok], r.y[ok]
    # halfway up, the curve crosses y = 90 on the up stroke at x = 204 and on the down
    # stroke at x = 212 (a column-centre reader puts both a pixel or more off)
    up = (xs > 198) & (xs < 208)
    down = (xs > 208) & (xs < 218)
    assert abs(np.interp(90.0, ys[up][::-1], xs[up][::-1]) - 204.0) < 0.5
    assert abs(np.interp(90.0, ys[down], xs[down]) - 212.0) < 0.5
    assert np.nanmin(r.y) < 33  # the tip is kept
    assert abs(np.median(ys[xs < 150]) - 150) < 0.3  # flat part: sub-pixel centre


def test_centroid_of_no_runs_is_empty():
    ink = np.zeros((10, 10))
    empty = np.zeros(0, int)
    assert tr._centroid(ink, empty, empty, empty).size == 0


def test_a_zigzag_along_a_stroke_is_put_in_order_and_a_clean_one_left_alone():
    """Row centres of a photographed up-stroke scatter by a pixel: in x order the curve
    would run up and down the stroke. Heights are kept, x values are dealt out in order."""
    rng = np.random.default_rng(0)
    n = 40
    steep = np.zeros(n, bool)
    steep[10:20] = True
    s = np.full(n, 100.0)
    e = np.full(n, 103.0)
    s[10:20] = np.linspace(100, 10, 10)  # an up-stroke: run starts climb column by column
    e[10:20] = s[10:20] + 12
    py = np.arange(20.0, 100.0)  # one point per pixel row, bottom to top = later in time
    truth = 10 + (100 - py) / 9.0  # columns 10..19
    noisy = truth + rng.uniform(-1.5, 1.5, py.size)
    px, qy = tr._along_strokes(noisy, py, steep, 0.5 * (s + e), lw=3.0)
    assert np.array_equal(qy, py)  # heights untouched
    order = np.argsort(-py)  # along the stroke: from the bottom up
    assert np.all(np.diff(px[order]) >= 0)  # time never runs backwards
    assert np.allclose(np.sort(px), np.sort(noisy))  # the same x values, dealt out
    # a clean stroke (already in order but for a fraction of a pixel) is left alone
    clean = truth + rng.uniform(-0.02, 0.02, py.size)
    px2, _ = tr._along_strokes(clean, py, steep, 0.5 * (s + e), lw=3.0)
    assert np.array_equal(px2, clean)


def test_a_spike_whose_foot_broke_off_beats_a_grid_line_running_under_it():
    # a tall upright spike whose foot the pen mask lost for 6 px (where it crosses a grid
    # line on a photo), and that 1 px grid line carrying on under it, level with the
    # baseline: both connect to the curve, and the spike explains far more ink
    x = np.array([0, 200, 201, 203, 399], float)
    y = np.array([150, 150, 20, 150, 150], float)
    ink = _page(np.stack([x, y], 1))
    mask = ink > 0.5
    mask[140:147, 196:210] = False
    mask[150, 196:210] = True
    rows = [tr.Row(baseline=150.0, x0=0, x1=399)]
    tr.extract(mask, rows, ppm=8.0, ink=ink)
    assert np.nanmin(rows[0].y) < 30  # the path climbs the spike


def test_a_level_line_off_the_baseline_is_not_taken_for_the_trace():
    # the trace fades out for 60 px (a shadow); a crease-like level line runs 6 mm below
    mask = np.zeros((200, 400), bool)
    mask[99:102, :] = True
    mask[99:102, 170:230] = False
    mask[147:149, 165:235] = True
    rows = [tr.Row(baseline=100.0, x0=0, x1=399)]
    tr.extract(mask, rows, ppm=8.0)
    y = rows[0].y[(rows[0].x > 175) & (rows[0].x < 225)]
    assert not (y > 120).any()  # left blank (NaN), never on the line


def test_a_label_reached_down_a_separator_mark_is_not_the_trace():
    # photo 01103's V6: at the panel's start the path climbed down the separator mark (a
    # tall run) onto the label printed 6 mm under the trace, followed it for 4 mm and
    # jumped back; a calibration pulse (a plateau above, between tall edges, its falling
    # edge broken) stays
    mask = np.zeros((200, 800), bool)
    mask[99:102, :] = True
    mask[40:102, 100:103] = True  # the pulse's rising edge
    mask[40:43, 100:140] = True  # its top, 7.5 mm up, 5 mm wide; the fall is lost
    mask[99:102, 103:140] = False
    mask[80:150, 500:503] = True  # the separator mark, down to the label
    mask[146:150, 503:535] = True  # the label's top
    mask[99:102, 500:540] = False  # the trace broke under the label
    rows = [tr.Row(baseline=100.0, x0=0, x1=799)]
    tr.extract(mask, rows, ppm=8.0)
    x, y = rows[0].x, rows[0].y
    assert not (y[(x > 505) & (x < 530)] > 120).any()  # not on the label
    assert (y[(x > 110) & (x < 135)] < 50).all()  # the pulse's top is still read


def test_a_row_blanked_for_centimetres_by_a_shadow_is_still_one_row():
    ppm = 8.0
    mask = np.zeros((600, 2400), bool)
    for y in (100, 300, 500):
        mask[y - 1 : y + 2, 100:2300] = True
    mask[299:302, 900:1060] = False  # 20 mm of the middle row lost in a shadow
    mask[499:502, 2200:2300] = False
    mask[499:502, 2350:2360] = True  # a short mark 6 mm past the last row's end
    rows = tr.find_rows(mask, ppm)
    assert [(r.x0, r.x1) for r in rows] == [(100, 2299), (100, 2299), (100, 2199)]
