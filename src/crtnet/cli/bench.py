"""``crtnet bench NAME``: benchmarks that write docs/BENCHMARKS.md (not run in CI)."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import crtnet.bench


def register(app: typer.Typer) -> None:
    bench_app = typer.Typer(help="Benchmarks that write docs/BENCHMARKS.md.", no_args_is_help=True)
    for mod in sorted(pkgutil.iter_modules(crtnet.bench.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"crtnet.bench.{mod.name}")
        if hasattr(module, "register"):
            module.register(bench_app)
    app.add_typer(bench_app, name="bench")
