"""Fetch PhysioNet databases: resumable, parallel, verified against SHA256SUMS.txt.

Only the standard library is used for HTTP so that downloading works in a minimal
environment; ``CRTNET_PHYSIONET_URL`` (or ``base_url``) points at a mirror.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from crtnet.errors import CrtnetError

DEFAULT_BASE = "https://physionet.org/files"


@dataclass(frozen=True)
class Source:
    slug: str
    version: str
    description: str


SOURCES = {
    "mitdb": Source("mitdb", "1.0.0", "MIT-BIH Arrhythmia Database (~100 MB)"),
    "ptbxl": Source("ptb-xl", "1.0.3", "PTB-XL (~3 GB; include='records100/*' for 100 Hz only)"),
}


def download(
    name: str,
    root: str | Path,
    *,
    include: list[str] | None = None,
    base_url: str | None = None,
    workers: int = 4,
    progress: bool = True,
    timeout: float = 30.0,
) -> dict:
    """Download database ``name`` into ``root``; files already verified are skipped.

    ``include`` keeps files matching any glob (index, CSV and licence files are always kept).
    Returns counts of downloaded, skipped and total bytes.
    """
    if name not in SOURCES:
        raise CrtnetError(f"unknown database {name!r}; choose one of {', '.join(SOURCES)}")
    src = SOURCES[name]
    base = (base_url or os.environ.get("CRTNET_PHYSIONET_URL") or DEFAULT_BASE).rstrip("/")
    url = f"{base}/{src.slug}/{src.version}"
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    sums_text = _fetch_text(f"{url}/SHA256SUMS.txt", timeout)
    entries = _parse_sums(sums_text, url)
    if include:
        entries = [
            (h, p)
            for h, p in entries
            if any(fnmatch.fnmatch(p, pat) for pat in include) or _is_metadata(p)
        ]
    todo = [(h, p) for h, p in entries if not _verified(root / p, h)]
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="file", desc=f"{name}", file=sys.stderr)

    def one(item: tuple[str, str]) -> int:
        digest, rel = item
        n = _fetch_file(f"{url}/{rel}", root / rel, digest, timeout)
        if bar is not None:
            bar.update(1)
        return n

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        sizes = list(pool.map(one, todo))
    if bar is not None:
        bar.close()
    (root / "SHA256SUMS.txt").write_text(sums_text)
    return {
        "database": name,
        "root": str(root),
        "files": len(entries),
        "downloaded": len(todo),
        "skipped": len(entries) - len(todo),
        "bytes": sum(sizes),
    }


def _is_metadata(rel: str) -> bool:
    """Index and label files a partial download still needs (CSV, RECORDS, licences)."""
    return Path(rel).suffix.lower() in ("", ".csv", ".txt", ".md", ".html")


def _parse_sums(text: str, url: str) -> list[tuple[str, str]]:
    entries = []
    for line in text.splitlines():
        parts = line.strip().split(maxsplit=1)
        if len(parts) == 2 and len(parts[0]) == 64:
            rel = parts[1].lstrip("*")
            if rel.startswith("/") or ".." in Path(rel).parts:
                raise CrtnetError(f"unsafe path {rel!r} in checksum list", url)
            entries.append((parts[0].lower(), rel))
    if not entries:
        raise CrtnetError("checksum list is empty or malformed", f"{url}/SHA256SUMS.txt")
    return entries


def _open(url: str, timeout: float, headers: dict | None = None):
    req = urllib.request.Request(url, headers={"User-Agent": "crtnet", **(headers or {})})
    try:
        return urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise CrtnetError(f"server answered HTTP {exc.code}", url) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CrtnetError(
            f"cannot reach the server ({reason}); are you offline? "
            "Set CRTNET_PHYSIONET_URL to use a mirror",
            url,
        ) from None


def _fetch_text(url: str, timeout: float) -> str:
    with _open(url, timeout) as resp:
        return resp.read().decode("utf-8", errors="replace")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _verified(path: Path, digest: str) -> bool:
    return path.exists() and _sha256(path) == digest


def _fetch_file(url: str, dest: Path, digest: str, timeout: float) -> int:
    """Download to ``dest.part`` (resuming with an HTTP Range), verify, then rename."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        resp = _open(url, timeout, headers)
    except CrtnetError as exc:
        if have and "HTTP 416" in exc.problem:  # .part already complete
            resp = None
        else:
            raise
    if resp is not None:
        with resp:
            mode = "ab" if have and resp.status == 206 else "wb"
            with open(part, mode) as fh:
                while chunk := resp.read(1 << 20):
                    fh.write(chunk)
    if _sha256(part) != digest:
        part.unlink()
        raise CrtnetError("checksum mismatch after download (removed; rerun to retry)", dest)
    os.replace(part, dest)
    return dest.stat().st_size
