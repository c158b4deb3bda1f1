"""Printed lead labels beside each panel: found, read, and held against the layout.

A layout says which lead each panel holds; the label printed at the panel's start says it
outright. Beside each panel's start (3 mm before it to 9 mm after, within the row's band)
the dark colourless ink that no traced curve passes through falls into letter-sized
components; neighbouring ones form words, and the word nearest the panel's start is read
by ``labelnet``. The ``labels`` check fails when two or more sure readings contradict the
layout and they outnumber the agreeing ones, so one misread word flags nothing; a lone
bar read as "I" (a tick looks the same) can agree with the layout but not contradict it.
"""

from __future__ import annotations

import cv2
import numpy as np

from crtnet.digitize.trace import pieces

SURE = 0.9  # a reading this probable counts; less is "unread"
MIN_READ = 3  # fewer sure readings on a page: the check cannot tell


def _ink(crop: np.ndarray) -> np.ndarray:
    """Dark, colourless pixels of a window (text and pen; coloured grid lines are not)."""
    c = crop[..., :3].astype(np.int16)
    v = c.max(axis=2)
    chroma = v - c.min(axis=2)
    paper = float(np.percentile(v, 90))
    return (v < 0.55 * paper) & (chroma < 70)


def _curve_band(shape, curves, x0: int, y0: int, width: int) -> np.ndarray:
    band = np.zeros(shape, np.uint8)
    for c in curves:
        for p in pieces(c):
            cv2.polylines(band, [np.round(p - (x0, y0)).astype(np.int32)], False, 1, width)
    return band.astype(bool)


def find_words(image, x: float, y: float, half: float, ppm: float, curves) -> list[tuple]:
    """Candidate words beside the panel start (x, y) px, as ink crops: groups of letter-
    sized components that no curve passes through, and each group without its first or
    last component (a separator tick or a neighbour's letter run into the label), each as
    (whole group?, crop)."""
    h, w = image.shape[:2]
    x0, x1 = int(max(0, x - 3 * ppm)), int(min(w, x + 12 * ppm))
    y0, y1 = int(max(0, y - half)), int(min(h, y + half))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []
    ink = _ink(image[y0:y1, x0:x1])
    band = _curve_band(ink.shape, curves, x0, y0, max(3, int(round(0.4 * ppm))))
    n, lab, st, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    traced = np.zeros(n, bool)
    traced[np.unique(lab[band & ink])] = True
    boxes = []
    for i in range(1, n):
        bx, by, bw, bh, area = st[i]
        if traced[i] or area < 4 or not 1.0 * ppm <= bh <= 7 * ppm or bw > 6 * ppm:
            continue
        boxes.append((bx, by, bx + bw, by + bh, i))
    boxes.sort()
    groups: list[list] = []
    for b in boxes:
        for g in groups:
            top, bot = min(q[1] for q in g), max(q[3] for q in g)
            hgt = bot - top
            overlap = min(bot, b[3]) - max(top, b[1])
            if b[0] - max(q[2] for q in g) <= 0.8 * hgt and overlap > 0.4 * min(hgt, b[3] - b[1]):
                g.append(b)
                break
        else:
            groups.append([b])
    words = []
    for g in groups:
        for part in {tuple(g), tuple(g[1:]), tuple(g[:-1])}:
            if not part:
                continue
            left, top = min(q[0] for q in part), min(q[1] for q in part)
            right, bot = max(q[2] for q in part), max(q[3] for q in part)
            if x0 + left > x + 8 * ppm or right - left > 4 * (bot - top):
                continue
            if not 1.5 * ppm <= bot - top <= 7 * ppm:
                continue
            words.append(
                (len(part) == len(g), np.isin(lab[top:bot, left:right], [q[4] for q in part]))
            )
    return words


def read_labels(image, ppm: float, entries, speed: float, traces, curves) -> list[dict]:
    """Per panel: the lead the layout gives it, and the most probable label among the
    words beside its start ("none" when no word reads as a lead)."""
    from crtnet.digitize import labelnet

    rows = sorted({e[1] for e in entries})
    base = {e[1]: e[4].baseline * ppm for e in entries}
    cands, owner, out = [], [], []
    for j, (ncol, r, c, lead, tr, t0, _t1) in enumerate(entries):
        gaps = [abs(base[r] - base[q]) for q in rows if q != r] or [30 * ppm]
        half = min(12 * ppm, 0.5 * min(gaps))
        i = next(k for k, t in enumerate(traces) if t is tr)
        x = (tr.start + t0 * speed) * ppm
        for whole, wd in find_words(image, x, base[r], half, ppm, [curves[i]]):
            cands.append(labelnet.normalise(wd))
            owner.append((j, whole))
        out.append({"lead": lead.lstrip("-"), "row": rows.index(r), "col": c, "ncol": ncol,
                    "read": "none", "p": 0.0})  # fmt: skip
    # a whole word read surely wins over its parts ("III" holds an "II")
    rank = {}
    for (j, whole), (read, p) in zip(owner, labelnet.classify(cands), strict=True):
        key = (whole and p >= SURE, p)
        if read != "none" and key > rank.get(j, (False, 0.0)):
            rank[j] = key
            out[j]["read"], out[j]["p"] = read, round(p, 3)
    return out


def check(found: list[dict]) -> dict:
    """{"ok": bool | None, "value": share of sure readings that agree with the layout}."""
    # a lone bar read as "I" may be a separator tick or a stroke's stub: it may agree with
    # the layout, never contradict it
    sure = [
        f
        for f in found
        if f["read"] != "none" and f["p"] >= SURE and (f["read"] != "I" or f["lead"] == "I")
    ]
    if len(sure) < MIN_READ:
        return {"ok": None, "value": None}
    agree = sum(f["read"] == f["lead"] for f in sure)
    wrong = len(sure) - agree
    ok = not (wrong >= 2 and wrong > agree)
    return {"ok": ok, "value": round(agree / len(sure), 3)}
