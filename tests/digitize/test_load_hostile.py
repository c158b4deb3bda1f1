"""Issue 13 at the loader: caps from headers, EXIF, 16-bit, FIFOs, odd PDFs."""

from __future__ import annotations

import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from crtnet.digitize import digitize
from crtnet.digitize.load import load, load_image
from crtnet.errors import CrtnetError
from crtnet.io import read_record
from crtnet.render import RenderConfig, render_page


@pytest.fixture(scope="module")
def page(sample_dir):
    rec = read_record(sample_dir / "ptbxl" / "records500" / "00000" / "00008_hr")
    return render_page(rec, RenderConfig(layout="3x4+II", dpi=100)).image


def _png_header_only(w: int, h: int) -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_tiny_png_claiming_huge_size_is_refused_from_its_header(tmp_path):
    p = tmp_path / "bomb.png"
    p.write_bytes(_png_header_only(100_000, 100_000))
    assert p.stat().st_size < 70
    with pytest.raises(CrtnetError, match=r"100000x100000 pixels, over the cap of 100,000,000"):
        load_image(p)


def test_big_real_png_over_a_configured_cap(tmp_path, monkeypatch):
    p = tmp_path / "big.png"
    Image.new("L", (2000, 2000), 255).save(p)
    monkeypatch.setenv("CRTNET_MAX_PIXELS", "1000000")
    with pytest.raises(CrtnetError, match="2000x2000 pixels, over the cap of 1,000,000"):
        load_image(p)
    monkeypatch.delenv("CRTNET_MAX_PIXELS")
    assert load_image(p)[0].shape == (2000, 2000, 3)


def test_pdf_page_size_times_dpi_is_capped(tmp_path):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    doc.new_page(14400, 14400)
    doc.save(tmp_path / "huge.pdf")
    with pytest.raises(CrtnetError, match=r"page 1 at 200 dpi is 40000x40000 pixels, over the cap"):
        load(tmp_path / "huge.pdf")


def test_pdf_without_pages(tmp_path):
    import pypdfium2 as pdfium

    pdfium.PdfDocument.new().save(tmp_path / "empty.pdf")
    with pytest.raises(CrtnetError, match="PDF has no pages") as err:
        load(tmp_path / "empty.pdf")
    assert "Success" not in str(err.value)


def test_exif_orientation_is_applied(tmp_path, page):
    stored = np.ascontiguousarray(np.rot90(page, 1))  # the camera stored it sideways
    im = Image.fromarray(stored)
    exif = im.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    p = tmp_path / "phone.png"
    im.save(p, exif=exif)
    rgb, _ = load_image(p)
    assert np.array_equal(rgb, page)
    d = digitize(p)
    assert d.info["layout"] == "3x4+II"


def test_16bit_png_is_read(tmp_path, page):
    gray = page.astype(np.float64).mean(axis=2)
    p = tmp_path / "deep.png"
    Image.fromarray((gray * 257).astype(np.uint16)).save(p)
    with Image.open(p) as im:
        assert im.mode.startswith("I")
    rgb, _ = load_image(p)
    assert rgb.dtype == np.uint8 and abs(rgb[..., 0].astype(float) - gray).max() <= 1
    assert digitize(p).info["layout"] == "3x4+II"


def test_fifo_named_png_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "x.png")
    os.mkfifo(tmp_path / "x.pdf")
    with pytest.raises(CrtnetError, match="not a regular file"):
        load_image(tmp_path / "x.png")
    with pytest.raises(CrtnetError, match="not a regular file"):
        load(tmp_path / "x.pdf")
