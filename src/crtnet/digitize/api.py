"""``digitize``: an ECG page (image, PDF, array) → a 12-lead ``Record`` in mV."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crtnet.digitize.layout import row_span
from crtnet.digitize.load import load
from crtnet.digitize.raster import read_raster
from crtnet.digitize.read import read
from crtnet.digitize.trace import pieces
from crtnet.errors import CrtnetError
from crtnet.io.leads import STANDARD_12
from crtnet.io.record import Record

COLORS = [(0, 90, 255), (0, 170, 0), (230, 120, 0), (160, 0, 200)]


@dataclass
class Digitized:
    record: Record
    info: dict
    curves: list[np.ndarray] = field(default_factory=list)  # [n, 2] px on ``image``
    image: np.ndarray | None = None  # the page as analysed (deskewed), for overlays

    def overlay(self, image: np.ndarray | None = None, width: int = 2) -> np.ndarray:
        """The extracted curves drawn over the page (the deskewed page by default)."""
        import cv2

        base = self.image if image is None else image
        if base is None:
            raise CrtnetError("no page image to draw the overlay on")
        out = np.ascontiguousarray(base[..., :3]).copy()
        for i, c in enumerate(self.curves):
            for p in pieces(c):
                pts = np.round(p * 4).astype(np.int32)
                cv2.polylines(out, [pts], False, COLORS[i % len(COLORS)], width, cv2.LINE_AA, 2)
        return out


def _turned_pulses(traces: list) -> bool:
    """Whether half the rows or more end in a calibration pulse seen upside down: the mark
    of a page turned by 180°, worth a second reading (an upright page whose pulses were
    missed is not)."""
    from crtnet.digitize.layout import Trace, find_pulse

    hits = 0
    for t in traces:
        ok = np.isfinite(t.y)
        if ok.sum() < 10:
            continue
        x, y = t.x[ok], t.y[ok]
        turned = Trace(x[-1] - x[::-1], 2 * t.baseline - y[::-1], t.baseline)
        hits += find_pulse(turned) is not None
    return 2 * hits >= max(1, len(traces))


def digitize(
    source: str | Path | np.ndarray, *, fs: float = 500, layout: str = "auto", page: int = 0
) -> Digitized:
    """Digitize one ECG page. Raises ``CrtnetError`` for anything that is not a usable ECG."""
    t0 = time.perf_counter()
    path = None if isinstance(source, np.ndarray) else Path(source)
    kind, payload, dpi_hint = load(source, page)
    timings = {"load": time.perf_counter() - t0}
    if kind == "vector":
        from crtnet.digitize.vector import vector_traces

        got = read(*vector_traces(payload, path, page), layout, fs, path, timings)
    else:
        got = read_raster(payload, dpi_hint, layout, fs, path, timings)
        if "calibration" in got[-1]["failed"] and _turned_pulses(got[0]):
            # no pulse where a pulse belongs: maybe the page is upside down
            try:
                turned = read_raster(
                    np.ascontiguousarray(payload[::-1, ::-1]), dpi_hint, layout, fs, path, {}
                )
                failed = turned[-1]["failed"]
                if "calibration" not in failed and len(failed) < len(got[-1]["failed"]):
                    got = turned
                    got[1]["rotated_180"] = True
            except CrtnetError:
                pass
    traces, px_info, curves, image, sig, conf, entries, name, speed, gain, calib, pulses, chk = got
    if kind != "vector" and traces:
        # the overlay shows what was read: not what the tracer followed past a row's end
        # (on to the page's edge), which assembly ignores
        span_mm = row_span(traces, speed) * speed
        ppm = px_info["px_per_mm"]
        curves = [
            c[c[:, 0] <= (t.start + span_mm) * ppm + 1.0]
            for c, t in zip(curves, traces, strict=True)
        ]
    timings["total"] = time.perf_counter() - t0
    info = {
        "source": "vector-pdf" if kind == "vector" else "raster",
        "layout": name,
        "paper_speed_mm_s": speed,
        "gain_mm_mv": gain,
        "calibration": calib,
        "n_pulses": len(pulses),
        "confidence": {k: round(v, 3) for k, v in conf.items()},
        "flagged": chk["flagged"],
        "failed_checks": chk["failed"],
        "page_confidence": chk["page_confidence"],
        "lead_confidence": chk["lead_confidence"],
        "checks": chk["checks"],
        "lead_labels": chk.get("labels", []),
        "panels": [
            {"lead": lead, "row": r, "col": c, "t0": round(a, 4), "t1": round(b, 4)}
            for _, r, c, lead, _, a, b in entries
        ],
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
        **px_info,
    }
    rec = Record(
        signal=sig,
        fs=fs,
        leads=list(STANDARD_12),
        record_id=path.stem if path else "",
        source=str(path) if path else "array",
        meta={
            "digitizer": "crtnet",
            "layout": name,
            "confidence": info["confidence"],
            "flagged": chk["flagged"],
            "failed_checks": chk["failed"],
            "page_confidence": chk["page_confidence"],
        },
    )
    return Digitized(rec, info, curves, image)
