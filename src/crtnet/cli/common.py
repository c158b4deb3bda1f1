"""Helpers every command shares: error lines, batches that go on past a bad file, JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import typer

from crtnet.errors import CrtnetError

T = TypeVar("T")


def error_line(exc: BaseException, path: str | Path | None = None) -> str:
    if isinstance(exc, CrtnetError):
        if exc.path is None and path is not None:
            return f"{path}: {exc.problem}"
        return str(exc)
    return f"{path}: {type(exc).__name__}: {exc}" if path else f"{type(exc).__name__}: {exc}"


def run_batch(
    items: Iterable[T], fn: Callable[[T], Any], *, progress: bool = False, desc: str = ""
) -> tuple[list[tuple[T, Any]], list[tuple[T, str]]]:
    """Apply ``fn`` to each item; user errors are printed and collected, the rest go on."""
    items = list(items)
    done, failed = [], []
    iterator = items
    if progress and len(items) > 1:
        from tqdm import tqdm

        iterator = tqdm(items, desc=desc, unit="file", file=sys.stderr)
    for item in iterator:
        try:
            done.append((item, fn(item)))
        except CrtnetError as exc:
            msg = error_line(exc, item)
            typer.echo(f"crtnet: error: {msg}", err=True)
            failed.append((item, msg))
    return done, failed


def echo_json(obj: Any) -> None:
    from crtnet.jsonable import to_jsonable

    typer.echo(json.dumps(obj, indent=2, default=to_jsonable))
