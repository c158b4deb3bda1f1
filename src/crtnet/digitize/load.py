"""Open what a user hands us: image files, raster PDF pages, vector PDF drawing paths.

Every failure (unreadable, truncated, encrypted, empty) becomes one ``CrtnetError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crtnet.errors import CrtnetError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
PDF_SUFFIXES = {".pdf"}
SUFFIXES = IMAGE_SUFFIXES | PDF_SUFFIXES
PT_PER_MM = 72.0 / 25.4


@dataclass
class VectorPage:
    """Stroked paths of a PDF page in mm (y down), each with its stroke colour (RGB 0..1)."""

    width_mm: float
    height_mm: float
    paths: list[np.ndarray] = field(default_factory=list)  # each [n, 2] (x_mm, y_mm)
    colors: list[tuple[float, float, float]] = field(default_factory=list)


def load_image(path: str | Path) -> tuple[np.ndarray, float | None]:
    """RGB uint8 image and the DPI the file claims (a hint only; None when absent).

    The pixel count is checked from the header before decoding; EXIF orientation is applied
    (a phone photo is stored sideways); 16-bit and float images are scaled to 8 bits.
    """
    import warnings

    from PIL import Image, ImageOps, UnidentifiedImageError

    from crtnet.io.limits import check_pixels, check_regular_file

    path = check_regular_file(path)
    Image.MAX_IMAGE_PIXELS = None  # our own cap below, with a clear message
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                check_pixels(im.size[0], im.size[1], path)
                im.load()
                dpi = im.info.get("dpi")
                im = ImageOps.exif_transpose(im)
                rgb = _to_rgb(im)
    except CrtnetError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CrtnetError(f"cannot read image ({exc})", path) from None
    except Image.DecompressionBombError as exc:
        raise CrtnetError(f"image too large ({exc})", path) from None
    if rgb.ndim != 3 or min(rgb.shape[:2]) < 32:
        raise CrtnetError(f"image too small to hold an ECG ({rgb.shape[1]}x{rgb.shape[0]})", path)
    try:
        hint = float(dpi[0]) if dpi and dpi[0] and 50 <= float(dpi[0]) <= 2400 else None
    except (TypeError, ValueError, IndexError):
        hint = None
    return rgb, hint


def _to_rgb(im) -> np.ndarray:
    from PIL import Image

    if im.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        a = np.asarray(im, dtype=np.float64)
        top = 65535.0 if im.mode.startswith("I;16") or a.max(initial=0) > 255 else 255.0
        g = np.clip(a / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(g[..., None], 3, axis=2)
    if im.mode in ("RGBA", "LA", "P", "PA"):
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im)
    return np.asarray(im.convert("RGB"))


def _open_pdf(path: Path):
    import pypdfium2 as pdfium

    from crtnet.io.limits import check_regular_file

    check_regular_file(path)
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        # pdfium's last-error code is stale when a PDF simply has no page tree (it then says
        # "Success", or repeats an earlier file's error), so trust it only with evidence
        encrypted = b"/Encrypt" in path.read_bytes()
        if "password" in msg.lower() and encrypted:
            raise CrtnetError("PDF is password-protected; decrypt it first", path) from None
        if "success" in msg.lower() or "password" in msg.lower():
            raise CrtnetError("PDF has no pages (empty or missing page tree)", path) from None
        raise CrtnetError(f"cannot read PDF ({msg})", path) from None


def load_pdf(path: str | Path, page: int = 0, dpi: float = 200.0):
    """A PDF page: a ``VectorPage`` when its traces are drawing paths, else a raster image.

    Returns ``(kind, payload, dpi)`` with kind "vector" or "raster".
    """
    import pypdfium2 as pdfium

    path = Path(path)
    doc = _open_pdf(path)
    try:
        return _load_page(doc, path, page, dpi)
    except pdfium.PdfiumError as exc:
        raise CrtnetError(f"cannot read PDF page {page + 1} ({exc})", path) from None
    finally:
        doc.close()


def _load_page(doc, path: Path, page: int, dpi: float):
    from crtnet.io.limits import check_pixels

    if len(doc) == 0:
        raise CrtnetError("PDF has no pages", path)
    if not 0 <= page < len(doc):
        raise CrtnetError(f"PDF has {len(doc)} page(s), asked for page {page + 1}", path)
    pg = doc[page]
    scale = dpi / 72.0
    w_pt, h_pt = pg.get_size()
    check_pixels(w_pt * scale, h_pt * scale, path, what=f"page {page + 1} at {dpi:g} dpi")
    vec = extract_paths(pg)
    if vec is not None and sum(len(p) for p in vec.paths) >= 200:
        return "vector", vec, None
    img = pg.render(scale=scale).to_pil().convert("RGB")
    return "raster", np.asarray(img), dpi


def extract_paths(page) -> VectorPage | None:
    """Every stroked path's points in page mm, through pdfium's raw page-object API.

    Why raw: the traces must be read exactly, without rasterising them.
    """
    import ctypes

    import pypdfium2.raw as raw

    w_pt, h_pt = page.get_size()
    out = VectorPage(w_pt / PT_PER_MM, h_pt / PT_PER_MM)
    fx, fy = ctypes.c_float(), ctypes.c_float()
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    for obj in page.get_objects(max_depth=4):
        if obj.type != raw.FPDF_PAGEOBJ_PATH:
            continue
        h = obj.raw
        n = raw.FPDFPath_CountSegments(h)
        if n < 2:
            continue
        m = obj.get_matrix()
        pts, runs = [], []
        for i in range(n):
            seg = raw.FPDFPath_GetPathSegment(h, i)
            raw.FPDFPathSegment_GetPoint(seg, fx, fy)
            if raw.FPDFPathSegment_GetType(seg) == raw.FPDF_SEGMENT_MOVETO and pts:
                runs.append(pts)
                pts = []
            pts.append((fx.value, fy.value))
        runs.append(pts)
        raw.FPDFPageObj_GetStrokeColor(h, r, g, b, a)
        color = (r.value / 255, g.value / 255, b.value / 255)
        for run in runs:
            if len(run) < 2:
                continue
            p = np.asarray(run, dtype=np.float64)
            x = m.a * p[:, 0] + m.c * p[:, 1] + m.e
            y = m.b * p[:, 0] + m.d * p[:, 1] + m.f
            out.paths.append(np.stack([x / PT_PER_MM, (h_pt - y) / PT_PER_MM], axis=1))
            out.colors.append(color)
    return out if out.paths else None


def load(source, page: int = 0):
    """Dispatch on the file type: ``(kind, payload, dpi_hint)``; kind is raster or vector."""
    if isinstance(source, np.ndarray):
        arr = source
        if arr.ndim == 2:
            arr = np.repeat(arr[..., None], 3, axis=2)
        if arr.ndim != 3 or arr.shape[2] not in (3, 4):
            raise CrtnetError(f"expected an RGB image array, got shape {arr.shape}")
        return "raster", np.ascontiguousarray(arr[..., :3]).astype(np.uint8), None
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return load_pdf(path, page)
    if suffix in IMAGE_SUFFIXES:
        img, dpi = load_image(path)
        return "raster", img, dpi
    raise CrtnetError(
        f"unsupported file type {suffix or '(none)'} (expected one of {sorted(SUFFIXES)})", path
    )
