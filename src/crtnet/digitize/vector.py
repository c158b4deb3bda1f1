"""Vector PDFs (as ECG carts export them): traces read exactly from the drawing paths.

No rasterising: dark stroked paths are grouped into printed rows by height, and each
row's curve is the union of its paths' vertices in page mm. The page is rendered only
to draw the overlay on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from crtnet.digitize import layout as lay
from crtnet.digitize.load import VectorPage
from crtnet.errors import CrtnetError

OVERLAY_DPI = 100.0


def _dark(c: tuple[float, float, float]) -> bool:
    return max(c) < 0.5 and max(c) - min(c) < 0.35


def vector_traces(page: VectorPage, path: Path | None, page_no: int = 0):
    dark = [p for p, c in zip(page.paths, page.colors, strict=True) if _dark(c)]
    long = [p for p in dark if np.ptp(p[:, 0]) >= 20.0]
    if not long:
        raise CrtnetError("no ECG trace paths in this PDF page", path)
    med = np.array([np.median(p[:, 1]) for p in long])
    order = np.argsort(med)
    groups: list[list[int]] = [[int(order[0])]]
    for a, b in zip(order[:-1], order[1:], strict=True):
        if med[b] - med[a] > 6.0:
            groups.append([])
        groups[-1].append(int(b))
    centers = np.array([np.median(med[g]) for g in groups])
    traces, curves = [], []
    for gi, g in enumerate(groups):
        x0 = min(long[i][:, 0].min() for i in g)
        x1 = max(long[i][:, 0].max() for i in g)
        half = 0.5 * (np.diff(centers).min() if len(centers) > 1 else 40.0)
        parts = [long[i] for i in g]
        for p in dark:  # calibration pulse and short pieces of this row
            if np.ptp(p[:, 0]) < 20.0 and x0 - 16 <= p[:, 0].min() and p[:, 0].max() <= x1:
                if np.abs(np.median(p[:, 1]) - centers[gi]) < half:
                    parts.append(p)
        pts = np.concatenate(parts)
        pts = pts[np.argsort(pts[:, 0], kind="stable")]
        t = lay.Trace(pts[:, 0].copy(), pts[:, 1].copy(), float(centers[gi]))
        t.pulse = lay.find_pulse(t)
        t.start = t.pulse["x1"] if t.pulse else float(x0)
        t.end = float(x1)
        if t.pulse is None:
            t.start = float(min(long[i][:, 0].min() for i in g))
        traces.append(t)
        curves.append(pts * OVERLAY_DPI / 25.4)
    info = {
        "px_per_mm": 1.0,
        "scale_from": "pdf-units (exact)",
        "exact": True,  # drawn paths: no pixel limits the detail
        "rotation_deg": 0.0,
        "page_mm": [round(page.width_mm, 2), round(page.height_mm, 2)],
        "n_paths": len(page.paths),
        "n_trace_paths": len(dark),
    }
    return traces, info, curves, _render(path, page_no)


def _render(path: Path | None, page_no: int) -> np.ndarray | None:
    if path is None:
        return None
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return np.asarray(doc[page_no].render(scale=OVERLAY_DPI / 72.0).to_pil().convert("RGB"))
    finally:
        doc.close()
