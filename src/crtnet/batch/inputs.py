"""Streams of input paths: folder trees walked lazily, list files read line by line.

Why streams: a list of a million paths is fine in memory, a million ``Path`` objects plus
``sorted(rglob())`` of a deep tree is where time goes; the manifest takes them in batches.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from crtnet.errors import CrtnetError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".pdf"})
SIGNAL_SUFFIXES = frozenset({".hea", ".csv", ".npz", ".mat"})
SUFFIXES = {"digitize": IMAGE_SUFFIXES, "predict": IMAGE_SUFFIXES | SIGNAL_SUFFIXES}


def _wanted(dirpath: str, name: str, suffixes: frozenset[str]) -> bool:
    if name.startswith("."):
        return False  # our own temp files, editors' and OS droppings
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in suffixes:
        return False
    if suffix == ".mat" and os.path.exists(os.path.join(dirpath, name[:-4] + ".hea")):
        return False  # a challenge record is counted once, by its header
    return True


def walk(root: str | Path, suffixes: frozenset[str]) -> Iterator[str]:
    """Files under ``root`` (sorted per folder, depth first), without building a full list."""
    stack = [str(root)]
    while stack:
        d = stack.pop()
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                if not e.name.startswith("."):
                    subdirs.append(e.path)
            elif _wanted(d, e.name, suffixes):
                yield e.path
        stack.extend(reversed(subdirs))


def read_list(path: str | Path) -> Iterator[str]:
    """One path per line; blank lines and ``#`` comments skipped; relative to the list's folder."""
    path = Path(path)
    if not path.is_file():
        raise CrtnetError("list file not found", path)
    base = path.parent
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        for line in fh:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            p = Path(line)
            yield str(p if p.is_absolute() else base / p)


def iter_inputs(
    sources: Iterable[str | Path], kind: str, lists: Iterable[str | Path] = ()
) -> Iterator[str]:
    """Folders walked recursively, files as given, then the paths of each list file."""
    suffixes = SUFFIXES[kind]
    for src in sources:
        if os.path.isdir(src):
            yield from walk(src, suffixes)
        else:
            yield str(src)
    for lst in lists:
        yield from read_list(lst)
