"""XML from ECG carts: any declared (or mis-declared) encoding, no entity bombs, bounded size.

Carts write UTF-16 with and without a byte-order mark, and some declare one encoding while
writing another, so the bytes are decoded here first and the declaration is ignored.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from crtnet.errors import CrtnetError

MAX_XML_BYTES = 64 * 1024 * 1024  # a 12-lead resting ECG is < 2 MB; a Holter XML is not ours
_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)
_DECLARED = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def read_bytes(path: str | Path, limit: int = MAX_XML_BYTES) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise CrtnetError("file not found", p)
    size = p.stat().st_size
    if size > limit:
        raise CrtnetError(f"file is {size / 2**20:.0f} MB, over the {limit // 2**20} MB limit", p)
    return p.read_bytes()


def decode_text(data: bytes) -> str:
    """Bytes to text: BOM first, then NUL-byte sniffing, then the declaration, then UTF-8."""
    boms = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
    for bom, enc in boms:
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace")
    head = data[:200]
    if head[:1] == b"\x00" or head[1:2] == b"\x00":
        return data.decode("utf-16-be" if head[:1] == b"\x00" else "utf-16-le", errors="replace")
    declared = _DECLARED.search(data[:200])
    candidates = []
    if declared and not declared.group(1).lower().startswith((b"utf-16", b"utf-32", b"ucs")):
        candidates.append(declared.group(1).decode("ascii"))
    for enc in (*candidates, "utf-8", "cp1252"):
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def parse_xml(path: str | Path) -> Element:
    """The document root with namespaces stripped from every tag."""
    text = _DECL.sub("", decode_text(read_bytes(path)), count=1)
    try:
        root = safe_et.fromstring(text)
    except ParseError as exc:
        raise CrtnetError(f"malformed XML: {exc}", path) from None
    except DefusedXmlException as exc:  # entity expansion ("billion laughs") or external refs
        raise CrtnetError(f"unsafe XML refused ({type(exc).__name__})", path) from None
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.rsplit("}", 1)[1]
        for key in [k for k in el.attrib if "}" in k]:
            el.attrib[key.rsplit("}", 1)[1]] = el.attrib.pop(key)
    return root


def root_tag(path: str | Path, head: bytes) -> str | None:
    """The root element's local name from the first bytes, or None if this is not XML."""
    text = decode_text(head) if head else ""
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", "", text, flags=re.S)
    text = text.lstrip()
    m = re.match(r"<([A-Za-z_][\w.:-]*)", text)
    return m.group(1).rsplit(":", 1)[-1] if m else None


def text_of(el: Element | None, path: str, default: str | None = None) -> str | None:
    """Stripped text of the first element at ``path`` under ``el``."""
    if el is None:
        return default
    found = el.find(path)
    if found is None or found.text is None or not found.text.strip():
        return default
    return found.text.strip()


def number(value: str | None) -> float | None:
    """A cart's number, or None for blanks and its 'Failed'/'Indeterminate' markers."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None
