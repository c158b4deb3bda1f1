"""Raster pages: the classical one-homography geometry for scans and renders, the dense
path (``dewarp``) for photographs, and trace rows on either."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from crtnet.digitize import grid as gridmod
from crtnet.digitize import layout as lay
from crtnet.digitize import trace as tr
from crtnet.digitize.read import read
from crtnet.digitize.rectify import line_mask, rectify
from crtnet.errors import CrtnetError

MAX_SIDE = 3400  # a letter page at 300 DPI; finer scans are reduced (time, not accuracy)
MAX_SIDE_PHOTO = 4200  # a 12 MP photo keeps its detail; only larger ones are reduced
CROWDED = 0.08  # twice the ink of our densest clean render (12x1, 4.2 %): more is grid


def read_raster(img: np.ndarray, dpi_hint, layout, fs, path, timings):
    """Classical geometry first; a photographed page (paper that does not fill the frame,
    or a classical reading that fails) is resampled onto its own grid by ``dewarp``."""
    from crtnet.digitize import dewarp as dw

    if max(img.shape[:2]) > MAX_SIDE_PHOTO:
        import cv2

        f = MAX_SIDE_PHOTO / max(img.shape[:2])
        img = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        dpi_hint = dpi_hint * f if dpi_hint else None
    photo = dw.surrounded(img)
    first, first_err = None, None
    if not photo:
        try:
            rows = _rows_from(*_classical_geometry(img, dpi_hint, path, timings), path, timings)
            first = read(*rows, layout, fs, path, timings)
            if not first[-1]["flagged"]:
                return first
        except CrtnetError as exc:
            first_err = exc
    t = time.perf_counter()
    try:
        second = _read_dewarped(img, dpi_hint, layout, fs, path, timings)
    except CrtnetError as exc:
        second, second_err = None, exc
    timings["dewarp"] = time.perf_counter() - t
    if second is None and first is None and photo:
        # a surround that is no paper edge after all: try the flat reading
        rows = _rows_from(*_classical_geometry(img, dpi_hint, path, timings), path, timings)
        return read(*rows, layout, fs, path, timings)
    got = [g for g in (first, second) if g is not None]
    if not got:
        raise first_err or second_err
    # the reading whose cross-checks fail least; the classical one when they tie
    return min(got, key=lambda g: (len(g[-1]["failed"]), -g[-1]["page_confidence"]))


def _read_dewarped(img: np.ndarray, dpi_hint, layout, fs, path, timings):
    from crtnet.digitize import dewarp as dw

    d = dw.dewarp(img)
    if d is None:
        raise CrtnetError("no ECG grid found on this page", path)
    flat, paper = dw.flatten(d.image, 5 * d.px_per_mm, on_lattice=True)
    t = time.perf_counter()
    ppm, src = d.px_per_mm, d.info["source_px_per_mm"][1]
    # the paper's edge, its shadow and the table are no trace: keep to the printed grid
    area = dw.grid_area(flat, paper, ppm)
    band = (lambda m: _row_bands(m & area, ppm)) if SEED_ROWS else None
    trace = _ink_mask(flat, ppm, src, band) & area
    timings["ink_mask"] = time.perf_counter() - t
    px = {
        "px_per_mm": d.px_per_mm,
        "scale_from": "grid-lattice",
        "dpi_estimate": round(d.info["source_px_per_mm"][1] * 25.4, 1),
        "dpi_metadata": dpi_hint,
        "grid_strength": None,
        "rotation_deg": d.info["rotation_deg"],
        "perspective_corrected": True,
        "dewarp": d.info,
        "image_size": [int(flat.shape[1]), int(flat.shape[0])],
        "page_mm": [flat.shape[1] / d.px_per_mm, flat.shape[0] / d.px_per_mm],
    }
    # the dewarped page ends where its grid does: a row there is the paper's edge
    rows = _rows_from(flat, trace, d.px_per_mm, px, path, timings, margin_mm=6.0)
    return read(*rows, layout, fs, path, timings)


SEED_ROWS = True


def _row_bands(trace: np.ndarray, ppm: float) -> np.ndarray | None:
    """The bands (+-2.5 mm) around the trace rows' baselines, as a first reading of the
    mask finds them: where a faint pen's strokes may seed the ink."""
    rows = tr.find_rows(_drop_blobs(gridmod.remove_rules(trace, ppm), ppm), ppm)
    if not rows:
        return None
    band = np.zeros(trace.shape, bool)
    r = int(round(2.5 * ppm))
    for row in rows:
        b = int(round(row.baseline))
        band[max(0, b - r) : b + r + 1, row.x0 : row.x1] = True
    return band


PEN = "model"  # ink on a dewarped page: the learned "model" (pixelnet) or "colour" rules
MODEL_SEED, MODEL_WEAK = 0.8, 0.5  # the model's ink probability: hysteresis thresholds


def _ink_mask(
    flat: np.ndarray,
    ppm: float,
    source_ppm: float | None = None,
    band: Callable[[np.ndarray], np.ndarray | None] | None = None,
) -> np.ndarray:
    """Ink on a dewarped photo: the learned pixel model's ink probability (the default;
    see its card), or the grid-periodicity rule (``dewarp.pen_mask``) where the model
    cannot run or ``PEN`` asks for the rule. The model was chosen over the rule on
    photographed renders (a dev set) and wins on the real photos too."""

    from crtnet.digitize import dewarp as dw
    from crtnet.digitize import pixelnet

    fine = source_ppm is None or source_ppm >= dw.FINE_PPM
    if PEN == "model" and fine and pixelnet.WEIGHTS.is_file():
        fc = pixelnet.features(flat, ppm)
        if fc is None:  # the rule's own contrast finds no pen either: colour decides
            return gridmod.masks(flat)[0]
        p = pixelnet.probabilities(fc[0])[..., 2]
        m = dw.hysteresis(p > MODEL_SEED, p > MODEL_WEAK)
        return dw._unframed(dw._bridged(m), ppm)
    trace = dw.pen_mask(flat, ppm, source_ppm, seed_band=band)
    if trace is None:
        trace, _ = gridmod.masks(flat)
    return trace


def _classical_geometry(img: np.ndarray, dpi_hint, path, timings):
    """Flat scans and renders: one homography, one rotation, one px/mm for the page."""
    t = time.perf_counter()
    if max(img.shape[:2]) > MAX_SIDE:
        import cv2

        f = MAX_SIDE / max(img.shape[:2])
        img = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        dpi_hint = dpi_hint * f if dpi_hint else None
    img, homography = rectify(img)  # photos: grid lines made parallel first
    trace, grid = gridmod.masks(img)
    if trace.mean() < 1e-4:
        raise CrtnetError("no ECG trace found (the page is blank or has no dark ink)", path)
    info = gridmod.grid_scale(grid)
    if info.px_per_mm is None:
        # uneven light can make the whole page differ from "paper": thin dark lines instead
        lines = line_mask(img).astype(bool) & ~trace
        alt = gridmod.grid_scale(lines)
        if alt.px_per_mm is not None and _ruled(lines):
            grid, info = lines, alt
    angle, best = 0.0, None
    # a rotated grid can defeat the scale estimate, yet still give the sharpest angle
    sources = [grid] if info.px_per_mm else [trace]
    if info.px_per_mm is None and grid.mean() > 0.005:
        sources = [grid, trace]
    angles: list[float] = []
    for m in sources:
        angles += [a for a in gridmod.skew_angles(m) if all(abs(a - b) > 0.05 for b in angles)]
    for a in angles:
        # a weak grid may mean a lattice alias angle: try the next angle
        if abs(a) < 0.1:
            cand = (a, img, trace, grid, info)
        else:
            r = gridmod.rotate(img, a)
            tr_a, gr_a = gridmod.masks(r)
            cand = (a, r, tr_a, gr_a, gridmod.grid_scale(gr_a))
        if best is None or cand[4].strength > best[4].strength + 0.1:
            best = cand
        if best[4].px_per_mm is not None and best[4].strength >= 0.4:
            break  # a clear grid: do not trade it for an alias (resampled fine grids
            # can look "more periodic" at a wrong period)
    if best is not None:
        angle, img, trace, grid, info = best
    timings["grid"] = time.perf_counter() - t
    ppm, scale_from = info.px_per_mm, "grid"
    if ppm is None:
        if dpi_hint is None:
            raise CrtnetError(
                "no ECG grid found and the file states no DPI: not an ECG page?", path
            )
        ppm, scale_from = dpi_hint / 25.4, "dpi-metadata"
    if scale_from == "grid" and trace.mean() > CROWDED:
        # a dark grid (brown, its 1 mm lines as dark as the pen) passes the colour rules as
        # ink: the grid's own periodicity tells it apart, as on dewarped photos
        from crtnet.digitize.dewarp import pen_mask

        alt = pen_mask(img, ppm, ppm)
        if alt is not None and alt.mean() < 0.5 * trace.mean():
            trace = alt
    px = {
        "px_per_mm": round(float(ppm), 4),
        "scale_from": scale_from,
        "dpi_estimate": round(float(ppm) * 25.4, 1),
        "dpi_metadata": dpi_hint,
        "grid_strength": round(info.strength, 3),
        "grid_nonuniformity": _nonuniformity(grid, ppm) if scale_from == "grid" else None,
        "rotation_deg": round(angle, 2),
        "perspective_corrected": homography is not None,
        "image_size": [int(img.shape[1]), int(img.shape[0])],
    }
    return img, trace, ppm, px


def _nonuniformity(grid: np.ndarray, ppm: float) -> float:
    """Largest relative departure of a page third's grid period from the page's: a
    wrinkled or curled page has no single px/mm, and one number would misscale it."""
    h, w = grid.shape
    worst = 0.0
    for sl in (
        (slice(None), slice(0, w // 3)),
        (slice(None), slice(w // 3, 2 * w // 3)),
        (slice(None), slice(2 * w // 3, w)),
        (slice(0, h // 3), slice(None)),
        (slice(h // 3, 2 * h // 3), slice(None)),
        (slice(2 * h // 3, h), slice(None)),
    ):
        part = gridmod.grid_scale(grid[sl])
        if part.px_per_mm is not None and part.strength > 0.2:
            r = part.px_per_mm / ppm
            # a third read at 1 mm where the page reads 5 mm (or back) is no warp
            if 0.7 < r < 1.4:
                worst = max(worst, abs(r - 1))
    return round(worst, 4)


def _rows_from(img, trace, ppm, px, path, timings, margin_mm: float = 2.0):
    """Trace rows on a page whose geometry is known; none within ``margin_mm`` of the
    top or bottom edge."""
    t = time.perf_counter()
    # page frames and ruled lines are not traces: drop full-height columns, full-width rows
    trace = gridmod.remove_rules(trace, ppm)
    trace = _drop_blobs(trace, ppm)
    rows = tr.find_rows(trace, ppm)
    h = trace.shape[0]
    rows = [r for r in rows if margin_mm * ppm < r.baseline < h - margin_mm * ppm]
    if not rows:
        raise CrtnetError("no ECG trace rows found on this page", path)
    tr.extract(trace, rows, ppm, _ink(img))
    rows = [r for r in rows if _trace_like(r, ppm)]
    if not rows:
        raise CrtnetError("no ECG trace rows found on this page", path)
    timings["trace"] = time.perf_counter() - t
    traces = []
    for r in rows:
        tt = lay.Trace(r.x / ppm, r.y / ppm, r.baseline / ppm)
        _finish(tt)
        traces.append(tt)
    curves = [np.stack([r.x, r.y], axis=1) for r in rows]
    px = {**px, "unexplained_ink": _unexplained(trace, curves, [r.baseline for r in rows], ppm)}
    return traces, px, curves, img


def _unexplained(trace: np.ndarray, curves: list, baselines: list, ppm: float) -> float:
    """Share of the ink between the first and last row's bands that no extracted curve
    passes within 0.5 mm of: a QRS stroke the tracer skipped, a row it lost. Labels and
    separators are a few percent on a clean page."""
    import cv2

    if not curves:
        return 1.0
    drawn = np.zeros(trace.shape, np.uint8)
    for c in curves:
        ok = np.isfinite(c).all(axis=1)
        pieces = np.split(np.flatnonzero(ok), np.flatnonzero(np.diff(np.flatnonzero(ok)) > 1) + 1)
        for p in pieces:
            if p.size > 1:
                pts = np.round(c[p] * 4).astype(np.int32)
                cv2.polylines(drawn, [pts], False, 1, max(1, int(round(ppm))), cv2.LINE_8, 2)
    k = max(3, int(round(ppm)) | 1)
    near = cv2.dilate(drawn, np.ones((k, k), np.uint8)).astype(bool)
    gap = float(np.median(np.diff(sorted(baselines)))) if len(baselines) > 1 else 20 * ppm
    y0 = int(max(0, min(baselines) - 0.5 * gap))
    y1 = int(min(trace.shape[0], max(baselines) + 0.5 * gap))
    band = trace[y0:y1]
    total = int(band.sum())
    return round(float((band & ~near[y0:y1]).sum()) / total, 4) if total else 1.0


def _drop_blobs(trace: np.ndarray, ppm: float) -> np.ndarray:
    """Dark areas (the table beyond a photographed page, a shadow) are not pen strokes:
    whatever survives an opening wider than any pen goes."""
    import cv2

    k = max(3, int(round(1.5 * ppm)) | 1)
    blob = cv2.morphologyEx(
        trace.astype(np.uint8), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    )
    if not blob.any():
        return trace
    return trace & ~cv2.dilate(blob, np.ones((k, k), np.uint8)).astype(bool)  # and its rim


def _ruled(lines: np.ndarray) -> bool:
    """A printed grid has long straight lines both ways; textures and scenes do not."""
    import cv2

    m = lines.astype(np.uint8)
    h, w = m.shape
    horiz = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((1, w // 8), np.uint8)).any(axis=1)
    vert = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((h // 8, 1), np.uint8)).any(axis=0)
    return (
        int(np.diff(horiz.astype(int)).clip(0).sum()) >= 5
        and int(np.diff(vert.astype(int)).clip(0).sum()) >= 5
    )


def _ink(img: np.ndarray) -> np.ndarray:
    """Darkness 0..1 of colourless ink: the paper is 0, the pen's core ~1."""
    v = img[..., :3].max(axis=2).astype(np.float32)
    bg = float(np.percentile(v[::4, ::4], 90))
    return np.clip((bg - v) / max(bg, 1.0), 0.0, 1.0)


def _trace_like(r: tr.Row, ppm: float) -> bool:
    """An ECG row is mostly inked and smooth; a text line or a ruled line is not."""
    ok = np.isfinite(r.y)
    if ok.mean() < 0.5 or np.nanstd(r.y) < 0.3 * ppm:
        return False
    # one value per column: steep strokes hold many points, text glyphs jump between them
    xs = np.arange(r.x[ok][0], r.x[ok][-1])
    y = np.interp(xs, r.x[ok], r.y[ok])
    jumps = np.abs(np.diff(y)) > 1.5 * ppm
    if jumps.mean() >= 0.2:
        return False
    # a pen line runs unbroken for centimetres; words of text break every few mm
    if r.real is not None and r.real.size:
        gaps = np.flatnonzero(np.diff(np.r_[0, r.real.astype(np.int8), 0]))
        starts, ends = gaps[::2], gaps[1::2]
        if starts.size:
            # bridge gaps under 1 mm (a grid line erased under the pen)
            keep = np.r_[True, (starts[1:] - ends[:-1]) > ppm]
            seg_start = starts[keep]
            seg_end = np.r_[ends[np.flatnonzero(keep)[1:] - 1], ends[-1]]
            if (seg_end - seg_start).max() < 20 * ppm:
                return False
    return True


def _finish(t: lay.Trace) -> None:
    """Calibration pulse, then where the signal starts and ends on the row (mm)."""
    ok = np.isfinite(t.y)
    t.pulse = lay.find_pulse(t)
    t.start = t.pulse["x1"] if t.pulse else float(t.x[ok][0])
    t.end = float(t.x[ok][-1])
