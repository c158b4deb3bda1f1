"""Page files: PNG/JPEG/raster PDF/vector PDF, JSON and the WFDB record of what is shown."""

from __future__ import annotations

import json

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from crtnet.io import read_record
from crtnet.render import RenderConfig, render_page


def test_save_all_formats_round_trip(sample_dir, tmp_path):
    rec = read_record(sample_dir / "ptbxl" / "records500" / "00000" / "00001_hr.hea")
    page = render_page(rec, RenderConfig(layout="3x4+II", dpi=100))
    files = page.save(tmp_path, "p", ("png", "jpg", "pdf", "vector-pdf"))
    assert {f.name for f in files} == {
        "p.png",
        "p.jpg",
        "p.pdf",
        "p-vector.pdf",
        "p.hea",
        "p.dat",
        "p.json",
    }
    assert not list(tmp_path.glob(".*"))  # no temporary leftovers
    png = np.asarray(Image.open(tmp_path / "p.png"))
    assert np.array_equal(png, page.image)
    truth = json.loads((tmp_path / "p.json").read_text())
    assert truth["leads"][0]["x"] == page.truth["leads"][0]["x"]
    shown = read_record(tmp_path / "p.hea")
    assert shown.leads == page.shown.leads
    np.testing.assert_array_equal(np.isnan(shown.signal), np.isnan(page.shown.signal))
    np.testing.assert_allclose(shown.signal, page.shown.signal, atol=1e-3)
    raster = pdfium.PdfDocument(tmp_path / "p.pdf")[0]
    assert raster.get_size() == (792.0, 612.0)  # US letter landscape in points


def test_vector_pdf_holds_trace_paths_on_the_mapping(sample_dir, tmp_path):
    rec = read_record(sample_dir / "ptbxl" / "records500" / "00000" / "00001_hr.hea")
    page = render_page(rec, RenderConfig(layout="6x2", dpi=100, grid="grey"))
    page.save(tmp_path, "v", ("vector-pdf",))
    doc = pdfium.PdfDocument(tmp_path / "v-vector.pdf")
    pg = doc[0]
    paths = [o for o in pg.get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_PATH]
    assert len(paths) >= 12  # one polyline per lead at least (plus grid, calibration)
    gray = np.asarray(pg.render(scale=100 / 72).to_pil().convert("L"))
    assert gray.shape == page.image.shape[:2]
    gray = np.asarray(pg.render(scale=300 / 72).to_pil().convert("L"))  # 3x the page DPI
    hits = []
    for e in page.truth["leads"]:  # pixel centres at integers: x' = (x + 0.5) * 3 - 0.5
        x = np.round((np.asarray(e["x"]) + 0.5) * 3 - 0.5).astype(int)
        y = np.round((np.asarray(e["y"], float) + 0.5) * 3 - 0.5).astype(int)
        ok = (y >= 0) & (y < gray.shape[0])
        hits.append(gray[y[ok], x[ok]] < 128)
    assert np.concatenate(hits).mean() > 0.99
