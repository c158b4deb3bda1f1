"""Page layouts (which lead is where), layout detection, calibration pulses, assembly.

Works in mm on paper, so raster rows (px / px_per_mm) and vector paths share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import median_filter

from crtnet.errors import CrtnetError
from crtnet.io.leads import STANDARD_12

_S = [["I", "aVR", "V1", "V4"], ["II", "aVL", "V2", "V5"], ["III", "aVF", "V3", "V6"]]
# Cabrera order down the limb columns: aVL, I, -aVR, II, aVF, III
_C = [["aVL", "II", "V1", "V4"], ["I", "aVF", "V2", "V5"], ["-aVR", "III", "V3", "V6"]]

LAYOUTS: dict[str, list[list[str]]] = {
    "3x4": _S,
    "3x4+II": _S + [["II"]],
    "3x4+2": _S + [["II"], ["V1"]],
    "3x4+3": _S + [["II"], ["V1"], ["V5"]],
    "6x2": [["I", "V1"], ["II", "V2"], ["III", "V3"], ["aVR", "V4"], ["aVL", "V5"], ["aVF", "V6"]],
    "6x2+II": [
        ["I", "V1"],
        ["II", "V2"],
        ["III", "V3"],
        ["aVR", "V4"],
        ["aVL", "V5"],
        ["aVF", "V6"],
        ["II"],
    ],
    "12x1": [[lead] for lead in STANDARD_12],
    "cabrera-3x4": _C,
    "cabrera-3x4+II": _C + [["II"]],
}
EDGE_S = 0.04
# the pulse's falling edge: searched this far past its plateau; the signal starts half a
# pen after its foot
FALL_MAX_MM, FALL_PAD_MM = 2.0, 0.25
# a page resolves ~5 ms (a pixel at 8 px/mm and 25 mm/s); faster alternation between
# samples is the tracer interleaving an R wave's up and down strokes, not the heart
DETAIL_S = 0.006
# where a row's pulse may lie: a photo's row can begin with a few mm of edge or frame junk
PULSE_SEARCH_MM = 30.0
# rows' starts on one page agree within a dewarped photo's residual (a fraction of a mm)
ALIGN_MM = 1.5
# a row's own end-placed start vs the page's estimate: more is junk or a lost end
AGREE_MM = 0.75
# how far a row's measured duration may miss a whole number of 2.5 s columns
SNAP_S = 0.3
PART_STEP = 0.6  # a row holding this much of a further 2.5 s column ends with it
# a blank stretch this long between curve pieces can separate a row's end from junk
GAP_MM = 2.0
BY_ROWS = {3: "3x4", 4: "3x4+II", 5: "3x4+2", 6: "6x2", 7: "6x2+II", 12: "12x1"}


@dataclass
class Trace:
    """One printed row in mm (y down): curve samples and its 0 mV level."""

    x: np.ndarray
    y: np.ndarray
    baseline: float  # y of the row centre / 0 mV guess (mm)
    start: float = 0.0  # x where the signal begins (after the calibration pulse)
    end: float = 0.0
    pulse: dict | None = None


def find_pulse(tr: Trace) -> dict | None:
    """A 1 mV calibration step at the row's left end: a flat raised plateau 2-12 mm wide."""
    x, y = tr.x, tr.y
    ok = np.isfinite(y)
    if ok.sum() < 10:
        return None
    x0 = x[ok][0]
    # on a uniform 0.1 mm grid: a raster curve holds many points along each vertical edge
    xw = np.arange(x0 + 0.3, min(x0 + PULSE_SEARCH_MM, x[ok][-1]), 0.1)
    if xw.size < 10:
        return None
    yw = np.interp(xw, x[ok], y[ok])
    # a photographed plateau wobbles by a fraction of a pen width: judge it smoothed
    ys = median_filter(yw, 5, mode="nearest")
    flat = np.abs(np.diff(ys)) < 0.15
    idx = np.flatnonzero(np.diff(np.r_[0, flat.astype(int), 0]))
    starts, ends = idx[::2], idx[1::2]
    if starts.size == 0:
        return None
    found = []
    for a, b in zip(starts, ends, strict=True):
        px0, px1 = float(xw[a]), float(xw[min(b, xw.size - 1)])
        if not 2.0 <= px1 - px0 <= 12.0:
            continue
        top = float(np.median(ys[a : b + 1]))
        after = (xw > px1 + 0.2) & (xw < px1 + 1.5)
        if after.sum() < 2:
            continue
        base = float(np.median(ys[after]))
        # the pulse rises from 0 mV and falls back to it: the feet of its two edges say
        # where 0 mV is, even when the signal that follows starts off the baseline
        rise = y[ok][(x[ok] <= px0 + 0.1)]
        fall = y[ok][(x[ok] >= px1 - 0.1) & (x[ok] <= px1 + 0.6)]
        if rise.size >= 3 and fall.size >= 3:
            feet = (float(np.percentile(rise, 95)), float(np.percentile(fall, 95)))
            if abs(feet[0] - feet[1]) < 1.0 and abs(np.mean(feet) - base) > 0.5:
                base = float(np.mean(feet))
        h = base - top
        if 3.0 <= h <= 25.0:
            found.append(
                {"x0": px0, "x1": px1, "height_mm": h, "width_mm": px1 - px0, "base_y": base}
            )
    # the plateau most like a pulse (1 mV at 5, 10 or 20 mm/mV; 0.2 s at 25 or 50 mm/s):
    # a photo's row can begin with a lower, wider step (the paper's edge, a shadow)
    return min(found, key=_unlike_pulse) if found else None


def _unlike_pulse(p: dict) -> float:
    h = min(abs(np.log(p["height_mm"] / g)) for g in (5.0, 10.0, 20.0))
    return h + min(abs(np.log(p["width_mm"] / w)) for w in (5.0, 10.0))


def snap(value: float, options: tuple[float, ...]) -> float | None:
    best = min(options, key=lambda o: abs(np.log(value / o)))
    return best if abs(np.log(value / best)) < np.log(1.25) else None


def _same(a: Trace, b: Trace, t0: float, t1: float, speed: float) -> float:
    """Correlation of two rows over the same time window: a repeated lead (rhythm strip)."""
    ta = a.start + np.linspace(t0, t1, 1000) * speed
    tb = b.start + np.linspace(t0, t1, 1000) * speed
    oka, okb = np.isfinite(a.y), np.isfinite(b.y)
    if oka.sum() < 2 or okb.sum() < 2:
        return 0.0
    ya = np.interp(ta, a.x[oka], a.y[oka], left=np.nan, right=np.nan)
    best = 0.0
    for lag in np.arange(-0.03, 0.031, 0.005) * speed:  # rows' starts differ by a few ms
        yb = np.interp(tb + lag, b.x[okb], b.y[okb], left=np.nan, right=np.nan)
        ok = np.isfinite(ya) & np.isfinite(yb)
        if ok.sum() < 100 or np.std(ya[ok]) < 1e-6 or np.std(yb[ok]) < 1e-6:
            continue
        best = max(best, float(np.corrcoef(ya[ok], yb[ok])[0, 1]))
    return best


def row_span(traces: list[Trace], speed: float) -> float:
    """Seconds a full row holds: the longest row's duration, snapped to whole 2.5 s steps
    when close. Past the standard 10 s a second row must agree: a tracer that wandered
    from one row's end onto the page's edge or a scrawl makes that row look longer."""
    durations = sorted(((t.end - t.start) / speed for t in traces), reverse=True)
    if not durations:
        return 0.0
    steps = int(np.floor((durations[0] + SNAP_S) / 2.5))
    if steps < 4 and durations[0] / 2.5 - steps >= PART_STEP:
        steps += 1  # most of another column is there: its end was lost (faded, cut)
    need = min(2, len(durations))
    while steps > 4 and sum(d >= 2.5 * steps - SNAP_S for d in durations) < need:
        steps -= 1
    if steps < 1:
        return durations[0]
    return 2.5 * steps


def _piece_ends(tr: Trace) -> np.ndarray:
    """x where each stretch of the curve ends before a gap of GAP_MM or more, and its end."""
    ok = np.isfinite(tr.y)
    x = tr.x[ok]
    if x.size == 0:
        return np.array([tr.end])
    brk = np.flatnonzero(np.diff(x) >= GAP_MM)
    return np.r_[x[brk], x[-1]]


def _full(d: float) -> bool:
    return d > 2.5 - SNAP_S and abs(d - 2.5 * round(d / 2.5)) < SNAP_S


def _densest(values: list[float], tol: float = 0.5) -> float:
    """The mean of the largest group of values that agree within ``tol``."""
    v = np.asarray(values, float)
    near = np.abs(v[:, None] - v[None, :]) <= tol
    return float(v[near[int(np.argmax(near.sum(axis=1)))]].mean())


def anchor_rows(traces: list[Trace], speed: float) -> None:
    """Give a page's rows one time origin and end: a standard page starts every row at
    the same x, after its calibration pulse, and each row holds whole 2.5 s columns.

    A row's start is the end of its pulse, or the first ink the tracer followed, which can
    be the page's edge, a frame or a pulse that was not recognised; its end can run on
    across blank paper to the page's edge. So rows whose pulse was found agree on a start
    and the others take it, and a row ends at the last stretch of curve whose end lies a
    whole number of columns after that start. The ends of full-length rows are crisp (the
    trace stops) where the start is blurred by the pulse's falling edge and the gap after
    it: the ends that agree say how far after its pulse each row's signal begins."""
    if not traces:
        return
    pulsed = [t.start for t in traces if t.pulse]
    s0 = float(np.median(pulsed)) if pulsed else None
    if s0 is not None:
        for tr in traces:
            if abs(tr.start - s0) > ALIGN_MM:
                # a step elsewhere than the page's pulses is not a pulse: nor its 0 mV level
                tr.start, tr.pulse = s0, None
            ends = [e for e in _piece_ends(tr) if _full((e - tr.start) / speed)]
            if ends:
                tr.end = float(max(ends))
    total = row_span(traces, speed)
    full = [t for t in traces if abs((t.end - t.start) / speed - total) < SNAP_S]
    if not full:
        return
    by_end = [t.end - total * speed for t in full]
    s_end = _densest(by_end)
    for tr in traces:
        # a row's own end, where it agrees with the page, beats its pulse: it is crisper
        guess = tr.start + s_end - s0 if s0 is not None else s_end
        own = tr.end - total * speed
        tr.start = own if abs(own - guess) <= AGREE_MM else guess


def choose_layout(traces: list[Trace], layout: str, speed: float = 25.0, path=None) -> str:
    """The named layout, or one chosen from the row count and repeated-lead matching.

    Rhythm strips repeat a lead printed in a panel above: the strip's first 2.5 s equal
    that panel. That tells 3x4+3 from 6x2 and Cabrera from standard order.
    """
    if layout != "auto":
        if layout not in LAYOUTS:
            raise CrtnetError(f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})", path)
        if len(LAYOUTS[layout]) != len(traces):
            raise CrtnetError(
                f"layout {layout} has {len(LAYOUTS[layout])} rows but {len(traces)} trace rows "
                "were found",
                path,
            )
        return layout
    n = len(traces)
    name = BY_ROWS.get(n)
    if name is None:
        raise CrtnetError(
            f"no known ECG layout has {n} trace rows; pass --layout if this is an ECG", path
        )
    if n == 6 and _same(traces[1], traces[3], 0.1, 2.4, speed) > 0.75:
        name = "3x4+3"  # the II strip repeats row 2's first panel
    if n == 4:
        standard = _same(traces[1], traces[3], 0.1, 2.4, speed)
        cabrera = _same(traces[0], traces[3], 2.6, 4.9, speed)
        if cabrera > max(standard, 0.5):
            name = "cabrera-3x4+II"  # the II strip repeats row 1's second panel
    return name


def assemble(
    traces: list[Trace], layout: str, speed: float, gain: float, fs: float, detail: bool = True
):
    """12 leads at ``fs`` (NaN where not printed) and per-lead coverage of real trace;
    ``detail``: limit samples to what a pixel page resolves (not for exact vector paths)."""
    spec = LAYOUTS[layout]
    durations = [(t.end - t.start) / speed for t in traces]
    total = row_span(traces, speed)
    n = int(round(total * fs))
    sig = np.full((12, n), np.nan, np.float32)
    conf = {lead: 0.0 for lead in STANDARD_12}
    t_all = np.arange(n) / fs
    entries = []
    for r, (tr, leads) in enumerate(zip(traces, spec, strict=True)):
        ncol = len(leads)
        col_t = max(durations[r], 1e-6) / ncol if ncol > 1 else min(durations[r], total)
        if ncol > 1 and abs(col_t * ncol - total) < 0.3 * total:
            col_t = total / ncol
        for c, lead in enumerate(leads):
            entries.append((ncol, r, c, lead, tr, c * col_t, (c + 1) * col_t))
    # full-length strips first: panels only fill what the strips left empty
    for ncol, _r, c, lead, tr, t0, t1 in sorted(entries, key=lambda e: e[0]):
        # panel edges carry separator marks and the pulse's falling edge, not signal
        t0 = t0 + (EDGE_S if c > 0 else 0.5 * EDGE_S)
        t1 = t1 - (0.5 * EDGE_S if c < ncol - 1 else 0.0)
        sign = -1.0 if lead.startswith("-") else 1.0
        name = lead.lstrip("-")
        row = STANDARD_12.index(name)
        sel = (t_all >= t0) & (t_all < t1)
        if not sel.any():
            continue
        xq = tr.start + t_all[sel] * speed
        ok = np.isfinite(tr.y)
        if ok.sum() < 2:
            continue
        yq = np.interp(xq, tr.x[ok], tr.y[ok], left=np.nan, right=np.nan)
        # NaN where the curve itself had an unbridged gap
        gap = np.interp(xq, tr.x, (~ok).astype(float)) > 0.5
        yq[gap] = np.nan
        if c == 0 and tr.pulse is not None:
            yq[xq < _fall_end(tr)] = np.nan
        if not np.isfinite(yq).any():
            continue  # the curve has no samples in this panel's window
        if detail:
            yq = below_detail(yq, detail_width(fs))
        base = tr.pulse["base_y"] if tr.pulse else float(np.nanmedian(yq))
        mv = sign * (base - yq) / gain
        if tr.pulse is None:
            mv -= np.nanmedian(mv)
        cur = sig[row, sel]
        fill = np.isnan(cur)
        cur[fill] = mv[fill]
        sig[row, sel] = cur
        conf[name] = max(conf[name], float(np.isfinite(yq).mean()))
    return sig, conf, entries


def _fall_end(tr: Trace) -> float:
    """Where the pulse's falling edge has come down to its foot: a blurred, thick stroke
    takes up to a millimetre to fall, and the tracer zigzags on it, so the first samples
    after the plateau can be the pulse (1 mV in a lead of 0.2 mV: a few dB of the lead's
    SNR). After the last point above half the pulse's height (the first one below it when
    none is), plus half a pen width; never more than ``FALL_MAX_MM`` past the plateau."""
    p = tr.pulse
    ok = np.isfinite(tr.y)
    x, y = tr.x[ok], tr.y[ok]
    half = p["base_y"] - 0.5 * p["height_mm"]
    sel = (x >= p["x1"] - 0.3) & (x <= p["x1"] + FALL_MAX_MM)
    down = np.flatnonzero(sel & (y > half))  # y grows downwards: below half the height
    # the last zigzag back up the edge counts: the fall ends after the last high point
    high = np.flatnonzero(sel & (y <= half))
    if down.size == 0:
        return p["x1"] + FALL_MAX_MM
    end = x[high].max() if high.size else x[down[0]]
    return float(end + FALL_PAD_MM)


def detail_width(fs: float) -> int:
    """The detail median's width in samples at ``fs`` (odd, at least 3)."""
    return max(3, int(round(DETAIL_S * fs)) | 1)


def below_detail(y: np.ndarray, k: int) -> np.ndarray:
    """A running median of ``k`` samples over each unbroken stretch (gaps stay NaN)."""
    ok = np.isfinite(y)
    if ok.sum() <= k:
        return y
    filled = np.interp(np.arange(y.size), np.flatnonzero(ok), y[ok])
    out = median_filter(filled, k, mode="nearest")
    out[~ok] = np.nan
    return out
