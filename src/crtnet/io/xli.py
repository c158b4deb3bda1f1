"""Philips XLI waveform decompression: per-lead LZW (10-bit codes) over delta-coded int16.

Each lead is a chunk: an 8-byte header (int32 payload size, int16 code, int16 first
value) and an LZW payload. The LZW output holds the high bytes of all samples, then all
the low bytes; the samples are second-order predictions whose first value comes from the
header. Written from the format's description, not from any implementation's code.
"""

from __future__ import annotations

import struct

import numpy as np

from crtnet.errors import CrtnetError

_CODE_BITS = 10
_MAX_CODES = 1 << _CODE_BITS


def lzw_decode(payload: bytes, max_out: int) -> bytes:
    """Decode 10-bit MSB-first LZW codes; stops at ``max_out`` bytes (bounded memory)."""
    table = [bytes([i]) for i in range(256)]
    out = bytearray()
    prev = b""
    acc = nbits = 0
    for byte in payload:
        acc = (acc << 8) | byte
        nbits += 8
        while nbits >= _CODE_BITS:
            nbits -= _CODE_BITS
            code = (acc >> nbits) & (_MAX_CODES - 1)
            acc &= (1 << nbits) - 1
            if code < len(table):
                entry = table[code]
            elif code == len(table) and prev:
                entry = prev + prev[:1]
            else:
                raise ValueError(f"LZW code {code} outside a table of {len(table)}")
            out += entry
            if prev and len(table) < _MAX_CODES:
                table.append(prev + entry[:1])
            prev = entry
            if len(out) >= max_out:
                return bytes(out[:max_out])
    return bytes(out)


def undo_prediction(deltas: np.ndarray, first: int) -> np.ndarray:
    """Invert XLI's second-order predictor (values wrap as int16, like the encoder's)."""
    d = deltas.astype(np.int64)
    out = d.copy()
    if len(d) < 3:
        return out.astype(np.int16)
    x, y, last = int(d[0]), int(d[1]), int(first)
    for i in range(2, len(d)):
        z = (2 * y - x - last) & 0xFFFF
        z = z - 0x10000 if z >= 0x8000 else z
        last = int(d[i]) - 64
        out[i] = z
        x, y = y, z
    return out.astype(np.int16)


def decode_xli(data: bytes, n_leads: int, n_samples: int) -> np.ndarray:
    """``[n_leads, n_samples]`` int counts from a concatenation of XLI lead chunks."""
    rows = []
    pos = 0
    for lead in range(n_leads):
        if pos + 8 > len(data):
            raise CrtnetError(f"XLI data ends before lead {lead + 1} of {n_leads}")
        size, _code, first = struct.unpack_from("<iHh", data, pos)
        pos += 8
        if size < 0 or pos + size > len(data):
            raise CrtnetError(f"XLI lead {lead + 1}: chunk of {size} bytes runs past the data")
        try:
            raw = lzw_decode(data[pos : pos + size], 2 * n_samples)
        except ValueError as exc:
            raise CrtnetError(f"XLI lead {lead + 1}: corrupt LZW data ({exc})") from None
        pos += size
        if len(raw) < 2 * n_samples:
            raise CrtnetError(
                f"XLI lead {lead + 1}: {len(raw) // 2} samples where {n_samples} are declared"
            )
        b = np.frombuffer(raw, dtype=np.uint8)
        deltas = ((b[:n_samples].astype(np.int32) << 8) | b[n_samples:]).astype(np.uint16)
        rows.append(undo_prediction(deltas.view(np.int16), first))
    return np.stack(rows)
