"""Drawing primitives: anti-aliased text and polylines that also log themselves as vectors.

Every call appends its operation (in px) to ``ops`` so the vector PDF can replay the page.
"""

from __future__ import annotations

import numpy as np

from crtnet.render import paper


def text(img: np.ndarray, text: str, x: float, y: float, height_px: float, ops: list) -> None:
    import cv2

    ops.append(("text", text, x, y, height_px))
    scale = height_px / 22.0
    thick = max(1, int(round(scale * 1.1)))
    cv2.putText(
        img,
        text,
        (int(x), int(y)),
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        paper.TEXT_RGB,
        thick,
        cv2.LINE_AA,
    )


def pen(width_px: float) -> tuple[int, float]:
    """(OpenCV thickness, offset) that together draw an anti-aliased line ``width_px`` wide.

    OpenCV's LINE_AA strokes come only ~1.4, 3.6, 5.6... px wide; copies shifted by
    +-offset in x and y fill the widths between, so thin traces stay thin.
    """
    w = max(2.0, width_px)  # below 2 px the pixel nearest a sample would not be solid
    thick = 1 if w < 3.6 else int((w + 0.4) // 2)
    base = 1.4 if thick == 1 else 2 * thick - 0.4
    return thick, max(0.0, (w - base) / 2)


def polyline(
    img: np.ndarray, x: np.ndarray, y: np.ndarray, pen: tuple, ops: list, rgb=paper.TRACE_RGB
) -> None:
    """Anti-aliased polyline at 1/16 px precision, split at NaN gaps."""
    import cv2

    ops.append(("line", x, y, rgb))
    ok = np.isfinite(y)
    if not ok.any():
        return
    thick, off = pen
    shifts = [(0.0, 0.0)] if off < 0.05 else [(off, 0), (-off, 0), (0, off), (0, -off)]
    edges = np.flatnonzero(np.diff(np.r_[0, ok.view(np.int8), 0]))
    for dx, dy in shifts:
        pts = np.round(np.stack([x + dx, y + dy], 1) * 16).astype(np.int32)
        runs = [pts[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]
        cv2.polylines(img, runs, False, rgb, thick, cv2.LINE_AA, shift=4)
