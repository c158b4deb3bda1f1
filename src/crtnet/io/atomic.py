"""Write-then-rename, so a crash or a bad input never leaves half a file behind.

Temporary names carry the host and process id (``.crtnet-HOST-PID-xxxx``), so the next run
in the same folder can sweep what a killed run left behind: entries of a process that no
longer exists on this host, or older than a day from any host.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32] or "host"
_STALE = re.compile(r"^\.(?:.*\.)?crtnet-([A-Za-z0-9]+)-(\d+)-")
_swept: set[str] = set()
STALE_AFTER_S = 24 * 3600


def _tag() -> str:
    return f"crtnet-{_HOST}-{os.getpid()}-"


def sweep_stale(parent: str | Path) -> int:
    """Remove temp files/folders of dead runs in ``parent`` (once per folder and process)."""
    key = str(Path(parent).resolve())
    if key in _swept:
        return 0
    _swept.add(key)
    removed = 0
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return 0
    now = time.time()
    for e in entries:
        m = _STALE.match(e.name)
        if not m:
            continue
        host, pid = m.group(1), int(m.group(2))
        try:
            old = now - e.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
        except OSError:
            continue
        if old or (host == _HOST and pid != os.getpid() and not _alive(pid)):
            if e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path, ignore_errors=True)
            else:
                try:
                    os.unlink(e.path)
                except OSError:
                    continue
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def atomic_path(final: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; it replaces ``final`` only on success."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(final.parent)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{final.name[:100]}.{_tag()}", suffix=".part", dir=final.parent
    )
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
    sweep_stale(parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{_tag()}", dir=parent))
    try:
        yield tmp
        files = sorted(tmp.iterdir())
        # Data files first, headers last: a reader never sees a header without its data.
        files.sort(key=lambda p: p.suffix in (".hea", ".json"))
        for f in files:
            os.replace(f, parent / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
