"""Trace rows and connectivity-based extraction of each row's curve.

Each column's trace pixels form vertical runs. A row's curve is the path through one run
per column that stays connected (small gaps between consecutive runs) and near the row's
baseline: a Viterbi/dynamic-programming pass over the candidate runs, optimal over the
whole row, i.e. continuity is enforced to the left and to the right of every column.
Where a run is long (a QRS stroke), the curve takes its extremes at turning points (peaks
are not clipped) and, along the stroke, the centres of the pixel *rows* that cross it:
a column of a near-vertical stroke only says "somewhere in this column", a row says where.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d
from scipy.signal import find_peaks

K = 6  # candidate runs per column and row
SHARP_CORE = 0.6  # a pen whose core is paler than this is blurred (sigma > ~1 px)
# reward per mm of ink a run holds in its row's territory, against 0.04 per mm off the
# baseline; 0.1 and 0.2 did alike on our renders and ecg-image-kit's pages (0.05 less)
RUN_REWARD = 0.1
FAR_GAP_MM = 60.0  # a row's pieces this far apart, each over 25 mm long, are one row
JUMP_MM = 3.0  # a step between columns' runs across this much blank paper is a jump
GAP_COL = 1.0  # cost of a column without ink: above any unary cost of a real run
BACK_PX = 3.0  # x travelled backwards along one stroke before it is put in order


@dataclass
class Row:
    baseline: float  # y of the row's baseline (px)
    x0: int
    x1: int
    x: np.ndarray | None = None  # curve samples (px), increasing
    y: np.ndarray | None = None  # NaN where the trace could not be followed
    real: np.ndarray | None = None  # per column x0..x1: a run was found there


def pieces(curve: np.ndarray) -> list[np.ndarray]:
    """The runs of a curve's (x, y) points (N x 2, NaN where the trace was lost) that can
    be drawn: finite and at least two points long."""
    ok = np.isfinite(curve).all(axis=1)
    runs = np.split(np.arange(len(curve)), np.flatnonzero(np.diff(ok.astype(int)) != 0) + 1)
    return [curve[r] for r in runs if r.size > 1 and ok[r[0]]]


def find_rows(trace: np.ndarray, ppm: float) -> list[Row]:
    """Baselines = image rows whose ±2.5 mm band is inked across most of the width."""
    h, w = trace.shape
    k = max(3, int(round(5 * ppm)) | 1)
    band = cv2.dilate(trace.astype(np.uint8), np.ones((k, 1), np.uint8))
    cover = band.sum(axis=1).astype(np.float64)
    cover = np.convolve(cover, np.ones(3) / 3, mode="same")
    if cover.max() < 30 * ppm:  # less than 3 cm of trace anywhere
        return []
    peaks, _ = find_peaks(cover, height=0.45 * cover.max(), distance=max(2, int(7 * ppm)))
    if peaks.size == 0:
        return []
    # a row's extent: columns inked within half the spacing to its neighbours (baselines
    # wander, so a narrow band around the peak would miss part of the row)
    gaps = np.diff(peaks) if peaks.size > 1 else np.array([40 * ppm])
    rows = []
    for i, p in enumerate(peaks):
        up = 0.45 * (gaps[i - 1] if i > 0 else gaps[0])
        dn = 0.45 * (gaps[i] if i < len(gaps) else gaps[-1])
        lo, hi = max(0, int(p - up)), min(h, int(p + dn) + 1)
        x0, x1 = _longest_run(
            trace[lo:hi].any(axis=0), int(15 * ppm), int(FAR_GAP_MM * ppm), int(25 * ppm)
        )
        if x1 - x0 > 25 * ppm:
            rows.append(Row(float(p), x0, x1))
    if not rows:
        return []
    longest = max(r.x1 - r.x0 for r in rows)
    return [r for r in rows if r.x1 - r.x0 > 0.6 * longest]


def _longest_run(cols: np.ndarray, max_gap: int, far_gap: int = 0, min_len: int = 0):
    """The longest stretch of inked columns with gaps up to ``max_gap``, joined with any
    stretch of at least ``min_len`` columns up to ``far_gap`` away (a shadow or a crease
    can blank a row for centimetres; a label or the paper's edge is short)."""
    idx = np.flatnonzero(cols)
    if idx.size == 0:
        return 0, 0
    breaks = np.flatnonzero(np.diff(idx) > max_gap)
    a = idx[np.r_[0, breaks + 1]]
    b = idx[np.r_[breaks, idx.size - 1]]
    j = int(np.argmax(b - a))
    lo = hi = j
    while lo > 0 and b[lo - 1] - a[lo - 1] >= min_len and a[lo] - b[lo - 1] <= far_gap:
        lo -= 1
    while hi < a.size - 1 and b[hi + 1] - a[hi + 1] >= min_len and a[hi + 1] - b[hi] <= far_gap:
        hi += 1
    return int(a[lo]), int(b[hi])


def column_runs(trace: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All vertical runs of trace pixels: (x, y_start, y_end) sorted by x then y."""
    t = np.zeros((trace.shape[1], trace.shape[0] + 2), np.int8)
    t[:, 1:-1] = trace.T
    d = np.diff(t, axis=1)
    xs, ys = np.nonzero(d == 1)
    xe, ye = np.nonzero(d == -1)
    return xs, ys, ye - 1


def extract(trace: np.ndarray, rows: list[Row], ppm: float, ink: np.ndarray | None = None) -> None:
    """Fill ``row.x``/``row.y`` for every row (all rows' DP run together, column by column).

    ``ink`` (0..1 darkness, optional) places points between pixels: anti-aliased edges
    carry the sub-pixel position of the pen's centre line.
    """
    if not rows:
        return
    h, w = trace.shape
    # anti-aliased steep strokes break into fragments: close small vertical gaps first
    k = max(3, int(round(0.35 * ppm)) | 1)
    closed = cv2.morphologyEx(trace.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((k, 1), np.uint8))
    rx, rs, re = column_runs(closed.astype(bool))
    base = np.array([r.baseline for r in rows])
    gaps = np.diff(base) if len(rows) > 1 else np.array([30 * ppm])
    up = np.r_[gaps[:1], gaps] * 1.0
    down = np.r_[gaps, gaps[-1:]] * 1.0
    R = len(rows)
    S = np.zeros((R, w, K))
    E = np.zeros((R, w, K))
    valid = np.zeros((R, w, K), bool)
    for i, r in enumerate(rows):
        lo, hi = r.baseline - up[i], r.baseline + down[i]
        sel = (re >= lo) & (rs <= hi) & (rx >= r.x0) & (rx <= r.x1)
        x, s, e = rx[sel], rs[sel], re[sel]
        dist = np.abs(0.5 * (s + e) - r.baseline)
        order = np.lexsort((dist, x))
        x, s, e = x[order], s[order], e[order]
        first = np.r_[0, np.flatnonzero(np.diff(x)) + 1]
        rank = np.arange(x.size) - np.repeat(first, np.diff(np.r_[first, x.size]))
        keep = rank < K
        S[i, x[keep], rank[keep]] = s[keep]
        E[i, x[keep], rank[keep]] = e[keep]
        valid[i, x[keep], rank[keep]] = True
    # state K = "no ink here": it carries the last position on, so a row with a faint
    # or broken stroke waits (GAP_COL per column) instead of borrowing a neighbour trace
    # the ink a run explains within the row's own territory (up to the midlines between
    # rows; the outer rows reach a full gap out) is rewarded: a tall QRS stroke whose foot
    # broke off beats a grid line's fragment that runs on under it
    half = 0.5 * np.diff(base)
    t_lo = (base - np.r_[up[:1], half])[:, None, None]
    t_hi = (base + np.r_[half, down[-1:]])[:, None, None]
    own = (np.minimum(E, t_hi) - np.maximum(S, t_lo)).clip(0)
    unary = np.where(
        valid,
        0.04 * np.abs(0.5 * (S + E) - base[:, None, None]) / ppm - RUN_REWARD * own / ppm,
        1e6,
    )
    carry = np.repeat(base[:, None, None], w, axis=1)
    S = np.concatenate([S, carry], axis=2)
    E = np.concatenate([E, carry.copy()], axis=2)
    gap_cost = GAP_COL
    D = np.concatenate([np.full((R, K), 1e6), np.zeros((R, 1))], axis=1)
    bp = np.zeros((R, w, K + 1), np.int8)
    rr = np.arange(R)
    for x in range(1, w):
        ps, pe = S[:, x - 1], E[:, x - 1]
        cs_, ce_ = S[:, x, :K], E[:, x, :K]
        gap = np.maximum(
            0.0, np.maximum(cs_[:, None, :] - pe[:, :, None], ps[:, :, None] - ce_[:, None, :])
        )
        tot = D[:, :, None] + gap / ppm + 0.2 * (gap > 1.5 * ppm) * gap / ppm
        j = np.argmin(tot, axis=1)
        bp[:, x, :K] = j
        d_real = np.take_along_axis(tot, j[:, None, :], axis=1)[:, 0] + unary[:, x]
        g = np.argmin(D, axis=1)
        bp[:, x, K] = g
        S[:, x, K], E[:, x, K] = ps[rr, g], pe[rr, g]
        D = np.concatenate([d_real, (D[rr, g] + gap_cost)[:, None]], axis=1)
        D = np.minimum(D - D.min(axis=1, keepdims=True), 1e6)
    choice = np.zeros((R, w), np.int64)
    choice[:, -1] = np.argmin(D, axis=1)
    for x in range(w - 1, 0, -1):
        choice[:, x - 1] = bp[rr, x, choice[:, x]]
    cs = np.take_along_axis(S, choice[..., None], axis=2)[..., 0]
    ce = np.take_along_axis(E, choice[..., None], axis=2)[..., 0]
    real = choice < K
    for i in range(R):
        real[i] &= ~_excursions(cs[i], ce[i], real[i], ppm)
    for i in range(R - 1):
        # neighbouring rows whose tall QRS merge into one run share it at the midline
        mid = 0.5 * (base[i] + base[i + 1])
        shared = real[i] & real[i + 1] & (ce[i] >= cs[i + 1]) & (cs[i] < mid) & (ce[i + 1] > mid)
        ce[i] = np.where(shared, np.minimum(ce[i], np.floor(mid)), ce[i])
        cs[i + 1] = np.where(shared, np.maximum(cs[i + 1], np.floor(mid) + 1), cs[i + 1])
    for i, r in enumerate(rows):
        # the end columns often catch a neighbour's stroke: start one column in
        r.x0, r.x1 = r.x0 + 1, max(r.x0 + 2, r.x1 - 1)
        sl = slice(r.x0, r.x1 + 1)
        r.x, r.y, r.real = _curve(cs[i, sl], ce[i, sl], real[i, sl], r.x0, ppm, closed, ink)


def _excursions(s: np.ndarray, e: np.ndarray, real: np.ndarray, ppm: float) -> np.ndarray:
    """Columns where the path jumped across blank paper onto a level line (a crease, a
    printed rule, text) and jumped back to where it left: the heart draws no flat
    plateau millimetres off its own baseline with blank paper at both ends. A QRS whose
    foot broke off in the mask is tall and narrow, not level, and stays. The way there
    can also be a tall run instead of blank paper: at a panel's start the path climbs
    down the separator mark onto the lead's label printed under it (photo 01103's V6
    began with 150 ms of its label, 0.6 mV low). One end must still be blank paper, and
    the plateau must lie below the trace, where labels are printed: a calibration pulse
    is a plateau above it between tall edges."""
    out = np.zeros(real.size, bool)
    tall = real & (e - s > JUMP_MM * ppm)
    xs = np.flatnonzero(real & ~tall)
    if xs.size < 3:
        return out
    c = 0.5 * (s[xs] + e[xs])
    gap = np.maximum(0.0, np.maximum(s[xs[1:]] - e[xs[:-1]], s[xs[:-1]] - e[xs[1:]]))
    # a tall run between two kept columns bridges them: what counts is the step
    seen = np.cumsum(tall)[xs]
    between = np.diff(seen) > 0
    step = np.where(between, np.abs(np.diff(c)), gap)
    jumps = np.flatnonzero(step > JUMP_MM * ppm)  # between xs[j] and xs[j + 1]
    blank = (gap > JUMP_MM * ppm) & ~between
    for j1, j2 in zip(jumps[:-1], jumps[1:], strict=True):
        # by a tall run, only down to a label: up is the calibration pulse, whose falling
        # edge a photo's mask can break
        below = np.median(c[j1 + 1 : j2 + 1]) > c[j1]
        if not (blank[j1] and blank[j2]) and not ((blank[j1] or blank[j2]) and below):
            continue
        seg = slice(j1 + 1, j2 + 1)
        width = xs[j2] - xs[j1 + 1] + 1
        if not (2 * ppm <= width <= 25 * ppm):
            continue
        before, after, level = c[j1], c[j2 + 1], c[seg]
        off = abs(float(np.median(level)) - before)
        if abs(after - before) < 1.5 * ppm and np.ptp(level) < 0.5 * off and off > JUMP_MM * ppm:
            out[xs[j1] + 1 : xs[j2] + 1] = True
    return out


def _steep_points(s, e, real, steep, lw, x0, mask, ink):
    """On steep strokes a column sees the whole stroke; a pixel row sees where it is.

    A near-vertical stroke of pen width w covers ~w columns, each holding the stroke's full
    height, so one point per column smears it in time. Rows across the stroke are short
    there: their centres place the stroke in x at every height. Near a QRS tip the up and
    down strokes merge into one row run: its two edges, moved in by half a pen, place
    both. Returns (x, y) points, x relative to the first column.
    """
    n = s.size
    # the ink near the chosen runs (a stroke can split into two runs in one column)
    lo = minimum_filter1d(np.where(real, s, 1e9), 5)
    hi = maximum_filter1d(np.where(real, e, -1e9), 5)
    y0, y1 = int(lo[steep].min()), int(hi[steep].max())
    yy = np.arange(y0, y1 + 1)[:, None]
    band = (yy >= lo) & (yy <= hi)
    if mask is None:
        m = band & (yy >= s) & (yy <= e) & real
    else:
        m = band & mask[y0 : y1 + 1, x0 : x0 + n].astype(bool)
    pad = np.zeros((m.shape[0], n + 2), np.int8)
    pad[:, 1:-1] = m
    d = np.diff(pad, axis=1)
    ry, a = np.nonzero(d == 1)
    _, b = np.nonzero(d == -1)
    b = b - 1
    col = np.clip(np.round(0.5 * (a + b)).astype(int), 0, n - 1)
    inset = 0.5 * (lw - 1)
    ya = ry + y0
    # a merged run is centred on the tip column (a turning point, not "steep"): its ends
    # lie on the strokes
    on_stroke = steep[col] | steep[np.clip(a, 0, n - 1)] | steep[np.clip(b, 0, n - 1)]
    # within the stroke's span over its neighbouring columns: the path may take a fragment
    # of the tip column's ink, whose own run would cut the stroke short
    sel = on_stroke & (ya >= lo[col] + inset) & (ya <= hi[col] - inset)
    ya, a, b = ya[sel], a[sel] + x0, b[sel] + x0
    pen, core = (lw, 0.0) if ink is None else _pen_width(s, e, real & ~steep, x0, ink, lw)
    if core < SHARP_CORE:
        # blurred (or no darkness image): the darkness of the pixels beside a run is blur,
        # not a sub-pixel edge, so the edges are the binary mask's; the pen's width is still
        # its summed darkness (blur keeps it; the mask's run widens with it). With the
        # mask's width a blurred QRS tip's merged strokes passed for one, and its two
        # strokes were placed half a blurred pen too far in: rendered blur pages 16.4 ->
        # 18.7 dB, photo preset 15.6 -> 16.3
        left, right = a - 0.5, b + 0.5
    else:
        w = ink.shape[1]
        left = a - 0.5 - ink[ya, np.clip(a - 1, 0, w - 1)]
        right = b + 0.5 + ink[ya, np.clip(b + 1, 0, w - 1)]
    width = right - left
    one = width <= 1.6 * pen + 0.5
    two = ~one & (width <= 4 * pen)
    c = 0.5 * (left + right) if ink is None else _centroid(ink, ya, a - 1, b + 1)
    px = np.r_[c[one], left[two] + 0.5 * pen, right[two] - 0.5 * pen]
    py = np.r_[ya[one], ya[two], ya[two]].astype(np.float64)
    return _along_strokes(px - x0, py, steep, 0.5 * (s + e), lw)


def _along_strokes(px, py, steep, c, lw):
    """A stroke's row centres scatter by a pixel in x while their heights are exact, so in
    x order the curve zigzags up and down the stroke (and a resampled QRS loses its peak).
    Along one monotone stroke, time runs with height: each point keeps its height, and the
    stroke's x values, sorted, are dealt out in the stroke's direction."""
    if px.size == 0 or not steep.any():
        return px, py
    n = steep.size
    starts = steep & ~np.r_[False, steep[:-1]]
    lab = np.cumsum(starts) * steep
    idx = np.flatnonzero(steep)
    col = np.clip(np.round(px).astype(int), 0, n - 1)
    # a tip's merged run places points on the tip column: they join the nearest stroke
    j = np.clip(np.searchsorted(idx, px), 0, idx.size - 1)
    jl = np.maximum(j - 1, 0)
    near = np.where(np.abs(idx[jl] - px) < np.abs(idx[j] - px), idx[jl], idx[j])
    own = np.where(steep[col], lab[col], lab[near])
    px = px.copy()
    for a in np.flatnonzero(starts):
        b = a + int(np.argmin(steep[a:])) - 1 if not steep[a:].all() else n - 1
        sel = np.flatnonzero(own == lab[a])
        cc = c[a : b + 1]
        rise = cc[-1] - cc[0]
        # a run that turns inside (its centre goes past an end by over a pen) is two strokes
        if (
            sel.size < 3
            or abs(rise) < lw
            or cc.max() > max(cc[0], cc[-1]) + lw
            or cc.min() < min(cc[0], cc[-1]) - lw
        ):
            continue
        order = sel[np.argsort(-py[sel] if rise < 0 else py[sel], kind="stable")]
        # a clean stroke is monotone already but for its rounded ends: leave it be
        if -np.minimum(np.diff(px[order]), 0).sum() > BACK_PX:
            px[order] = np.sort(px[order])
    return px, py


def _pen_width(s, e, flat, x0, ink, lw) -> tuple[float, float]:
    """The pen's width in px (a flat stroke's darkness summed down its column) and its
    core darkness (the column's darkest pixel: ~1 for a sharp pen, lower when blurred)."""
    if flat.sum() < 10:
        return float(lw), 0.0
    xa = np.flatnonzero(flat)
    sub = xa[:: max(1, xa.size // 400)]
    a, b = (s[sub] - 1).astype(np.intp), (e[sub] + 1).astype(np.intp)
    j = np.arange(int((b - a).max()) + 1)[None, :]
    yy = np.clip(a[:, None] + j, 0, ink.shape[0] - 1)
    w = np.where(a[:, None] + j <= b[:, None], ink[yy, (sub + x0)[:, None]], 0.0)
    return float(np.median(w.sum(axis=1))), float(np.median(w.max(axis=1)))


def _centroid(ink: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Darkness-weighted mean x of ``ink[y, a..b]`` per run (the run's middle if blank)."""
    y, a, b = y.astype(np.intp), a.astype(np.intp), b.astype(np.intp)
    if y.size == 0:
        return np.zeros(0)
    width = int((b - a).max()) + 1
    j = np.arange(width)[None, :]
    xx = a[:, None] + j
    inside = (xx <= b[:, None]) & (xx >= 0) & (xx < ink.shape[1])
    w = np.where(inside, ink[y[:, None], np.clip(xx, 0, ink.shape[1] - 1)], 0.0)
    tot = w.sum(axis=1)
    mid = 0.5 * (a + b)
    return np.where(tot > 0, (w * xx).sum(axis=1) / np.maximum(tot, 1e-9), mid)


def _curve(s, e, real, x0: int, ppm: float, mask=None, ink=None):
    """Column runs → one curve sample per column, keeping the extremes of QRS peaks."""
    length = e - s + 1
    lw = float(np.median(length[real])) if real.any() else 1.0
    inset = 0.5 * (lw - 1)
    c = 0.5 * (s + e)
    long = length > 1.6 * lw + 1
    lo = np.where(long, s + inset, c)
    hi = np.where(long, e - inset, c)
    sp, sn = np.r_[s[:1], s[:-1]], np.r_[s[1:], s[-1:]]
    ep, en = np.r_[e[:1], e[:-1]], np.r_[e[1:], e[-1:]]
    # a straight stroke's run is centred on where the centre line crosses the column;
    # only at a turning point (R/S peak) does the curve reach the run's far end
    # ties (a flat-topped peak over two columns): the column whose run is more centred
    # on the tip holds it; the other keeps its centre
    cp, cn = np.r_[np.inf, c[:-1]], np.r_[c[1:], np.inf]
    top = long & ((s < sp) | ((s == sp) & (c < cp))) & ((s < sn) | ((s == sn) & (c <= cn)))
    cp, cn = np.r_[-np.inf, c[:-1]], np.r_[c[1:], -np.inf]
    bot = long & ((e > ep) | ((e == ep) & (c > cp))) & ((e > en) | ((e == en) & (c >= cn)))
    both = top & bot
    top_wins = (np.minimum(sp, sn) - s) >= (e - np.maximum(ep, en))
    top, bot = np.where(both, top_wins, top), np.where(both, ~top_wins, bot)
    if ink is not None:
        # a flat stroke's centre between pixels: darkness-weighted mean y of its column
        flat = real & ~long
        xa = np.flatnonzero(flat) + x0
        c = c.astype(np.float64)
        c[flat] = _centroid(ink.T, xa, s[flat] - 1, e[flat] + 1)
    ys = np.where(top, lo, np.where(bot, hi, c)).astype(np.float64)
    xs = (np.arange(s.size) + x0).astype(np.float64)
    ok = real.copy()
    steep = long & ~top & ~bot & real
    # a short run amid a stroke (a fragment the path took inside a hollow QRS) holds no
    # point of its own: the stroke's rows there say where the pen went
    lp, ln = np.r_[False, long[:-1]], np.r_[long[1:], False]
    steep |= real & ~long & lp & ln & (c > np.minimum(sp, sn)) & (c < np.maximum(ep, en))
    # a column holding both an R and an S extreme (a 5 ms QRS turn) gives two samples,
    # in the order the neighbours imply
    if both.any():
        cp = np.r_[c[:1], c[:-1]]
        first = np.where(cp < c, lo, hi)[both]
        second = np.where(cp < c, hi, lo)[both]
        xb = xs[both]
        keep = ~both
        xs = np.r_[xs[keep], xb - 0.25, xb + 0.25]
        ys = np.r_[ys[keep], first, second]
        ok = np.r_[ok[keep], ok[both], ok[both]]
        order = np.argsort(xs, kind="stable")
        xs, ys, ok = xs[order], ys[order], ok[order]
    if steep.any():
        # steep columns' centres give way to the stroke's row centres
        drop = np.isin(xs, (np.flatnonzero(steep) + x0).astype(np.float64))
        hx, hy = _steep_points(s, e, real, steep, lw, x0, mask, ink)
        xs = np.r_[xs[~drop], hx + x0]
        ys = np.r_[ys[~drop], hy]
        ok = np.r_[ok[~drop], np.ones(hx.size, bool)]
        order = np.argsort(xs, kind="stable")
        xs, ys, ok = xs[order], ys[order], ok[order]
    ys[~ok] = np.nan
    # bridge short gaps (< 4 mm) linearly; longer ones stay NaN
    bad = ~ok
    if bad.any() and ok.any():
        filled = np.interp(xs, xs[ok], ys[ok])
        starts = bad & ~np.r_[False, bad[:-1]]
        lab = np.cumsum(starts) * bad
        sizes = np.bincount(lab, minlength=lab.max() + 1)
        short = bad & (sizes[lab] < 4 * ppm)
        ys = np.where(short, filled, ys)
    return xs, ys, real
