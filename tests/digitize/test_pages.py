"""Rendered pages of a bundled PTB-XL record digitize back to the signal that was printed.

The renderer is used only here (and in the bench), never by the digitizer itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from crtnet.digitize import digitize
from crtnet.digitize.metric import challenge_snr
from crtnet.io import read_record
from crtnet.io.leads import STANDARD_12
from crtnet.render import RenderConfig, render_page

LAYOUTS = ["3x4", "3x4+II", "3x4+2", "3x4+3", "6x2", "6x2+II", "12x1", "cabrera-3x4+II"]
FLOOR_DB = 14.0  # this record scores 18-27 dB per layout; the benchmark mean is ~22 dB


@pytest.fixture(scope="module")
def record(sample_dir):
    return read_record(sample_dir / "ptbxl" / "records500" / "00000" / "00008_hr")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_is_detected_and_digitized(record, layout):
    page = render_page(record, RenderConfig(layout=layout, dpi=200))
    d = digitize(page.image)
    assert d.info["layout"] == layout
    assert abs(d.info["px_per_mm"] - page.truth["px_per_mm"]) < 0.01 * page.truth["px_per_mm"]
    assert d.info["calibration"] == "found" and d.info["gain_mm_mv"] == 10.0
    assert d.record.leads == STANDARD_12
    assert d.record.fs == 500 and d.record.units == "mV"
    score = challenge_snr(page.shown, d.record)
    assert score["coverage"] > 0.9
    assert score["snr_db"] > FLOOR_DB, score


@pytest.mark.parametrize("seed", [0, 2])
def test_photographed_page_is_rectified(record, seed):
    page = render_page(record, RenderConfig(layout="3x4+II", augment="perspective"), seed=seed)
    d = digitize(page.image)
    assert d.info["perspective_corrected"] and d.info["layout"] == "3x4+II"
    assert challenge_snr(page.shown, d.record)["snr_db"] > FLOOR_DB


def test_flat_page_is_not_resampled(record):
    from crtnet.digitize.rectify import rectify

    page = render_page(record, RenderConfig(layout="3x4+II", augment="rotation"), seed=1)
    out, h = rectify(page.image)
    assert h is None and out is page.image  # a rotation is deskew's job, not a homography


def test_forced_layout_and_other_rate(record):
    page = render_page(record, RenderConfig(layout="6x2", dpi=200))
    d = digitize(page.image, layout="6x2", fs=250)
    assert d.record.fs == 250 and d.record.n_samples == 2500
    assert challenge_snr(page.shown, d.record)["snr_db"] > FLOOR_DB


def test_augmented_page_rotated_noisy_jpeg(record):
    page = render_page(record, RenderConfig(layout="3x4+II", dpi=200, augment="scan"), seed=3)
    d = digitize(page.image)
    assert d.info["layout"] == "3x4+II"
    # the scan preset tilts the page: rotated back, or straightened with its perspective
    assert abs(d.info["rotation_deg"]) > 0.3 or d.info["perspective_corrected"]
    assert challenge_snr(page.shown, d.record)["snr_db"] > 8.0


@pytest.mark.parametrize("seed", [0, 1])
def test_blurred_page_keeps_its_qrs(record, seed):
    """A blurred pen's QRS tip: its up and down strokes merge into one run whose mask is
    widened by the blur; the pen's width comes from its summed darkness, which the blur
    keeps, so the two strokes are told apart and placed (17.8 and 18.3 dB before)."""
    page = render_page(record, RenderConfig(layout="3x4+II", augment="blur"), seed=seed)
    d = digitize(page.image)
    assert challenge_snr(page.shown, d.record)["snr_db"] > 20.0


@pytest.mark.parametrize("dpi", [100, 300])
def test_other_resolutions(record, dpi):
    page = render_page(record, RenderConfig(layout="3x4+II", dpi=dpi, grid="green"))
    d = digitize(page.image)
    assert abs(d.info["px_per_mm"] - dpi / 25.4) < 0.02 * dpi / 25.4
    assert challenge_snr(page.shown, d.record)["snr_db"] > 6.0


def test_vector_pdf_is_read_exactly_and_raster_pdf_too(record, tmp_path):
    page = render_page(record, RenderConfig(layout="3x4+II", dpi=200))
    page.save(tmp_path, "p", formats=("pdf", "vector-pdf"))
    vec = digitize(tmp_path / "p-vector.pdf")
    assert vec.info["source"] == "vector-pdf" and vec.info["layout"] == "3x4+II"
    assert challenge_snr(page.shown, vec.record)["snr_db"] > 30.0
    ras = digitize(tmp_path / "p.pdf")
    assert ras.info["source"] == "raster"
    assert challenge_snr(page.shown, ras.record)["snr_db"] > FLOOR_DB
    assert vec.overlay().shape[2] == 3


def test_ecg_image_kit_page(shared_data):
    """A page from another generator (ecg-image-kit) against its PTB-XL source."""
    img = shared_data / "images" / "ecg-image-kit" / "PTB_XL_op" / "00003_hr-0.png"
    ref = read_record(shared_data / "ptbxl" / "records500" / "00000" / "00003_hr")
    d = digitize(img)
    assert d.info["layout"] == "3x4+II"
    shown = np.full_like(ref.signal, np.nan)
    for p in d.info["panels"]:
        i = ref.leads.index(p["lead"])
        a, b = int(round(p["t0"] * ref.fs)), int(round(p["t1"] * ref.fs))
        shown[i, a:b] = ref.signal[i, a:b]
    assert challenge_snr(ref.replace(signal=shown), d.record)["snr_db"] > 10.0
