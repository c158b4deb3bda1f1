"""``crtnet bench digitize``: render → digitize → Challenge-2024 SNR, plus real printouts.

Pages come from ``crtnet.render`` (layouts, DPIs, grid colours, augmentations, vector
PDFs) for PTB-XL records the digitizer was not developed on, from ecg-image-kit (another
generator) and from real printouts (no ground truth: status and overlays only).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import typer

LAYOUTS = ["3x4", "3x4+II", "3x4+2", "3x4+3", "6x2", "6x2+II", "12x1", "cabrera-3x4+II"]
DPIS = [100, 150, 200, 300, 600]
GRIDS = ["red", "pink", "green", "blue", "grey"]
AUGMENTS = [
    "mild",
    "scan",
    "rotation",
    "perspective",
    "blur",
    "noise",
    "jpeg",
    "colour",
    "shading",
    "photo",
]


def register(app: typer.Typer) -> None:
    app.command("digitize")(bench_digitize)


def _records(root: Path | None, n: int, first: int):
    from crtnet.io import read_record
    from crtnet.samples import PTBXL

    base = Path(root) if root else Path(PTBXL)
    heads = sorted((base / "records500").glob("*/*_hr.hea"))
    heads = [h for h in heads if int(h.name[:5]) >= first][:n]
    return [read_record(h.with_suffix("")) for h in heads]


def _score(page, source) -> tuple[float, float, float, str]:
    from crtnet.digitize import digitize
    from crtnet.digitize.metric import challenge_snr
    from crtnet.errors import CrtnetError

    t = time.perf_counter()
    try:
        d = digitize(source)
    except CrtnetError as exc:
        return 0.0, 0.0, time.perf_counter() - t, f"error: {exc.problem}"
    dt = time.perf_counter() - t
    m = challenge_snr(page.shown, d.record)
    ok = "ok" if d.info["layout"] == page.truth["layout"] else f"layout {d.info['layout']}"
    return m["snr_db"], m["coverage"], dt, ok


def _row(name: str, results: list) -> str:
    snr = np.array([r[0] for r in results])
    cov = np.array([r[1] for r in results])
    dt = np.array([r[2] for r in results])
    bad = sum(r[3] != "ok" for r in results)
    return (
        f"| {name} | {len(results)} | {snr.mean():.2f} | {np.median(snr):.2f} | {snr.min():.2f} "
        f"| {cov.mean():.3f} | {bad} | {np.median(dt):.2f} |"
    )


HEAD = (
    "| pages | n | mean SNR dB | median | min | coverage | failed/wrong layout | "
    "median s/page |\n|---|---|---|---|---|---|---|---|"
)


def bench_digitize(
    root: Path = typer.Option(None, help="PTB-XL root (records500/); default: bundled samples."),
    n: int = typer.Option(10, help="Records per configuration."),
    first: int = typer.Option(100, help="First ecg_id used (the digitizer was tuned on < 60)."),
    shared: Path = typer.Option(None, help="Shared data folder (ecg-image-kit, printouts)."),
    overlays: Path = typer.Option(None, help="Write small overlays of the printouts here."),
    write: bool = typer.Option(True, help="Update docs/BENCHMARKS.md."),
) -> None:
    """SNR per layout / DPI / grid colour / augmentation, vector PDFs, ecg-image-kit, printouts."""
    import tempfile

    import cv2

    from crtnet.bench.report import machine_line, update_section
    from crtnet.render import RenderConfig, render_page

    cv2.setNumThreads(1)
    start = time.time()
    recs = _records(root, n, first)
    if not recs:
        recs = _records(root, n, 0)
    ids = f"{recs[0].record_id}…{recs[-1].record_id}" if recs else "-"
    lines = []

    scores: dict[str, list] = {}

    def family(title: str, configs: list[tuple[str, dict]]) -> None:
        lines.append(f"\n**{title}**\n\n{HEAD}")
        for name, kw in configs:
            res = []
            for i, rec in enumerate(recs):
                page = render_page(rec, RenderConfig(**kw), seed=i)
                res.append(_score(page, page.image))
            scores[name] = res
            lines.append(_row(name, res))
            typer.echo(lines[-1])

    family(
        "Clean pages, 200 DPI, red grid, by layout",
        [(lay, {"layout": lay, "dpi": 200}) for lay in LAYOUTS],
    )
    family("3x4+II by resolution (clean)", [(f"{d} DPI", {"dpi": d}) for d in DPIS])
    family("3x4+II by grid colour (200 DPI)", [(g, {"grid": g}) for g in GRIDS])
    family("3x4+II by augmentation preset (200 DPI)", [(a, {"augment": a}) for a in AUGMENTS])
    # the "augmented pages": every preset but photo, other grid colours, other DPIs
    aug = [a for a in AUGMENTS if a != "photo"] + GRIDS[1:] + [f"{d} DPI" for d in DPIS if d != 200]
    lines.append(
        f"\n**All augmented pages** (presets except photo, grid colours other than red, DPIs "
        f"other than 200; {sum(len(scores[a]) for a in aug)} pages)\n\n{HEAD}"
    )
    lines.append(_row("augmented", [r for a in aug for r in scores[a]]))
    typer.echo(lines[-1])
    lines.append(f"\n**Vector PDFs (3x4+II), read from drawing paths**\n\n{HEAD}")
    res = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, rec in enumerate(recs):
            page = render_page(rec, RenderConfig(layout="3x4+II"), seed=i)
            page.save(tmp, f"p{i}", formats=("vector-pdf",))
            res.append(_score(page, Path(tmp) / f"p{i}-vector.pdf"))
    lines.append(_row("vector PDF", res))
    typer.echo(lines[-1])
    if shared:
        lines += _ecg_image_kit(shared)
        lines += _printouts(shared, overlays)
    body = (
        "## Digitization (image/PDF → 12 leads)\n\n"
        f"Command: `crtnet bench digitize --n {n} --first {first}"
        + (f" --root {root}" if root else "")
        + (f" --shared {shared}" if shared else "")
        + (f" --overlays {overlays}" if overlays else "")
        + f"`  \nMachine: {machine_line()}; OpenCV 1 thread  \n"
        f"Data: PTB-XL 500 Hz records {ids} ({len(recs)} per row), rendered by `crtnet.render`"
        " (seeded), digitized from the image array. Metric: PhysioNet Challenge 2024 SNR "
        "(`crtnet.digitize.metric.challenge_snr`: per lead, best shift ≤ 0.5 s and offset "
        "≤ 1 mV, weighted by covered fraction of what the page shows; mean over leads, then "
        "pages). A page that fails scores 0 dB. Time: `digitize()` wall time per page "
        "(load to Record), one process.  \n"
        f"Wall time of the whole run: {time.time() - start:.0f} s\n" + "\n".join(lines)
    )
    typer.echo(body)
    if write:
        update_section("digitize", body)


def _ecg_image_kit(shared: Path) -> list[str]:
    from crtnet.digitize import digitize
    from crtnet.digitize.metric import challenge_snr
    from crtnet.io import read_record

    out = [
        "\n**ecg-image-kit pages (another generator; 200 DPI, 3x4+II)**\n",
        "| page | layout found | SNR dB | coverage | s |",
        "|---|---|---|---|---|",
    ]
    for rid in ("00002", "00003"):
        img = shared / "images" / "ecg-image-kit" / "PTB_XL_op" / f"{rid}_hr-0.png"
        ref = read_record(shared / "ptbxl" / "records500" / "00000" / f"{rid}_hr")
        t = time.perf_counter()
        d = digitize(img)
        dt = time.perf_counter() - t
        shown = np.full_like(ref.signal, np.nan)  # column c shows the c-th 2.5 s window
        for p in d.info["panels"]:
            i = ref.leads.index(p["lead"].lstrip("-"))
            a, b = int(round(p["t0"] * ref.fs)), int(round(p["t1"] * ref.fs))
            shown[i, a:b] = ref.signal[i, a:b]
        m = challenge_snr(ref.replace(signal=shown), d.record)
        out.append(
            f"| {img.name} | {d.info['layout']} | {m['snr_db']:.2f} | "
            f"{m['coverage']:.3f} | {dt:.2f} |"
        )
        typer.echo(out[-1])
    return out


def _printouts(shared: Path, overlays: Path | None) -> list[str]:
    import cv2
    from PIL import Image

    from crtnet.digitize import digitize
    from crtnet.digitize.load import SUFFIXES
    from crtnet.errors import CrtnetError

    folder = shared / "images" / "printouts"
    out = [
        "\n**Real printouts (no ground truth: what was found)**\n",
        "| file | result | layout | px/mm | rotation ° | calibration | trace coverage | "
        "flagged (failed checks) | s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES):
        t = time.perf_counter()
        try:
            d = digitize(f)
        except CrtnetError as exc:
            out.append(
                f"| {f.name} | error: {exc.problem} | | | | | | | {time.perf_counter() - t:.2f} |"
            )
            continue
        dt = time.perf_counter() - t
        i = d.info
        conf = float(np.mean(list(i["confidence"].values())))
        out.append(
            f"| {f.name} | digitized | {i['layout']} | {i['px_per_mm']:.2f} | "
            f"{i['rotation_deg']:.1f} | {i['calibration']} | {conf:.2f} | "
            f"{'yes (' + ', '.join(i['failed_checks']) + ')' if i['flagged'] else 'no'} | "
            f"{dt:.2f} |"
        )
        if overlays:
            o = d.overlay()
            s = min(1.0, 480 / o.shape[1])
            o = cv2.resize(o, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            overlays.mkdir(parents=True, exist_ok=True)
            # a 64-colour palette keeps the docs' PNGs small
            Image.fromarray(o).quantize(64).save(overlays / f"{f.stem}.png", optimize=True)
    return out
