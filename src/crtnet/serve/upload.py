"""Uploads, safely: size capped while streaming, type by content, zips checked, names ours.

The multipart body is parsed as it arrives (python-multipart's streaming parser) and each
part goes straight to a temp file, so memory stays at one chunk and a body over the limit
is refused the moment it crosses it. Nothing the client names reaches the disk: inputs are
stored as ``upload.<ext>`` (or ``rec.hea``/``rec.dat``) inside a server-chosen folder.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header

IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"II*\x00": ".tif",
    b"MM\x00*": ".tif",
    b"%PDF-": ".pdf",
}
ZIP_MAGIC = b"PK\x03\x04"
_HEA_FIRST = re.compile(rb"^\s*([A-Za-z0-9_.\-/]+)(/\d+)?\s+\d+\s+[\d.]+")


class UploadError(Exception):
    """A refused upload: ``status`` is the HTTP code, ``str()`` the one-line reason."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


@dataclass
class Part:
    name: str  # the client's file name, for display only
    path: Path  # where we stored its bytes (temp name)
    size: int = 0


@dataclass
class Item:
    """One analysis to run: the files that make one ECG, already typed and renamed."""

    name: str
    files: list[tuple[Path, str]] = field(default_factory=list)  # (temp path, stored name)
    error: str | None = None  # a zip member we could not accept: its own failed analysis


async def receive_parts(
    content_type: str, body: AsyncIterator[bytes], tmp: Path, limit: int
) -> list[Part]:
    """Stream the ``file`` fields of a multipart body to ``tmp``; 413 past ``limit`` bytes."""
    ctype, params = parse_options_header(content_type or "")
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise UploadError(415, "expected a multipart/form-data upload with a 'file' field")
    parts: list[Part] = []
    state: dict = {"headers": {}, "field": b"", "fh": None, "part": None, "hname": b""}

    def on_header_field(data, start, end):
        state["hname"] += data[start:end]

    def on_header_value(data, start, end):
        key = state["hname"].lower()
        state["headers"][key] = state["headers"].get(key, b"") + data[start:end]

    def on_header_end():
        state["hname"] = b""

    def on_headers_finished():
        _, opts = parse_options_header(state["headers"].get(b"content-disposition", b""))
        state["headers"] = {}
        if opts.get(b"name") == b"file" and b"filename" in opts:
            fname = opts[b"filename"].decode("utf-8", "replace")
            p = Part(
                name=Path(fname.replace("\\", "/")).name or "upload", path=tmp / uuid.uuid4().hex
            )
            state["part"], state["fh"] = p, open(p.path, "wb")
            parts.append(p)

    def on_part_data(data, start, end):
        if state["fh"] is not None:
            state["fh"].write(data[start:end])
            state["part"].size += end - start

    def on_part_end():
        if state["fh"] is not None:
            state["fh"].close()
        state["fh"] = state["part"] = None

    parser = MultipartParser(
        params[b"boundary"],
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    total = 0
    try:
        async for chunk in body:
            total += len(chunk)
            if total > limit:
                raise UploadError(413, f"upload is larger than the limit of {limit / 2**20:g} MB")
            parser.write(chunk)
        parser.finalize()
    except UploadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed body is the client's problem
        raise UploadError(400, f"malformed multipart body ({type(exc).__name__})") from None
    finally:
        if state["fh"] is not None:
            state["fh"].close()
    if not parts:
        raise UploadError(400, "no file in the upload (multipart field 'file')")
    return parts


def sniff(path: Path, name: str) -> str | None:
    """The type by content: an image/PDF/zip suffix, ``.hea``, ``.csv``, or ``None``."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    for magic, ext in IMAGE_MAGIC.items():
        if head.startswith(magic):
            return ext
    suffix = Path(name).suffix.lower()
    if head.startswith(ZIP_MAGIC):
        return ".npz" if suffix == ".npz" and _is_npz(path) else ".zip"
    if suffix in (".dat", ".mat"):  # binary samples: accepted only beside their header
        return suffix if head else None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if suffix == ".hea" and _HEA_FIRST.match(head.split(b"\n", 1)[0].lstrip(b"#") or b""):
        return ".hea"
    return ".csv" if _looks_like_csv(text) else None


def _looks_like_csv(text: str) -> bool:
    """A table: one delimiter, the same column count, and numbers below the header."""
    lines = [ln for ln in text.splitlines()[:8] if ln.strip()][:-1] or []  # last may be cut
    if len(lines) < 2:
        return False
    delim = max(",;\t", key=lines[0].count)
    n = lines[0].count(delim)
    if n < 1 or any(ln.count(delim) != n for ln in lines):
        return False
    cells = [c for ln in lines[1:] for c in ln.split(delim)]
    numeric = sum(_is_number(c) for c in cells)
    return numeric >= 0.8 * len(cells)


def _is_number(cell: str) -> bool:
    try:
        float(cell.strip().strip('"') or "nan")
        return True
    except ValueError:
        return False


def _is_npz(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return all(n.endswith(".npy") for n in z.namelist())
    except zipfile.BadZipFile:
        return False


def group(parts: list[Part]) -> list[Item]:
    """Uploaded parts → analyses: images/CSV/npz alone, a ``.hea`` with its ``.dat``/``.mat``."""
    typed = []
    for p in parts:
        kind = sniff(p.path, p.name)
        if kind is None:
            raise UploadError(
                415,
                f"{p.name}: not an accepted type (PNG, JPEG, TIFF, PDF, WFDB .hea+.dat, CSV, "
                "npz, challenge .mat+.hea, or a zip of these)",
            )
        typed.append((p, kind))
    return _pair(typed, strict=True)


def _pair(typed: list[tuple[Part, str]], *, strict: bool) -> list[Item]:
    items: list[Item] = []
    headers = {Path(p.name).stem.lower(): p for p, k in typed if k == ".hea"}
    used: set[int] = set()
    for p, kind in typed:
        if kind == ".hea":
            comp = [
                (q, k)
                for q, k in typed
                if k in (".dat", ".mat") and Path(q.name).stem.lower() == Path(p.name).stem.lower()
            ]
            used.update(id(q) for q, _ in comp)
            items.append(_record_item(p, comp))
        elif kind in (".dat", ".mat"):
            continue
        else:
            items.append(Item(name=p.name, files=[(p.path, f"upload{kind}")]))
    for p, kind in typed:
        if (
            kind in (".dat", ".mat")
            and id(p) not in used
            and Path(p.name).stem.lower() not in headers
        ):
            msg = f"{p.name}: a {kind} file needs its .hea header uploaded with it"
            if strict:
                raise UploadError(415, msg)
            items.append(Item(name=p.name, error=msg))
    return items


def _record_item(hea: Part, comp: list[tuple[Part, str]]) -> Item:
    """Rewrite the header so it names our stored files, not the client's."""
    text = hea.path.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    first_i = next((i for i, ln in enumerate(lines) if ln.strip() and not ln.startswith("#")), None)
    if first_i is None:
        return Item(name=hea.name, error=f"{hea.name}: empty WFDB header")
    if not comp:
        return Item(
            name=hea.name, error=f"{hea.name}: the signal file (.dat or .mat) was not uploaded"
        )
    if len(comp) > 1:
        return Item(name=hea.name, error=f"{hea.name}: more than one signal file uploaded for it")
    sig, ext = comp[0]
    tokens = lines[first_i].split()
    tokens[0] = "rec" + (tokens[0][tokens[0].index("/") :] if "/" in tokens[0] else "")
    lines[first_i] = " ".join(tokens)
    for i in range(first_i + 1, len(lines)):
        ln = lines[i]
        if not ln.strip() or ln.startswith("#"):
            continue
        fname, _, rest = ln.partition(" ")
        if Path(fname).name.lower() != sig.name.lower():
            return Item(
                name=hea.name,
                error=f"{hea.name}: the header reads signals from {fname!r}, not the uploaded "
                f"{sig.name!r}",
            )
        lines[i] = f"rec{ext} {rest}"
    hea.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Item(name=hea.name, files=[(hea.path, "rec.hea"), (sig.path, f"rec{ext}")])


def unzip(path: Path, name: str, tmp: Path, *, max_members: int, max_total: int) -> list[Item]:
    """Zip members → items; traversal names and bombs refuse the whole archive (422)."""
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UploadError(422, f"{name}: not a readable zip archive") from None
    with z:
        infos = [
            i for i in z.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX")
        ]
        for i in infos:
            n = i.filename.replace("\\", "/")
            if n.startswith("/") or ".." in n.split("/") or re.match(r"^[A-Za-z]:", n):
                raise UploadError(422, f"{name}: member {n!r} points outside the archive")
        if len(infos) > max_members:
            raise UploadError(422, f"{name}: {len(infos)} members, more than {max_members}")
        if sum(i.file_size for i in infos) > max_total:
            raise UploadError(422, f"{name}: unpacks to more than {max_total / 2**20:g} MB")
        parts = []
        budget = max_total
        for i in infos:
            dest = tmp / uuid.uuid4().hex
            with z.open(i) as src, open(dest, "wb") as out:
                while chunk := src.read(1 << 20):
                    budget -= len(chunk)
                    if budget < 0:  # the sizes in the directory lied: a bomb
                        raise UploadError(422, f"{name}: unpacks to more than declared")
                    out.write(chunk)
            parts.append(Part(name=Path(i.filename).name, path=dest, size=i.file_size))
    typed = []
    items: list[Item] = []
    for p in parts:
        kind = sniff(p.path, p.name)
        if kind is None or kind == ".zip":
            items.append(Item(name=p.name, error=f"{p.name}: not an accepted type"))
        else:
            typed.append((p, kind))
    return _pair(typed, strict=False) + items
