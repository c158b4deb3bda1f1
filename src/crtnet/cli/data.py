"""``crtnet data``: what a dataset holds (summary) and fetching it (download)."""

from __future__ import annotations

from pathlib import Path

import typer

from crtnet.cli.common import echo_json

data_app = typer.Typer(
    help="Datasets: summaries (beat/label counts, folds) and downloads.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")


@data_app.command("summary")
def summary(
    dataset: str = typer.Argument(..., help="mitdb, ptbxl or folder:PATH/TO/manifest.csv"),
    root: list[Path] = typer.Option(
        None, "--root", help="Data folder (repeat --root to combine PTB-XL roots)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Rebuild instead of using the cache."),
    label_column: str = typer.Option(None, "--label-column", help="folder: the label column."),
) -> None:
    """Counts: MIT-BIH beats per AAMI class (DS1/DS2), PTB-XL classes and folds, a manifest.

    mitdb reads and filters every record once (then cached); ptbxl and folder read the CSVs.
    """
    from crtnet.data.registry import get_dataset

    cls, arg = get_dataset(dataset)
    kw = {"arg": arg, "label_column": label_column} if arg else {}
    out = cls.summary(list(root) if root else None, use_cache=not no_cache, **kw)
    if as_json:
        echo_json(out)
        return
    for key, val in out.items():
        if isinstance(val, dict):
            val = ", ".join(f"{k} {v}" for k, v in val.items()) or "-"
        elif isinstance(val, list):
            val = ", ".join(map(str, val)) or "-"
        typer.echo(f"{key}: {val}")


@data_app.command("download")
def download(
    name: str = typer.Argument(..., help="mitdb or ptbxl"),
    root: Path = typer.Option(
        None, "--root", help="Target folder (default: $CRTNET_DATA/NAME or ~/.cache/crtnet/data)."
    ),
    include: list[str] = typer.Option(
        None, "--include", help="Only files matching this glob, e.g. 'records100/*' (repeat)."
    ),
) -> None:
    """Download a PhysioNet database, verified against its SHA256SUMS; reruns resume."""
    from crtnet.data.cache import default_root
    from crtnet.data.download import download as fetch

    target = root or default_root(name)
    kw = {"include": list(include)} if include else {}
    res = fetch(name, target, **kw)
    typer.echo(
        f"{res['database']}: {res['downloaded']} downloaded, {res['skipped']} already there, "
        f"{res['files']} files in {res['root']}"
    )
