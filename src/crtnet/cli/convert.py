"""``crtnet convert``: any readable ECG file → WFDB, CSV or EDF, measurements in a sidecar.

The sidecar (``NAME.json``) is written last, so its presence means the conversion is
complete: a rerun skips those inputs and redoes only the ones that failed or were cut off.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

TARGETS = ("wfdb", "csv", "edf")


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

    if to not in TARGETS:
        raise CrtnetError(f"--to must be one of {', '.join(TARGETS)}, not {to!r}")
    used: dict[str, Path] = {}

    def one(path: Path) -> str:
        stem = path.stem if path.suffix.lower() != ".hea" else path.with_suffix("").name
        if stem in used:
            raise CrtnetError(f"output name {stem!r} is already taken by {used[stem]}", path)
        used[stem] = path
        sidecar = out / f"{stem}.json"
        if sidecar.exists() and not overwrite:
            return f"{path}: already converted ({sidecar})"
        rec = _read(path, median, not allow_unknown_leads)
        written = convert_record(rec, out / stem, to)
        return f"{path} -> {written}"

    done, failed = run_batch(inputs, one, progress=sys.stderr.isatty(), desc="convert")
    for _, line in done:
        typer.echo(line)
    if failed:
        raise typer.Exit(1)


def _read(path: Path, median: bool, strict: bool):
    from crtnet.io import detect_format, read_record
    from crtnet.io.formats import READERS, read_vendor

    if not median:
        return read_record(path, strict_leads=strict)
    fmt = detect_format(path)
    if fmt not in READERS or not READERS[fmt].has_median:
        from crtnet.errors import CrtnetError

        raise CrtnetError(f"{fmt} files hold no median beat", path)
    return read_vendor(path, fmt, waveform="median", strict_leads=strict)


def convert_record(rec, base: Path, to: str) -> Path:
    """Signal first, sidecar last (both atomic); returns the signal file's path."""
    from crtnet.io import write_record
    from crtnet.io.atomic import atomic_path
    from crtnet.io.edf_io import write_edf

    base.parent.mkdir(parents=True, exist_ok=True)
    if to == "edf":
        written = write_edf(rec, base.with_name(base.name + ".edf"))
    elif to == "csv":
        written = write_record(rec, base.with_name(base.name + ".csv"), "csv")
    else:
        written = write_record(rec, base, "wfdb")
    with atomic_path(base.with_name(base.name + ".json")) as tmp:
        tmp.write_text(json.dumps(sidecar(rec, written), indent=2, ensure_ascii=False))
    return written


def sidecar(rec, written: Path) -> dict[str, Any]:
    meta = {k: v for k, v in rec.meta.items() if k != "cart"}
    return {
        "source": rec.source,
        "converted_to": written.name,
        "leads": rec.leads,
        "fs": rec.fs,
        "n_samples": rec.n_samples,
        "units": rec.units,
        "cart": rec.meta.get("cart", {}),
        "meta": json.loads(json.dumps(meta, default=str)),
    }
