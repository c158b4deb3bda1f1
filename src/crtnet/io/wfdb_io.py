"""WFDB records through the ``wfdb`` package, with the checks it does not make itself."""

from __future__ import annotations

import math
import os
import re
import zlib
from pathlib import Path

import numpy as np
import wfdb

from crtnet.errors import CrtnetError
from crtnet.io.atomic import atomic_dir
from crtnet.io.leads import normalize_leads
from crtnet.io.limits import check_regular_file, check_samples
from crtnet.io.record import Record

# bytes per sample for each storage format (212 packs 2 samples in 3 bytes, 310/311 3 in 4)
_BYTES_PER_SAMPLE = {
    "8": 1,
    "80": 1,
    "16": 2,
    "61": 2,
    "160": 2,
    "24": 3,
    "32": 4,
    "212": 1.5,
    "310": 4 / 3,
    "311": 4 / 3,
}
_UNIT_SCALE = {"mv": 1.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3, "v": 1e3, "nu": 1.0, "": 1.0}


def base_path(path: str | Path) -> Path:
    """``x.hea``, ``x.dat`` or ``x`` → ``x`` (what ``wfdb`` expects)."""
    p = Path(path)
    return p.with_suffix("") if p.suffix in (".hea", ".dat", ".atr") else p


_NAME = re.compile(r"^[-\w]+$", re.ASCII)  # what wfdb accepts as a record name
_MAX_HEADER_BYTES = 1 << 20


def read_header(path: str | Path, *, whole: bool = True) -> wfdb.Record:
    """The header; with ``whole`` (the record is about to be loaded at once) sizes are capped."""
    base = base_path(path)
    hea = Path(f"{base}.hea")
    if not hea.exists():
        raise CrtnetError("file not found (no WFDB header .hea)", hea)
    check_regular_file(hea)
    if os.path.getsize(hea) > _MAX_HEADER_BYTES:
        raise CrtnetError("header is over 1 MiB: not a WFDB header", hea)
    _check_fs_field(hea)
    try:
        header = wfdb.rdheader(str(base))
    except Exception as exc:  # wfdb raises many types for a malformed header
        raise CrtnetError(f"unreadable WFDB header: {exc}", hea) from None
    for attr in ("sig_name", "adc_gain", "baseline", "units", "fmt", "file_name"):
        vals = getattr(header, attr, None)
        if vals is not None and len(vals) != (header.n_sig or 0):
            raise CrtnetError(
                f"header declares {header.n_sig} signals but describes {len(vals)}", hea
            )
    if whole and header.n_sig and header.sig_len:
        check_samples(int(header.n_sig), int(header.sig_len), hea)
    return header


def safe_record_name(stem: str) -> str:
    """``stem`` when WFDB can hold it as a record name, else a safe, unique variant.

    ``my ecg`` becomes ``my_ecg-1c2d3e4f``: the hash of the original keeps ``my ecg`` and
    ``my_ecg`` apart, and the same input always maps to the same name (reruns resume).
    """
    if _NAME.match(stem):
        return stem
    safe = re.sub(r"[^-\w]+", "_", stem, flags=re.ASCII).strip("_")[:64] or "record"
    return f"{safe}-{zlib.crc32(stem.encode('utf-8', 'surrogateescape')):08x}"


def _check_fs_field(hea: Path) -> None:
    """wfdb reads fs -500, nan or inf as its 250 Hz default and 1e12 as garbage: refuse."""
    with open(hea, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                break
        else:
            raise CrtnetError("header has no record line", hea)
    fields = line.split()
    if len(fields) < 3 or not fields[1].isdigit():
        return  # no fs given (WFDB's default 250 Hz applies), or not a header: wfdb judges
    raw = re.split(r"[/(]", fields[2])[0]
    try:
        fs = float(raw)
    except ValueError:
        raise CrtnetError(
            f"sampling rate {fields[2]!r} in the header is not a number", hea
        ) from None
    if not (math.isfinite(fs) and 0 < fs <= 100_000):
        raise CrtnetError(f"implausible sampling rate {raw} Hz in the header", hea)


def check_signal_files(header: wfdb.Record, directory: Path) -> None:
    """Compare each signal file's size to what the header promises.

    ``wfdb`` fails on a truncated ``.dat`` with an opaque broadcast error and silently
    reads only the first N samples when the header understates the length.
    """
    if header.sig_len is None or not header.file_name:
        return
    per_file: dict[str, float] = {}
    offsets: dict[str, int] = {}
    for i, fname in enumerate(header.file_name):
        fmt = str(header.fmt[i])
        if fmt not in _BYTES_PER_SAMPLE:
            return  # compressed (FLAC) or exotic formats: let wfdb judge
        spf = (header.samps_per_frame or [1] * header.n_sig)[i] or 1
        per_file[fname] = per_file.get(fname, 0) + _BYTES_PER_SAMPLE[fmt] * spf
        offsets[fname] = (header.byte_offset or [0] * header.n_sig)[i] or 0
    for fname, frame_bytes in per_file.items():
        f = directory / fname
        if not f.exists():
            raise CrtnetError("signal file is missing", f)
        check_regular_file(f)
        expected = int(np.ceil(frame_bytes * header.sig_len)) + offsets[fname]
        actual = os.path.getsize(f)
        if actual < expected:
            raise CrtnetError(
                f"truncated: header promises {header.sig_len} samples per lead "
                f"({expected} bytes) but the file has {actual} bytes",
                f,
            )
        if actual - expected > np.ceil(frame_bytes) + 4:
            held = int((actual - offsets[fname]) // frame_bytes)
            raise CrtnetError(
                f"header length is wrong: it says {header.sig_len} samples per lead "
                f"but the file holds about {held}",
                f,
            )


def read_wfdb(
    path: str | Path, *, strict_leads: bool = True, sampfrom: int = 0, sampto: int | None = None
) -> Record:
    """The whole record, or samples ``[sampfrom, sampto)`` of a long one (see ``windows``)."""
    base = base_path(path)
    window = sampfrom > 0 or sampto is not None
    header = read_header(base, whole=not window)
    check_signal_files(header, base.parent)
    if window:
        check_samples(int(header.n_sig), (sampto or header.sig_len or 0) - sampfrom, base)
    try:
        rec = wfdb.rdrecord(
            str(base), physical=True, sampfrom=sampfrom, sampto=sampto, return_res=32
        )
    except Exception as exc:
        raise CrtnetError(f"unreadable WFDB signal: {exc}", base) from None
    if rec.p_signal is None or rec.p_signal.size == 0:
        raise CrtnetError("WFDB record holds no samples", base)
    signal = np.ascontiguousarray(rec.p_signal.T, dtype=np.float32)
    for i, unit in enumerate(rec.units or []):
        scale = _UNIT_SCALE.get(str(unit).strip().lower())
        if scale is None:
            raise CrtnetError(f"lead {rec.sig_name[i]!r} has non-voltage units {unit!r}", base)
        signal[i] *= scale
    comments = list(rec.comments or [])
    labels, patient_id, meta = parse_comments(comments)
    meta.update(
        fmt=[str(f) for f in rec.fmt],
        adc_gain=[float(g) for g in rec.adc_gain],
        baseline=[int(b) for b in rec.baseline],
        comments=comments,
    )
    return record_from_header(signal, rec, base, strict_leads, labels, patient_id, meta)


def record_from_header(signal, header, base: Path, strict_leads: bool, labels, patient_id, meta):
    """The Record of a WFDB-style header (plain WFDB and challenge ``.mat`` alike)."""
    try:
        leads = normalize_leads(header.sig_name, strict=strict_leads)
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, f"{base}.hea") from None
    return Record.checked(
        f"{base}.hea",
        signal=signal,
        fs=float(header.fs),
        leads=leads,
        record_id=header.record_name,
        patient_id=patient_id,
        labels=labels,
        source=str(base),
        meta=meta,
    )


def parse_comments(comments: list[str]) -> tuple[list[str], str | None, dict]:
    """Labels, patient id and key: value facts from header comments (challenge style too)."""
    labels: list[str] = []
    patient_id = None
    meta: dict = {}
    for line in comments:
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key in ("dx", "labels"):
            labels += [v.strip() for v in value.split(",") if v.strip()]
        elif key in ("patient", "patient_id"):
            patient_id = value or None
        elif key in ("age", "sex") and value.lower() not in ("unknown", "nan", ""):
            meta[key] = value
    return labels, patient_id, meta


def write_wfdb(record: Record, path: str | Path, *, fmt: str = "16") -> Path:
    """Write ``path.hea`` + ``path.dat``; reuses the record's own gains when it has them.

    Gain defaults to 1000 adu/mV (1 µV steps, ±32 mV range for format 16); a record read
    from WFDB keeps its original gain and baseline, so a round trip is bit-exact.
    """
    base = base_path(path)
    if not _NAME.match(base.name):
        raise CrtnetError(
            "a WFDB record name may hold only ASCII letters, digits, '_' and '-'", base
        )
    n = record.n_leads
    gains = record.meta.get("adc_gain")
    baselines = record.meta.get("baseline")
    if not (gains and len(gains) == n and baselines and len(baselines) == n):
        gains, baselines = [1000.0] * n, [0] * n
    fmts = record.meta.get("fmt") if fmt == "keep" else None
    if not (fmts and len(fmts) == n):
        fmts = [fmt if fmt != "keep" else "16"] * n
    comments = [f"labels: {','.join(record.labels)}"] if record.labels else []
    if record.patient_id:
        comments.append(f"patient: {record.patient_id}")
    for key in ("age", "sex"):
        if key in record.meta:
            comments.append(f"{key}: {record.meta[key]}")
    d_signal = _to_digital(record.signal, np.array(gains), np.array(baselines), fmts)
    with atomic_dir(base.parent) as tmp:
        wfdb.wrsamp(
            base.name,
            fs=record.fs,
            units=["mV"] * n,
            sig_name=list(record.leads),
            d_signal=d_signal.T,
            fmt=list(fmts),
            adc_gain=list(gains),
            baseline=list(baselines),
            comments=comments,
            write_dir=str(tmp),
        )
    return Path(f"{base}.hea")


def _to_digital(signal: np.ndarray, gains: np.ndarray, baselines: np.ndarray, fmts) -> np.ndarray:
    bits = {"8": 8, "80": 8, "16": 16, "61": 16, "160": 16, "24": 24, "32": 32, "212": 12}
    out = np.empty(signal.shape, dtype=np.int64)
    for i, f in enumerate(fmts):
        b = bits.get(str(f), 16)
        lo, hi = -(2 ** (b - 1)), 2 ** (b - 1) - 1
        d = np.round(signal[i].astype(np.float64) * gains[i] + baselines[i])
        nan = ~np.isfinite(d)
        d = np.clip(np.where(nan, 0, d), lo + 1, hi)
        d[nan] = lo  # WFDB's "invalid sample" marker
        out[i] = d
    return out
