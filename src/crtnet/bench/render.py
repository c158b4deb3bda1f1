"""``crtnet bench render``: pages per second of the renderer on one core."""

from __future__ import annotations

import time
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("render")(bench_render)


def bench_render(
    root: Path = typer.Option(None, help="PTB-XL root (default: the bundled sample)."),
    dpi: int = typer.Option(200, help="Resolution."),
    repeats: int = typer.Option(2, help="Passes over the records."),
    augment: str = typer.Option("scan,photo,heavy", help="Augmentation presets to time too."),
    write: bool = typer.Option(True, help="Update docs/BENCHMARKS.md."),
) -> None:
    """Render every 500 Hz PTB-XL record at DPI, clean and augmented; report pages/s."""
    import os
    import tempfile

    import cv2

    from crtnet import samples
    from crtnet.bench.report import machine_line, update_section
    from crtnet.io import read_record
    from crtnet.render import RenderConfig, render_page

    cv2.setNumThreads(1)
    wall = time.time()
    load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    base = Path(root or samples.PTBXL)
    heas = sorted(base.glob("records500/*/*_hr.hea"))
    if not heas:
        raise typer.BadParameter(f"no records500/*/*_hr.hea under {base}")
    recs = [read_record(h) for h in heas]
    render_page(recs[0], RenderConfig(dpi=dpi))  # warm the grid cache and imports
    rows = []

    def timed(label: str, cfg: RenderConfig, save: str | None, n_pass: int) -> None:
        n, t0 = 0, time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(n_pass):
                for i, rec in enumerate(recs):
                    page = render_page(rec, cfg, seed=r * 1000 + i)
                    if save:
                        page.save(tmp, f"p{i}", (save,))
                    n += 1
        dt = time.perf_counter() - t0
        rows.append(f"| {label} | {n} | {dt:.2f} | {n / dt:.2f} | {dt / n:.3f} |")
        typer.echo(f"{label}: {n} pages in {dt:.2f} s = {n / dt:.2f} pages/s")

    timed("3x4+II, no augmentation, render only", RenderConfig(dpi=dpi), None, repeats)
    timed("3x4+II, no augmentation, render + PNG/JSON/WFDB", RenderConfig(dpi=dpi), "png", 1)
    timed("12x1, no augmentation, render only", RenderConfig(dpi=dpi, layout="12x1"), None, 1)
    timed("3x4+II, vector PDF + JSON/WFDB", RenderConfig(dpi=dpi), "vector-pdf", 1)
    for name in [a for a in augment.split(",") if a]:
        timed(f"3x4+II, augment={name}, render only", RenderConfig(dpi=dpi, augment=name), None, 1)
    cmd = f"crtnet bench render --dpi {dpi} --repeats {repeats} --augment {augment}"
    if root:
        cmd += f" --root {root}"
    if write:
        update_section(
            "render",
            "## Renderer speed (one core)\n\n"
            f"Command: `{cmd}`  \nData: {len(recs)} PTB-XL 500 Hz records from `{base}`, "
            f"{dpi} DPI, US-letter page ({'x'.join(map(str, page_px(dpi)))} px)  \n"
            f"Machine: {machine_line()}; OpenCV threads 1; load average {load:.1f} at start  \n"
            f"Wall time of the whole command: {time.time() - wall:.0f} s. "
            "Anchor: ecg-image-kit reports 0.72 s/page on an Apple M2.\n\n"
            "| what | pages | seconds | pages/s | s/page |\n|---|---|---|---|---|\n"
            + "\n".join(rows),
        )


def page_px(dpi: int) -> tuple[int, int]:
    from crtnet.render.paper import page_size_px

    return page_size_px("letter", dpi)
