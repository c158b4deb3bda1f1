"""``crtnet digitize``: ECG images/PDFs → 12-lead records (WFDB/CSV/npz) + JSON sidecars."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("digitize")(digitize_cmd)


def digitize_cmd(
    inputs: list[Path] = typer.Argument(..., help="Images (PNG/JPEG/TIFF/BMP), PDFs or folders."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    fmt: str = typer.Option("wfdb", "--format", help="wfdb, csv or npz."),
    fs: float = typer.Option(500.0, "--fs", help="Output sampling rate (Hz)."),
    layout: str = typer.Option("auto", "--layout", help="auto, 3x4, 3x4+II, 3x4+3, 6x2, 12x1..."),
    overlay: bool = typer.Option(False, "--overlay", help="Also write NAME-overlay.png."),
    page: int = typer.Option(1, "--page", help="PDF page number (1-based)."),
    workers: int = typer.Option(1, "--workers", "-j", help="Worker processes."),
    force: bool = typer.Option(False, "--force", help="Redo pages already digitized in --out."),
) -> None:
    """Digitize ECG printouts; a rerun skips pages whose outputs already exist."""
    import sys

    from tqdm import tqdm

    from crtnet.digitize.batch import EXT, expand_inputs, is_done, worker

    if fmt not in EXT:
        typer.echo(f"crtnet: error: unknown --format {fmt!r} (choose wfdb, csv or npz)", err=True)
        raise typer.Exit(1)
    if not 1 <= fs <= 10_000:
        typer.echo(f"crtnet: error: implausible --fs {fs}", err=True)
        raise typer.Exit(1)
    files = expand_inputs(inputs)
    kw = {"fmt": fmt, "fs": fs, "layout": layout, "overlay": overlay, "page": page - 1}
    todo = [f for f in files if force or not is_done(out, f, fmt)]
    skipped = len(files) - len(todo)
    jobs = [(str(f), str(out), kw) for f in todo]
    bar = tqdm(total=len(jobs), unit="page", file=sys.stderr, disable=len(jobs) < 2)
    failed = 0
    if workers > 1 and len(jobs) > 1:
        from multiprocessing import get_context

        with get_context("spawn").Pool(workers) as pool:
            results = pool.imap_unordered(worker, jobs)
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
