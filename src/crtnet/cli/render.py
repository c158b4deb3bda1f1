"""``crtnet render``: print ECG records as clinical pages with exact ground truth."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("render")(render)


def _work(args: tuple) -> tuple[str, dict | None, str | None]:
    """One file in a worker process: (path, result, error line)."""
    from crtnet.render.batch import render_file

    path, out, cfg, kwargs = args
    try:
        import cv2

        cv2.setNumThreads(1)
        return str(path), render_file(path, out, cfg, **kwargs), None
    except Exception as exc:  # noqa: BLE001  (a bug in one file: its line, traceback in the log)
        from crtnet.jobs.kinds import failure_line

        return str(path), None, failure_line(exc, str(path))


def render(
    inputs: list[Path] = typer.Argument(..., help="Signal files (WFDB/CSV/npz/.mat) or folders."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    layout: str = typer.Option("3x4+II", help="Layout name (see docs/RENDER.md)."),
    dpi: int = typer.Option(200, help="Resolution, 100-600."),
    grid: str = typer.Option("red", help="red, pink, orange, green, blue, grey, brown or none."),
    speed: float = typer.Option(25.0, "--speed", help="Paper speed, mm/s (25 or 50)."),
    gain: float = typer.Option(10.0, "--gain", help="Gain, mm/mV (5, 10 or 20)."),
    line_width: float = typer.Option(0.6, help="Trace width in points."),
    augment: str = typer.Option("none", help="Augmentation preset (none, mild, scan, photo...)."),
    fmt: str = typer.Option("png", "--format", help="Comma list: png,jpg,pdf,vector-pdf."),
    paper: str = typer.Option("letter", help="letter or a4."),
    start: float = typer.Option(0.0, help="Seconds into the record where page 1 begins."),
    pages: int = typer.Option(1, help="Consecutive pages per record (long Holter records)."),
    seed: int = typer.Option(0, help="Seed of the augmentations."),
    header: bool = typer.Option(True, help="Print the header text."),
    mask: bool = typer.Option(False, help="Also write STEM-mask.png (lead traces, 255)."),
    minor_grid: str = typer.Option("lines", help="1 mm grid: lines, dots or none."),
    clip: bool = typer.Option(False, help="Clip traces at their panel (default: overlap)."),
    trace_colour: str = typer.Option("black", help="Trace ink: black or blue."),
    workers: int = typer.Option(1, help="Processes."),
    overwrite: bool = typer.Option(False, help="Re-render pages that are already complete."),
    randomize: bool = typer.Option(
        False, help="Draw layout, grid, ink, scale and augmentation per page (training data)."
    ),
) -> None:
    """Render each record as an ECG printout: images, ground-truth JSON, WFDB of what is shown."""
    from crtnet.cli.common import echo_json
    from crtnet.errors import CrtnetError
    from crtnet.render.augment import resolve
    from crtnet.render.batch import expand_inputs
    from crtnet.render.page import RenderConfig
    from crtnet.render.save import check_formats

    formats = check_formats([f.strip() for f in fmt.split(",") if f.strip()])
    resolve(augment)
    cfg = RenderConfig(
        layout=layout,
        dpi=dpi,
        grid=grid,
        paper_speed=speed,
        gain=gain,
        line_width=line_width,
        augment=augment,
        paper=paper,
        start=start,
        header=header,
        clip=clip,
        minor_grid=minor_grid,
        mask=mask,
        trace_colour=trace_colour,
    )
    cfg.validate()
    if pages < 1:
        raise typer.BadParameter("--pages must be at least 1")
    kwargs = dict(formats=formats, seed=seed, pages=pages, overwrite=overwrite, randomize=randomize)
    if out.exists() and not out.is_dir():
        raise CrtnetError("--out must be a folder, but a file of that name exists", out)
    files = expand_inputs(inputs)
    if not files:
        raise CrtnetError("no signal files (.hea, .csv, .npz, .mat) found in the given inputs")
    jobs = [(p, out, cfg, kwargs) for p in files]
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        # spawn: a forked child of a process that already runs threads (torch, cv2) can deadlock
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            results = list(pool.map(_work, jobs))
    else:
        results = [_work(j) for j in jobs]
    n_written = n_skipped = 0
    failed = []
    for path, res, err in results:
        if err:
            typer.echo(f"crtnet: error: {err}", err=True)
            failed.append(path)
        else:
            n_written += sum(f.endswith(".json") for f in res["written"])
            n_skipped += len(res["skipped"])
    echo_json(
        {"out": str(out), "pages_written": n_written, "pages_skipped": n_skipped, "failed": failed}
    )
    if failed:
        raise typer.Exit(1)
