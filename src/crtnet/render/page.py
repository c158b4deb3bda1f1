"""Draw one ECG page from a Record and keep exact ground truth of every plotted sample.

Every sample that is drawn gets its pixel coordinates recorded, so a digitizer can be
scored against exactly what the page shows (``Page.shown``), not against the whole record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.leads import STANDARD_12
from crtnet.io.record import Record
from crtnet.render import paper
from crtnet.render.draw import pen as _pen
from crtnet.render.draw import polyline as _polyline
from crtnet.render.draw import text as _text
from crtnet.render.header import header_lines
from crtnet.render.layouts import column_samples, get_layout

LIMB_DERIVED = ("III", "aVR", "aVL", "aVF")
MODIFIED = {"I": "MLI", "II": "MLII", "III": "MLIII"}


@dataclass
class RenderConfig:
    """How to print. ``line_width``: trace width in points (1/72 inch), drawn >= 2 px wide."""

    layout: str = "3x4+II"
    paper_speed: float = 25.0  # mm/s: 25 or 50
    gain: float = 10.0  # mm/mV: 5, 10 or 20
    dpi: int = 200
    grid: str = "red"  # red, pink, orange, green, blue, grey, none
    line_width: float = 0.6  # points
    calibration: bool = True
    header: bool = True
    augment: str | dict | None = None  # preset name or AugmentConfig fields
    paper: str = "letter"  # letter (279.4 x 215.9 mm) or a4
    start: float = 0.0  # s into the record where the page begins
    minor_grid: str = "lines"  # 1 mm grid: lines, dots (at crossings) or none
    separators: bool = True  # short lead-change ticks between columns, as carts print
    clip: bool = False  # clip traces at their panel (default: overlap neighbours, as most carts)
    mask: bool = False  # also draw a trace mask (lead traces only, same geometry)
    trace_colour: str = "black"  # black or blue (some carts print dark-blue traces)

    def validate(self) -> None:
        if not 100 <= int(self.dpi) <= 600:
            raise CrtnetError(f"dpi must be between 100 and 600, got {self.dpi}")
        if self.paper_speed not in (25.0, 50.0, 12.5):
            raise CrtnetError(f"paper speed must be 12.5, 25 or 50 mm/s, got {self.paper_speed}")
        if self.gain not in (2.5, 5.0, 10.0, 20.0):
            raise CrtnetError(f"gain must be 2.5, 5, 10 or 20 mm/mV, got {self.gain}")
        if not 0.1 <= self.line_width <= 5:
            raise CrtnetError(f"line width must be 0.1-5 pt, got {self.line_width}")
        if self.start < 0:
            raise CrtnetError(f"start must be >= 0 s, got {self.start}")
        paper.check_grid(self.grid)
        if self.minor_grid not in paper.MINOR_STYLES:
            raise CrtnetError(f"minor grid must be one of {', '.join(paper.MINOR_STYLES)}")
        if self.trace_colour not in paper.TRACES:
            raise CrtnetError(f"trace colour must be one of {', '.join(paper.TRACES)}")
        get_layout(self.layout)


@dataclass
class Page:
    image: np.ndarray  # uint8 [H, W, 3] RGB
    truth: dict[str, Any]
    shown: Record
    config: RenderConfig = field(default_factory=RenderConfig)
    ops: list = field(default_factory=list)  # clean drawing in px, for the vector PDF
    mask: np.ndarray | None = None  # uint8 [H, W]: 255 on lead traces (RenderConfig.mask)

    def save(
        self, out_dir: str | Path, stem: str, formats: tuple[str, ...] = ("png",)
    ) -> list[Path]:
        from crtnet.render.save import save_page

        return save_page(self, out_dir, stem, formats)


def _resolve(record: Record, name: str) -> tuple[np.ndarray | None, str, str, float]:
    """(signal or None, printed label, source lead name, sign) for a layout slot."""
    if name.startswith("#"):
        k = int(name[1:])
        if k >= record.n_leads:
            return None, f"lead {k + 1}", f"#{k}", 1.0
        return record.signal[k], record.leads[k], record.leads[k], 1.0
    sign = -1.0 if name.startswith("-") else 1.0
    base = name.lstrip("-")
    if base in record.leads:
        return sign * record.signal[record.leads.index(base)], name, base, sign
    alt = MODIFIED.get(base)  # Holter records (MIT-BIH) carry MLII where a cart prints II
    if alt in record.leads:
        return sign * record.signal[record.leads.index(alt)], alt, alt, sign
    return None, name, base, sign


def _with_limb(record: Record) -> Record:
    if "I" in record.leads and "II" in record.leads:
        if any(n not in record.leads for n in LIMB_DERIVED):
            return record.with_derived_limb_leads()
    return record


def render_page(record: Record, config: RenderConfig | None = None, *, seed: int = 0) -> Page:
    """Print ``record`` as a clinical page; see docs/RENDER.md for the ground-truth format."""
    cfg = config or RenderConfig()
    cfg.validate()
    layout = get_layout(cfg.layout)
    rec = _with_limb(record)
    ppmm = paper.px_per_mm(cfg.dpi)
    width, height = paper.page_size_px(cfg.paper, cfg.dpi)
    w_mm, h_mm = paper.PAPER_MM[cfg.paper]
    img = paper.grid_image(width, height, cfg.dpi, cfg.grid, cfg.minor_grid)
    mask = np.zeros((height, width), np.uint8) if cfg.mask else None

    def px(mm: float) -> float:
        return mm * ppmm - 0.5

    cal_w = 0.2 * cfg.paper_speed + 2.0  # 1 mm flat, 200 ms pulse, 1 mm flat
    x_cal = 7.0
    x0_mm = x_cal + cal_w + 1.0
    plot_mm = min(250.0, w_mm - x0_mm - 6.0)
    span = plot_mm / cfg.paper_speed  # seconds across the page
    top = 20.0 if cfg.header else 6.0
    bottom = 9.0
    row_h = (h_mm - top - bottom) / layout.n_rows
    s0 = int(round(cfg.start * rec.fs))
    if s0 >= rec.n_samples:
        raise CrtnetError(f"start {cfg.start} s is past the record's end ({rec.duration:.1f} s)")
    thick = _pen(cfg.line_width / 72.0 * cfg.dpi)
    label_h = 3.2 * ppmm if row_h >= 20 else 2.4 * ppmm

    shown: dict[str, np.ndarray] = {}
    ink = paper.TRACES[cfg.trace_colour]
    ops: list = []  # drawing operations in px, replayed as vectors by the PDF writer
    entries, cals = [], []
    for r, row in enumerate(layout.rows):
        base_mm = float(np.floor(top + (r + 0.58) * row_h))  # baseline on a whole mm line
        y_base = px(base_mm)
        y_top, y_bot = px(top + r * row_h), px(top + (r + 1) * row_h)
        if cfg.calibration:
            u = cfg.gain
            cx = [x_cal, x_cal + 1, x_cal + 1, x_cal + 1 + 0.2 * cfg.paper_speed]
            cx += [cx[-1], cx[-1] + 1]
            cy = [0, 0, u, u, 0, 0]
            xs = np.array([px(v) for v in cx])
            ys = np.array([y_base - v * ppmm for v in cy])
            _polyline(img, xs, ys, thick, ops, ink)
            cals.append(
                {
                    "row": r,
                    "bbox": [
                        round(float(xs.min()), 2),
                        round(float(ys.min()), 2),
                        round(float(xs.max()), 2),
                        round(float(ys.max()), 2),
                    ],
                    "mv": 1.0,
                    "ms": 200.0,
                }
            )
        n_cols = len(row)
        for c, name in enumerate(row):
            t0, t1 = c * span / n_cols, (c + 1) * span / n_cols
            i0, i1 = column_samples(c, n_cols, span, rec.fs, rec.n_samples - s0)
            i0, i1 = s0 + i0, s0 + i1
            sig, label, base, sign = _resolve(rec, name)
            xl, xr = px(x0_mm + t0 * cfg.paper_speed), px(x0_mm + t1 * cfg.paper_speed)
            entry: dict[str, Any] = {
                "lead": label,
                "source_lead": base,
                "sign": sign,
                "row": r,
                "col": c,
                "bbox": [round(xl, 2), round(y_top, 2), round(xr, 2), round(y_bot, 2)],
                "t0": round(cfg.start + t0, 6),
                "t1": round(cfg.start + t1, 6),
                "sample_start": i0,
                "sample_end": max(i0, i1),
                "baseline_y": round(y_base, 3),
                "x": [],
                "y": [],
            }
            if cfg.separators and c > 0:
                tick = np.array([y_base - 2.5 * ppmm, y_base + 2.5 * ppmm])
                _polyline(img, np.array([xl, xl]), tick, thick, ops, ink)
            label_y = y_base - min(0.3 * row_h, 9.0) * ppmm
            _text(img, label, xl + 1.2 * ppmm, label_y, label_h, ops)
            if sig is not None and i1 > i0:
                idx = np.arange(i0, i1)
                v = sig[i0:i1].astype(np.float64)
                x = xl + ((idx - s0) / rec.fs - t0) * cfg.paper_speed * ppmm
                y = y_base - v * cfg.gain * ppmm
                fin = np.isfinite(v)
                if cfg.clip:  # flat at the panel edge, as carts clip; those samples are lost
                    fin &= (y >= y_top) & (y <= y_bot)
                    y = np.clip(y, y_top, y_bot)
                    _polyline(img, x, y, thick, ops, ink)
                else:
                    _polyline(img, x, y, thick, ops, ink)
                if mask is not None:
                    _polyline(mask, x, y, thick, [], 255)
                entry["x"] = np.round(x, 3).tolist()
                entry["y"] = [
                    round(float(a), 3) if f else None for a, f in zip(y, fin, strict=True)
                ]
                dst = shown.setdefault(base, np.full(rec.n_samples, np.nan, np.float32))
                dst[i0:i1] = np.where(fin, sign * v, dst[i0:i1])
            elif not base.startswith("#"):  # a named lead the record lacks: an all-NaN row
                shown.setdefault(base, np.full(rec.n_samples, np.nan, np.float32))
            entries.append(entry)

    if cfg.header:
        for k, line in enumerate(header_lines(record, cfg.paper_speed, cfg.gain)):
            _text(img, line, px(x_cal), px(7.0 + k * 6.0), 3.2 * ppmm, ops)
    footer = f"{cfg.paper_speed:g} mm/s   {cfg.gain:g} mm/mV"
    _text(img, footer, px(x0_mm + 20), px(h_mm - 3.0), 3.0 * ppmm, ops)

    names = list(shown)
    if all(n in STANDARD_12 for n in names):
        names.sort(key=STANDARD_12.index)
    shown_rec = Record(
        signal=np.stack([shown[n] for n in names]),
        fs=rec.fs,
        leads=names,
        record_id=record.record_id,
        patient_id=record.patient_id,
        labels=list(record.labels),
        source=record.source,
        meta={k: record.meta[k] for k in ("age", "sex") if k in record.meta},
    )
    truth: dict[str, Any] = {
        "layout": cfg.layout,
        "dpi": cfg.dpi,
        "px_per_mm": ppmm,
        "paper_speed": cfg.paper_speed,
        "gain": cfg.gain,
        "width": width,
        "height": height,
        "grid": cfg.grid,
        "paper": cfg.paper,
        "fs": rec.fs,
        "record_id": record.record_id,
        "start": cfg.start,
        "pixel_convention": "pixel (i, j) centred at integer (x=i, y=j)",
        "config": {k: v for k, v in asdict(cfg).items() if k != "augment"},
        "augment": {},
        "homography": np.eye(3).tolist(),
        "leads": entries,
        "calibration": cals,
    }
    page = Page(image=img, truth=truth, shown=shown_rec, config=cfg, ops=ops, mask=mask)
    if cfg.augment not in (None, "none", {}):
        from crtnet.render.augment import augment_page

        augment_page(page, cfg.augment, seed=seed)
    return page
