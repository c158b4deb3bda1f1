"""ECG paper: page sizes, grid palettes and a cached grid image per (size, dpi, colour).

The grid is the costly, constant part of a page, so it is drawn once and copied.
Pixel convention used everywhere in the renderer: pixel (col i, row j) has its centre at
integer coordinates (i, j), so a point at ``m`` mm from the page edge lies at
``m * px_per_mm - 0.5`` px. A vector PDF rasterised at the same DPI lands on the same pixels.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from crtnet.errors import CrtnetError

MM_PER_INCH = 25.4
MINOR_STYLES = ("lines", "dots", "none")
PAPER_MM = {"letter": (279.4, 215.9), "a4": (297.0, 210.0)}
TRACE_RGB = (18, 18, 24)
TRACES = {"black": TRACE_RGB, "blue": (30, 28, 88)}
TEXT_RGB = (30, 30, 30)

# (background, minor lines, major lines), RGB. Tones picked beside real printouts.
PALETTES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "red": ((255, 253, 252), (247, 196, 196), (232, 120, 120)),
    "pink": ((254, 240, 240), (246, 198, 205), (236, 148, 160)),
    "orange": ((255, 250, 244), (250, 200, 170), (238, 132, 92)),
    "green": ((249, 253, 248), (190, 228, 192), (118, 188, 126)),
    "blue": ((249, 251, 255), (192, 212, 240), (112, 150, 214)),
    "grey": ((254, 254, 254), (214, 214, 214), (158, 158, 158)),
    # dark brown, minor lines nearly as dark as the major ones (ecg-image-kit's brown)
    "brown": ((255, 255, 255), (150, 107, 101), (109, 50, 47)),
    "none": ((255, 255, 255), (255, 255, 255), (255, 255, 255)),
}


def px_per_mm(dpi: float) -> float:
    return float(dpi) / MM_PER_INCH


def page_size_px(paper: str, dpi: int) -> tuple[int, int]:
    if paper not in PAPER_MM:
        raise CrtnetError(f"unknown paper {paper!r}; choose one of {', '.join(PAPER_MM)}")
    w_mm, h_mm = PAPER_MM[paper]
    return int(round(w_mm * dpi / MM_PER_INCH)), int(round(h_mm * dpi / MM_PER_INCH))


def check_grid(grid: str) -> None:
    if grid not in PALETTES:
        raise CrtnetError(f"unknown grid {grid!r}; choose one of {', '.join(PALETTES)}")


@lru_cache(maxsize=16)
def _grid_image(width: int, height: int, dpi: int, grid: str, minor: str) -> np.ndarray:
    bg, minor_rgb, major_rgb = PALETTES[grid]
    img = np.empty((height, width, 3), np.uint8)
    img[:] = bg
    if grid == "none":
        img.setflags(write=False)
        return img
    ppmm = px_per_mm(dpi)
    thin = max(1, int(round(0.1 * ppmm)))  # ~0.1 mm lines, as printed
    thick = max(1, int(round(0.2 * ppmm)))
    if minor == "dots":  # a dot at every 1 mm crossing, as some carts print
        dot = tuple(int(0.5 * a + 0.5 * b) for a, b in zip(minor_rgb, major_rgb, strict=True))
        xs = np.round(np.arange(0, width / ppmm, 1.0) * ppmm - 0.5).astype(int)
        ys = np.round(np.arange(0, height / ppmm, 1.0) * ppmm - 0.5).astype(int)
        size = max(1, int(round(0.2 * ppmm)))
        for dy in range(size):
            for dx in range(size):
                img[
                    np.ix_(
                        np.clip(ys + dy - size // 2, 0, height - 1),
                        np.clip(xs + dx - size // 2, 0, width - 1),
                    )
                ] = dot
    for step, rgb, width_px, skip5 in ((1, minor_rgb, thin, True), (5, major_rgb, thick, False)):
        if step == 1 and minor != "lines":
            continue
        for axis, extent in ((1, width), (0, height)):
            n = int(extent / ppmm / step) + 1
            for k in range(n):
                if skip5 and k % 5 == 0:
                    continue
                c = int(round(k * step * ppmm - 0.5))
                lo, hi = max(0, c - (width_px - 1) // 2), min(extent, c + width_px // 2 + 1)
                if hi <= lo:
                    continue
                if axis == 1:
                    img[:, lo:hi] = rgb
                else:
                    img[lo:hi, :] = rgb
    img.setflags(write=False)
    return img


def grid_image(width: int, height: int, dpi: int, grid: str, minor: str = "lines") -> np.ndarray:
    """A fresh, writable copy of the cached grid; ``minor`` is lines, dots or none."""
    check_grid(grid)
    if minor not in MINOR_STYLES:
        raise CrtnetError(f"minor grid must be one of {', '.join(MINOR_STYLES)}, got {minor!r}")
    return _grid_image(width, height, dpi, grid, minor).copy()
