"""``crtnet demo``: the main job on bundled data, ending in one HTML report."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    out: Path = typer.Option(Path("crtnet-demo"), "--out", "-o", help="Output folder."),
    record: Path = typer.Option(None, help="A signal file to print and read back instead."),
    image: Path = typer.Option(None, help="An ECG image/PDF to digitize instead of rendering."),
    layout: str = typer.Option("3x4+II", help="Printout layout for the rendered page."),
    augment: str = typer.Option("none", help="Augmentation preset for the rendered page."),
) -> None:
    """Render a bundled PTB-XL record as a printout, digitize it, classify it, write a report."""
    from crtnet.predict.demo import run_demo

    res = run_demo(out, record=record, image=image, layout=layout, augment=augment)
    for pred in res["predictions"]:
        typer.echo(
            f"{pred['model']['name']}: {', '.join(pred['predicted']) or 'no class'} "
            + " ".join(f"{c}={p:.2f}" for c, p in pred["probabilities"].items())
        )
    ref = res.get("reference")
    if ref:
        typer.echo(
            f"reference ({ref['dataset']} {ref['task']}, record {ref['ecg_id']}): "
            f"{', '.join(ref['labels']) or 'none'}"
        )
    typer.echo(f"report: {res['report']}")
