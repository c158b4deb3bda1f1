"""The ``--dask`` mode shared by ``crtnet digitize`` and ``crtnet predict`` (docs/SCALE.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from crtnet.errors import CrtnetError


def archive_options(
    kind: str,
    inputs,
    lists,
    out,
    options,
    *,
    scheduler,
    workers,
    chunk,
    manifest,
    retry_failed,
    time_limit,
    flat,
) -> None:
    """Run the archive batch, print one summary line; exit 1 when any input failed."""
    from crtnet.batch import ArchiveConfig, iter_inputs, run_archive
    from crtnet.jobs import Manifest

    if out is None:
        raise CrtnetError("--dask needs --out FOLDER")
    if not inputs and not lists:
        raise CrtnetError("no inputs: give files, folders or --list FILE")
    cfg = ArchiveConfig(
        kind=kind,
        out=Path(out),
        options=options,
        manifest=manifest,
        scheduler=scheduler,
        workers=workers,
        chunk=chunk,
        time_limit=time_limit,
        retry_failed=retry_failed,
        sharded=not flat,
    )
    counts = run_archive(iter_inputs(inputs or [], kind, lists or []), cfg)
    with Manifest(cfg.manifest_path()) as m:
        for row in m.rows("failed"):
            typer.echo(f"crtnet: error: {row['error']}", err=True)
    typer.echo(
        f"{kind}: ok {counts['ok']}, failed {counts['failed']}, "
        f"pending {counts['pending'] + counts['running']} (manifest {cfg.manifest_path()})"
    )
    if counts["failed"] or counts["pending"] or counts["running"]:
        raise typer.Exit(1)
