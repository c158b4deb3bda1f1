"""``crtnet bench photographed``: our renders, photographed in software, read by the dense
path (``digitize.dewarp``), with exact truth.

The real photos (``bench realpages``) are what counts, but they may not be tuned on; these
pages are where the dense path's choices are made. Each page is rendered at 300 DPI (a
12 MP photo of a letter page is about 10 px/mm), laid on a table and bent: a curl, one or
two folds (a displacement kink a millimetre wide), a random wrinkle field at a 5 mm scale,
a rotation of up to 8°, a cast shadow, defocus, sensor noise and JPEG. ``--ablate``
runs every page again with the second dewarp pass (``regrid``) switched off.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import typer


def register(app: typer.Typer) -> None:
    app.command("photographed")(bench_photographed)


def photograph(page: np.ndarray, seed: int, labels: np.ndarray | None = None):
    """A seeded phone-photo scene around a rendered page (geometry is not tracked: the
    score is on the signal, which the page's own truth gives). With ``labels`` (a uint8
    image of the page's pixel classes, 0 = other), returns (photo, labels moved with it):
    the pixel model's training pages."""
    import cv2

    rng = np.random.default_rng(seed)
    h, w = page.shape[:2]
    pad = int(0.1 * w)
    big = np.empty((h + 2 * pad, w + 2 * pad, 3), np.float32)
    big[:] = rng.uniform(60, 160, 3)  # the table
    big += rng.normal(0, 6, big.shape)
    big[pad : pad + h, pad : pad + w] = page[..., :3]
    hh, ww = big.shape[:2]
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
    a1, a2, a3 = rng.uniform(0.004, 0.014, 3)
    my = yy + a1 * h * np.sin(np.pi * xx / ww + rng.uniform(0, 1)) + a2 * h * (xx / ww) ** 2
    mx = xx + a3 * w * np.sin(np.pi * yy / hh + rng.uniform(0, 1))
    for _ in range(int(rng.integers(1, 3))):  # folds: 1-3 px kinks across a line
        ang, c0 = rng.uniform(0, np.pi), rng.uniform(0.3, 0.7) * ww
        d = (xx - c0) * np.cos(ang) + (yy - hh / 2) * np.sin(ang)
        prof = rng.uniform(1.0, 3.0) * np.tanh(d / 6.0) + 0.002 * np.abs(d)
        mx += prof * np.cos(ang)
        my += prof * np.sin(ang)
    for arr in (mx, my):  # wrinkles: 0.5-1.5 px over ~5 mm
        f = rng.normal(0, 1, (hh // 60 + 2, ww // 60 + 2)).astype(np.float32)
        f = cv2.resize(f, (ww, hh), interpolation=cv2.INTER_CUBIC)
        arr += rng.uniform(0.5, 1.5) * f / (f.std() + 1e-6)
    mx, my = mx.astype(np.float32), my.astype(np.float32)
    img = cv2.remap(big, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    rot = cv2.getRotationMatrix2D((ww / 2, hh / 2), rng.uniform(-8, 8), 1.0)
    img = cv2.warpAffine(img, rot, (ww, hh), borderMode=cv2.BORDER_REFLECT)
    if labels is not None:
        lab = np.zeros((hh, ww), np.uint8)
        lab[pad : pad + h, pad : pad + w] = labels
        lab = cv2.remap(lab, mx, my, cv2.INTER_NEAREST)
        labels = cv2.warpAffine(lab, rot, (ww, hh), flags=cv2.INTER_NEAREST)
    shade = 0.6 + 0.4 * np.clip(xx / ww + rng.uniform(-0.5, 0.5) * yy / hh, 0, 1)
    img = cv2.GaussianBlur(img * shade[..., None], (0, 0), rng.uniform(0.6, 1.4))
    img = np.clip(img + rng.normal(0, 3, img.shape), 0, 255).astype(np.uint8)
    _, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    out = cv2.imdecode(enc, cv2.IMREAD_UNCHANGED)
    return out if labels is None else (out, labels)


def bench_photographed(
    root: Path = typer.Option(None, help="PTB-XL root (records500/); default: bundled samples."),
    n: int = typer.Option(8, help="Records (pages)."),
    first: int = typer.Option(100, help="First ecg_id used."),
    ablate: bool = typer.Option(True, help="Also read every page with regrid switched off."),
    write: bool = typer.Option(True, help="Update docs/BENCHMARKS.md (section photographed)."),
) -> None:
    """SNR of rendered, software-photographed pages read by the dense path."""
    import sys

    from crtnet.bench.digitize import _records, _score
    from crtnet.bench.report import machine_line, update_section
    from crtnet.digitize import regrid
    from crtnet.render import RenderConfig, render_page

    start = time.time()
    recs = _records(root, n, first)
    rows = [
        "| record | SNR dB | SNR dB, no second pass | layout | s/page |",
        "|---|---|---|---|---|",
    ]
    got, off = [], []
    for i, rec in enumerate(recs):
        page = render_page(rec, RenderConfig(dpi=300), seed=i)
        photo = photograph(page.image, 1000 + i)
        snr, _, dt, ok = _score(page, photo)
        base = float("nan")
        if ablate:
            regrid.ENABLED = False
            try:
                base = _score(page, photo)[0]
            finally:
                regrid.ENABLED = True
        got.append(snr)
        off.append(base)
        rows.append(f"| {rec.record_id} | {snr:.2f} | {base:.2f} | {ok} | {dt:.1f} |")
        typer.echo(rows[-1])
    rows.append(f"| **mean** | **{np.mean(got):.2f}** | {np.mean(off):.2f} | | |")
    typer.echo(rows[-1])
    if write:
        ids = f"{recs[0].record_id}…{recs[-1].record_id}" if recs else "-"
        update_section(
            "photographed",
            "## Rendered pages, photographed in software (the dense path's tuning set)\n\n"
            f"Command: `crtnet bench {' '.join(sys.argv[2:])}`  \n"
            f"Machine: {machine_line()}  \n"
            f"Data: PTB-XL {ids} rendered 3x4+II at 300 DPI, then `bench.photographed."
            "photograph` (seeded: table, curl, folds, wrinkles, rotation, shadow, blur, "
            "noise, JPEG). Metric: Challenge 2024 SNR against what the page shows.  \n"
            f"Wall time: {time.time() - start:.0f} s\n\n" + "\n".join(rows),
        )
