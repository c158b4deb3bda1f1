"""Where datasets live and where their preprocessed arrays are cached.

Arrays are written once as ``.npy`` files in a folder named by a hash of everything that
determines them, then opened memory-mapped, so a second load of all MIT-BIH beats costs
seconds instead of re-reading and re-filtering 48 half-hour records.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from crtnet import __version__
from crtnet.errors import CrtnetError
from crtnet.jsonable import to_jsonable

# Bump when the way arrays are built changes, so stale caches are never read.
FORMAT = 1


def cache_dir() -> Path:
    """``CRTNET_CACHE`` or ``~/.cache/crtnet``."""
    env = os.environ.get("CRTNET_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "crtnet"


def default_root(name: str) -> Path:
    """``CRTNET_DATA/<name>`` if set, else ``<cache>/data/<name>``."""
    env = os.environ.get("CRTNET_DATA")
    return (Path(env).expanduser() if env else cache_dir() / "data") / name


def resolve_roots(name: str, root: str | Path | list | tuple | None, marker: str) -> list[Path]:
    """Explicit root(s) > ``CRTNET_DATA`` > default; each must hold ``marker``."""
    if root is None or (isinstance(root, (list, tuple)) and not root):
        roots = [default_root(name)]
    elif isinstance(root, (list, tuple)):
        roots = [Path(r).expanduser() for r in root]
    else:
        roots = [Path(root).expanduser()]
    hint = f"run `crtnet data download {name} --root DIR`"
    for r in roots:
        if not r.is_dir():
            raise CrtnetError(f"{name} data folder does not exist; {hint}", r)
        if not (r / marker).is_file():
            raise CrtnetError(f"no {marker} file in this folder; {hint}", r)
    return [r.resolve() for r in roots]


def cache_key(spec: dict[str, Any]) -> str:
    """Stable hash of a JSON-able spec plus the crtnet version and cache format."""
    full = {"spec": spec, "version": __version__, "format": FORMAT}
    blob = json.dumps(full, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def cached_arrays(
    kind: str,
    spec: dict[str, Any],
    build: Callable[[], tuple[dict[str, np.ndarray], dict[str, Any]]],
    *,
    use_cache: bool = True,
    mmap: tuple[str, ...] = (),
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Return ``build()``'s (arrays, meta), from the cache when present.

    Arrays named in ``mmap`` come back as read-only memory maps; the others are loaded.
    Entries are written into a temporary folder and renamed, so a crash never leaves a
    half-written entry that a later run would trust.
    """
    if not use_cache:
        return build()
    final = cache_dir() / kind / cache_key(spec)
    if (final / "meta.json").is_file():
        try:
            return _load(final, mmap)
        except (OSError, ValueError, json.JSONDecodeError):
            shutil.rmtree(final, ignore_errors=True)  # corrupt entry: rebuild it
    arrays, meta = build()
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        for name, arr in arrays.items():
            np.save(tmp / f"{name}.npy", _plain(arr), allow_pickle=False)
        body = {"spec": spec, "arrays": sorted(arrays), "meta": meta}
        (tmp / "meta.json").write_text(json.dumps(body, default=to_jsonable))
        try:
            os.replace(tmp, final)
        except OSError:  # another process won the race; theirs is as good as ours
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return _load(final, mmap)


def _load(folder: Path, mmap: tuple[str, ...]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    body = json.loads((folder / "meta.json").read_text())
    arrays = {
        n: np.load(folder / f"{n}.npy", mmap_mode="r" if n in mmap else None, allow_pickle=False)
        for n in body["arrays"]
    }
    return arrays, body["meta"]


def _plain(arr: np.ndarray) -> np.ndarray:
    arr = np.asarray(arr)
    if arr.dtype == object:
        arr = arr.astype(str)
    return arr
