"""The page's lattice of 5 mm grid lines: samples of each line, page-wide indices, the
intersections and a smooth model of them (see ``dewarp`` for the whole method)."""

from __future__ import annotations

import statistics
import warnings

import cv2
import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks


def line_samples(g: np.ndarray, period: float, axis: int, max_gap: int = 1) -> np.ndarray:
    """(along, across, index) samples of the 5 mm lines that run along ``axis``.

    axis=1: horizontal lines, found as peaks down vertical strips (along = x, across = y).
    """
    m = g if axis == 1 else g.T
    h, w = m.shape
    step = max(4, int(round(period)))
    half = step  # strips two periods wide: a line tilted 10° still peaks
    sig = period / 5  # minor (1 mm) lines vanish, major lines stay
    strips = []
    for c in range(half, w - half + 1, step):
        prof = gaussian_filter1d(m[:, c - half : c + half].mean(axis=1), sig)
        base = gaussian_filter1d(prof, 2 * period)
        p = prof - base
        pk, props = find_peaks(p, distance=max(2, int(0.6 * period)), prominence=1e-6)
        if pk.size < 3:
            strips.append((c, np.empty(0), np.empty(0, int)))
            continue
        prom = props["prominences"]
        keep = prom > 0.25 * np.median(np.sort(prom)[-max(3, pk.size // 2) :])
        pk = pk[keep]
        ys = pk + _subpixel(p, pk)
        idx = _chain_index(ys, period, max_gap)
        strips.append((c, ys[idx >= 0], idx[idx >= 0]))
    return _tie_strips(strips, period)


def _subpixel(p: np.ndarray, pk: np.ndarray) -> np.ndarray:
    i = np.clip(pk, 1, len(p) - 2)
    a, b, c = p[i - 1], p[i], p[i + 1]
    den = a - 2 * b + c
    with np.errstate(divide="ignore", invalid="ignore"):
        off = np.where(den < 0, 0.5 * (a - c) / den, 0.0)
    return np.clip(np.nan_to_num(off), -0.5, 0.5)


# a chain runs on only from one line to the next. Across a gap of k > 1 periods (a line
# lost under a trace or text) a stray peak (a trace's baseline) took a line's index when
# it lay within 0.12 k + 0.08 periods of one: on photo 00012, 20 % of the lattice's nodes
# then lay off the fitted page (0.6 % with single steps) and the rhythm strip's baseline
# sloped by 0.4 mV; a new chain is tied to its neighbours by the strips instead. But on a
# coarse scan (5 mm = 17 px, faint lines) single steps leave the chains too short to tie,
# and the lattice shrinks to a strip of the page: there (``coarse``) chains run across
# gaps of up to ``WIDE_GAP`` periods, when that finds 1.5 times the nodes or more. Not on
# a finer page: a strongly warped one (ecg-image-kit DistortionData 00001) then got a
# lattice with wrong indices where single steps found too little to trust (39 nodes)
WIDE_GAP = 5
WIDE_GAIN = 1.5


def page_lattice(g: np.ndarray, period: float, coarse: bool = False, min_lines: int = 20):
    """(X, Y) of the page's lattice from its grid mask ``g`` (see ``lattice``), or None
    when fewer than ``min_lines`` line samples are found."""
    best = None
    for gap in (1, WIDE_GAP) if coarse else (1,):
        hs = line_samples(g, period, axis=1, max_gap=gap)
        vs = line_samples(g, period, axis=0, max_gap=gap)
        if len(hs) < min_lines or len(vs) < min_lines:
            continue
        X, Y = lattice(hs, vs, period)
        n = int(np.isfinite(X).sum())
        if best is None or n >= WIDE_GAIN * best[0]:
            best = (n, X, Y)
    return None if best is None else best[1:]


def _chain_index(ys: np.ndarray, period: float, max_gap: int = 1) -> np.ndarray:
    """Indices along a strip. A peak too close to the last line is a stray (a QRS, a
    letter) and is dropped (index -1); a spacing of more than ``max_gap`` periods, or
    no whole number of them, starts a new chain (index offset by 10000 per chain,
    resolved by tying strips)."""
    idx = np.full(len(ys), -1)
    if len(ys) == 0:
        return idx
    idx[0] = 0
    last, chain = 0, 0
    recent = [period]  # perspective changes the period across the page: follow it
    for i in range(1, len(ys)):
        p_loc = float(statistics.median(recent[-5:]))  # np.median costs 40 us a call
        r = (ys[i] - ys[last]) / p_loc
        k = int(round(r))
        if r < 0.75:
            continue  # a stray between lines
        if k > max_gap or abs(r - k) > 0.12 * k + 0.08:
            chain += 1
            idx[i] = chain * 10000
            recent = [period]
        else:
            idx[i] = idx[last] + k
            if k == 1:
                recent.append(ys[i] - ys[last])
        last = i
    return idx


def _tie_strips(strips, period: float) -> np.ndarray:
    """Give every (strip, chain) one offset so that continuing peaks share an index."""
    nodes = {}
    for s, (_, _, idx) in enumerate(strips):
        for ch in np.unique(idx // 10000):
            nodes[(s, int(ch))] = len(nodes)
    votes: dict[tuple[int, int], dict[int, int]] = {}
    for s in range(len(strips) - 1):
        _, ya, ia = strips[s]
        _, yb, ib = strips[s + 1]
        if ya.size == 0 or yb.size == 0:
            continue
        j = (
            np.clip(np.searchsorted(yb, ya), 1, len(yb) - 1)
            if len(yb) > 1
            else np.zeros(len(ya), int)
        )
        j = np.where(np.abs(yb[j - 1] - ya) < np.abs(yb[j] - ya), j - 1, j) if len(yb) > 1 else j
        close = np.abs(yb[j] - ya) < period / 3
        for i in np.flatnonzero(close):
            a = nodes[(s, int(ia[i] // 10000))]
            b = nodes[(s + 1, int(ib[j[i]] // 10000))]
            d = int(ia[i] % 10000 - ib[j[i]] % 10000)  # offset_b - offset_a
            votes.setdefault((a, b), {}).setdefault(d, 0)
            votes[(a, b)][d] += 1
    # maximum spanning forest over the votes (strongest ties first), offsets carried
    parent = {k: k for k in nodes.values()}
    off = {k: 0 for k in nodes.values()}  # offset of k relative to its root

    def find(k):
        if parent[k] == k:
            return k, 0
        r, o = find(parent[k])
        parent[k], off[k] = r, off[k] + o
        return r, off[k]

    edges = []
    for (a, b), v in votes.items():
        d, n = max(v.items(), key=lambda t: t[1])
        if 2 * n > sum(v.values()):  # a clear majority
            edges.append((n, a, b, d))
    for _, a, b, d in sorted(edges, reverse=True):
        ra, oa = find(a)
        rb, ob = find(b)
        if ra != rb:  # off_b = off_a + d  ->  root_b's offset relative to root_a
            parent[rb], off[rb] = ra, oa + d - ob
    size: dict[int, int] = {}
    for (s, ch), k in nodes.items():
        r, _ = find(k)
        size[r] = size.get(r, 0) + int(np.sum(strips[s][2] // 10000 == ch))
    if not size:
        return np.empty((0, 3))
    root = max(size, key=size.get)
    best = {}
    for k in nodes.values():
        r, o = find(k)
        if r == root:
            best[k] = o
    out = []
    for (s, ch), k in nodes.items():
        if k not in best:
            continue
        c, ys, idx = strips[s]
        sel = idx // 10000 == ch
        for y, i in zip(ys[sel], idx[sel] % 10000, strict=True):
            out.append((c, y, i + best[k]))
    return np.array(out, float).reshape(-1, 3)


def lattice(hs: np.ndarray, vs: np.ndarray, period: float):
    """Intersections of horizontal line k (y(x)) and vertical line m (x(y)): X, Y [k, m]."""
    ks = np.unique(hs[:, 2]).astype(int)
    ms = np.unique(vs[:, 2]).astype(int)
    k0, m0 = ks.min(), ms.min()
    X = np.full((ks.max() - k0 + 1, ms.max() - m0 + 1), np.nan)
    Y = X.copy()
    hl = {k: hs[hs[:, 2] == k][np.argsort(hs[hs[:, 2] == k][:, 0])] for k in ks}
    vl = {m: vs[vs[:, 2] == m][np.argsort(vs[vs[:, 2] == m][:, 0])] for m in ms}
    reach = 1.6 * period  # no extrapolation beyond a strip's spacing
    for k, h in hl.items():
        if len(h) < 2:
            continue
        for m, v in vl.items():
            if len(v) < 2:
                continue
            x = float(np.median(v[:, 1]))
            y = float(np.interp(x, h[:, 0], h[:, 1]))
            for _ in range(3):
                x = float(np.interp(y, v[:, 0], v[:, 1]))
                y = float(np.interp(x, h[:, 0], h[:, 1]))
            if np.min(np.abs(h[:, 0] - x)) > reach or np.min(np.abs(v[:, 0] - y)) > reach:
                continue
            X[k - k0, m - m0], Y[k - k0, m - m0] = x, y
    return X, Y


# outliers are judged against their neighbours rather than the page-wide polynomial:
# a fold or a curled corner departs from the polynomial by a third of a cell or more over
# a whole patch, and the global test dropped those nodes (5-20 % of a real photo's, 1-3 %
# of a software-photographed render's), so the fold went unmodelled. Photos 12.80 ->
# 13.17 dB (15 of 20 up); photographed renders and ecg-image-kit variants tie (-0.02 dB,
# -0.01), their warps being milder. Found on the photos (01103's fold)
LOCAL = True


def _locally_consistent(rx: np.ndarray, ry: np.ndarray, lim: float) -> np.ndarray:
    """Nodes whose departure from the page-wide polynomial matches their neighbours'
    (5 x 5 nodes): a curled corner or a fold moves a whole patch of the lattice alike,
    where a node given the wrong line index stands out from the nodes around it."""

    def med(a: np.ndarray) -> np.ndarray:
        h, w = a.shape
        p = np.pad(a, 2, constant_values=np.nan)
        stack = np.stack([p[i : i + h, j : j + w] for i in range(5) for j in range(5)])
        with warnings.catch_warnings():  # a node with no found neighbours has no median
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmedian(stack, axis=0)

    med_x, med_y = med(rx), med(ry)
    dev = np.hypot(rx - med_x, ry - med_y)
    fin = np.isfinite(dev)
    if not fin.any():
        return fin
    lim = max(lim, 3.0 * float(np.median(dev[fin])))
    return fin & (dev < lim)


def smooth_lattice(X: np.ndarray, Y: np.ndarray, period: float, grow: int = 3):
    """A robust bicubic polynomial in (k, m) plus its smoothed residuals: curl and
    perspective from the polynomial, folds from the residuals, outliers dropped."""
    kk, mm = np.mgrid[0 : X.shape[0], 0 : X.shape[1]].astype(float)
    ok = np.isfinite(X) & np.isfinite(Y)
    sk, sm = max(1, X.shape[0] - 1), max(1, X.shape[1] - 1)

    def design(k, m):
        u, v = 2 * k / sk - 1, 2 * m / sm - 1
        return np.stack([u**i * v**j for i in range(4) for j in range(4)], axis=-1)

    A = design(kk[ok], mm[ok])
    use = np.ones(ok.sum(), bool)
    for _ in range(4):
        cx, *_ = np.linalg.lstsq(A[use], X[ok][use], rcond=None)
        cy, *_ = np.linalg.lstsq(A[use], Y[ok][use], rcond=None)
        res = np.hypot(A @ cx - X[ok], A @ cy - Y[ok])
        lim = max(0.15 * period, 3.0 * float(np.median(res[use])))
        new = res < lim
        if (new == use).all():
            break
        use = new
    good = np.zeros_like(ok)
    good[ok] = use
    rx = np.where(ok, X - (design(kk, mm) @ cx), np.nan)
    ry = np.where(ok, Y - (design(kk, mm) @ cy), np.nan)
    if LOCAL:
        good = ok & _locally_consistent(rx, ry, 0.15 * period)
    rx = np.where(good, rx, 0.0)
    ry = np.where(good, ry, 0.0)
    w = cv2.GaussianBlur(good.astype(np.float64), (0, 0), 1.0)
    rx = cv2.GaussianBlur(rx, (0, 0), 1.0) / np.maximum(w, 1e-3) * np.clip(w / 0.3, 0, 1)
    ry = cv2.GaussianBlur(ry, (0, 0), 1.0) / np.maximum(w, 1e-3) * np.clip(w / 0.3, 0, 1)
    rows, cols = np.flatnonzero(good.any(axis=1)), np.flatnonzero(good.any(axis=0))
    k0, k1 = max(0, rows[0] - grow), rows[-1] + grow
    m0, m1 = max(0, cols[0] - grow), cols[-1] + grow
    kk, mm = np.mgrid[k0 : k1 + 1, m0 : m1 + 1].astype(float)
    D = design(kk, mm)
    sl = (slice(k0 + grow, k1 + grow + 1), slice(m0 + grow, m1 + grow + 1))
    Xs = D @ cx + np.pad(rx, grow, mode="edge")[sl]
    Ys = D @ cy + np.pad(ry, grow, mode="edge")[sl]
    return Xs, Ys, int(good.sum()), float(np.median(res[use]))
