"""Reading and writing ECG records in every format crtnet speaks.

``read_record`` picks the reader from the file itself, so the CLI and the datasets accept
WFDB, CSV, npz and challenge files interchangeably.
"""

from __future__ import annotations

from pathlib import Path

from crtnet.errors import CrtnetError
from crtnet.io.formats import KNOWN_KINDS, READERS, VENDOR_SUFFIXES, read_vendor, sniff
from crtnet.io.leads import CABRERA_12, STANDARD_12, derive_limb_leads, normalize_lead
from crtnet.io.record import Record

SIGNAL_SUFFIXES = (".hea", ".dat", ".csv", ".npz", ".mat", *VENDOR_SUFFIXES)
WRITE_FORMATS = ("wfdb", "csv", "npz", "challenge")


def detect_format(path: str | Path) -> str:
    p = Path(path)
    if p.exists():
        from crtnet.io.limits import check_regular_file

        check_regular_file(p)  # a folder named x.csv, a FIFO named x.hea...
    suffix = p.suffix.lower()
    vendor = sniff(p)  # hospital formats are recognised by content, whatever the suffix
    if vendor is not None:
        return vendor
    if suffix in VENDOR_SUFFIXES and p.is_file():
        raise CrtnetError(f"{suffix} file is not an ECG format crtnet knows ({KNOWN_KINDS})", p)
    if suffix == ".csv":
        return "csv"
    if suffix == ".npz":
        return "npz"
    if suffix == ".mat":
        return "challenge"
    if suffix in (".hea", ".dat") or Path(f"{p}.hea").exists():
        hea = Path(f"{p.with_suffix('')}.hea") if suffix in (".hea", ".dat") else Path(f"{p}.hea")
        if hea.exists():
            from crtnet.io.limits import check_regular_file

            check_regular_file(hea)
            with open(hea, "rb") as fh:
                second = fh.read(1 << 16).decode("utf-8", errors="replace").splitlines()[1:2]
            words = second[0].split() if second else []
            if words and words[0].lower().endswith(".mat"):
                return "challenge"
        return "wfdb"
    if not p.exists():
        raise CrtnetError("file not found", p)
    raise CrtnetError(
        f"unknown signal format {suffix or '(no extension)'}; expected one of "
        f"{', '.join(SIGNAL_SUFFIXES)}",
        p,
    )


def read_record(
    path: str | Path,
    *,
    fs: float | None = None,
    leads: list[str] | None = None,
    derive_limb: bool = False,
    strict_leads: bool = True,
) -> Record:
    """Read any supported signal file into a ``Record`` (mV, float32).

    ``fs`` is needed only for a CSV without a time column. ``derive_limb`` adds III, aVR,
    aVL and aVF from I and II; ``leads`` then selects and orders leads by name.
    """
    from crtnet.io.challenge_io import read_challenge
    from crtnet.io.csv_io import read_csv
    from crtnet.io.npz_io import read_npz
    from crtnet.io.wfdb_io import read_wfdb

    fmt = detect_format(path)
    if fmt == "csv":
        rec = read_csv(path, fs=fs, strict_leads=strict_leads)
    elif fmt == "npz":
        rec = read_npz(path, strict_leads=strict_leads)
    elif fmt == "challenge":
        rec = read_challenge(path, strict_leads=strict_leads)
    elif fmt in READERS:
        rec = read_vendor(path, fmt, strict_leads=strict_leads)
    else:
        rec = read_wfdb(path, strict_leads=strict_leads)
    if fs is not None and fmt != "csv" and abs(rec.fs - fs) > 1e-6:
        raise CrtnetError(f"sampling rate is {rec.fs:g} Hz, not the {fs:g} Hz expected", path)
    try:
        if derive_limb:
            rec = rec.with_derived_limb_leads()
        if leads is not None:
            rec = rec.select(leads)
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None
    return rec


def write_record(record: Record, path: str | Path, fmt: str | None = None) -> Path:
    """Write atomically; ``fmt`` defaults from the suffix (no suffix → WFDB)."""
    from crtnet.io.challenge_io import write_challenge
    from crtnet.io.csv_io import write_csv
    from crtnet.io.npz_io import write_npz
    from crtnet.io.wfdb_io import write_wfdb

    p = Path(path)
    fmt = fmt or {".csv": "csv", ".npz": "npz", ".mat": "challenge"}.get(p.suffix.lower(), "wfdb")
    if fmt == "csv":
        return write_csv(record, p if p.suffix == ".csv" else p.with_suffix(".csv"))
    if fmt == "npz":
        return write_npz(record, p if p.suffix == ".npz" else p.with_suffix(".npz"))
    if fmt == "challenge":
        return write_challenge(record, p)
    if fmt == "wfdb":
        return write_wfdb(record, p)
    raise CrtnetError(f"unknown output format {fmt!r}; expected one of {', '.join(WRITE_FORMATS)}")


__all__ = [
    "CABRERA_12",
    "STANDARD_12",
    "Record",
    "derive_limb_leads",
    "detect_format",
    "normalize_lead",
    "read_record",
    "write_record",
]
