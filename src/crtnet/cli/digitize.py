"""``crtnet digitize``: ECG images/PDFs → 12-lead records (WFDB/CSV/npz) + JSON sidecars."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("digitize")(digitize_cmd)


def digitize_cmd(
    inputs: list[Path] = typer.Argument(
        None, help="Images (PNG/JPEG/TIFF/BMP), PDFs or folders (trees with --dask)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    fmt: str = typer.Option("wfdb", "--format", help="wfdb, csv or npz."),
    fs: float = typer.Option(500.0, "--fs", help="Output sampling rate (Hz)."),
    layout: str = typer.Option("auto", "--layout", help="auto, 3x4, 3x4+II, 3x4+3, 6x2, 12x1..."),
    overlay: bool = typer.Option(False, "--overlay", help="Also write NAME-overlay.png."),
    page: int = typer.Option(1, "--page", help="PDF page number (1-based)."),
    workers: int = typer.Option(1, "--workers", "-j", help="Worker processes."),
    force: bool = typer.Option(False, "--force", help="Redo pages already digitized in --out."),
    time_limit: float = typer.Option(
        600.0, "--time-limit", help="Seconds per page with --workers > 1; then it fails."
    ),
    max_pixels: int = typer.Option(
        None, "--max-pixels", help="Refuse images/PDF pages above this many pixels (100 M)."
    ),
    dask: bool = typer.Option(False, "--dask", help="Archive mode on Dask (docs/SCALE.md)."),
    scheduler: str = typer.Option(None, "--scheduler", help="tcp://HOST:8786 (implies --dask)."),
    lists: list[Path] = typer.Option(None, "--list", help="File of paths, one a line (--dask)."),
    manifest: Path = typer.Option(
        None, "--manifest", help="SQLite manifest (OUT/manifest.sqlite)."
    ),
    chunk: int = typer.Option(16, "--chunk", help="Inputs per Dask task."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Redo failed inputs (--dask)."),
    flat: bool = typer.Option(False, "--flat", help="No OUT/ab/cd/ shard folders (--dask)."),
) -> None:
    """Digitize ECG printouts; a rerun skips pages whose outputs already exist."""
    import sys

    from tqdm import tqdm

    from crtnet.digitize.batch import EXT, check_out_dir, expand_inputs, is_done, worker
    from crtnet.io.limits import set_limits

    if fmt not in EXT:
        typer.echo(f"crtnet: error: unknown --format {fmt!r} (choose wfdb, csv or npz)", err=True)
        raise typer.Exit(1)
    if not 1 <= fs <= 10_000:
        typer.echo(f"crtnet: error: implausible --fs {fs}", err=True)
        raise typer.Exit(1)
    set_limits(max_pixels=max_pixels)
    check_out_dir(out)
    if dask or scheduler or lists:
        from crtnet.cli.archive import archive_options

        kw = {"fmt": fmt, "fs": fs, "layout": layout, "overlay": overlay, "page": page - 1}
        return archive_options(
            "digitize",
            inputs,
            lists,
            out,
            kw,
            scheduler=scheduler,
            workers=workers,
            chunk=chunk,
            manifest=manifest,
            retry_failed=retry_failed,
            time_limit=time_limit,
            flat=flat,
        )
    if not inputs:
        raise typer.BadParameter("give at least one image, PDF or folder")
    files = expand_inputs(inputs)
    if not files:
        typer.echo("crtnet: error: no images or PDFs found in the given inputs", err=True)
        raise typer.Exit(1)
    kw = {"fmt": fmt, "fs": fs, "layout": layout, "overlay": overlay, "page": page - 1}
    todo = [f for f in files if force or not is_done(out, f, fmt)]
    skipped = len(files) - len(todo)
    jobs = [(str(f), str(out), kw) for f in todo]
    bar = tqdm(total=len(jobs), unit="page", file=sys.stderr, disable=len(jobs) < 2)
    failed = 0
    if workers > 1 and len(jobs) > 1:
        from crtnet.jobs import Job, JobPool

        with JobPool(workers=workers, time_limit=time_limit) as pool:
            results = (
                (r.input, r.error, r.result)
                for r in pool.map(Job("digitize", j[0], j[1], j[2]) for j in jobs)
            )
            failed = _report(results, bar)
    else:
        failed = _report(map(worker, jobs), bar)
    bar.close()
    typer.echo(f"digitized {len(jobs) - failed}, failed {failed}, skipped (done) {skipped}")
    if failed:
        raise typer.Exit(1)


def _report(results, bar) -> int:
    import sys

    failed = 0
    for src, err, info in results:
        bar.update(1)
        if err:
            failed += 1
            bar.write(f"crtnet: error: {err}", file=sys.stderr)
        else:
            conf = info["confidence"]
            bar.write(
                f"{src}: {info['layout']}, {info.get('px_per_mm', 0):.2f} px/mm, "
                f"calibration {info['calibration']}, mean confidence "
                f"{sum(conf.values()) / len(conf):.2f}"
            )
    return failed
