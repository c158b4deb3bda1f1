"""``crtnet info``: the quickest check that a file reads correctly."""

from __future__ import annotations

from pathlib import Path

import typer

from crtnet.cli.common import echo_json, run_batch


def register(app: typer.Typer) -> None:
    app.command("info")(info)


def info(
    files: list[Path] = typer.Argument(
        ...,
        help="Signal files: WFDB (.hea/.dat), CSV, npz, challenge .mat, GE MUSE / Philips / "
        "HL7 aECG XML, DICOM, SCP-ECG, EDF.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array, one object per file."),
    fs: float = typer.Option(None, "--fs", help="Sampling rate for CSVs without a time column."),
    allow_unknown_leads: bool = typer.Option(
        False, "--allow-unknown-leads", help="Keep lead names crtnet does not recognise."
    ),
) -> None:
    """Show each record's leads, sampling rate, duration, units and labels."""
    from crtnet.io import read_record
    from crtnet.io.cart import format_cart

    def one(path: Path) -> dict:
        from crtnet.io.windows import is_long, summary_windowed

        if is_long(path):  # a Holter: read window by window, memory follows the window
            return {
                "path": str(path),
                **summary_windowed(path, strict_leads=not allow_unknown_leads),
            }
        rec = read_record(path, fs=fs, strict_leads=not allow_unknown_leads)
        return {"path": str(path), **rec.summary()}

    done, failed = run_batch(files, one)
    if as_json:
        echo_json([s for _, s in done] + [{"path": str(p), "error": m} for p, m in failed])
    else:
        for _, s in done:
            labels = ", ".join(s["labels"]) or "-"
            typer.echo(
                f"{s['path']}: {s['n_leads']} leads [{' '.join(s['leads'])}], {s['fs']:g} Hz, "
                f"{s['n_samples']} samples ({s['duration_s']:.2f} s), {s['units']}, "
                f"labels: {labels}"
            )
            for line in format_cart(s["meta"].get("cart")):
                typer.echo(f"  {line}")
    if failed:
        raise typer.Exit(1)
