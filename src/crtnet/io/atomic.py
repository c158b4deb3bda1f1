"""Write-then-rename, so a crash or a bad input never leaves half a file behind."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(final: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; it replaces ``final`` only on success."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; behave like open()
        os.replace(tmp_path, final)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_dir(parent: str | Path) -> Iterator[Path]:
    """Yield a scratch folder whose files are moved into ``parent`` only on success.

    For outputs made of several files (a WFDB ``.hea`` + ``.dat``) written by a library
    that wants a directory.
    """
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".crtnet-", dir=parent))
    try:
        yield tmp
        files = sorted(tmp.iterdir())
        # Data files first, headers last: a reader never sees a header without its data.
        files.sort(key=lambda p: p.suffix in (".hea", ".json"))
        for f in files:
            os.replace(f, parent / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
