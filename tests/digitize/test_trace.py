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
