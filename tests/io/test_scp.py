"""SCP-ECG: the bundled real file, plus files built here to the standard's layout that
exercise what the real samples do not: custom Huffman tables with table switches, second
differences and reference-beat subtraction."""

from __future__ import annotations

import binascii
import struct
from pathlib import Path

import numpy as np
import pytest

from crtnet.errors import CrtnetError
from crtnet.io import detect_format, read_record
from crtnet.io.formats import read_vendor
from crtnet.io.scp_io import DEFAULT_TABLE, Code, huffman_decode

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures/formats/scp_ANON000004.SCP"


# ---- a small SCP writer, from the standard's section layout ------------------------------


def _section(sid: int, body: bytes) -> bytes:
    sec = struct.pack("<HIBB", sid, 16 + len(body), 20, 20) + b"SCPECG" + body
    return struct.pack("<H", binascii.crc_hqx(sec, 0xFFFF)) + sec


def build_scp(bodies: dict[int, bytes]) -> bytes:
    ids = list(range(12))
    sec0_len = 16 + 10 * len(ids)
    pos = 6 + sec0_len + 1  # 1-based index of the byte after section 0
    pointers, blobs = [], []
    for sid in ids:
        if sid == 0:
            pointers.append(struct.pack("<HII", 0, sec0_len, 7))
        elif sid in bodies:
            blob = _section(sid, bodies[sid])
            pointers.append(struct.pack("<HII", sid, len(blob), pos))
            blobs.append(blob)
            pos += len(blob)
        else:
            pointers.append(struct.pack("<HII", sid, 0, 0))
    body = _section(0, b"".join(pointers)) + b"".join(blobs)
    size = 6 + len(body)
    rest = struct.pack("<I", size) + body
    return struct.pack("<H", binascii.crc_hqx(rest, 0xFFFF)) + rest


def encode(values, tables: list[list[Code]]) -> bytes:
    """Huffman-encode with ``tables``; switches table when the value needs it."""
    bits, t = [], 0

    def find(table, v):
        for c in table:
            if c.mode == 1 and c.total == c.prefix and c.base == v:
                return c, ""
        for c in table:
            extra = c.total - c.prefix
            if c.mode == 1 and extra and -(1 << (extra - 1)) <= v < (1 << (extra - 1)):
                return c, format(v & ((1 << extra) - 1), f"0{extra}b")
        return None, None

    for v in values:
        code, tail = find(tables[t], int(v))
        if code is None:  # switch to the other table
            sw = next(c for c in tables[t] if c.mode == 0)
            bits.append(sw.bits)
            t = sw.base - 1
            code, tail = find(tables[t], int(v))
        bits.append(code.bits + tail)
    s = "".join(bits)
    s += "0" * (-len(s) % 8)
    return bytes(int(s[i : i + 8], 2) for i in range(0, len(s), 8))


def table_bytes(tables: list[list[Code]]) -> bytes:
    out = struct.pack("<H", len(tables))
    for table in tables:
        out += struct.pack("<H", len(table))
        for c in table:
            stored = sum(int(b) << k for k, b in enumerate(c.bits))  # first bit in the LSB
            out += struct.pack("<BBBhI", c.prefix, c.total, c.mode, c.base, stored)
    return out


def differences(x: np.ndarray, order: int) -> np.ndarray:
    """EN 1064: first differences keep x0; second differences keep x0 and x1."""
    d = x.astype(np.int64).copy()
    if order == 1:
        d[1:] = x[1:] - x[:-1]
    if order == 2:
        d[2:] = x[2:] - 2 * x[1:-1] + x[:-2]
    return d


def lead_block(rows, avm, interval, diff, tables, extra=b"\x00") -> bytes:
    data = [encode(differences(r, diff), tables) for r in rows]
    head = struct.pack("<HHB", avm, interval, diff) + extra
    return head + struct.pack(f"<{len(data)}H", *map(len, data)) + b"".join(data)


# ---- tests ---------------------------------------------------------------------------------


def test_bundled_real_file():
    assert detect_format(FIXTURE) == "scp_ecg"
    rec = read_record(FIXTURE)
    assert rec.fs == 600 and rec.n_samples == 6000 and rec.leads[:3] == ["I", "II", "III"]
    assert rec.meta["cart"]["measurements"]["qrs_ms"] == 88
    assert rec.meta["cart"]["device"] == "MDW14"
    assert 1.0 < np.ptp(rec.lead("II")) < 5.0


def test_default_table_as_custom_table_decodes_identically(tmp_path):
    """Section 2 rewritten to spell the default table out as a custom one: same samples."""
    data = FIXTURE.read_bytes()
    (index,) = struct.unpack_from("<I", data, 6 + 16 + 2 * 10 + 6)  # section 2 pointer
    (length,) = struct.unpack_from("<I", data, 6 + 16 + 2 * 10 + 2)
    assert length == 18  # "19999": default table
    sections = {}
    pos = 6 + 16
    for _ in range(12):
        sid, slen, idx = struct.unpack_from("<HII", data, pos)
        pos += 10
        if sid and slen:
            sections[sid] = data[idx - 1 + 16 : idx - 1 + slen]
    sections[2] = table_bytes([DEFAULT_TABLE])
    custom = tmp_path / "custom.scp"
    custom.write_bytes(build_scp(sections))
    np.testing.assert_array_equal(read_record(custom).signal, read_record(FIXTURE).signal)
    assert index > 0


def test_default_table_escapes():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.integers(-9, 10, 200), rng.integers(-30000, 30000, 50), [0]])
    decoded = huffman_decode(encode(values, [DEFAULT_TABLE]), len(values), [DEFAULT_TABLE])
    np.testing.assert_array_equal(decoded, values)


# two custom tables: small values in table 1, a 16-bit escape in table 2, switches between
TABLES = [
    [
        Code(1, 1, 1, 0, "0"),
        Code(3, 3, 1, 1, "100"),
        Code(3, 3, 1, -1, "101"),
        Code(2, 2, 0, 2, "11"),
    ],
    [Code(2, 18, 1, 0, "01"), Code(1, 1, 0, 1, "1"), Code(2, 2, 1, 0, "00")],
]


def _synthetic(n=2000, fs=500):
    rng = np.random.default_rng(1)
    t = np.arange(n)
    base = np.stack([np.round(20 * np.sin(2 * np.pi * t / 700)), np.round(15 * np.cos(t / 90))])
    base += rng.integers(-1, 2, base.shape)
    ref = np.zeros((2, 100), dtype=np.int64)
    ref[:, 40:60] = (np.hanning(20) * 300).astype(int)
    ref[1] = -ref[1] // 2
    return base.astype(np.int64), ref, [400, 900, 1400]


def test_custom_tables_second_differences_and_reference_beat(tmp_path):
    base, ref, qrs = _synthetic()
    fid_ref, n = 50, base.shape[1]
    full = base.copy()
    residual = base.copy()  # what a cart stores: the beat with the reference subtracted
    s4 = struct.pack("<HHH", 200, fid_ref, len(qrs))
    for fc in qrs:  # 1-based fiducial sample numbers
        sb, se = fc - 40, fc + 40
        s4 += struct.pack("<HIII", 0, sb, fc, se)
        for t in range(sb, se + 1):
            full[:, t - 1] += ref[:, t - fc + fid_ref - 1]
    s4 += b"".join(struct.pack("<II", fc - 40, fc + 40) for fc in qrs)
    s3 = struct.pack("<BB", 2, 0b00010101) + b"".join(
        struct.pack("<IIB", 1, n, code) for code in (1, 2)
    )
    bodies = {
        2: table_bytes(TABLES),
        3: s3,
        4: s4,
        5: lead_block(ref, 5000, 2000, 1, TABLES),
        6: lead_block(residual, 5000, 2000, 2, TABLES),
    }
    path = tmp_path / "synthetic"  # no suffix: found by content
    path.write_bytes(build_scp(bodies))
    rec = read_record(path)
    assert rec.fs == 500 and rec.leads == ["I", "II", "III", "aVR", "aVL", "aVF"]
    np.testing.assert_allclose(rec.select(["I", "II"]).signal, full * 5e-3, atol=1e-6)
    med = read_vendor(path, "scp_ecg", waveform="median")
    np.testing.assert_allclose(med.select(["I", "II"]).signal, ref * 5e-3, atol=1e-6)


def _corrupt(tmp_path, edit) -> Path:
    data = bytearray(FIXTURE.read_bytes())
    edit(data)
    p = tmp_path / "bad.scp"
    p.write_bytes(bytes(data))
    return p


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.__setitem__(slice(5000, 5004), b"\xff\xff\xff\xff"), "CRC"),
        (lambda d: d.__delitem__(slice(20000, None)), "record size"),
        (lambda d: d.__setitem__(slice(16, 22), b"XXXXXX"), "not an ECG format"),
    ],
)
def test_damaged_files_are_refused(tmp_path, edit, message):
    with pytest.raises(CrtnetError, match=message) as err:
        read_record(_corrupt(tmp_path, edit))
    assert "bad.scp" in str(err.value)


def test_bimodal_compression_is_refused(tmp_path):
    base, _, _ = _synthetic(200)
    s3 = struct.pack("<BB", 1, 0b00001100) + struct.pack("<IIB", 1, 200, 1)
    bodies = {3: s3, 6: lead_block(base[:1], 5000, 2000, 1, [DEFAULT_TABLE], extra=b"\x01")}
    p = tmp_path / "bimodal.scp"
    p.write_bytes(build_scp(bodies))
    with pytest.raises(CrtnetError, match="bimodal"):
        read_record(p)


def test_absurd_sizes_are_refused_without_allocating(tmp_path):
    base, ref, _ = _synthetic(200)
    huge = struct.pack("<BB", 1, 0b00001100) + struct.pack("<IIB", 1, 2**31, 1)
    p = tmp_path / "huge.scp"
    p.write_bytes(build_scp({3: huge, 6: lead_block(base[:1], 5000, 2000, 1, [DEFAULT_TABLE])}))
    with pytest.raises(CrtnetError, match="implausible size: 1 leads x 2147483648"):
        read_record(p)
    # a reference beat said to be 65 s long at 1 us: decoding stops when the bits run out
    s3 = struct.pack("<BB", 1, 0b00001100) + struct.pack("<IIB", 1, 200, 1)
    bodies = {
        3: s3,
        4: struct.pack("<HHH", 65535, 1, 0),
        5: lead_block(ref[:1], 5000, 1, 1, [DEFAULT_TABLE]),
        6: lead_block(base[:1], 5000, 2000, 1, [DEFAULT_TABLE]),
    }
    p.write_bytes(build_scp(bodies))
    with pytest.raises(CrtnetError, match="reference beat: a lead decodes to"):
        read_vendor(p, "scp_ecg", waveform="median")
