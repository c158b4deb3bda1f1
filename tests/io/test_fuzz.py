"""Property-based fuzzing (hypothesis) of every reader and of the image loader.

Property: any bytes end in a ``Record`` (or an image array) or a ``CrtnetError``, within a
time bound per input, and the process's peak memory stays bounded over the whole run.

CI runs a small, derandomized budget (about 30 s). The longer run is:

    CRTNET_FUZZ_EXAMPLES=2000 CRTNET_FUZZ_RANDOM=1 .venv/bin/python -m pytest tests/io/test_fuzz.py
"""

from __future__ import annotations

import os
import resource
import shutil
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crtnet.errors import CrtnetError
from crtnet.io import read_record
from crtnet.io.record import Record

EXAMPLES = int(os.environ.get("CRTNET_FUZZ_EXAMPLES", "20"))
SECONDS_PER_INPUT = 5.0
MEMORY_GROWTH_MB = 1500

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # we time each input ourselves, with a clearer message
    derandomize=not os.environ.get("CRTNET_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_START_RSS_MB = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bounded(fn, *args):
    t0 = time.perf_counter()
    try:
        out = fn(*args)
    except CrtnetError:
        out = None
    took = time.perf_counter() - t0
    assert took < SECONDS_PER_INPUT, f"took {took:.1f} s"
    return out


@st.composite
def mutated(draw, data: bytes):
    """Real bytes with a few flips, cuts, insertions or a duplicated slice."""
    b = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup", "zero"]))
        i = draw(st.integers(0, max(0, len(b) - 1)))
        if op == "flip" and b:
            b[i] ^= draw(st.integers(1, 255))
        elif op == "cut":
            del b[i : i + draw(st.integers(1, max(1, len(b) // 4)))]
        elif op == "insert":
            b[i:i] = draw(st.binary(min_size=1, max_size=16))
        elif op == "dup":
            b[i:i] = b[i : i + draw(st.integers(1, 64))]
        elif op == "zero":
            b[i : i + 8] = bytes(min(8, len(b) - i))
    return bytes(b)


def _read(path):
    rec = _bounded(read_record, path)
    assert rec is None or isinstance(rec, Record)
    if rec is not None:
        assert rec.n_samples > 0 and rec.n_leads > 0 and not np.isinf(rec.signal).any()


@pytest.fixture(scope="module")
def reals(sample_dir, tmp_path_factory):
    d = tmp_path_factory.mktemp("real")
    rec = read_record(sample_dir / "ptbxl" / "records100" / "00000" / "00001_lr")
    from crtnet.io import write_record

    write_record(rec.replace(signal=rec.signal[:, :200]), d / "r.csv")
    write_record(rec.replace(signal=rec.signal[:, :200]), d / "r.npz")
    return {
        "csv": (d / "r.csv").read_bytes(),
        "npz": (d / "r.npz").read_bytes(),
        "hea": (sample_dir / "ptbxl/records100/00000/00001_lr.hea").read_bytes(),
        "dat": (sample_dir / "ptbxl/records100/00000/00001_lr.dat").read_bytes(),
        "mat_hea": (sample_dir / "cinc2021/HR06000.hea").read_bytes(),
        "mat": (sample_dir / "cinc2021/HR06000.mat").read_bytes(),
    }


@pytest.mark.parametrize("suffix", [".csv", ".npz", ".hea", ".mat"])
@FUZZ
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes(tmp_path, suffix, data):
    p = tmp_path / f"x{suffix}"
    p.write_bytes(data)
    _read(p)


@pytest.mark.parametrize("kind", ["csv", "npz"])
@FUZZ
@given(data=st.data())
def test_mutated_real_files(tmp_path, reals, kind, data):
    p = tmp_path / f"x.{kind}"
    p.write_bytes(data.draw(mutated(reals[kind])))
    _read(p)


@pytest.mark.parametrize("part", ["hea", "dat"])
@FUZZ
@given(data=st.data())
def test_mutated_wfdb(tmp_path, reals, part, data):
    (tmp_path / "00001_lr.hea").write_bytes(reals["hea"])
    (tmp_path / "00001_lr.dat").write_bytes(reals["dat"])
    (tmp_path / f"00001_lr.{part}").write_bytes(data.draw(mutated(reals[part])))
    _read(tmp_path / "00001_lr.hea")


@pytest.mark.parametrize("part", ["mat_hea", "mat"])
@FUZZ
@given(data=st.data())
def test_mutated_challenge(tmp_path, reals, part, data):
    (tmp_path / "HR06000.hea").write_bytes(reals["mat_hea"])
    (tmp_path / "HR06000.mat").write_bytes(reals["mat"])
    name = "HR06000.hea" if part == "mat_hea" else "HR06000.mat"
    (tmp_path / name).write_bytes(data.draw(mutated(reals[part])))
    _read(tmp_path / "HR06000.hea")


# --- the image loader ---------------------------------------------------------------


@pytest.fixture(scope="module")
def images(sample_dir, tmp_path_factory):
    from PIL import Image

    from crtnet.render import RenderConfig, render_page

    rec = read_record(sample_dir / "ptbxl" / "records100" / "00000" / "00001_lr")
    page = render_page(rec, RenderConfig(layout="3x4", dpi=100, header=False))
    d = tmp_path_factory.mktemp("img")
    small = Image.fromarray(page.image).resize((220, 170))
    out = {}
    for fmt, ext in (("PNG", ".png"), ("JPEG", ".jpg"), ("TIFF", ".tif"), ("BMP", ".bmp")):
        small.save(d / f"p{ext}", format=fmt)
        out[ext] = (d / f"p{ext}").read_bytes()
    page.save(d, "v", ("vector-pdf",))
    out[".pdf"] = (d / "v-vector.pdf").read_bytes()
    return out


def _load(path):
    from crtnet.digitize.load import load

    res = _bounded(load, path)
    if res is not None:
        kind, payload, _ = res
        assert kind in ("raster", "vector")
        if kind == "raster":
            assert payload.dtype == np.uint8 and payload.ndim == 3 and payload.shape[2] == 3


@pytest.mark.parametrize("ext", [".png", ".jpg", ".tif", ".bmp", ".pdf"])
@FUZZ
@given(data=st.data())
def test_image_loader_mutations(tmp_path, images, ext, data):
    p = tmp_path / f"x{ext}"
    p.write_bytes(data.draw(mutated(images[ext])))
    _load(p)


@pytest.mark.parametrize("ext", [".png", ".pdf"])
@FUZZ
@given(data=st.binary(max_size=2048))
def test_image_loader_arbitrary_bytes(tmp_path, ext, data):
    p = tmp_path / f"x{ext}"
    p.write_bytes(data)
    _load(p)


def test_zz_memory_stayed_bounded(tmp_path):
    """Runs last in this module: the peak RSS of everything above grew by < 1.5 GB."""
    shutil.rmtree(tmp_path, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak - _START_RSS_MB < MEMORY_GROWTH_MB, f"peak {peak:.0f} MB"
