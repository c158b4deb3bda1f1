"""``crtnet serve``: the web page and JSON API for clinicians (see docs/SERVE.md)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind; non-loopback needs --token."),
    port: int = typer.Option(8000, help="TCP port."),
    data: Path = typer.Option(Path("crtnet-data"), help="Folder for the SQLite file and uploads."),
    token: str = typer.Option(
        None, envvar="CRTNET_TOKEN", help="Bearer token every API call must carry."
    ),
    max_upload_mb: float = typer.Option(25.0, help="Larger uploads get 413."),
    workers: int = typer.Option(2, help="Worker processes that analyse uploads."),
    queue: int = typer.Option(8, help="Jobs that may wait for a worker before uploads get 503."),
    time_limit: float = typer.Option(120.0, help="Seconds one analysis may take."),
    retention_days: float = typer.Option(
        None, help="Delete analyses older than this many days (checked hourly)."
    ),
) -> None:
    """Serve the page and API; analyses persist in --data until deleted."""
    import uvicorn

    from crtnet.serve.app import create_app
    from crtnet.serve.config import ServeConfig

    cfg = ServeConfig(
        data=data,
        host=host,
        port=port,
        token=token or None,
        max_upload_mb=max_upload_mb,
        workers=workers,
        queue=queue,
        time_limit_s=time_limit,
        retention_days=retention_days,
    )
    app = create_app(cfg)  # checks the settings (a CrtnetError is one line, exit 1)
    typer.echo(f"crtnet serve: http://{host}:{port}/  data in {data.resolve()}", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
