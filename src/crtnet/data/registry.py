"""Datasets by name: a new dataset is one module with one ``@register_dataset`` class.

A dataset class provides ``task(root, **options) -> TaskData`` and
``summary(root, use_cache) -> dict``; ``folder:PATH`` names route to the manifest reader.
"""

from __future__ import annotations

import importlib
from typing import Any

from crtnet.errors import CrtnetError

_DATASETS: dict[str, Any] = {}
_MODULES = ("mitdb", "ptbxl", "folder")  # built-in modules, imported on first lookup


def register_dataset(name: str):
    def deco(cls):
        _DATASETS[name] = cls
        cls.name = name
        return cls

    return deco


def get_dataset(name: str) -> tuple[Any, str | None]:
    """The dataset class for ``name`` and, for ``folder:PATH``, the path part."""
    for mod in _MODULES:
        importlib.import_module(f"crtnet.data.{mod}")
    arg = None
    if ":" in name and name.split(":", 1)[0] in _DATASETS:
        name, arg = name.split(":", 1)
    if name not in _DATASETS:
        raise CrtnetError(
            f"unknown dataset {name!r}; choose one of {', '.join(available())} "
            "(folder:PATH/TO/manifest.csv for your own data)"
        )
    if name == "folder" and not arg:
        raise CrtnetError("folder datasets need a manifest: folder:PATH/TO/manifest.csv")
    return _DATASETS[name], arg


def available() -> list[str]:
    for mod in _MODULES:
        importlib.import_module(f"crtnet.data.{mod}")
    return sorted(_DATASETS)
