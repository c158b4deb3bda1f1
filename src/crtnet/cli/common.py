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
        except Exception as exc:  # noqa: BLE001  (a bug's traceback goes to the log file)
            from crtnet.jobs.kinds import failure_line

            msg = failure_line(exc, str(item))
            typer.echo(f"crtnet: error: {msg}", err=True)
            failed.append((item, msg))
    return done, failed


def echo_json(obj: Any) -> None:
    """Strict JSON: NaN and inf (which ``json`` would print bare) become null."""
    from crtnet.jsonable import to_jsonable

    plain = json.loads(json.dumps(obj, default=to_jsonable))
    typer.echo(json.dumps(_finite(plain), indent=2, allow_nan=False))


def _finite(o: Any) -> Any:
    if isinstance(o, float):
        return o if o == o and o not in (float("inf"), float("-inf")) else None
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_finite(v) for v in o]
    return o
