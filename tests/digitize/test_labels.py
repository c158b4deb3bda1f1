"""Printed lead labels: read on a clean page, and a page whose rows are not where the
layout puts them is flagged by them."""

from __future__ import annotations

import pytest

from crtnet.digitize import digitize
from crtnet.digitize.labels import check
from crtnet.io import read_record
from crtnet.render import RenderConfig, render_page


@pytest.fixture(scope="module")
def page(sample_dir):
    rec = read_record(sample_dir / "ptbxl" / "records500" / "00000" / "00008_hr")
    return render_page(rec, RenderConfig(layout="3x4+II"), seed=1)


def test_clean_page_labels_are_read_and_agree(page):
    d = digitize(page.image)
    found = d.info["lead_labels"]
    assert len(found) == 13
    sure = [f for f in found if f["read"] != "none" and f["p"] >= 0.9]
    assert len(sure) >= 10
    assert all(f["read"] == f["lead"] for f in sure), sure
    assert d.info["checks"]["labels"]["ok"] is True


def test_rows_swapped_on_the_page_are_caught_by_their_labels(page):
    """Rows 2 and 3 (II aVL V2 V5 / III aVF V3 V6) trade places, labels and all: the
    layout still says row 2 is II ... V5, and the labels say otherwise."""
    img = page.image.copy()
    base = sorted({round(p["baseline_y"]) for p in page.truth["leads"]})
    half = int((base[1] - base[0]) / 2)
    a = img[base[1] - half : base[1] + half].copy()
    img[base[1] - half : base[1] + half] = img[base[2] - half : base[2] + half]
    img[base[2] - half : base[2] + half] = a
    d = digitize(img)
    assert d.info["checks"]["labels"]["ok"] is False
    assert d.info["flagged"]


def test_check_rule():
    def f(lead, read, p=0.99):
        return {"lead": lead, "read": read, "p": p}

    assert check([f("I", "I"), f("II", "II")])["ok"] is None  # too few to tell
    assert check([f("I", "I"), f("II", "II"), f("V1", "V2")])["ok"] is True  # one misread
    assert check([f("II", "III"), f("aVL", "aVF"), f("V2", "V3")])["ok"] is False
    # lone bars read as "I" never contradict
    assert check([f("II", "I"), f("V4", "I"), f("V5", "I"), f("V1", "V1")])["ok"] is None
    assert check([f("II", "III", 0.5), f("aVL", "aVF", 0.5), f("V2", "V2")])["ok"] is None
