"""The dewarp's second pass (``regrid``): a warp left over between lattice nodes is undone;
a printed grid's own per-line raster offsets are not copied onto the page."""

import cv2
import numpy as np

from crtnet.digitize import regrid

CELL = 40.0  # 5 mm at 8 px/mm


def _grid(shift_x, h: int = 640, w: int = 960) -> np.ndarray:
    """A red 5 mm grid whose vertical line m is drawn at m * CELL + shift_x(m, y)."""
    img = np.full((h, w, 3), 255, np.uint8)
    for k in range(0, int(h / CELL) + 1):
        y = int(round(k * CELL))
        img[max(0, y - 1) : y + 2, :] = (200, 60, 60)
    ys = np.arange(h)
    for m in range(0, int(w / CELL) + 1):
        xc = m * CELL + shift_x(m, ys)
        for dx in (-1.0, 0.0, 1.0):  # a 3 px line, antialiased at its sub-pixel place
            x = xc + dx
            x0 = np.floor(x).astype(int)
            frac = x - x0
            for xi, wt in ((x0, 1 - frac), (x0 + 1, frac)):
                ok = (xi >= 0) & (xi < w)
                cur = img[ys[ok], xi[ok]].astype(float)
                red = np.array([200, 60, 60], float)
                img[ys[ok], xi[ok]] = np.minimum(cur, 255 - (255 - red) * wt[ok, None])
    return img


def _line_positions(img: np.ndarray, band: int = 16) -> np.ndarray:
    """Sub-pixel x of each vertical line (in bands down the page), minus its place."""
    dark = 255 - img.min(axis=2).astype(float)
    h, w = dark.shape
    out = []
    for y0 in range(0, h - band, band):
        prof = dark[y0 : y0 + band].mean(axis=0)
        for m in range(1, int(w / CELL) - 1):
            x = int(m * CELL)
            win = prof[x - 4 : x + 5]
            j = np.arange(-4, 5)
            out.append(float((win * j).sum() / max(win.sum(), 1e-9)))
    return np.asarray(out)


def _refined(img: np.ndarray):
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    mx, my, moved = regrid.refine(img, xx, yy, CELL, np.ones((h, w), bool))
    out = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out, moved


def test_a_warp_between_lattice_nodes_is_undone():
    # every line bends by up to 2 px over 80 mm (a curl or fold the lattice missed)
    img = _grid(lambda m, y: 2.0 * np.sin(2 * np.pi * y / 640.0 + 0.3 * m), h=960)
    before = np.sqrt(np.mean(_line_positions(img) ** 2))
    out, moved = _refined(img)
    after = np.sqrt(np.mean(_line_positions(out) ** 2))
    assert before > 1.0
    assert moved > 1.0
    assert after < 0.35 * before, (before, after)


def test_a_printed_grids_own_line_offsets_are_not_copied():
    # a grid rasterised before printing: each line sits up to half a raster pixel off,
    # alternating from line to line and constant down the line; the trace does not share it
    img = _grid(lambda m, y: np.full(y.shape, 0.6 if m % 2 else -0.6))
    _, moved = _refined(img)
    assert moved < 0.25, moved  # a quarter of the pattern's 0.6 px at most


def test_a_page_without_grid_lines_is_left_alone():
    img = np.full((480, 640, 3), 255, np.uint8)
    _, moved = _refined(img)
    assert moved == 0.0
