"""SCP-ECG (EN 1064 / ISO 11073-91064), versions 1.x and 2.0, written to the standard.

Sections read: 0 (pointers), 1 (device tag), 2 (Huffman tables: default or custom),
3 (leads), 4 + 5 (reference beat, added back where it was subtracted), 6 (rhythm, with
first or second differences), 7 (global measurements), 8 (interpretive statements).
Bimodal compression is refused rather than guessed. CRCs are checked.
"""

from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.cart import cart_meta
from crtnet.io.leads import normalize_lead
from crtnet.io.record import Record

MAX_BYTES = 64 * 1024 * 1024
MAX_SAMPLES = 20_000_000
# EN 1064 lead codes (section 3) for the leads crtnet names
LEAD_CODES = {
    1: "I",
    2: "II",
    3: "V1",
    4: "V2",
    5: "V3",
    6: "V4",
    7: "V5",
    8: "V6",
    9: "V7",
    10: "V2R",
    11: "V3R",
    12: "V4R",
    13: "V5R",
    14: "V6R",
    15: "V7R",
    61: "III",
    62: "aVR",
    63: "aVL",
    64: "aVF",
    65: "-aVR",
    66: "V8",
    67: "V9",
}
_NOT_MEASURED = {29999, 29998, 29997}


@dataclass(frozen=True)
class Code:
    prefix: int  # bits in the code
    total: int  # bits in code + following value
    mode: int  # 1 = value, 0 = switch to table ``base``
    base: int
    bits: str  # the code as transmitted, first bit first


def _default_table() -> list[Code]:
    """The standard's default table: 0 -> '0'; +-v (1..8) -> v ones, '0', sign bit;
    then two escapes followed by an 8- or 16-bit two's complement value."""
    codes = [Code(1, 1, 1, 0, "0")]
    for v in range(1, 9):
        codes.append(Code(v + 2, v + 2, 1, v, "1" * v + "00"))
        codes.append(Code(v + 2, v + 2, 1, -v, "1" * v + "01"))
    codes.append(Code(10, 18, 1, 0, "1111111110"))
    codes.append(Code(10, 26, 1, 0, "1111111111"))
    return codes


DEFAULT_TABLE = _default_table()


def read_scp(path: str | Path, *, waveform: str = "rhythm", strict_leads: bool = True) -> Record:
    """``waveform`` is ``"rhythm"`` (section 6) or ``"median"`` (section 5's reference beat)."""
    path = Path(path)
    if not path.is_file():
        raise CrtnetError("file not found", path)
    if path.stat().st_size > MAX_BYTES:
        raise CrtnetError(f"file is over the {MAX_BYTES // 2**20} MB limit", path)
    data = path.read_bytes()
    try:
        return _read(data, path, waveform, strict_leads)
    except (struct.error, IndexError, ValueError) as exc:
        raise CrtnetError(f"corrupt SCP-ECG file: {exc}", path) from None


def _read(data: bytes, path: Path, waveform: str, strict: bool) -> Record:
    if len(data) < 6 + 16 or data[16:22] != b"SCPECG":
        raise CrtnetError("not an SCP-ECG file (no SCPECG section header)", path)
    crc, size = struct.unpack_from("<HI", data, 0)
    if size != len(data):
        raise CrtnetError(f"record size field says {size} bytes, file has {len(data)}", path)
    if binascii.crc_hqx(data[2:], 0xFFFF) != crc:
        raise CrtnetError("record CRC mismatch: the file is damaged", path)
    sections = _sections(data, path)
    if 3 not in sections:
        raise CrtnetError("no lead definition (section 3)", path)
    leads, flags = _leads(sections[3], strict, path)
    tables = _huffman_tables(sections.get(2))
    if waveform == "median":
        if 5 not in sections or 4 not in sections:
            raise CrtnetError("no reference beat (sections 4 and 5)", path)
        ref, fs_ref = _reference_beat(sections, leads, tables, path)
        signal, fs = ref, fs_ref
    elif waveform == "rhythm":
        if 6 not in sections:
            raise CrtnetError("no rhythm data (section 6)", path)
        signal, fs = _rhythm(sections, leads, flags, tables, path)
    else:
        raise CrtnetError(f"waveform must be 'rhythm' or 'median', not {waveform!r}")
    names = [n for n, _, _ in leads]
    try:
        rec = Record(signal, fs, names, record_id=path.stem, source=str(path))
        if "I" in names and "II" in names:
            rec = rec.with_derived_limb_leads()
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None
    rec.meta["format"] = "scp_ecg"
    rec.meta["scp_version"] = data[6 + 9] / 10
    rec.meta["cart"] = cart_meta(
        _global_measurements(sections.get(7)),
        _statements(sections.get(8)),
        _device(sections.get(1)),
    )
    return rec


def _sections(data: bytes, path: Path) -> dict[int, bytes]:
    """Section id -> section body (after its 16-byte header), each CRC-checked."""
    _, _, length = struct.unpack_from("<HHI", data, 6)
    out = {}
    for pos in range(6 + 16, 6 + length, 10):
        sid, slen, index = struct.unpack_from("<HII", data, pos)
        if slen == 0 or sid == 0:
            continue
        start = index - 1
        if start < 0 or start + slen > len(data) or slen < 16:
            raise CrtnetError(f"section {sid} points outside the file", path)
        sec = data[start : start + slen]
        if binascii.crc_hqx(sec[2:], 0xFFFF) != struct.unpack_from("<H", sec, 0)[0]:
            raise CrtnetError(f"section {sid} CRC mismatch: the file is damaged", path)
        out[sid] = sec[16:]
    return out


def _leads(body: bytes, strict: bool, path: Path) -> tuple[list[tuple[str, int, int]], int]:
    n, flags = body[0], body[1]
    leads = []
    for k in range(n):
        start, end, code = struct.unpack_from("<IIB", body, 2 + 9 * k)
        name = LEAD_CODES.get(code, f"scp{code}")
        try:
            name = normalize_lead(name, strict=strict)
        except CrtnetError:
            raise CrtnetError(f"SCP lead code {code} is not a lead crtnet knows", path) from None
        leads.append((name, start, end))
    return leads, flags


def _huffman_tables(body: bytes | None) -> list[list[Code]]:
    if body is None:
        return [DEFAULT_TABLE]
    (n_tables,) = struct.unpack_from("<H", body, 0)
    if n_tables == 19999:
        return [DEFAULT_TABLE]
    tables, pos = [], 2
    for _ in range(n_tables):
        (n_codes,) = struct.unpack_from("<H", body, pos)
        pos += 2
        table = []
        for _ in range(n_codes):
            prefix, total, mode, base, code = struct.unpack_from("<BBBhI", body, pos)
            pos += 9
            if not 1 <= prefix <= 32 or total < prefix or total - prefix > 32:
                raise ValueError(f"Huffman code with {prefix}/{total} bits")
            # codes are stored with the first transmitted bit in the least significant place
            bits = "".join(str((code >> k) & 1) for k in range(prefix))
            table.append(Code(prefix, total, mode, base, bits))
        tables.append(table)
    return tables


def huffman_decode(payload: bytes, n: int, tables: list[list[Code]]) -> np.ndarray:
    """Decode ``n`` values (fewer if the bits run out; the caller checks)."""
    bits = "".join(f"{b:08b}" for b in payload)
    lookups = [({c.bits: c for c in t}, sorted({c.prefix for c in t})) for t in tables]
    table, lengths = lookups[0]
    out = np.zeros(min(n, len(bits)), dtype=np.int64)  # every value takes >= 1 bit
    n = len(out)
    pos = k = 0
    while k < n:
        code = None
        for length in lengths:
            code = table.get(bits[pos : pos + length])
            if code is not None:
                break
        if code is None:
            break
        pos += code.prefix
        if code.mode == 0:
            if not 1 <= code.base <= len(lookups):
                raise ValueError(f"switch to Huffman table {code.base} of {len(lookups)}")
            table, lengths = lookups[code.base - 1]
            continue
        extra = code.total - code.prefix
        if extra:
            chunk = bits[pos : pos + extra]
            if len(chunk) < extra:
                break
            value = int(chunk, 2)
            out[k] = value - (1 << extra) if chunk[0] == "1" else value
            pos += extra
        else:
            out[k] = code.base
        k += 1
    return out[:k]


def _undo_differences(x: np.ndarray, order: int) -> np.ndarray:
    if order == 0:
        return x
    if order == 1:
        return np.cumsum(x)
    if order == 2:  # x0, x1 as stored; then x[i] = d[i] + 2 x[i-1] - x[i-2]
        if len(x) < 3:
            return x
        slope = np.concatenate([[x[1] - x[0]], x[2:]]).cumsum()
        return np.concatenate([[x[0]], x[0] + slope.cumsum()])
    raise ValueError(f"difference order {order}")


def _decode_leads(body: bytes, counts: list[int], tables, what: str, path: Path):
    avm, interval_us, diff = struct.unpack_from("<HHB", body, 0)
    if avm == 0 or interval_us == 0:
        raise CrtnetError(f"{what}: amplitude multiplier or sample interval is zero", path)
    pos = 6 + 2 * len(counts)
    sizes = struct.unpack_from(f"<{len(counts)}H", body, 6)
    rows = []
    for n, size in zip(counts, sizes, strict=True):
        values = huffman_decode(body[pos : pos + size], n, tables)
        if len(values) != n:
            raise CrtnetError(f"{what}: a lead decodes to {len(values)} of {n} samples", path)
        rows.append(_undo_differences(values, diff))
        pos += size
    return np.stack(rows).astype(np.float64), avm, interval_us


def _rhythm(sections, leads, flags, tables, path):
    body = sections[6]
    if body[5]:
        raise CrtnetError("bimodal compression is not supported", path)
    counts = [end - start + 1 for _, start, end in leads]
    if len(set(counts)) != 1:
        raise CrtnetError(f"leads of different lengths {sorted(set(counts))}: unsupported", path)
    if counts[0] <= 0 or counts[0] * len(counts) > MAX_SAMPLES:
        raise CrtnetError(f"implausible size: {len(counts)} leads x {counts[0]} samples", path)
    rhythm, avm, interval = _decode_leads(body, counts, tables, "rhythm", path)
    signal = rhythm * avm / 1e6  # nV -> mV
    if flags & 1:  # reference beat was subtracted before compression: add it back
        ref, fs_ref = _reference_beat(sections, leads, tables, path)
        if fs_ref != rate(interval):
            raise CrtnetError("reference beat and rhythm differ in sampling rate", path)
        signal = _add_reference_beat(signal, ref, sections[4])
    return signal, rate(interval)


def rate(interval_us: int) -> float:
    """Sampling rate from SCP's whole-microsecond interval: 1667 us is 600 Hz, not 599.88."""
    nominal = round(1e6 / interval_us)
    return float(nominal) if round(1e6 / nominal) == interval_us else 1e6 / interval_us


def _reference_beat(sections, leads, tables, path):
    s4 = sections[4]
    length_ms, _fiducial, _n_qrs = struct.unpack_from("<HHH", s4, 0)
    interval = struct.unpack_from("<H", sections[5], 2)[0]
    if interval == 0:
        raise CrtnetError("reference beat: sample interval is zero", path)
    n = int(round(length_ms * 1000 / interval))
    counts = [n] * len(leads)
    ref, avm, interval = _decode_leads(sections[5], counts, tables, "reference beat", path)
    return ref * avm / 1e6, rate(interval)


def _add_reference_beat(signal: np.ndarray, ref: np.ndarray, s4: bytes) -> np.ndarray:
    _, fid_ref, n_qrs = struct.unpack_from("<HHH", s4, 0)
    out = signal.copy()
    for q in range(n_qrs):
        btype, sb, fc, se = struct.unpack_from("<HIII", s4, 6 + 14 * q)
        if btype != 0:
            continue
        for t in range(sb, se + 1):  # 1-based sample numbers, as in the file
            r = t - fc + fid_ref - 1
            if 0 <= r < ref.shape[1] and 0 <= t - 1 < out.shape[1]:
                out[:, t - 1] += ref[:, r]
    return out


def _global_measurements(body: bytes | None) -> dict[str, float | None]:
    if body is None or len(body) < 6 + 16:
        return {}

    def ok(v: int) -> int | None:
        return None if v in _NOT_MEASURED else v

    n_blocks, n_spikes, rr, _pp = struct.unpack_from("<BBHH", body, 0)
    pon, poff, qon, qoff, toff, pax, qax, tax = struct.unpack_from("<5H3h", body, 6)
    span = lambda a, b: b - a if ok(a) is not None and ok(b) is not None else None  # noqa: E731
    axis = lambda v: None if v in (999, 29999) else v  # noqa: E731
    meas = {
        "rr_ms": ok(rr),
        "pr_ms": span(pon, qon),
        "qrs_ms": span(qon, qoff),
        "qt_ms": span(qon, toff),
        "p_axis_deg": axis(pax),
        "qrs_axis_deg": axis(qax),
        "t_axis_deg": axis(tax),
    }
    pos = 6 + 16 * n_blocks + 10 * n_spikes
    if pos + 2 <= len(body):
        (n_qrs,) = struct.unpack_from("<H", body, pos)
        pos += 2 + n_qrs
        if pos + 6 <= len(body):
            vrate, arate, qtc = struct.unpack_from("<HHH", body, pos)
            meas.update(heart_rate_bpm=ok(vrate), atrial_rate_bpm=ok(arate), qtc_ms=ok(qtc))
    return {k: (None if v == 0 and k.endswith("_bpm") else v) for k, v in meas.items()}


def _statements(body: bytes | None) -> list[str]:
    if body is None or len(body) < 9:
        return []
    n = body[8]
    out, pos = [], 9
    for _ in range(n):
        if pos + 3 > len(body):
            break
        (length,) = struct.unpack_from("<H", body, pos + 1)
        text = body[pos + 3 : pos + 3 + length].split(b"\x00", 1)[0]
        out.append(text.decode("latin-1").strip())
        pos += 3 + length
    return [s for s in out if s]


def _device(body: bytes | None) -> str | None:
    """The model description of tag 14 (acquiring device), if present."""
    pos = 0
    while body is not None and pos + 3 <= len(body):
        tag, length = body[pos], struct.unpack_from("<H", body, pos + 1)[0]
        if tag == 255:
            break
        if tag == 14 and length >= 14:
            model = body[pos + 3 + 8 : pos + 3 + 14].split(b"\x00", 1)[0]
            return model.decode("latin-1").strip() or None
        pos += 3 + length
    return None
