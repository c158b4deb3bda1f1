"""Entry point: builds the Typer app from the command modules that exist.

Each module in ``COMMAND_MODULES`` exposes ``register(app)``. Heavy imports (torch, cv2)
happen inside the commands, so ``crtnet --help`` stays fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import typer

from crtnet import __version__
from crtnet.errors import CrtnetError

COMMAND_MODULES = [
    "info",
    "convert",
    "data",
    "render",
    "digitize",
    "train",
    "evaluate",
    "predict",
    "bench",
    "demo",
    "serve",
]

app = typer.Typer(
    name="crtnet",
    help="ECG printouts, PDFs and signal files → calibrated signals → diagnoses (CRT-Net).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"crtnet {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """crtnet: digitize ECG images and classify ECGs with CRT-Net."""


for _name in COMMAND_MODULES:
    if importlib.util.find_spec(f"crtnet.cli.{_name}") is not None:
        importlib.import_module(f"crtnet.cli.{_name}").register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors become one line on stderr and exit code 1."""
    _term_as_interrupt()
    try:
        app(args=argv, prog_name="crtnet", standalone_mode=True)
    except CrtnetError as exc:
        typer.echo(f"crtnet: error: {exc}", err=True)
        return 1
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        typer.echo("crtnet: interrupted", err=True)
        return 130
    except _Terminated:
        typer.echo("crtnet: terminated", err=True)
        return 143
    return 0


class _Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C so ``finally`` blocks remove temp files and half pages."""


def _term_as_interrupt() -> None:
    import signal
    import threading

    def handler(signum, frame):
        raise _Terminated()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
