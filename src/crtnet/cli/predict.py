"""``crtnet predict``: images, PDFs or signal files → diagnosis (JSON contract in docs)."""

from __future__ import annotations

from pathlib import Path

import typer

SIGNAL_SUFFIXES = (".hea", ".csv", ".npz", ".mat", ".xml", ".dcm", ".scp", ".edf", ".bdf")


def register(app: typer.Typer) -> None:
    app.command("predict")(predict)


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Folders become their ECG files (a WFDB/challenge record counted once, by its .hea)."""
    from crtnet.predict.api import IMAGE_SUFFIXES

    out: list[Path] = []
    for p in inputs:
        if not p.is_dir():
            out.append(p)
            continue
        for f in sorted(p.rglob("*")):
            suf = f.suffix.lower()
            if suf == ".mat" and f.with_suffix(".hea").exists():
                continue
            if f.is_file() and (suf in IMAGE_SUFFIXES or suf in SIGNAL_SUFFIXES):
                out.append(f)
    return out


def predict(
    inputs: list[Path] = typer.Argument(
        None,
        help="Images (PNG/JPEG/TIFF/BMP), PDFs, signal files (WFDB/CSV/npz/.mat, GE MUSE, "
        "Philips, HL7 aECG, DICOM, SCP-ECG, EDF), folders.",
    ),
    model: str = typer.Option(
        None, "--model", "-m", help="Bundled model name or a run directory (default: by leads)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON array to stdout."),
    out: Path = typer.Option(None, "--out", "-o", help="Also write results to FILE (.json/.csv)."),
    fs: float = typer.Option(None, "--fs", help="Sampling rate for CSVs without a time column."),
    max_pixels: int = typer.Option(
        None, "--max-pixels", help="Refuse images/PDF pages above this many pixels (100 M)."
    ),
    max_samples: int = typer.Option(
        None, "--max-samples", help="Samples x leads read at once (64 M); longer WFDB in windows."
    ),
    dask: bool = typer.Option(
        False, "--dask", help="Archive mode on Dask: --out is a folder (docs/SCALE.md)."
    ),
    scheduler: str = typer.Option(None, "--scheduler", help="tcp://HOST:8786 (implies --dask)."),
    lists: list[Path] = typer.Option(None, "--list", help="File of paths, one a line (--dask)."),
    manifest: Path = typer.Option(
        None, "--manifest", help="SQLite manifest (OUT/manifest.sqlite)."
    ),
    workers: int = typer.Option(2, "--workers", "-j", help="Local Dask workers (--dask)."),
    chunk: int = typer.Option(16, "--chunk", help="Inputs per Dask task."),
    time_limit: float = typer.Option(600.0, "--time-limit", help="Seconds per input (--dask)."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Redo failed inputs (--dask)."),
    flat: bool = typer.Option(False, "--flat", help="No OUT/ab/cd/ shard folders (--dask)."),
) -> None:
    """Classify each input; a bad input is reported in its result and the rest still run."""
    import sys

    from tqdm import tqdm

    from crtnet.cli.common import echo_json
    from crtnet.io.limits import set_limits
    from crtnet.predict.api import predict as run
    from crtnet.predict.output import summary_line, write_results

    set_limits(max_pixels=max_pixels, max_samples=max_samples)
    if dask or scheduler or lists:
        from crtnet.cli.archive import archive_options

        return archive_options(
            "predict",
            inputs,
            lists,
            out,
            {"model": model, "fs": fs},
            scheduler=scheduler,
            workers=workers,
            chunk=chunk,
            manifest=manifest,
            retry_failed=retry_failed,
            time_limit=time_limit,
            flat=flat,
        )
    files = expand_inputs(inputs or [])
    if not files:
        typer.echo("crtnet: error: no ECG files found in the given folders", err=True)
        raise typer.Exit(1)
    results = []
    show = len(files) > 1 and sys.stderr.isatty()
    for f in tqdm(files, desc="predict", unit="file", disable=not show, file=sys.stderr):
        try:
            res = run([f], model, fs=fs)[0]
        except Exception as exc:  # noqa: BLE001  (one strange file never ends the batch)
            from crtnet.jobs.kinds import failure_line
            from crtnet.predict.api import error_result

            res = error_result(f, failure_line(exc, str(f)))
        if res["error"]:
            typer.echo(f"crtnet: error: {res['error']}", err=True)
        results.append(res)
    if out is not None:
        write_results(results, out)
    if as_json:
        echo_json(results)
    else:
        for res in results:
            if not res["error"]:
                typer.echo(summary_line(res))
    if any(r["error"] for r in results):
        raise typer.Exit(1)
