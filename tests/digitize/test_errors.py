"""Bad inputs: one CrtnetError (API) or one error line + exit 1 + no output (CLI)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from crtnet.cli.main import app
from crtnet.digitize import digitize
from crtnet.errors import CrtnetError
from crtnet.io.leads import STANDARD_12
from crtnet.render import RenderConfig, render_page


def encrypted_pdf() -> bytes:
    """A one-page PDF behind the standard security handler (no empty user password)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + b"11" * 32
        + b"> /U <"
        + b"22" * 32
        + b"> /P -44 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for o in offs:
        out += f"{o:010d} 00000 n \n".encode()
    fid = "00112233445566778899aabbccddeeff"
    out += (
        f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Encrypt 4 0 R /ID [<{fid}> <{fid}>] >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def natural_photo(h: int = 900, w: int = 1200) -> np.ndarray:
    """A smooth, colourful, textured scene (sky, hills, foliage noise): no grid, no trace."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    sky = np.stack([120 + 60 * y / h, 170 + 40 * y / h, 235 - 20 * y / h], axis=2)
    hill = (y > 0.55 * h + 60 * np.sin(x / 150.0))[..., None]
    grass = np.stack([60 + 0 * x, 120 + 0 * x, 50 + 0 * x], axis=2)
    noise = rng.normal(0, 1, (h // 8, w // 8, 3)).astype(np.float32)
    from cv2 import INTER_CUBIC, resize

    texture = resize(noise, (w, h), interpolation=INTER_CUBIC) * 25
    img = np.where(hill, grass + texture, sky + 0.3 * texture)
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.fixture
def bad_files(tmp_path):
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((800, 1100, 3), 255, np.uint8)).save(blank)
    photo = tmp_path / "photo.jpg"
    Image.fromarray(natural_photo()).save(photo, quality=90)
    good = tmp_path / "good.png"
    rec_dir = __import__("crtnet.samples", fromlist=["ROOT"]).ROOT / "ptbxl" / "records500"
    from crtnet.io import read_record

    page = render_page(read_record(rec_dir / "00000" / "00001_hr"), RenderConfig(dpi=200))
    Image.fromarray(page.image).save(good)
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(good.read_bytes()[:5000])
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(encrypted_pdf())
    return {"blank": blank, "photo": photo, "truncated": truncated, "locked": locked, "good": good}


@pytest.mark.parametrize(
    "name,words",
    [
        ("blank", "no ECG trace"),
        ("photo", "not an ECG"),
        ("truncated", "cannot read image"),
        ("locked", "password"),
    ],
)
def test_api_raises_one_clear_error(bad_files, name, words):
    with pytest.raises(CrtnetError) as err:
        digitize(bad_files[name])
    assert words in str(err.value) and str(bad_files[name]) in str(err.value)


def test_api_rejects_unknown_type_and_layout(tmp_path, bad_files):
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    with pytest.raises(CrtnetError, match="unsupported file type"):
        digitize(txt)
    with pytest.raises(CrtnetError, match="unknown layout"):
        digitize(bad_files["good"], layout="7x7")
    with pytest.raises(CrtnetError, match="rows"):
        digitize(bad_files["good"], layout="12x1")


@pytest.mark.parametrize("name", ["blank", "photo", "truncated", "locked"])
def test_cli_one_line_exit_1_no_output(bad_files, tmp_path, name):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["digitize", str(bad_files[name]), "--out", str(out)])
    assert res.exit_code == 1
    errs = [ln for ln in res.output.splitlines() if ln.startswith("crtnet: error:")]
    assert len(errs) == 1 and str(bad_files[name]) in errs[0]
    assert "Traceback" not in res.output
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")]


def test_batch_goes_on_past_bad_files_and_rerun_skips(bad_files, tmp_path):
    out = tmp_path / "out"
    args = [
        "digitize",
        str(bad_files["truncated"]),
        str(bad_files["good"]),
        "--out",
        str(out),
        "--overlay",
        "--format",
        "npz",
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1
    assert (out / "good.npz").exists() and (out / "good-overlay.png").exists()
    side = json.loads((out / "good.json").read_text())
    assert side["layout"] == "3x4+II" and side["calibration"] == "found"
    assert set(side["confidence"]) == set(STANDARD_12)
    assert not (out / "truncated.npz").exists()
    mtime = (out / "good.npz").stat().st_mtime_ns
    res2 = CliRunner().invoke(app, args)
    assert "skipped (done) 1" in res2.output
    assert (out / "good.npz").stat().st_mtime_ns == mtime


def test_cli_wfdb_default_and_workers(bad_files, tmp_path):
    from crtnet.io import read_record

    out = tmp_path / "w"
    res = CliRunner().invoke(
        app,
        [
            "digitize",
            str(bad_files["good"]),
            str(bad_files["blank"]),
            "--out",
            str(out),
            "--workers",
            "2",
        ],
    )
    assert res.exit_code == 1
    rec = read_record(out / "good")
    assert rec.leads[:3] == ["I", "II", "III"] and rec.fs == 500 and rec.n_samples == 5000


def test_pure_black_ink_on_a_grid_is_an_error_not_a_crash():
    """All ink one grey level (Otsu has nothing to split): a clean error, no traceback."""
    page = np.full((850, 1100, 3), 255, np.uint8)
    page[::8, :] = page[:, ::8] = (255, 180, 180)
    page[::40, :] = page[:, ::40] = (230, 100, 100)
    page[400:403, 50:1050] = 0  # a ruler-straight black line, no ECG
    with pytest.raises(CrtnetError):
        digitize(page)
