"""``crtnet convert``: any readable ECG file → WFDB, CSV or EDF, measurements in a sidecar.

A finished conversion is recognised by its sidecar, so a rerun redoes only the inputs
that failed or were cut off.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("convert")(convert)


def convert(
    inputs: list[Path] = typer.Argument(..., help="ECG files in any format crtnet reads."),
    to: str = typer.Option(..., "--to", help="Output format: wfdb, csv or edf."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    median: bool = typer.Option(False, "--median", help="Convert the cart's median beat."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Redo finished conversions."),
    allow_unknown_leads: bool = typer.Option(
        False, "--allow-unknown-leads", help="Keep lead names crtnet does not recognise."
    ),
) -> None:
    """Write each input as NAME.hea/.dat, NAME.csv or NAME.edf plus NAME.json."""
    from crtnet.cli.common import run_batch
    from crtnet.errors import CrtnetError
    from crtnet.io.convert import TARGETS, convert_file, output_stem

    if to not in TARGETS:
        raise CrtnetError(f"--to must be one of {', '.join(TARGETS)}, not {to!r}")
    used: dict[str, Path] = {}

    def one(path: Path) -> str:
        stem = output_stem(path)
        if stem in used:
            raise CrtnetError(f"output name {stem!r} is already taken by {used[stem]}", path)
        used[stem] = path
        sidecar = out / f"{stem}.json"
        if sidecar.exists() and not overwrite:
            return f"{path}: already converted ({sidecar})"
        written = convert_file(path, to, out, median=median, strict_leads=not allow_unknown_leads)
        return f"{path} -> {written}"

    done, failed = run_batch(inputs, one, progress=sys.stderr.isatty(), desc="convert")
    for _, line in done:
        typer.echo(line)
    if failed:
        raise typer.Exit(1)
