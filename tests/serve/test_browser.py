"""A real browser (Debian's headless Chromium via Playwright) against a real ``crtnet serve``.

Set ``CRTNET_SCREENSHOTS=docs/serve`` to write the documentation screenshots.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from crtnet import samples

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    foreign, errors = [], []

    def guard(route):
        if route.request.url.startswith(server.url):
            route.continue_()
        else:  # offline: nothing may leave this machine
            foreign.append(route.request.url)
            route.abort()

    pg.route("**/*", guard)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(f"{server.url}/")
    yield pg
    ctx.close()
    assert foreign == [], foreign
    assert errors == [], errors


def _shot(pg, name: str) -> None:
    out = os.environ.get("CRTNET_SCREENSHOTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(out) / name), full_page=True)


def test_pdf_to_reading_view_with_calipers(page, tmp_path):
    pg = page
    pg.set_input_files("#file-input", str(samples.ROOT / "pages/ptbxl-00009-3x4.pdf"))
    pg.wait_for_selector("#diagnosis .predicted b", timeout=90_000)
    assert pg.text_content("#diagnosis .predicted b") == "NORM"
    assert pg.locator("#diagnosis tr").count() == 5
    hr = pg.locator("#measurements tr[data-key='Heart rate'] td").text_content()
    assert 50 <= float(hr.split()[0]) <= 75  # PTB-XL 00009 runs at about 61 bpm
    for key in ("PR", "QRS", "QT", "QTc Bazett", "P / QRS / T axis"):
        assert "n/a" not in pg.locator(f"#measurements tr[data-key='{key}'] td").text_content()
    assert pg.locator("#rhythm .beats span").count() >= 8
    assert (
        pg.is_visible("#page-card") and pg.locator("#overlay").evaluate("i => i.naturalWidth") > 0
    )
    assert pg.locator("#quality .conf").count() == 1
    assert pg.locator("#downloads button").count() == 3
    # the paper is drawn (dark trace pixels on it)
    png = pg.locator("#paper").screenshot()
    img = np.asarray(Image.open(io.BytesIO(png)))
    assert (img[..., :3].max(axis=2) < 60).mean() > 0.002
    # calipers: 50 mm apart and 10 mm up = 2000 ms and +1.0 mV at 25 mm/s, 10 mm/mV
    pg.locator("#paper").scroll_into_view_if_needed()
    box = pg.locator("#paper").bounding_box()
    pxmm = box["width"] / 265.0
    x0, y0 = box["x"] + 40 * pxmm, box["y"] + 60 * pxmm
    pg.mouse.click(x0, y0)
    pg.mouse.click(x0 + 50 * pxmm, y0 - 10 * pxmm)
    readout = pg.locator("#caliper-readout")
    assert abs(float(readout.get_attribute("data-dt-ms")) - 2000) < 12
    assert abs(float(readout.get_attribute("data-dv-mv")) - 1.0) < 0.03
    assert re.fullmatch(
        r"Δt (199\d|20[01]\d) ms \(30 bpm\) · ΔV (0\.9\d|1\.0\d) mV", readout.text_content()
    )
    _shot(pg, "reading-1400.png")
    # layouts: 12 x 1 is taller than 3 x 4 + II
    h34 = box["height"]
    pg.click("#layout-12x1")
    assert pg.locator("#paper").bounding_box()["height"] > 1.5 * h34
    pg.click("#layout-3x4")
    # tablet width: no horizontal scrolling
    pg.set_viewport_size({"width": 820, "height": 1100})
    pg.wait_for_timeout(300)
    assert pg.evaluate("document.documentElement.scrollWidth") <= 820
    pg.locator("#paper").scroll_into_view_if_needed()
    box = pg.locator("#paper").bounding_box()
    pxmm = box["width"] / 265.0
    pg.mouse.click(box["x"] + 40 * pxmm, box["y"] + 60 * pxmm)
    pg.mouse.click(box["x"] + 65 * pxmm, box["y"] + 60 * pxmm)
    assert abs(float(readout.get_attribute("data-dt-ms")) - 1000) < 20
    _shot(pg, "reading-820.png")
    # a download goes through the token-aware fetch and arrives as a file
    with pg.expect_download() as dl:
        pg.click("#downloads button[data-download='report']")
    path = tmp_path / "report.html"
    dl.value.save_as(path)
    assert "not a medical device" in path.read_text()


def test_photo_gives_a_clean_error_or_a_result(page):
    page.set_input_files("#file-input", str(samples.ROOT / "pages/photo-01103.jpg"))
    either = page.locator("#upload-error:not(.hidden), #diagnosis .predicted b").first
    either.wait_for(timeout=90_000)
    if page.is_visible("#upload-error"):
        msg = page.text_content("#upload-error")
        assert msg.startswith("422: photo-01103.jpg: "), msg
        assert "Traceback" not in msg


def test_flagged_record_looks_flagged(page, server, csv_bytes):
    lines = csv_bytes.decode().splitlines()
    head = lines[0].split(",")
    col = head.index("V6")
    flat = [lines[0]] + [
        ",".join("0" if i == col else c for i, c in enumerate(ln.split(","))) for ln in lines[1:]
    ]
    r = httpx.post(
        f"{server.url}/api/analyses",
        files={"file": ("flat-v6.csv", "\n".join(flat).encode())},
        timeout=120,
    )
    assert r.status_code == 200
    page.click("#refresh")
    page.locator("#history li", has_text="flat-v6.csv").first.click()
    page.wait_for_selector("#flag-banner:not(.ok):not(.hidden)")
    assert "lead V6 is flat" in page.text_content("#flag-banner")
    assert "flagged" in page.get_attribute("#quality-card", "class")


def test_page_asks_for_the_token_once(browser, tmp_path, make_server):
    srv = make_server(tmp_path / "data", "--workers", "1", "--token", "tok-123")
    ctx = browser.new_context(viewport={"width": 1000, "height": 800})
    pg = ctx.new_page()
    pg.goto(f"{srv.url}/")
    pg.wait_for_selector("#token-dialog[open]")  # the API said 401: the page asks
    assert not pg.is_visible("#history-empty")  # and shows no history without it
    pg.fill("#token-input", "tok-123")
    pg.click("#token-form button[type=submit]")
    pg.wait_for_selector("#history-empty:not(.hidden)")  # the list call now succeeded
    pg.reload()  # kept for the browser session: not asked again
    pg.wait_for_selector("#history-empty:not(.hidden)")
    assert not pg.is_visible("#token-dialog")
    ctx.close()
